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


# A completion long enough to carry a strong mark (delta 8 in the gateway tests); fixed seed.
WATERMARKED_REQUEST = {"model": "tiny", "prompt": "Hello", "max_tokens": 120, "temperature": 1.0, "seed": 4,
                       "ignore_eos": True}


def write_watermark_key(tmp_path: Path, pattern: bytes) -> Path:
    """A fixed 0600 watermark key file (no result may hang on the draw of a key)."""
    key = tmp_path / "wm.key"
    key.write_bytes(pattern * (64 // len(pattern)))
    key.chmod(0o600)
    return key


def watermarked_completion(client: Any, keys: dict[str, str]) -> str:
    """`WATERMARKED_REQUEST`'s text, asked for as a user."""
    resp = client.post("/v1/completions", headers=bearer(keys["user"]), json=WATERMARKED_REQUEST)
    return resp.json()["choices"][0]["text"]


def detect_as_auditor(client: Any, keys: dict[str, str], text: str, **extra: Any) -> dict[str, Any]:
    """The `/v1/watermark/detect` answer for ``text`` (auditor role)."""
    return client.post("/v1/watermark/detect", headers=bearer(keys["auditor"]), json={"text": text, **extra}).json()


def support_chat_texts(lines: int) -> list[str]:
    """The message contents of the first ``lines`` lines of the bundled support chats, one text
    per chat (turns joined by newlines); the file's deliberately broken line is skipped."""
    import json

    texts = []
    for line in (ROOT / "examples/data/support_chats.jsonl").read_text(encoding="utf-8").splitlines()[:lines]:
        try:
            texts.append("\n".join(m["content"] for m in json.loads(line)["messages"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return texts
