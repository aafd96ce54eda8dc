"""PII guard: privtune scan's detectors and anonymiser applied to what the gateway sends and forwards.

One code path with `privtune scan`: the same `Analyzer` (recognizers, thresholds, overlap
rules), `AllowList` and `Anonymizer` (operators, surrogates). What is serve's own is the
segmentation (`segmenter`): text is redacted one segment at a time, streamed or not, so the
concatenated stream equals `PIIRedactor.redact_text(whole output)` exactly, and a stream only
ever emits segments that are complete (no later text can make them part of an entity).

The audit log gets counts per entity type, never a value.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from privtune.errors import ConfigError
from privtune.scan.allow import AllowList
from privtune.scan.analyzer import DEFAULT_MIN_SCORE, Analyzer
from privtune.scan.anonymize import AnonymizationPolicy, Anonymizer, derive_key
from privtune.scan.entities import Span
from privtune.scan.ner.en_cues import CLOSING_LINE_END
from privtune.scan.recognizers.table_cells import SEPARATOR_ROW
from privtune.serve.guards.segmenter import DEFAULT_MAX_HOLDBACK, first_cut, segments
from privtune.serve.hooks import GuardContext

PIIMode = Literal["redact", "mask", "pseudonymise", "off"]
PII_MODES: tuple[str, ...] = ("redact", "mask", "pseudonymise", "off")


class PIIRedactor:
    """Detect-and-replace for one mode; ``redact_text`` is the whole-text reference of a stream."""

    def __init__(self, mode: str, analyzer: Analyzer, key: bytes, allow: AllowList,
                 max_holdback: int = DEFAULT_MAX_HOLDBACK) -> None:
        if mode not in PII_MODES or mode == "off":
            raise ValueError(f"PIIRedactor mode must be redact, mask or pseudonymise, not {mode!r}")
        self.mode = mode
        self.analyzer = analyzer
        self.allow = allow
        self.max_holdback = max_holdback
        self.anonymizer = Anonymizer(AnonymizationPolicy(default=mode), key)

    def redact_segment(self, segment: str, counts: Counter[str] | None = None,
                       context: SegmentContext | None = None) -> str:
        prefix = context.prefix_for(segment) if context is not None else ""
        if prefix:  # the words before the segment: a label, a table's header (`SegmentContext`)
            n = len(prefix)
            spans = [Span(max(s.start - n, 0), s.end - n, s.type, s.score, s.detector)
                     for s in self.analyzer.analyze(prefix + segment) if s.end > n]
        else:
            spans = self.analyzer.analyze(segment)
        if context is not None:
            context.update(segment)
        if spans and self.allow:
            spans, _ = self.allow.filter(segment, spans)
        if not spans:
            return segment
        if counts is not None:
            counts.update(s.type for s in spans)
        return self.anonymizer.apply(segment, spans)

    def redact_text(self, text: str, counts: Counter[str] | None = None) -> str:
        """The whole text redacted exactly as a stream of it would be (segment by segment)."""
        context = SegmentContext()
        return "".join(self.redact_segment(s, counts, context) for s in segments(text, self.max_holdback))


# How much of the previous segment is read before the next: a label ("Phone:\n", "MRN:",
# "病历号：\n", "Call me. ") is cut from its value at a line break or a sentence end.
CONTEXT_CHARS = 40
_LABEL_ENDS = (":", "：")
_CLAUSE_ENDS = frozenset("。！？；;，,、")


class SegmentContext:
    """The text read before a segment, as the detectors' context: the header row and separator
    of the Markdown table a row is in, or else the last `CONTEXT_CHARS` characters of the
    previous segment when that segment can end in a label: with a colon ("MRN:\n", "病历号：\n"),
    a short line with no closing mark ("**Mobile**\n", "联系电话\n"), or a short English
    sentence ("Call me. "). Other segments (a long sentence, a Chinese clause) are no label, and
    reading them again would cost their detection twice. Only spans that reach into the
    segment are kept (a span from the context into it is cut at its start). The same segments
    in the same order give the same prefixes, so a stream still equals the whole text."""

    def __init__(self) -> None:
        self.previous = ""
        self.header = ""

    def prefix_for(self, segment: str) -> str:
        if self.header and "|" in segment:
            return self.header
        previous = self.previous
        closed = previous.rstrip()
        if not closed:
            return ""
        if closed.endswith(_LABEL_ENDS):
            return previous[-CONTEXT_CHARS:]
        last = closed[-1]
        if last in ".!?":  # an English sentence: a label only when short ("Call me. ")
            return previous if len(previous) <= CONTEXT_CHARS else ""
        if last in _CLAUSE_ENDS:
            # "Kind regards,\n" before a line with the sender's name: the closing is its cue.
            return previous[-CONTEXT_CHARS:] if last == "," and CLOSING_LINE_END.search(closed) else ""
        line = closed[closed.rfind("\n") + 1 :]  # a line with no closing mark: a heading, a label
        return previous[-CONTEXT_CHARS:] if len(line) <= CONTEXT_CHARS else ""

    def update(self, segment: str) -> None:
        if self.header and "|" not in segment:
            self.header = ""
        if SEPARATOR_ROW.fullmatch(segment.rstrip("\r\n")) and "|" in self.previous:
            self.header = self.previous + segment
        self.previous = segment


class PIIStreamSession:
    """Hold-back buffer: ``feed`` returns only redacted complete segments; ``finish`` the rest."""

    def __init__(self, redactor: PIIRedactor, direction: str = "output") -> None:
        self.redactor = redactor
        self.pending = ""
        self.counts: Counter[str] = Counter()
        self.direction = direction
        self.context = SegmentContext()
        self.withheld = 0  # trailing runs withheld from outputs cut short (`finish_truncated`)

    def feed(self, delta: str) -> str:
        scanned = len(self.pending)  # no cut in what was pending before this delta
        self.pending += delta
        out: list[str] = []
        while self.pending:
            k = first_cut(self.pending, self.redactor.max_holdback, scanned)
            if k == 0:
                break
            out.append(self.redactor.redact_segment(self.pending[:k], self.counts, self.context))
            self.pending, scanned = self.pending[k:], 0
        return "".join(out)

    def finish(self) -> str:
        rest, self.pending = self.pending, ""
        return self.redactor.redact_segment(rest, self.counts, self.context) if rest else ""

    def finish_truncated(self) -> str:
        """`finish` for an output cut short (``max_tokens``, the time limit): the last segment may
        end inside a value, whose prefix no detector recognises ("电话1380013", "Card 4111 1111");
        a trailing run that may be one is withheld (`partial_value_start`)."""
        tail = self.finish()
        start = partial_value_start(tail)
        if start is None:
            return tail
        self.withheld += 1
        return tail[:start]

    def audit_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"mode": self.redactor.mode, "redacted": dict(sorted(self.counts.items()))}
        if self.withheld:
            fields["withheld_cut_values"] = self.withheld
        return {f"pii_{self.direction}": fields}


# Characters of the values the detectors find in running text (numbers, ids, e-mail, URLs, IBANs).
_VALUE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._+-/()#:")


def partial_value_start(text: str) -> int | None:
    """Where a value cut short may start at the end of ``text``: the trailing pieces of value
    characters, separated by spaces, that each hold a digit (the last one a digit or an '@'):
    "0471 22", "4111 1111 1111", "1380013" after 电话, "john.smith@exa". None when the text
    ends otherwise (a word, a placeholder, punctuation). Deliberately wide: a number that was
    complete is withheld too when the cut falls right after it."""
    i = len(text.rstrip(" \t"))
    start = None
    while i > 0:
        j = i
        while j > 0 and text[j - 1] in _VALUE_CHARS:
            j -= 1
        piece = text[j:i]
        if not (any(ch.isdigit() for ch in piece) or (start is None and "@" in piece)):
            break
        start = j
        k = j
        while k > 0 and text[k - 1] in " \t":
            k -= 1
        if k == j:  # joined to a non-value character (a word, CJK): the value starts here
            break
        i = k
    return start


class _Passthrough:
    """Mode ``off``: nothing changes, and the audit record says so."""

    transforms = False

    def feed(self, delta: str) -> str:
        return delta

    def finish(self) -> str:
        return ""

    def audit_fields(self) -> dict[str, Any]:
        return {"pii_output": {"mode": "off"}}


def load_key(path: Path | None) -> bytes:
    """The pseudonym key: from a file (stable pseudonyms across restarts) or fresh per process."""
    if path is None:
        return derive_key(secrets.token_hex(32))
    try:
        material = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"pii key file {path}: {exc.strerror}") from None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise ConfigError(f"pii key file {path} is readable by others; chmod 600 it")
    return derive_key(material)


class PIIGuard:
    """Output guard: the mode per key id, else per role, else the default."""

    name = "pii"

    def __init__(self, default: str = "redact", by_role: dict[str, str] | None = None,
                 by_key: dict[str, str] | None = None, *, key: bytes | None = None,
                 types: list[str] | None = None, min_score: float = DEFAULT_MIN_SCORE,
                 allow: list[str] | None = None, max_holdback: int = DEFAULT_MAX_HOLDBACK,
                 analyzer: Analyzer | None = None) -> None:
        self.default, self.by_role, self.by_key = default, dict(by_role or {}), dict(by_key or {})
        for mode in (default, *self.by_role.values(), *self.by_key.values()):
            if mode not in PII_MODES:
                raise ConfigError(f"unknown PII mode {mode!r}; use one of {', '.join(PII_MODES)}")
        self.analyzer = analyzer or Analyzer(types=types, min_score=min_score)
        self.allow = AllowList(list(allow or []))
        self.max_holdback = max_holdback
        key = key if key is not None else load_key(None)
        self.redactors = {m: PIIRedactor(m, self.analyzer, key, self.allow, max_holdback)
                          for m in PII_MODES if m != "off"}

    def mode_for(self, key_id: str, role: str) -> str:
        return self.by_key.get(key_id) or self.by_role.get(role) or self.default

    def start(self, ctx: GuardContext) -> Any:
        mode = self.mode_for(ctx.key_id, ctx.role)
        return _Passthrough() if mode == "off" else PIIStreamSession(self.redactors[mode])

    def redactor(self, mode: str) -> PIIRedactor | None:
        return None if mode == "off" else self.redactors[mode]

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "default": self.default, "by_role": self.by_role,
                "keys_with_own_mode": len(self.by_key), "holdback_max_chars": self.max_holdback,
                "types": sorted(self.analyzer.types)}


class InputRedaction:
    """The input hook: prompts (or chat turns) redacted before the backend sees them; counts for the audit log."""

    def __init__(self, redactor: PIIRedactor) -> None:
        self.redactor = redactor

    def apply(self, req: Any) -> dict[str, Any]:
        """Redact ``req`` (a `GenRequest`) in place; returns its audit fields."""
        counts: Counter[str] = Counter()
        if req.prompt is not None:
            req.prompt = self.redactor.redact_text(req.prompt, counts)
        if req.messages is not None:
            req.messages = [{**m, "content": self.redactor.redact_text(m.get("content") or "", counts)}
                            for m in req.messages]
        return {"pii_input": {"mode": self.redactor.mode, "redacted": dict(sorted(counts.items()))}}

    def describe(self) -> dict[str, Any]:
        return {"name": "pii_input", "mode": self.redactor.mode}


def guards_from_config(pii: Any) -> tuple[list[PIIGuard], InputRedaction | None]:
    """The output guard and input hook a `PIIConfig` asks for (no guard when every mode is off)."""
    modes = {pii.output, *pii.output_by_role.values(), *pii.output_by_key.values(), pii.input}
    if modes == {"off"}:
        return [], None
    unknown_roles = set(pii.output_by_role) - {"user", "auditor", "admin"}
    if unknown_roles:
        raise ConfigError(f"pii.output_by_role: unknown role(s) {sorted(unknown_roles)}; roles: user, auditor, admin")
    try:
        guard = PIIGuard(pii.output, pii.output_by_role, pii.output_by_key, key=load_key(pii.key_file),
                         types=pii.types, min_score=pii.min_score, allow=pii.allow,
                         max_holdback=pii.max_holdback_chars)
    except ValueError as exc:  # an unknown entity type
        raise ConfigError(f"pii.types: {exc}") from None
    guard.analyzer.analyze("张伟 John")  # loads the zh tagger now, not inside the first request
    output = [guard] if {pii.output, *pii.output_by_role.values(), *pii.output_by_key.values()} != {"off"} else []
    return output, (InputRedaction(guard.redactors[pii.input]) if pii.input != "off" else None)
