"""One `privtune train` per output directory at a time.

Two runs started into the same ``--output-dir`` (a retried CI job, the same command in a second
terminal) wrote the same checkpoint names (``ckpt-0000000002.ptck``), each deleted the other's
when it finished, and the later save replaced the earlier run's adapter and privacy.json: one
run's spent steps could no longer be resumed, and the directory's files did not say which run
they were. The directory itself is locked (``flock`` on its descriptor: no lock file among the
outputs, released by the kernel when the process dies).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from privtune.errors import ConfigError

try:
    import fcntl
except ImportError:  # Windows: no flock; runs there are not serialised
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def output_dir_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out`` (created if missing; removed again if it is still empty
    when the block fails) or raise `ConfigError` at once when another run holds it."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(f"output_dir {out}: a part of its path is a file; pass another --output-dir") from None
    fd = os.open(out, os.O_RDONLY) if fcntl is not None else None
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConfigError(f"output_dir {out} is in use by another privtune train run: wait for it to "
                                  "finish, or pass another --output-dir") from None
            except OSError:
                pass  # a filesystem without flock (some network mounts): runs there are not serialised
        try:
            yield
        except BaseException:
            if created:
                with contextlib.suppress(OSError):
                    out.rmdir()  # only when empty: a failure before anything was written leaves no trace
            raise
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock
