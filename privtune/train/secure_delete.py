"""Best-effort secure deletion: overwrite a file's bytes with random data, fsync, then unlink.

This defeats casual recovery of the file from the same filesystem on a conventional disk
that rewrites blocks in place. It does NOT defeat SSD wear levelling / TRIM, copy-on-write
or journaling filesystems, snapshots or backups — see docs/artefact_protection.md. Encrypted
checkpoints plus full-disk encryption are the real protection; this is defence in depth.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_BLOCK = 1 << 20


def fsync_dir(directory: Path) -> None:
    """Make a rename/unlink durable; silently skipped where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def overwrite_file(path: str | os.PathLike[str]) -> int:
    """Overwrite a regular file's bytes in place with random data and fsync; returns the size.

    Refuses symlinks (``O_NOFOLLOW``) so a link cannot redirect the overwrite elsewhere.
    """
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        size = remaining = os.fstat(fd).st_size
        while remaining > 0:
            remaining -= os.write(fd, os.urandom(min(_BLOCK, remaining)))
        # fsync *before* any truncation: otherwise the filesystem may drop the dirty random
        # pages and never write them over the old blocks.
        os.fsync(fd)
        return size
    finally:
        os.close(fd)


def secure_unlink(path: str | os.PathLike[str], *, missing_ok: bool = False) -> None:
    """`overwrite_file`, truncate to zero, fsync, unlink, and fsync the directory.

    A symlink is removed without touching its target (overwriting through a link could
    destroy an unrelated file). The data of hard-linked files is overwritten for every link,
    because the bytes belong to the shared inode. Raises ``IsADirectoryError`` for a directory.
    """
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(f"{p} is a directory; use secure_rmtree")
    if stat.S_ISREG(st.st_mode):
        overwrite_file(p)
        # Truncating also frees the blocks on filesystems that would otherwise keep them.
        os.truncate(p, 0)
    os.unlink(p)
    fsync_dir(p.parent)


def secure_rmtree(path: str | os.PathLike[str]) -> None:
    """`secure_unlink` every file under ``path`` (symlinks are not followed), then remove the dirs."""
    root = Path(path)
    for dirpath, dirnames, filenames in os.walk(root, topdown=False, followlinks=False):
        for name in filenames:
            secure_unlink(Path(dirpath) / name)
        for name in dirnames:
            d = Path(dirpath) / name
            if d.is_symlink():
                os.unlink(d)
            else:
                os.rmdir(d)
    os.rmdir(root)
    fsync_dir(root.parent)
