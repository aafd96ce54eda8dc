"""Plain progress lines when output is piped (issue 11 item 14)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, TextColumn

from privtune.progress import progress_bar

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^privtune test: steps 3/10 \(30%\), \d:\d\d:\d\d elapsed$", re.M)


def _run(force_terminal: bool) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=force_terminal, width=80)
    with progress_bar(TextColumn("{task.description}"), BarColumn(), console=console, transient=True,
                      command="privtune test", interval_s=0.05) as bar:
        task = bar.add_task("steps", total=10)
        bar.advance(task, 3)
        time.sleep(0.3)
    return buf.getvalue()


def test_piped_output_gets_periodic_plain_lines() -> None:
    out = _run(force_terminal=False)
    assert len(LINE.findall(out)) >= 2, out


def test_a_terminal_gets_the_bar_not_lines() -> None:
    assert not LINE.search(_run(force_terminal=True))


def test_piped_scan_reports_progress_without_data(tmp_path: Path) -> None:
    bundled = (ROOT / "examples" / "data" / "support_chats.jsonl").read_text(encoding="utf-8").splitlines()
    data = tmp_path / "chats.jsonl"
    data.write_text("\n".join(bundled[:80]) + "\n", encoding="utf-8")
    env = {**os.environ, "PRIVTUNE_PROGRESS_SECONDS": "0.2", "PYTHONPATH": str(ROOT)}
    env.pop("PRIVTUNE_SCAN_KEY", None)
    res = subprocess.run([sys.executable, "-m", "privtune.cli", "scan", str(data), "--out", str(tmp_path / "c.jsonl"),
                          "--key-file", str(tmp_path / "k"), "--policy", "redact"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = re.findall(r"^privtune scan: (.*), \d:\d\d:\d\d elapsed$", res.stderr, re.M)
    # The detectors load before the first record: a phase, never a counter standing at 0.
    assert lines and lines[0] == "loading detectors...", res.stderr[-2000:]
    assert all(x == "loading detectors..." or re.fullmatch(r"[1-9][\d,]* records scanned", x) for x in lines), lines
    first_user_turn = bundled[0]
    assert "13960181590" in first_user_turn and "13960181590" not in res.stderr


def test_scan_bar_counts_from_the_first_record() -> None:
    """Under 200 records the counter used to stay at 0 until the end: it moves from record 1."""
    from privtune.progress import LOADING_DETECTORS

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=False, width=100)
    with progress_bar(TextColumn("{task.description}"), console=console, command="privtune scan",
                      interval_s=60) as bar:
        task = bar.add_task(LOADING_DETECTORS, total=None, loading=True)
        assert bar.plain_line().startswith("privtune scan: loading detectors..., ")
        bar.update(task, description="records scanned", completed=1, loading=False)
        assert bar.plain_line().startswith("privtune scan: 1 records scanned, ")
