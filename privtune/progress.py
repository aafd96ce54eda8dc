"""Progress reporting shared by long-running commands, without tying the library to a terminal.

Library code takes a `ProgressFactory`: ``progress(name, total)`` is a context manager that
yields ``tick(n)``. `no_progress` does nothing; `rich_progress` draws bars on a console.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, ContextManager

Tick = Callable[[int], None]
# What `privtune scan` shows until its first record: the detectors load first (up to a minute).
LOADING_DETECTORS = "loading detectors..."  # ASCII: a piped stream may not take "…"
ProgressFactory = Callable[[str, int], ContextManager[Tick]]


@contextlib.contextmanager
def no_progress(name: str, total: int) -> Iterator[Tick]:
    yield lambda n: None


def bar_factory(bar: Any) -> ProgressFactory:
    """A `ProgressFactory` adding one task per step to a running `rich.progress.Progress`."""

    @contextlib.contextmanager
    def step(name: str, total: int) -> Iterator[Tick]:
        task = bar.add_task(name, total=total or None)
        try:
            yield lambda n: bar.advance(task, n)
        finally:
            bar.remove_task(task)

    return step


DEFAULT_PLAIN_INTERVAL_S = 15.0


def plain_interval_s() -> float:
    """Seconds between plain progress lines (env PRIVTUNE_PROGRESS_SECONDS; default 15)."""
    import os

    try:
        return max(0.01, float(os.environ.get("PRIVTUNE_PROGRESS_SECONDS", DEFAULT_PLAIN_INTERVAL_S)))
    except ValueError:
        return DEFAULT_PLAIN_INTERVAL_S


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _make_progress_class() -> type:
    """`rich.progress.Progress` that also writes a plain line every few seconds off a terminal.

    Built lazily so importing this module does not import rich's progress machinery.
    """
    import threading
    import time

    from rich.progress import Progress

    class PipedProgress(Progress):
        """On a terminal: the usual live bars. Piped or logged (not a terminal): rich draws
        nothing until the end, so a thread writes ``privtune: <step> 120/400 (30%), 0:01:05
        elapsed`` lines instead. Only step names and counts appear, never data."""

        def __init__(self, *columns: Any, command: str = "privtune", interval_s: float | None = None,
                     **kwargs: Any) -> None:
            super().__init__(*columns, **kwargs)
            self._command = command
            self._interval = interval_s if interval_s is not None else plain_interval_s()
            self._stop_lines = threading.Event()
            self._line_thread: threading.Thread | None = None
            self._t0 = time.monotonic()

        def plain_line(self) -> str:
            parts = []
            for task in self.tasks:
                if task.finished or not task.visible:
                    continue
                done = int(task.completed)
                if task.fields.get("loading"):  # a phase before any count (loading models)
                    parts.append(task.description)
                elif task.total:
                    parts.append(f"{task.description} {done:,}/{int(task.total):,} ({100 * done / task.total:.0f}%)")
                else:
                    parts.append(f"{done:,} {task.description}")
            doing = "; ".join(parts) if parts else "working"
            return f"{self._command}: {doing}, {_clock(time.monotonic() - self._t0)} elapsed"

        def _write_lines(self) -> None:
            while not self._stop_lines.wait(self._interval):
                try:
                    self.console.file.write(self.plain_line() + "\n")
                    self.console.file.flush()
                except (OSError, ValueError):  # closed pipe: progress is best effort
                    return

        def start(self) -> None:
            super().start()
            if not self.disable and not self.console.is_terminal and self._line_thread is None:
                self._t0 = time.monotonic()
                self._line_thread = threading.Thread(target=self._write_lines, name="privtune-progress", daemon=True)
                self._line_thread.start()

        def stop(self) -> None:
            self._stop_lines.set()
            if self._line_thread is not None:
                self._line_thread.join(timeout=1.0)
                self._line_thread = None
            super().stop()

    return PipedProgress


_PIPED_PROGRESS: type | None = None


def progress_bar(*columns: Any, command: str, **kwargs: Any) -> Any:
    """A `rich.progress.Progress` (same arguments) that also reports in plain lines when piped."""
    global _PIPED_PROGRESS
    if _PIPED_PROGRESS is None:
        _PIPED_PROGRESS = _make_progress_class()
    return _PIPED_PROGRESS(*columns, command=command, **kwargs)
