"""Curation flags, kept in a temporary SQLite database instead of a per-record list in RAM.

A corpus can flag a large share of its records (say 5% garbage in 10M records), so flags and
the record groups they point to are stored as rows and read back merged and in order;
`FlagStore.summary` keeps at most ``limit`` of them (and ``group_limit`` members per group) in
memory, plus counts over all of them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field

__all__ = ["Flag", "FlagStore", "FlagSummary"]


@dataclass(frozen=True, slots=True)
class Flag:
    """One poisoning/outlier flag. ``group`` lists the records involved in a corpus-level pattern
    (sorted; at most the summary's ``group_limit`` of them) and ``group_size`` counts them all."""

    record: int
    kind: str  # "backdoor" | "label_conflict" | "length" | "garbage"
    reason: str
    group: list[int] | None = None
    group_size: int | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class FlagSummary:
    """Merged flags (one per record and kind, sorted by record then kind).

    ``flags`` holds the first ``limit`` of them; ``total``, ``records`` (distinct flagged
    records) and ``by_kind`` count all of them.
    """

    flags: list[Flag] = field(default_factory=list)
    total: int = 0
    records: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class FlagStore:
    """Flags and record groups as rows of ``db`` (a connection from `store.temp_db`).

    Tables: ``flag`` (insertion order is kept by rowid: it decides the order in which reasons
    of one record and kind are joined) and ``grp`` (group id, member record, optional answer
    hash for label conflicts).
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.execute("CREATE TABLE flag (record INTEGER NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, gid INTEGER)")
        db.execute("CREATE TABLE grp (gid INTEGER, record INTEGER, answer INTEGER, "
                   "PRIMARY KEY (gid, record)) WITHOUT ROWID")
        self._next_gid = 1

    def add(self, record: int, kind: str, reason: str, gid: int | None = None) -> None:
        self.db.execute("INSERT INTO flag VALUES (?, ?, ?, ?)", (record, kind, reason, gid))

    def add_many(self, rows: list[tuple[int, str, str, int | None]]) -> None:
        self.db.executemany("INSERT INTO flag VALUES (?, ?, ?, ?)", rows)

    def new_group(self, members: list[tuple[int, int | None]]) -> int:
        """Store a group of (record, answer hash or None) and return its id."""
        gid = self._next_gid
        self._next_gid += 1
        self.add_members(gid, members)
        return gid

    def add_members(self, gid: int, members: list[tuple[int, int | None]]) -> None:
        self.db.executemany("INSERT INTO grp VALUES (?, ?, ?)", [(gid, r, a) for r, a in members])

    def flag_conflict_groups(self) -> None:
        """One ``label_conflict`` flag per member of every group whose members carry answers."""
        self.db.execute(
            "INSERT INTO flag SELECT g.record, 'label_conflict', 'same prompt as ' || (s.n - 1) || "
            "' other record(s) with ' || s.na || ' different answers', g.gid "
            "FROM grp AS g JOIN (SELECT gid, count(*) AS n, count(DISTINCT answer) AS na FROM grp "
            "WHERE answer IS NOT NULL GROUP BY gid) AS s ON s.gid = g.gid"
        )

    def summary(self, limit: int | None = None, group_limit: int | None = None) -> FlagSummary:
        """Merge flags of the same record and kind (reasons joined with "; " in insertion order,
        the first group wins) and count them; keep the first ``limit`` (all when None)."""
        out = FlagSummary()
        kinds: Counter[str] = Counter()
        groups: dict[int, tuple[list[int], int]] = {}  # one list object per group, not per flag
        pending: tuple[int, str, str, int | None] | None = None
        last_record: int | None = None

        def emit(record: int, kind: str, reason: str, gid: int | None) -> None:
            nonlocal last_record
            out.total += 1
            kinds[kind] += 1
            if record != last_record:
                out.records += 1
                last_record = record
            if limit is None or len(out.flags) < limit:
                members, size = self._group(gid, group_limit, groups) if gid is not None else (None, None)
                out.flags.append(Flag(record, kind, reason, members, size))

        rows = self.db.execute("SELECT record, kind, reason, gid FROM flag ORDER BY record, kind, rowid")
        for record, kind, reason, gid in rows:
            if pending is not None and pending[:2] == (record, kind):
                pending = (record, kind, f"{pending[2]}; {reason}", pending[3] if pending[3] is not None else gid)
                continue
            if pending is not None:
                emit(*pending)
            pending = (record, kind, reason, gid)
        if pending is not None:
            emit(*pending)
        out.by_kind = dict(kinds)
        return out

    def _group(self, gid: int, limit: int | None, cache: dict[int, tuple[list[int], int]]) -> tuple[list[int], int]:
        if gid not in cache:
            size = self.db.execute("SELECT count(*) FROM grp WHERE gid = ?", (gid,)).fetchone()[0]
            members = [r for (r,) in self.db.execute(
                "SELECT record FROM grp WHERE gid = ? ORDER BY record LIMIT ?", (gid, -1 if limit is None else limit))]
            cache[gid] = (members, size)
        return cache[gid]
