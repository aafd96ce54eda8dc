"""The cyclic collector's setting while a batch of records is scanned (`young_collections_every`).

Shared by `privtune.scan.worker.RecordProcessor.process_many` (a chunk's every stage) and
`privtune.scan.analyzer.Analyzer.analyze_records` (detection of a chunk, also when called on
its own), so both run under the setting the scan uses.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Allocations between young collections while a chunk is processed (Python's default: 700).
# A chunk allocates ~1,000 objects per record and frees almost all of them by reference count,
# so most young collections find nothing; each one also moves the chunk's live intermediate
# state a generation up, where older collections walk it again.
YOUNG_THRESHOLD = 20_000


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
