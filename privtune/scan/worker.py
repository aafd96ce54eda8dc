"""Per-record work of a scan: detect, anonymise, summarise for curation, assess risk.

Pure with respect to the dataset (no cross-record state), so it runs the same in the main
process or in a pool of workers. Cross-record work (dedup, poisoning) happens in the
pipeline on the small `RecordSummary` each record yields.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from privtune.errors import InputError
from privtune.io.readers import SourceRecord
from privtune.io.records import detect_shape, set_field, text_fields
from privtune.scan.allow import AllowList, is_system_turn
from privtune.scan.anonymize import Anonymizer, load_policy
from privtune.scan.collector import YOUNG_THRESHOLD, freeze_long_lived, young_collections_every
from privtune.scan.config import ScanConfig
from privtune.scan.ner.backends import build_analyzer
from privtune.scan.ner.en_crf import forget_lines
from privtune.scan.curation import CurationConfig, RecordSummary, answer_fields_for, summarize_many
from privtune.scan.curation.risk import RiskAssessment, level_without_findings, risk_from_signals, text_signals
from privtune.scan.entities import ENTITY_TYPES, MODEL_TYPES, Finding, Span
from privtune.scan.excerpts import excerpt_cap, first_excerpt
from privtune.scan.propagate import propagate_with_aliases
from privtune.scan.record_copies import copy_with, record_copy
from privtune.scan.side_fields import (
    DATA_KEY, is_data_key, is_passthrough, iter_side_values, key_span, key_type, last_key, normalise_path, number_text,
    restore_number,
    shown_path,
)

# Pseudonyms are a pure function of (policy, key, type, value, language): the cache only saves
# work, never changes output. 4,096 entries (~1 MB) keep most of its hits (17% of lookups vs 23%
# with the anonymizer's default 65,536, no measurable CPU difference per record) and fill within
# ~1k records. The default fills only after ~30k records (~15 MB) and its eviction churn then
# fragments the heap: with it a scan's RSS grew ~25 MB from 10k to 80k records.
PSEUDONYM_CACHE = 4096
# Side values repeat across records ("user", "assistant", a scenario label): their detection is
# cached when short, so scanning them costs a dictionary lookup on most records.
SIDE_CACHE = 4096
SIDE_CACHE_CHARS = 64
VOUCHED_TEXT_CHARS = 100  # a text field this short and on one line is a value, typed by its field name


@dataclass(slots=True)
class RecordResult:
    index: int
    line: int
    record: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    summary: RecordSummary | None = None
    risk: RiskAssessment | None = None
    # What the policy leaves in the output: entity types it keeps (or scores under its
    # min_score), and the record's risk level on those alone.
    residual_types: list[str] = field(default_factory=list)
    residual_level: str = "low"
    allowed: int = 0  # detections dropped as allow-listed (--allow, system-prompt organisations)
    excerpt: str = ""
    reject_reason: str | None = None
    raw: str | None = None  # unparseable input line, kept for the rejects file
    # (kind, field path with indices as "[]") of every value seen: "text", "side", "passthrough".
    fields_seen: list[tuple[str, str]] = field(default_factory=list)
    data_keys: int = 0  # dict keys that are data themselves (`side_fields.is_data_key`), replaced


_TEXT = object()  # `RecordProcessor.rewrite_many`: the value replaced is a text field


@functools.lru_cache(maxsize=SIDE_CACHE)  # the same few text paths recur in every record
def _field_name_type(path: str) -> str | None:
    """The entity type a text field's own name says (`key_type` of its last key)."""
    return key_type(last_key(path))


def curation_config(cfg: ScanConfig) -> CurationConfig:
    """The curation settings a scan config implies (one place for the workers and the curator)."""
    return CurationConfig(dedup=cfg.dedup, near_dup_threshold=cfg.near_dup_threshold)


