"""Helpers shared by the serve tests: keys per role, bearer headers, `privtune serve` subprocesses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def role_keys(gw: Any) -> dict[str, str]:
    """One fresh API key per role: {"user": "ptk_...", "auditor": ..., "admin": ...}."""
    from privtune.serve.roles import Role

    return {r.value: gw.store.create(f"test-{r.value}", r)[1] for r in Role}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`privtune serve ARGS` in a subprocess (cwd ``workdir``), stdout/stderr captured to files there."""

    def __init__(self, args: list[str], workdir: Path, name: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout_path, self.stderr_path = workdir / f"{name}.stdout", workdir / f"{name}.stderr"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(workdir), "XDG_CACHE_HOME": str(workdir / "cache"),
               "TMPDIR": str(workdir), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
        cmd = [sys.executable, "-c", "from privtune.cli import main; main()", "serve", *args, "--port", str(self.port)]
        self._out, self._err = self.stdout_path.open("wb"), self.stderr_path.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=self._out, stderr=self._err)

    def wait_ready(self, timeout: float = 90.0) -> "ServerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.stderr_path.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout} s: {self.stderr_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
        self._err.close()
