"""What a scan gives back besides its files: `ScanResult`, the report's per-record entries
(rejects, fields, flags) and the errors a failed scan ends in (too many rejects, a gate)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from privtune.errors import GateFailed, InputError
from privtune.scan.curation import Flag
from privtune.scan.worker import RecordResult

FIRST_REJECTS = 5


@dataclass
class ScanResult:
    report: dict[str, Any]
    gate_passed: bool
    paths: dict[str, str] = field(default_factory=dict)
    # Within --max-rejected? A scan that rejected more failed, though its outputs were written.
    rejects_passed: bool = True
    # One line each for what the scan assumed or did on its own (encoding, text fields, key).
    notices: list[str] = field(default_factory=list)


# A rejected line is often short (a bare phone number, an ID): an unkeyed digest of it is
# reversed by hashing candidates. The rejects file keys its tokens instead.
PER_SCAN_KEY = "per-scan"  # `hmac_key` of a scan that had no key: a random one, never stored
_REJECTS_INFO = b"privtune rejects line-hmac v1"


def rejects_key(scan_key: bytes) -> bytes:
    """The rejects file's HMAC key, derived from the scan key: its tokens never equal the hmac
    operator's tokens of the same text in the cleaned output."""
    return hmac.new(scan_key, _REJECTS_INFO, hashlib.sha256).digest()


def line_hmac(key: bytes, content: str) -> str:
    """The ``line_hmac`` of a rejected line (``key``: :func:`rejects_key` of the scan key): with
    the scan key, recompute it to match a line of the input or of a later scan."""
    return "hmac-sha256:" + hmac.new(key, content.encode("utf-8"), hashlib.sha256).hexdigest()


def reject_entry(res: RecordResult, raw: bool, key: bytes, key_label: str,
                 file: str | None = None) -> dict[str, Any]:
    """A rejects-file line: where (``file``: the path in the input folder, when the input is one),
    why and a keyed hash of the content (``key``; ``key_label``: the scan key's id, or
    "per-scan"), never the content itself unless ``raw`` (--rejects-raw) asks for it."""
    content = res.raw if res.raw is not None else json.dumps(res.record, ensure_ascii=False, sort_keys=True)
    entry: dict[str, Any] = {"record": res.index, **({"file": file} if file is not None else {}),
                             "line": res.line, "reason": res.reject_reason,
                             "line_hmac": line_hmac(key, content), "hmac_key": key_label}
    if raw:
        entry.update({"raw": res.raw} if res.raw is not None else {"data": res.record})
    return entry


MAX_FIELDS_LISTED = 100


def fields_report(seen: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Which fields were training text, which other fields were scanned, which passed through:
    field path (indices as ``[]``) -> number of records holding it, most frequent first."""
    out: dict[str, dict[str, int]] = {"text": {}, "side": {}, "passthrough": {}}
    for (kind, path), n in seen.most_common():
        if len(out[kind]) < MAX_FIELDS_LISTED:
            out[kind][path] = n
    return out


def flag_entry(flag: Flag, excerpt: str) -> dict[str, Any]:
    """A report ``flags`` entry. ``group_size`` appears only when ``group`` was cut short."""
    entry: dict[str, Any] = {"record": flag.record, "kind": flag.kind, "reason": flag.reason, "group": flag.group}
    if flag.group is not None and flag.group_size is not None and flag.group_size > len(flag.group):
        entry["group_size"] = flag.group_size
    entry["excerpt"] = excerpt
    return entry


def rejects_within(limit: str, n_rejected: int, n_in: int) -> bool:
    """``limit`` is a count ("3") or a share of the records read ("2.5%")."""
    text = limit.strip()
    if text.endswith("%"):
        return n_rejected * 100 <= float(text[:-1]) * n_in
    return n_rejected <= float(text)


def rejects_error(result: ScanResult) -> InputError:
    """The error a scan with too many rejected records ends in: counts, the first reasons and
    the hint they carry, on the console rather than only inside the rejects file."""
    r = result.report
    c = r["counts"]
    first = r["rejects"]["first"]
    lines = [f"{x['file'] + ' ' if 'file' in x else ''}line {x['line']}: {x['reason'].split('; hint: ')[0]}"
             for x in first[:3]]
    hints = [x["reason"].split("; hint: ", 1)[1] for x in first if "; hint: " in x["reason"]]
    if not hints and any("not valid" in x["reason"] for x in first):
        hints = ["pass --encoding (e.g. --encoding gb18030 or utf-16)"]
    hint = hints[0] if hints else "see the reasons above; --max-rejected N or P% tolerates some"
    return InputError(
        f"{c['rejected']} of {c['records_in']} records rejected (allowed: {r['rejects']['limit']}); "
        f"first: " + "; ".join(lines) + f"; all in {r['rejects_file']}",
        path=r["input"]["path"], hint=hint,
    )


def gate_error(result: ScanResult) -> GateFailed:
    broken = ", ".join(f"{v['rule']} (value {v['value']})" for v in result.report["gate"]["violations"])
    return GateFailed(f"scan gate failed: {broken}")