class RecordProcessor:
    """Holds the per-process detectors and anonymiser; `process_many` handles a chunk of records
    (stage by stage), `process` one."""

    def __init__(self, cfg: ScanConfig, key: bytes, *, excerpt_limit: int | None = None) -> None:
        """``excerpt_limit``: masked excerpts only for this processor's first so many high-risk
        records (what the report lists; a scan's records reach its processors in input order,
        so the listed ones are among them); None: an excerpt for every record."""
        self.cfg = cfg
        self.excerpts_left = excerpt_limit
        self.analyzer = build_analyzer(cfg.types, cfg.min_score, cfg.ner_backend)
        forget_lines()  # the English tagger's line memo: this scan's own lines only
        self.policy = load_policy(cfg.policy)
        self.anonymizer = Anonymizer(self.policy, key, cache_size=PSEUDONYM_CACHE,
                                     pseudonym_version=cfg.pseudonym_version or 1)
        self.rewrite = cfg.out is not None
        self.input_name = str(cfg.input)  # (what input errors name: made once, not per record)
        self.passthrough = tuple(cfg.passthrough)
        self.allow = AllowList([*cfg.allow, *self.policy.allow])
        self.kept_types = frozenset(t for t in ENTITY_TYPES if self.policy.operator_for(t) == "keep")
        self._cached_side_spans = functools.lru_cache(maxsize=SIDE_CACHE)(self._side_spans)
        # the scan's own curation settings, as the pipeline's Curator gets them (dedup off: no MinHash)
        self.curation = curation_config(cfg)

    def _side_spans(self, value: str, etype: str | None) -> list[Span]:
        """Spans of a side value: the detectors' own, or one span over the whole value when its
        field name vouches for a type the detectors (lacking context) did not see."""
        return self._vouched(self.analyzer.analyze(value), etype, value)

    def _vouched(self, found: list[Span], etype: str | None, value: str) -> list[Span]:
        by_key = key_span(etype, value) if etype in self.analyzer.types else None
        if by_key is not None and all(s.type in MODEL_TYPES or s.type == by_key.type for s in found):
            return [by_key]
        return found

    def vouch_text_fields(self, fields: list[tuple[str, str]], found: list[list[Span]]) -> list[list[Span]]:
        """A short one-line text field whose name says its type ("Full Name" of a CSV whose widest
        column was taken as the text) is typed by its name as a side value is: the tagger, with no
        context, read "Nguyễn Văn An" as a place and "O'Brien Siobhán" as nothing."""
        out = found
        for i, (path, text) in enumerate(fields):
            if len(text) <= VOUCHED_TEXT_CHARS and "\n" not in text:
                etype = _field_name_type(path)
                if etype is not None:
                    vouched = self._vouched(found[i], etype, text)
                    if vouched is not found[i]:
                        out = list(out) if out is found else out
                        out[i] = vouched
        return out

    def side_spans(self, path_key: str, parent: str, value: str) -> list[Span]:
        etype = key_type(path_key, parent)
        if len(value) <= SIDE_CACHE_CHARS:
            return self._cached_side_spans(value, etype)
        return self._side_spans(value, etype)

    def _allowed(self, texts: list[str], spans: list[list[Span]], system: list[bool]) -> tuple[list[list[Span]], int]:
        """``spans`` without allow-listed values and (``system[i]``) organisations of system turns."""
        out, dropped = [], 0
        for i, (text, found) in enumerate(zip(texts, spans)):
            kept = found
            if i < len(system) and system[i]:
                kept = [s for s in kept if s.type != "ORGANIZATION"]
            if self.allow:
                kept, _ = self.allow.filter(text, kept)
            dropped += len(found) - len(kept)
            out.append(kept)
        return out, dropped

    def process(self, item: SourceRecord) -> RecordResult:
        return self.process_many([item])[0]

    def process_many(self, items: list[SourceRecord]) -> list[RecordResult]:
        """`process` of each item, stage by stage: every record's fields, every record's
        detection, every record's side values, propagation, findings, pseudonyms, curation
        summary, risk. Same results as one record at a time (no stage reads another record's
        state; the caches they fill are pure); each stage's tables and code stay in the CPU
        caches across the chunk instead of being evicted by the other stages on every record
        (with the two detection sweeps of `Analyzer.analyze_records`, the whole job took ~15-20%
        less CPU per demo record)."""
        with young_collections_every(YOUNG_THRESHOLD):
            return self._process_many(items)

    def _process_many(self, items: list[SourceRecord]) -> list[RecordResult]:
        gathered = [self.gather(it) for it in items]
        todo = [(it, res, g) for it, (res, g) in zip(items, gathered) if g is not None]
        found = self.analyzer.analyze_records([[t for _, t in g[0]] for _, _, g in todo])
        found = [self.vouch_text_fields(g[0], f) for (_, _, g), f in zip(todo, found)]
        side_found = [[self.side_spans(key, parent, text) for (key, parent), text in zip(g[3], g[2])]
                      for _, _, g in todo]
        states = [self.resolve(it, res, g, f + sf) for (it, res, g), f, sf in zip(todo, found, side_found)]
        found_types = [self.record_findings(it, res, state) for (it, res, _), state in zip(todo, states)]
        self.rewrite_many([(it, res) for it, res, _ in todo], states)
        summaries = summarize_many([(it.index, state[0], answer_fields_for(state[0], it.data))
                                    for (it, _, _), state in zip(todo, states)], config=self.curation)
        for (_, res, _), summary in zip(todo, summaries):
            res.summary = summary
        for (it, res, _), state, all_types in zip(todo, states, found_types):
            self.assess(it, res, state[0], all_types)
        for (_, res, _), state in zip(todo, states):
            if self.excerpts_left is None:
                res.excerpt = first_excerpt(state[0], state[3])
            elif self.excerpts_left > 0 and res.risk is not None and res.risk.level == "high":
                self.excerpts_left -= 1
                res.excerpt = first_excerpt(state[0], state[3])
        return [res for res, _ in gathered]

    def gather(self, item: SourceRecord) -> tuple[RecordResult, tuple | None]:
        """First stage of `process`: text fields and side values (path, value, text, (key,
        parent)). A record rejected here comes back finished (None)."""
        res = RecordResult(item.index, item.line)
        try:
            fields = text_fields(item.data, self.cfg.fields, path=self.input_name, line=item.line)
        except InputError as exc:
            res.reject_reason = exc.message + (f"; hint: {exc.hint}" if exc.hint else "")
            res.record = item.data
            return res, None
        if not fields:
            res.reject_reason = "no text in the selected fields"
            res.record = item.data
            return res, None
        seen = res.fields_seen
        text_paths = {p for p, _ in fields}
        seen.extend([("text", normalise_path(p)) for p in text_paths])
        side: list[tuple[str, Any]] = []  # (path, original value)
        side_texts: list[str] = []
        side_keys: list[tuple[str, str]] = []
        passthrough = self.passthrough
        for path, key, parent, value in iter_side_values(item.data, text_paths):
            if passthrough and is_passthrough(path, passthrough):
                seen.append(("passthrough", normalise_path(path)))
                continue
            seen.append(("side", normalise_path(path)))
            side.append((path, value))
            side_texts.append(value if isinstance(value, str) else number_text(value))
            side_keys.append((key, parent))
        return res, (fields, side, side_texts, side_keys)

    def resolve(self, item: SourceRecord, res: RecordResult, gathered: tuple, found: list[list[Span]]) -> tuple:
        """After detection (``found``: spans of the text fields, then of the side values):
        allow-list and propagation."""
        fields, side, side_texts, _ = gathered
        texts = [t for _, t in fields]
        # One propagation over text and side values: a name in a customer_name column marks
        # its copies (and parts) in the chat, and the other way round.
        filtering = bool(self.allow) or self.cfg.keep_system_orgs
        if filtering:
            system = [self.cfg.keep_system_orgs and is_system_turn(item.data, p) for p, _ in fields]
            found, res.allowed = self._allowed(texts + side_texts, found, system)
        all_spans, aliases = propagate_with_aliases(texts + side_texts, found)
        if filtering:  # again: propagation may have copied an allowed value's part elsewhere
            all_spans, dropped = self._allowed(texts + side_texts, all_spans, system)
            res.allowed += dropped
        return fields, side, side_texts, all_spans, aliases

    def record_findings(self, item: SourceRecord, res: RecordResult, state: tuple) -> list[str]:
        """Findings and fields seen of a detected record; the types found."""
        fields, side, _, all_spans, _ = state
        all_types: list[str] = []
        findings = res.findings
        for (path, _), spans in zip(fields, all_spans):
            if spans:
                shown = shown_path(path)
                for s in spans:
                    findings.append(Finding.from_span(item.index, shown, s))
                    all_types.append(s.type)
        for (path, _), spans in zip(side, all_spans[len(fields):]):
            if spans:
                shown = shown_path(path)
                for s in spans:
                    findings.append(Finding.from_span(item.index, shown, s))
                    all_types.append(s.type)
        res.fields_seen = list(dict.fromkeys(res.fields_seen))  # once per record: the report counts records
        return all_types

    def rewrite_many(self, done: list[tuple[SourceRecord, RecordResult]], states: list[tuple]) -> None:
        """Each record as written: a copy with every value that holds spans replaced (the
        record itself when none does; None without ``--out``). The replacements of the whole
        chunk come from one `Anonymizer.apply_many` (made one entity type at a time)."""
        if not self.rewrite:
            for _, res in done:
                res.record = None
            return
        jobs: list[tuple[str, list[Span], dict[int, tuple[str, str]]]] = []
        targets: list[list[tuple[str, Any]]] = []  # per record: (path, original side value or _TEXT)
        for state in states:
            fields, side, side_texts, all_spans, aliases = state
            mine: list[tuple[str, Any]] = []
            for (path, text), spans, alias in zip(fields, all_spans, aliases):
                if spans:
                    jobs.append((text, spans, alias))
                    mine.append((path, _TEXT))
            n = len(fields)
            for (path, value), text, spans, alias in zip(side, side_texts, all_spans[n:], aliases[n:]):
                if spans:
                    jobs.append((text, spans, alias))
                    mine.append((path, value))
            targets.append(mine)
        replaced = iter(self.anonymizer.apply_many(jobs))
        for (item, res), mine in zip(done, targets):
            # (Joined by a line break, which DATA_KEY does not hold: found only inside one path.)
            keyed = DATA_KEY in "\n".join([p for _, p in res.fields_seen])
            if not mine and not keyed:
                res.record = item.data
                continue
            updates = [(path, fake if value is _TEXT or isinstance(value, str) else restore_number(value, fake))
                       for (path, value), fake in zip(mine, replaced)]
            # Data keys are renamed in place: that needs a copy of the whole record.
            new = None if keyed else copy_with(item.data, updates)
            if new is None:
                new = record_copy(item.data)
                for path, value in updates:
                    set_field(new, path, value)
            if keyed:
                res.data_keys = self._replace_data_keys(new)
            res.record = new

    def _replace_data_keys(self, value: Any) -> int:
        """Rename, in place, every dict key of ``value`` that is data itself (a map keyed by
        e-mail addresses or phone numbers) to its replacement under the policy, as a value
        would be; the number renamed."""
        n = 0
        if isinstance(value, list):
            return sum(self._replace_data_keys(v) for v in value)
        if not isinstance(value, dict):
            return 0
        for v in value.values():
            n += self._replace_data_keys(v)
        if any(is_data_key(k) for k in value):
            items = list(value.items())
            value.clear()
            for k, v in items:
                if is_data_key(k) and (spans := self.analyzer.analyze(k)):
                    new_key = self.anonymizer.apply(k, spans)
                    while new_key in value or (new_key != k and new_key in dict(items)):
                        new_key += "_"  # two keys with one replacement: both kept
                    n += new_key != k
                    value[new_key] = v
                else:
                    value[k] = v
        return n

    def assess(self, item: SourceRecord, res: RecordResult, fields: list[tuple[str, str]], all_types: list[str]) -> None:
        """Risk and residual risk of a record (after `record_findings`)."""
        shape = detect_shape(item.data)
        signals = text_signals(fields)
        shape_name = shape.value if shape else "text"
        res.risk = risk_from_signals(signals, all_types, shape_name)
        floor = self.policy.min_score
        if self.kept_types or floor is not None:  # (else the policy replaces every finding)
            res.residual_types = [f.type for f in res.findings
                                  if f.type in self.kept_types or (floor is not None and f.score < floor)]
        if len(res.residual_types) == len(all_types):
            res.residual_level = res.risk.level
        elif not res.residual_types:  # the common case: the policy replaced every entity
            res.residual_level = level_without_findings(signals)
        else:
            res.residual_level = risk_from_signals(signals, res.residual_types, shape_name).level


# Worker-process globals: built once per process by `init_worker`.
_PROCESSOR: RecordProcessor | None = None


def init_worker(cfg_json: str, key: bytes) -> None:
    global _PROCESSOR
    cfg = ScanConfig.model_validate_json(cfg_json)
    _PROCESSOR = RecordProcessor(cfg, key, excerpt_limit=excerpt_cap(cfg))


def process_chunk(items: list[SourceRecord]) -> list[RecordResult]:
    assert _PROCESSOR is not None, "init_worker was not called"
    done = _PROCESSOR.process_many(items)
    freeze_long_lived()
    return done
