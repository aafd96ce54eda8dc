"""The cyclic collector's setting while a batch of records is scanned (`young_collections_every`).

Shared by `privtune.scan.worker.RecordProcessor.process_many` (a chunk's every stage),
`privtune.scan.analyzer.Analyzer.analyze_records` (detection of a chunk, also when called on
its own) and `privtune.scan.pipeline.run_scan` (its whole loop over the chunks: curation,
writing), so all run under the setting the scan uses. Also the once-per-process freeze of the
long-lived objects (`freeze_long_lived`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Allocations between young collections while a chunk is processed (Python's default: 700).
# A chunk allocates ~1,000 objects per record and frees almost all of them by reference count,
# so most young collections find nothing; each one also moves the chunk's live intermediate
# state a generation up, where older collections walk it again. At 20,000 a demo scan spent
# 12-16 µs per record in the collector (its chunks now hold more live state than when that was
# set); at 60,000 7-9 (40,000 and 80,000 about the same, 150,000 more again). The young cyclic
# garbage it may hold is bounded by as many objects (a few MB).
YOUNG_THRESHOLD = 60_000


@contextlib.contextmanager
def young_collections_every(n: int) -> Iterator[None]:
    """Raise the collector's first threshold to at least ``n`` for the block, then restore it.
    Outputs never depend on when the cyclic collector runs; memory held by young cyclic
    garbage is bounded by ``n`` objects."""
    old = gc.get_threshold()
    if old[0] >= n or old[0] == 0:  # 0: collection disabled by the host program
        yield
        return
    gc.set_threshold(n, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


_FROZEN: list[bool] = []


def freeze_long_lived() -> None:
    """Once per process, after the first chunk (models loaded, kernels compiled, caches
    started): move every object alive now out of the cyclic collector's reach (``gc.freeze``).

    The detectors' tables and lexicons are ~170,000 tracked objects that live as long as the
    process; each full collection walked all of them (~100 ms, about one per 2,000 demo records,
    ~50 µs per record). Reference counting still frees frozen objects; only a cycle already
    garbage at this moment would stay, once. Outputs do not depend on collection."""
    if not _FROZEN:
        _FROZEN.append(True)
        gc.freeze()
