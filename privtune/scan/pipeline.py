"""`privtune scan`: one streaming pass that detects, anonymises, deduplicates and flags.

Records in = records out + dropped + rejected, always. Outputs are written atomically, so an
interrupted scan leaves no half file. Nothing here logs record text.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from itertools import islice
from pathlib import Path
from typing import Any

from privtune import __version__
from privtune.errors import InputError
from privtune.io.folders import DataFolder, open_folder
from privtune.io.csv_format import add_data_row_check, csv_file_has_header
from privtune.io.formats import BINARY_FORMATS
from privtune.io.readers import Rejected, SourceRecord, detect_format, iter_records
from privtune.io.records import GUESS_SAMPLE, guess_text_fields
from privtune.io.sources import sniff_encoding
from privtune.io.writers import JsonlWriter, is_csv_output
from privtune.keys import SCAN_KEY_ENV, config_dir, load_key
from privtune.scan import gate
from privtune.scan.config import ScanConfig
from privtune.scan.curation import Curator
from privtune.scan.header_cells import column_names_hold_pii
from privtune.provenance.manifest import source_section, source_violation
from privtune.scan.outputs import default_rejects_path, default_report_path, output_writer, sha256_file
from privtune.scan.side_fields import DATA_KEY
from privtune.scan.pseudonym_version import PseudonymVersion
from privtune.scan.pseudonym_version import resolve as resolve_pseudonym_version
from privtune.scan.outcome import (FIRST_REJECTS, PER_SCAN_KEY, ScanResult, fields_report, flag_entry, gate_error,
                                   reject_entry, rejects_error, rejects_key, rejects_within)
from privtune.scan.report import build_report, write_report
from privtune.scan.ner.backends import build_analyzer
from privtune.scan.collector import YOUNG_THRESHOLD, freeze_long_lived, young_collections_every
from privtune.scan.excerpts import excerpt_cap, record_excerpt
from privtune.scan.worker import RecordProcessor, RecordResult, curation_config, init_worker, process_chunk

# The CLI and callers take the outcome's helpers from here too (`outcome` holds them).
__all__ = ["CHUNK", "ScanResult", "gate_error", "rejects_error", "rejects_within", "run_scan"]

CHUNK = 256
KEYED_OPERATORS = {"hmac", "pseudonymise", "pseudonymize"}

# A CSV's or XLSX's first row is data, not column names, when the scan finds an identifier in it
# (its values would be printed, reported and written as the header, never scanned).
add_data_row_check(column_names_hold_pii)


def _chunks(items: Iterator[SourceRecord | Rejected], size: int) -> Iterator[list[SourceRecord | Rejected]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _source(cfg: ScanConfig, folder: DataFolder | None) -> Iterator[SourceRecord | Rejected]:
    """The input's items in order: the file's, or the folder's files' one after another."""
    return folder.iter_records() if folder is not None else iter_records(cfg.input, cfg.format, cfg.encoding)


def _results(cfg: ScanConfig, key: bytes, folder: DataFolder | None = None) -> Iterator[list[RecordResult]]:
    """Results in input order, a chunk at a time, from this process or a worker pool (which gets
    parsed records: the input, file or folder, is read here)."""
    source = _source(cfg, folder)

    def split(chunk: list[SourceRecord | Rejected]) -> tuple[list[SourceRecord], list[Rejected]]:
        return [c for c in chunk if isinstance(c, SourceRecord)], [c for c in chunk if isinstance(c, Rejected)]

    def merge(chunk: list[SourceRecord | Rejected], done: list[RecordResult]) -> list[RecordResult]:
        it = iter(done)
        return [RecordResult(c.index, c.line, reject_reason=c.reason, raw=c.raw) if isinstance(c, Rejected)
                else next(it) for c in chunk]

    if cfg.workers == 1:
        proc = RecordProcessor(cfg, key, excerpt_limit=excerpt_cap(cfg))  # the listed ones only, if asked
        for chunk in _chunks(source, CHUNK):
            good, _ = split(chunk)
            done = proc.process_many(good)
            freeze_long_lived()
            yield merge(chunk, done)
        return
    ctx = mp.get_context("spawn")  # fork is unsafe once threads (e.g. torch) exist in the parent
    with ctx.Pool(cfg.workers, initializer=init_worker, initargs=(cfg.model_dump_json(), key)) as pool:
        chunks = _chunks(source, CHUNK)
        # Keep the chunk list alongside results so rejected lines merge back in order.
        pending: list[list[SourceRecord | Rejected]] = []

        def feed() -> Iterator[list[SourceRecord]]:
            for chunk in chunks:
                pending.append(chunk)
                yield split(chunk)[0]

        for done in pool.imap(process_chunk, feed(), chunksize=1):
            yield merge(pending.pop(0), done)


def _excerpts(cfg: ScanConfig, wanted: set[int], folder: DataFolder | None = None) -> dict[int, str]:
    """Masked excerpts of the records in ``wanted``, from one more streaming read of the input."""
    out: dict[int, str] = {}
    if not wanted or not cfg.report_excerpts:
        return out
    analyzer = build_analyzer(cfg.types, cfg.min_score, cfg.ner_backend)
    last = max(wanted)
    with closing(_source(cfg, folder)) as items:
        for item in items:
            if isinstance(item, SourceRecord) and item.index in wanted:
                out[item.index] = record_excerpt(analyzer, cfg, item)
            if item.index >= last:
                break
    return out


def _needs_key(cfg: ScanConfig) -> bool:
    if cfg.out is None:
        return False
    if cfg.policy in KEYED_OPERATORS:
        return True
    return not cfg.policy in {"redact", "mask", "keep"}  # a policy file may use any operator


def _resolve_input(cfg: ScanConfig, fmt: str, notices: list[str],
                   folder: DataFolder | None = None) -> tuple[ScanConfig, dict[str, str]]:
    """``cfg`` with the encoding and (for records of no known shape) the text fields settled,
    once for the whole file (per file for a folder), and what was assumed."""
    update: dict[str, Any] = {}
    info = {"encoding": "binary", "encoding_source": "format"}
    if folder is not None:
        info = folder.settle_encodings(cfg.encoding, notices)
    elif fmt == "email":
        info = {"encoding": "per message", "encoding_source": "format"}  # each message names its charset
    elif fmt not in BINARY_FORMATS:
        guess = sniff_encoding(cfg.input, cfg.encoding)
        update["encoding"] = guess.encoding
        info = {"encoding": guess.encoding, "encoding_source": guess.source}
        if guess.note:
            notices.append(f"encoding: assumed {guess.encoding} ({guess.note}); override with --encoding")
    if cfg.fields is None:
        sample: list[dict[str, Any]] = []
        with closing(folder.iter_records() if folder is not None
                     else iter_records(cfg.input, fmt, update.get("encoding", "utf-8"))) as items:
            for item in islice(items, GUESS_SAMPLE):
                if isinstance(item, SourceRecord):
                    sample.append(item.data)
        guessed = guess_text_fields(sample)
        if guessed:
            update["fields"] = guessed
            info["fields_source"] = "content"
            notices.append(f"text fields: {', '.join(guessed)} (chosen by content; override with --fields)")
    return cfg.model_copy(update=update), info


def run_scan(cfg: ScanConfig, progress: Callable[[int], None] | None = None,
             input_name: str | None = None) -> ScanResult:
    """Run the scan described by ``cfg``; ``result.gate_passed`` tells whether the ``fail_on``
    rules held, ``result.rejects_passed`` whether the rejected records stayed within
    ``max_rejected``. ``input_name`` is what the report calls the input when ``cfg.input`` is a
    stand-in (standard input spooled to a temporary file: "-")."""
    t0 = time.perf_counter()
    if not cfg.input.exists():
        raise InputError("file not found", path=str(cfg.input))
    source = source_section(cfg.source)  # the dataset manifest, validated before any work
    notices: list[str] = []
    folder = open_folder(cfg.input, cfg.format) if cfg.input.is_dir() else None
    if folder is not None:
        fmt = folder.fmt
        notices.extend(folder.notices(cfg.format))
    else:
        fmt = cfg.format or detect_format(cfg.input)
        if fmt == "csv" and cfg.format is None and cfg.input.name.lower().endswith((".txt", ".txt.gz", ".txt.zst")):
            notices.append(f"{cfg.input.name}: a TAB-separated table (Excel's Unicode Text): read as CSV, its first "
                           "line as the header; --format text reads it line by line")
    cfg, input_info = _resolve_input(cfg, fmt, notices, folder)
    rules = gate.parse_rules(cfg.fail_on)
    key, key_source, key_id = b"\0" * 32, "none", ""
    version: PseudonymVersion | None = None
    if _needs_key(cfg):
        key_file = cfg.key_file or config_dir() / "scan.key"
        from_env = bool(os.environ.get(SCAN_KEY_ENV, "").strip())
        existed = Path(key_file).expanduser().exists()
        secret = load_key(key_file, env_var=SCAN_KEY_ENV)
        key, key_id = secret.reveal(), secret.key_id
        key_source = f"${SCAN_KEY_ENV}" if from_env else str(key_file)
        version = resolve_pseudonym_version(cfg.pseudonym_version, key_file=None if from_env else key_file,
                                            key_id=key_id, created=not from_env and not existed, from_env=from_env)
        cfg = cfg.model_copy(update={"pseudonym_version": version.version})  # workers read it from cfg
        if not from_env and not existed:
            notices.append(f"created a new scan key at {Path(key_file).expanduser()} (0600, id {key_id}): keep it to "
                           "get the same pseudonyms in later scans; anyone holding it can link them back")
    curator = Curator(curation_config(cfg))
    rejects_path = cfg.rejects or default_rejects_path(cfg)
    # Keyed under the scan key when the scan has one; else under a random key dropped at the
    # end: equal lines still match within the file, and nothing can reverse or link them.
    if version is not None:
        rej_key, rej_key_label = rejects_key(key), key_id
    else:
        rej_key, rej_key_label = os.urandom(32), PER_SCAN_KEY

    n_in = n_out = n_rejected = 0
    dropped: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    risk_counts: Counter[str] = Counter()
    records_with_pii = 0
    residual_entities: Counter[str] = Counter()
    residual_risk: Counter[str] = Counter()
    residual_with_pii = 0
    n_allowed = 0
    high_risk: list[dict[str, Any]] = []
    dup_flags: list[dict[str, Any]] = []
    reject_reasons: Counter[str] = Counter()
    first_rejects: list[dict[str, Any]] = []
    fields_seen: Counter[tuple[str, str]] = Counter()
    n_dups = 0

    with ExitStack() as stack:
        stack.callback(curator.close)  # frees its temporary files even if the scan fails
        if folder is not None and fmt == "csv" and cfg.out and is_csv_output(cfg.out):
            folder.require_one_csv_header()
        first_file = folder.files[0].path if folder is not None else cfg.input
        out = stack.enter_context(output_writer(cfg, input_info, fmt, first_file)) if cfg.out else None
        csv_files = ([(f.path, f.encoding or "utf-8", f"{f.rel}: ") for f in folder.files] if folder is not None
                     else [(cfg.input, input_info["encoding"], "")])
        for csv_path, csv_encoding, where in csv_files if fmt == "csv" else []:
            if not csv_file_has_header(csv_path, csv_encoding):
                notices.append(f"CSV header: {where}none (the first line holds data); its columns are called "
                               "column_1, column_2, ... in --fields, the report and the findings")
        if cfg.out and is_csv_output(cfg.out) and input_info["encoding"] not in ("utf-8", "utf-8-sig", "binary"):
            notices.append(f"output: UTF-8 with a byte-order mark (the input was {input_info['encoding']}; "
                           "Excel and every CSV reader take it so)")
        fnd = stack.enter_context(JsonlWriter(cfg.findings)) if cfg.findings else None
        rej = stack.enter_context(JsonlWriter(rejects_path))
        # The chunks' own setting over the whole loop (curation, writing, reading too): restored
        # to Python's 700 between chunks, the first allocation after each one walked all of the
        # chunk's live results, ~24 young collections a 2,000-record scan, ~4 µs per record.
        stack.enter_context(young_collections_every(YOUNG_THRESHOLD))
        for chunk in _results(cfg, key, folder):
            # The chunk's curation first (dedup, then poisoning, each over the whole chunk: their
            # tables stay in the CPU caches), then its records in order.
            verdicts = iter(curator.observe_many([(r.index, r.summary) for r in chunk if r.reject_reason is None]))
            for res in chunk:
                n_in += 1
                if progress:
                    progress(n_in)
                if res.reject_reason is not None:
                    n_rejected += 1
                    reject_reasons[res.reject_reason.split(";")[0].split(":")[0][:60]] += 1
                    file = folder.file_of(res.index) if folder is not None else None
                    if len(first_rejects) < FIRST_REJECTS:
                        first_rejects.append({**({"file": file} if file is not None else {}), "line": res.line,
                                              "reason": res.reject_reason})
                    rej.write(reject_entry(res, cfg.rejects_raw, rej_key, rej_key_label, file))
                    continue
                # (Counter.update tests its argument against the Mapping ABC each call: counting
                # in place is the same counts, keys first seen in the same order.)
                for seen in res.fields_seen:
                    fields_seen[seen] += 1
                n_allowed += res.allowed
                if res.findings:
                    if fnd is not None:
                        fnd.write_lines("".join([f.to_json_line() for f in res.findings]), len(res.findings))
                    records_with_pii += 1
                    for f in res.findings:
                        entities[f.type] += 1
                assert res.risk is not None and res.summary is not None
                risk_counts[res.risk.level] += 1
                residual_risk[res.residual_level] += 1
                if res.residual_types:
                    residual_with_pii += 1
                    residual_entities.update(res.residual_types)
                if res.risk.level == "high" and len(high_risk) < cfg.max_flagged_in_report:
                    high_risk.append({"record": res.index,
                                      **({"file": folder.file_of(res.index)} if folder is not None else {}),
                                      "line": res.line, "reasons": res.risk.reasons, "excerpt": res.excerpt})
                verdict = next(verdicts)
                dup = verdict.dedup
                if dup.kind != "unique":
                    n_dups += 1
                    if len(dup_flags) < cfg.max_flagged_in_report:
                        dup_flags.append({"record": res.index, "kind": f"{dup.kind}_duplicate",
                                          "duplicate_of": dup.duplicate_of, "similarity": dup.similarity})
                    if verdict.drop:
                        dropped[f"{dup.kind}_duplicate"] += 1
                        continue
                if out is not None:
                    out.write(res.record)
                n_out += 1
        if n_in == 0:
            raise InputError("the input holds no records", path=str(cfg.input))

        # Only the flags the report lists are materialised (the rest stay in the curator's
        # temporary database, counted); their groups are cut to the same cap.
        cap = cfg.max_flagged_in_report
        curation = curator.finalize(max_flags=cap, max_group=cap)
        # Excerpts only for the listed flags, recomputed in a second streaming pass: keeping
        # one per record until finalize would grow with the input.
        excerpts = _excerpts(cfg, {f.record for f in curation.flags}, folder)
        flags = [flag_entry(f, excerpts.get(f.record, "")) for f in curation.flags]
        counts = {
            "records_in": n_in,
            "records_out": n_out,
            "dropped": dict(dropped),
            "rejected": n_rejected,
            "records_with_pii": records_with_pii,
            "entities": dict(sorted(entities.items())),
            "risk": {lvl: risk_counts.get(lvl, 0) for lvl in gate.RISK_LEVELS},
            "flagged": curation.flagged_records,
            "duplicates": n_dups,
            "allowed": n_allowed,  # detections left alone as allow-listed
            # What the policy leaves in the output (kept types, spans under its min_score):
            # what `residual:` gate rules measure. The counts above describe the input.
            "residual": {
                "records_with_pii": residual_with_pii,
                "entities": dict(sorted(residual_entities.items())),
                "risk": {lvl: residual_risk.get(lvl, 0) for lvl in gate.RISK_LEVELS},
            },
        }
        assert n_in == n_out + sum(dropped.values()) + n_rejected
        gate_section = gate.evaluate(rules, counts)
        rejects_ok = rejects_within(cfg.max_rejected, n_rejected, n_in)
        if (missing := source_violation(source, cfg.require_source)) is not None:
            gate_section = {"rules": [*gate_section["rules"], "require_source"], "passed": False,
                            "violations": [*gate_section["violations"], missing]}
    # Files are closed (renamed into place) here; hash what was written.
    elapsed = time.perf_counter() - t0
    report = build_report(
        cfg=cfg,
        fmt=fmt,
        version=__version__,
        counts=counts,
        flags=flags,
        duplicates=dup_flags,
        high_risk=high_risk,
        reject_reasons=dict(reject_reasons),
        rejects_section={"limit": cfg.max_rejected.strip(), "passed": rejects_ok, "first": first_rejects,
                         "line_hmac_key": rej_key_label},
        input_info=input_info,
        fields_section=fields_report(fields_seen),
        gate_section=gate_section,
        hashes={
            "input": folder.digest() if folder is not None else sha256_file(cfg.input),
            "output": sha256_file(cfg.out) if cfg.out else None,
            "findings": sha256_file(cfg.findings) if cfg.findings else None,
        },
        rejects_path=str(rejects_path) if n_rejected else None,
        key_info={"source": key_source, "id": key_id, "pseudonym_version": version.version,
                  "pseudonym_version_source": version.source} if version is not None else None,
        elapsed=elapsed,
    )
    report["source"] = source
    if folder is not None:
        report["input"].update(folder.report_input())
    if input_name is not None:  # not the spool's path, gone once the scan ends
        report["input"]["path"] = input_name
    if n_rejected == 0 and rejects_path.exists() and rejects_path.stat().st_size == 0:
        rejects_path.unlink()
    elif cfg.rejects_raw and rejects_path.exists():
        os.chmod(rejects_path, 0o600)  # AtomicWriter's temp file is 0600 already; say so explicitly
        notices.append(f"WARNING: {rejects_path} holds the RAW content of {n_rejected} rejected record(s), "
                       "personal data included (--rejects-raw); it is readable by you only (0600): "
                       "delete it once the input is fixed")
    data_keys = sum(n for (_, path), n in fields_seen.items() if DATA_KEY in path)
    if data_keys:
        notices.append(f"{data_keys} field(s) are named by data (an e-mail address, a number of 5+ digits): "
                       f"such names are replaced like values in the cleaned records and shown as {DATA_KEY} in "
                       "the report and findings; Chinese names as keys are not recognised as data")
    paths = {}
    report_path = cfg.report or default_report_path(cfg)
    if report_path is not None:
        paths = write_report(report, report_path)
    return ScanResult(report, gate_section["passed"], paths, rejects_ok, notices)
