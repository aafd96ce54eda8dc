"""Before training: does data that no scan report vouches for hold PII?

The one mistake that defeats everything after it is training on the raw export instead of
`privtune scan`'s output. The trainer cannot tell raw from cleaned by looking (pseudonyms are
shaped like the values they replace), but it can tell whether a scan report beside the file
names it as its output (`provenance.lineage.find_scan_report`); when none does, a sample of the
records is checked for structured identifiers and the console says so (one warning, no counts,
types or values).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# Identifiers whose detectors need no model and fire on few innocent strings; names and places
# are left out (the sample is a warning, not a scan).
CHECKED_TYPES = ("PHONE", "EMAIL", "ID_CARD", "BANK_CARD", "US_SSN", "IBAN", "PASSPORT")
SAMPLE_RECORDS = 200


def unscanned_pii_warning(data: Path, scan_report: Path | None, texts: Sequence[str]) -> str | None:
    """The warning to print, or None (a scan report names ``data`` as its output, or the first
    `SAMPLE_RECORDS` record texts hold none of `CHECKED_TYPES`)."""
    from privtune.provenance.lineage import find_scan_report
    from privtune.scan.analyzer import Analyzer

    if find_scan_report(data, scan_report) is not None:
        return None
    analyzer = Analyzer(types=CHECKED_TYPES)
    sample = texts[:SAMPLE_RECORDS]
    if not any(analyzer.analyze(text) for text in sample):
        return None
    # No counts or types: the console is one of the run's logs, which under DP must read the same
    # for two datasets that differ in one record (tests/train/test_released_artefacts.py).
    return ("WARNING: no privtune scan report names the training data as its output, and a sample of its "
            "records holds identifiers (phone numbers, e-mails, ID or card numbers): if this is the raw data, "
            "run `privtune scan DATA --out clean.jsonl` and train on clean.jsonl; if it was scanned "
            "(pseudonyms look like the values they replace), set scan_report to its report")
