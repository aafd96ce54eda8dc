"""Progress reporting shared by long-running commands, without tying the library to a terminal.

Library code takes a `ProgressFactory`: ``progress(name, total)`` is a context manager that
yields ``tick(n)``. `no_progress` does nothing; `rich_progress` draws bars on a console.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, ContextManager

Tick = Callable[[int], None]
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
