"""Runs the registered recognizers over a string and resolves overlapping spans."""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from privtune.scan.collector import YOUNG_THRESHOLD, young_collections_every
from privtune.scan.entities import ENTITY_TYPES, STRUCTURED_TYPES, Span
from privtune.scan.first_chars import FirstCharSieve
from privtune.scan.overlaps import resolve_overlaps
from privtune.scan.paren_aliases import add_bracketed_aliases
from privtune.scan.registry import REGISTRY, Recognizer
from privtune.scan.triggers import (LatinLedGroup, LiteralGroup, SubstringGroup, TriggerTest, latin_led, literal_language,
                                    substring_tested, trigger_test)
from privtune.scan.line_wraps import may_wrap, wrap_breaks
from privtune.scan.views import decoded_view, needs_unescape, needs_view, raw_bounds

DEFAULT_MIN_SCORE = 0.5
# Texts up to this long are analysed with the number-run gates (`_Plan.short_calls`): side
# values, which the scan caches up to this length (`worker.SIDE_CACHE_CHARS`).
SHORT_TEXT = 64
_SEP = "\n"
_MASKS_KEPT = 256  # `_Plan.short_by_mask` entries; emptied when full (a few masks recur)
_PLAN_INPUTS = frozenset({"types", "min_score", "min_score_by_type", "recognizers"})


class _Plan(NamedTuple):
    searches: list[TriggerTest]  # None where the trigger does not match
    steps: list[tuple[int, Recognizer]]
    threshold: dict[str, float]
    # Literal-word triggers answered by one shared scan: the group and the triggers' indices.
    group: LiteralGroup | None
    group_members: list[int]
    # (trigger index or -1, the shared test that answers the trigger or None, bound analyze);
    # a shared test is (the indices it answers, their answers for a text) (`_Plan.group`'s, or
    # the number-run gates' of `min_run_digits`).
    calls: list[tuple[int, tuple[tuple[int, ...], Callable[[str], list[bool]]] | None, Callable[[str], list[Span]]]]
    # Index of the first model recognizer's call (calls before it are structured ones).
    cut: int
    # `analyze_records` runs each group of calls (indices, in order) over every text in turn.
    sweeps: list[list[int]]
    # `calls` for a text of at most `SHORT_TEXT` characters (a side value: a customer id, a
    # code): the number-run gates skip recognizers (`Recognizer.min_run_digits`). Longer text
    # has the runs those need nearly always, and its one look at the runs cost more than the
    # calls it saved (chat records: ~+1-3 µs), so `calls` has no gates.
    short_calls: list[tuple[int, tuple[tuple[int, ...], Callable[[str], list[bool]]] | None, Callable[[str], list[Span]]]]
    # Per sweep: the distinct `Recognizer.prepare_chunk` of its recognizers.
    prepares: list[list[Callable[[list[str] | None], None]]]
    # Which of `searches` a short text cannot match, from its characters (`_short_calls`).
    sieve: FirstCharSieve
    # `short_calls` less those whose trigger the sieve rules out, per sieve mask (texts of one
    # field share one: every customer id "C00012" leaves the same ~10 of ~50 calls).
    short_by_mask: dict[int, list[tuple[int, tuple[tuple[int, ...], Callable[[str], list[bool]]] | None,
                                        Callable[[str], list[Span]]]]]
    # `analyze_records`: a text's fired triggers as a bit mask (bit k: trigger k), and per mask
    # the calls of each sweep it runs (`_sweep_calls`; emptied when full).
    fired_mask: Callable[[str], int]
    calls_by_mask: dict[int, list[list[tuple[int, Callable[[str], list[Span]]]]]]


def load_recognizers() -> None:
    """Import the built-in recognizer modules so they register themselves."""
    importlib.import_module("privtune.scan.recognizers")


class Analyzer:
    """All enabled recognizers, run in registry order; overlaps resolved by `resolve_overlaps`.

    ``types``, ``min_score``, ``min_score_by_type`` and ``recognizers`` may be reassigned: the
    per-call plan built from them (distinct triggers, thresholds) is rebuilt on the next call.
    Changing them in place (``analyzer.min_score_by_type["PHONE"] = 0.9``) is not noticed, nor
    is a recognizer's ``analyze`` replaced after the first call (the plan holds it bound).
    """

    def __init__(
        self,
        types: Iterable[str] | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        min_score_by_type: dict[str, float] | None = None,
        recognizers: list[Recognizer] | None = None,
    ) -> None:
        load_recognizers()
        wanted = set(types) if types is not None else set(ENTITY_TYPES)
        unknown = wanted - set(ENTITY_TYPES)
        if unknown:
            raise ValueError(f"unknown entity types {sorted(unknown)}; known: {', '.join(ENTITY_TYPES)}")
        self.types = frozenset(wanted)
        self.min_score = min_score
        self.min_score_by_type = dict(min_score_by_type or {})
        if recognizers is None:
            recognizers = [cls() for cls in REGISTRY.values() if wanted & set(cls.entity_types)]
        self.recognizers = recognizers

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        if name in _PLAN_INPUTS:
            object.__setattr__(self, "_plan", None)

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_plan": None}  # the plan holds bound methods: rebuilt on use

    def _build_plan(self) -> _Plan:
        """Each distinct trigger's test (``trigger.search`` or a cheaper equivalent) once, (trigger index or -1, recognizer) in order,
        and the score threshold of every wanted type."""
        triggers: list[re.Pattern[str]] = []
        for rec in self.recognizers:
            if rec.trigger is not None and rec.trigger not in triggers:
                triggers.append(rec.trigger)
        steps = [(-1 if r.trigger is None else triggers.index(r.trigger), r) for r in self.recognizers]
        threshold = {t: self.min_score_by_type.get(t, self.min_score) for t in self.types}
        searches, group, members = _trigger_tests(tuple(triggers))
        searches, members = list(searches), list(members)
        shared = {k: (tuple(members), group.fired) for k in members} if group is not None else {}
        latin, latin_members = _latin_tests(tuple(triggers))
        shared.update((k, (latin_members, latin.fired)) for k in latin_members)  # type: ignore[union-attr]
        # Recognizers without a trigger that need a number run of so many digits: one pseudo
        # trigger per distinct need, after the real ones, all answered by one look at the text's
        # number runs (`recognizers._shared.number_run_gates`).
        need_of = [getattr(r, "min_run_digits", 0) if r.trigger is None else 0 for r in self.recognizers]
        needs = sorted({n for n in need_of if n > 0})
        gate_of = {need: len(searches) + i for i, need in enumerate(needs)}
        if needs:
            from privtune.scan.recognizers._shared import number_run_gates

            gates = (tuple(gate_of.values()), number_run_gates(tuple(needs)))
            searches += [None] * len(needs)  # (never searched: the shared test answers them)
            shared.update((k, gates) for k in gates[0])
        # The loop's view of `steps`: (trigger index, its shared test or None, bound analyze).
        gated = [gate_of[n] if n > 0 else t for (t, _), n in zip(steps, need_of)]
        short_calls = [(t, shared.get(t), r.analyze) for t, (_, r) in zip(gated, steps)]
        calls = [(t, shared.get(t), r.analyze) for t, r in steps]
        cut = next((i for i, r in enumerate(self.recognizers) if not set(r.entity_types) <= STRUCTURED_TYPES),
                   len(calls))
        sweeps: dict[str, list[int]] = {}
        for i, r in enumerate(self.recognizers):
            sweeps.setdefault(sweep_of(r), []).append(i)
        prepares = [list({id(f): f for i in sweep if (f := self.recognizers[i].prepare_chunk) is not None}.values())
                    for sweep in sweeps.values()]
        used = {t for t, _, _ in calls if t >= 0}
        mask_groups = ([(tuple(members), group.found)] if group is not None else []) + (
            [(latin_members, latin.found)] if latin is not None else [])  # type: ignore[union-attr]
        plan = _Plan(searches, steps, threshold, group, members, calls, cut, list(sweeps.values()), short_calls,
                     prepares, _sieve(tuple(triggers), len(needs)), {},
                     _fired_mask(searches, shared, used, mask_groups, _substring_tests(tuple(triggers))), {})
        object.__setattr__(self, "_plan", plan)
        return plan

    def analyze(self, text: str, seams: frozenset[int] = frozenset()) -> list[Span]:
        """Spans of ``text``; ``seams``: offsets of the line breaks that join a record's fields
        (`analyze_many`), which the view never reads as a line wrap."""
        if not text:
            return []
        if needs_view(text, seams):  # no-break spaces, zero-width, HTML/percent escapes, wraps
            view, starts, ends = decoded_view(text, seams)
            return [Span(*raw_bounds(starts, ends, s.start, s.end), s.type, s.score, s.detector)
                    for s in self._analyze_plain(view)]
        return self._analyze_plain(text)

    def _analyze_plain(self, text: str) -> list[Span]:
        if not text:
            return []
        plan = self._plan or self._build_plan()
        calls = self._short_calls(text, plan) if len(text) <= SHORT_TEXT else plan.calls
        searches, threshold = plan.searches, plan.threshold
        spans: list[Span] = []
        # Recognizers sharing a trigger (the zh model's) test it once; None: not tested yet.
        fired: list[bool | None] = [None] * len(searches)
        for trig, grouped, analyze in calls:
            if trig >= 0:
                hit = fired[trig]
                if hit is None:
                    if grouped is not None:
                        for k, f in zip(grouped[0], grouped[1](text)):
                            fired[k] = f
                        hit = fired[trig]
                    else:
                        hit = fired[trig] = searches[trig](text) is not None
                if not hit:
                    continue
            found = analyze(text)
            if found:
                for s in found:
                    t = threshold.get(s.type)
                    if t is not None and s.score >= t:
                        spans.append(s)
        return self._with_aliases(resolve_overlaps(spans, text), text)

    def _short_calls(self, text: str, plan: _Plan) -> list[tuple[int, tuple[tuple[int, ...], Callable[[str], list[bool]]] | None, Callable[[str], list[Span]]]]:
        """The calls for a text of at most `SHORT_TEXT` characters (a side value: a customer id,
        a code, a label): `_Plan.short_calls` less the calls whose trigger no character of the
        text can open a match of (`FirstCharSieve`): it does not match. On the demo's customer
        ids ("C00012") ~30 of the ~37 trigger tests go, and ~40 of ~50 calls."""
        possible = plan.sieve.possible(text)
        calls = plan.short_by_mask.get(possible)
        if calls is None:
            calls = [c for c in plan.short_calls if c[0] < 0 or possible >> c[0] & 1]
            if len(plan.short_by_mask) >= _MASKS_KEPT:
                plan.short_by_mask.clear()
            plan.short_by_mask[possible] = calls
        return calls

    def _with_aliases(self, spans: list[Span], text: str) -> list[Span]:
        """A name's bracketed handle or other spelling (`paren_aliases`), of the wanted types
        and scores."""
        if ("(" in text or "（" in text) and "PERSON" in self.types:
            threshold = (self._plan or self._build_plan()).threshold
            return [s for s in add_bracketed_aliases(spans, text)
                    if (t := threshold.get(s.type)) is not None and s.score >= t]
        return spans

    def analyze_many(self, texts: list[str]) -> list[list[Span]]:
        """Analyse the texts of one record in one pass (joined by newlines), spans per text.

        One pass amortises each recognizer's fixed cost (the Chinese tagger's is ~25 µs) over
        a record's fields, and lets context words in one turn of a chat inform the next.
        """
        if len(texts) == 1:
            return [self.analyze(texts[0])]
        joined = _SEP.join(texts)
        seams = _seams(texts) if may_wrap(joined) else frozenset()
        return split_spans(self.analyze(joined, seams), [len(t) for t in texts], len(_SEP))

    def analyze_records(self, records: list[list[str]]) -> list[list[list[Span]]]:
        """`analyze_many` of each record's texts, with the same spans, run in sweeps over all
        the records (`sweep_of`): the number-run recognizers, the other patterns, the keyword
        ones (secrets, dates of birth), the Chinese models, the English ones. A sweep keeps its
        recognizers' tables and code in the CPU caches across the records; one sweep per
        recognizer would be slower (the models share a one-text cache between their
        recognizers, and the number-run ones their index). Before a sweep its recognizers'
        `Recognizer.prepare_chunk` gets all the texts (the two taggers then hash or tag the
        whole chunk in one compiled call), and None after it. Runs under the scan's collector
        setting (`young_collections_every`): called on its own (collector as Python sets it), the
        2,000 demo records' detection made ~85 collections, ~25-30 µs per record, now 8."""
        with young_collections_every(YOUNG_THRESHOLD):
            return self._analyze_records(records)

    def _analyze_records(self, records: list[list[str]]) -> list[list[list[Span]]]:
        joined = [texts[0] if len(texts) == 1 else _SEP.join(texts) for texts in records]
        views: list[tuple[str, list[int], list[int]] | None] = [
            _view(texts, t) if t else None for texts, t in zip(records, joined)]
        plain = self._analyze_plain_sweeps([t if v is None else v[0] for t, v in zip(joined, views)])
        out = []
        for texts, spans, view in zip(records, plain, views):
            if view is not None:
                _, starts, ends = view
                spans = [Span(*raw_bounds(starts, ends, s.start, s.end), s.type, s.score, s.detector) for s in spans]
            out.append([spans] if len(texts) == 1 else split_spans(spans, [len(t) for t in texts], len(_SEP)))
        return out

    def _analyze_plain_sweeps(self, texts: list[str]) -> list[list[Span]]:
        """`_analyze_plain` of each text, one sweep (`_Plan.sweeps`) at a time; each text's spans
        are put together in call order, as `_analyze_plain` appends them.

        Every call of `_analyze_plain`'s loop tests its trigger, so every trigger is tested on
        every text: here all of a text's are tested first (`_Plan.fired_mask`, the same tests),
        and each sweep runs the calls that mask lets through (`_Plan.calls_by_mask`, built once
        per mask: the demo's records share a few dozen), not a trigger lookup per call."""
        plan = self._plan or self._build_plan()
        threshold = plan.threshold
        masks = [plan.fired_mask(text) if text else 0 for text in texts]
        per_mask, by_mask = plan.calls_by_mask, []
        for mask in masks:
            calls = per_mask.get(mask)
            if calls is None:
                if len(per_mask) >= _MASKS_KEPT:
                    per_mask.clear()
                calls = per_mask[mask] = _sweep_calls(plan, mask)
            by_mask.append(calls)
        by_call: list[list[list[Span] | None]] = [[None] * len(plan.calls) for _ in texts]
        for k, prepares in enumerate(plan.prepares):
            for prepare in prepares:
                prepare(texts)
            try:
                for text, calls, found in zip(texts, by_mask, by_call):
                    if not text:
                        continue
                    for i, analyze in calls[k]:
                        got = analyze(text)
                        if got:  # (most calls find nothing; the scores are tested below, in one pass)
                            found[i] = got
            finally:
                for prepare in prepares:
                    prepare(None)
        return [self._with_aliases(resolve_overlaps([s for spans in found if spans for s in spans
                                                     if (t := threshold.get(s.type)) is not None and s.score >= t],
                                                    text), text)
                for text, found in zip(texts, by_call)]


def sweep_of(rec: Recognizer) -> str:
    """The sweep of `Analyzer.analyze_records` that runs ``rec``: its own ``sweep`` if set, else
    by what it shares: the models by language (their taggers' one-text caches), structured
    recognizers without a trigger (the number-run index), keyword-triggered secrets and
    dates, other patterns."""
    if rec.sweep:
        return rec.sweep
    types = set(rec.entity_types)
    if not types <= STRUCTURED_TYPES:
        return "zh_models" if rec.name.startswith("zh_") else "models"
    if rec.trigger is None:
        return "number_runs"
    return "keywords" if types <= {"SECRET", "DATE_OF_BIRTH"} else "patterns"


def _sweep_calls(plan: _Plan, mask: int) -> list[list[tuple[int, Callable[[str], list[Span]]]]]:
    """Per sweep, ``(call index, bound analyze)`` of the calls a text whose fired triggers are
    ``mask`` (`_Plan.fired_mask`) runs: those without a trigger and those whose trigger fired."""
    return [[(i, plan.calls[i][2]) for i in sweep if plan.calls[i][0] < 0 or mask >> plan.calls[i][0] & 1]
            for sweep in plan.sweeps]


def _fired_mask(searches: list[TriggerTest | None],
                shared: dict[int, tuple[tuple[int, ...], Callable[[str], list[bool]]]],
                used: set[int], groups: list[tuple[tuple[int, ...], Callable[[str], int]]],
                substrings: SubstringGroup | None) -> Callable[[str], int]:
    """``fired_mask(text)``: bit k set iff trigger k (of those in ``used``) matches ``text``,
    from the same tests as `Analyzer._analyze_plain`'s loop (``searches[k]``, or a shared test
    that answers several, once): ``groups`` are the shared ones as ``(indices, found)``,
    ``found(text)``'s bit j answering trigger ``indices[j]`` (`LiteralGroup.found`,
    `LatinLedGroup.found`, the number-run gates' lists); and the triggers of ``substrings``
    (whose bits are the triggers' own) are answered by it, together."""
    grouped = set(shared) | ({b.bit_length() - 1 for b in substrings.bits} if substrings is not None else set())
    singles = tuple((1 << k, searches[k]) for k in sorted(used) if k not in grouped)
    # Each group's answer as trigger bits, per answer (a few recur: a dict lookup, not a loop).
    scattered = tuple((found, {}, indices) for indices, found in groups if set(indices) & used)
    found_all = substrings.found if substrings is not None else None

    def fired_mask(text: str) -> int:
        mask = 0 if found_all is None else found_all(text)
        for bit, search in singles:
            if search(text) is not None:  # type: ignore[misc]
                mask |= bit
        for found, bits_of, indices in scattered:
            got = found(text)
            bits = bits_of.get(got)
            if bits is None:
                if len(bits_of) >= _MASKS_KEPT:
                    bits_of.clear()
                bits = bits_of[got] = sum(1 << k for j, k in enumerate(indices) if got >> j & 1)
            mask |= bits
        return mask

    return fired_mask


@functools.lru_cache(maxsize=64)
def _trigger_tests(triggers: tuple[re.Pattern[str], ...]) -> tuple[tuple[TriggerTest, ...], LiteralGroup | None,
                                                                   tuple[int, ...]]:
    """Each trigger's test, the literal-word triggers' shared scan and their indices: a pure
    function of the patterns, built once per process. Deciding the cheaper tests parses every
    trigger with sre's parser (~24 ms for the built-in set), which each new `Analyzer` (one
    per scan, another for a scan's excerpts) used to pay again."""
    searches = tuple(trigger_test(t) for t in triggers)
    # Triggers that are literal words but no cheaper to test alone share one scan.
    members = [i for i, t in enumerate(triggers) if searches[i] == t.search and literal_language(t) is not None]
    group = LiteralGroup([triggers[i] for i in members]) if len(members) > 1 else None
    return searches, group, tuple(members) if group is not None else ()


@functools.lru_cache(maxsize=64)
def _sieve(triggers: tuple[re.Pattern[str], ...], n_gates: int) -> FirstCharSieve:
    """The triggers' `FirstCharSieve`, the number-run gates after them never ruled out; built
    once per process, like `_trigger_tests`."""
    return FirstCharSieve([*triggers, *[None] * n_gates])


@functools.lru_cache(maxsize=64)
def _latin_tests(triggers: tuple[re.Pattern[str], ...]) -> tuple[LatinLedGroup | None, tuple[int, ...]]:
    """The triggers searched with ``pattern.search`` itself (no cheaper test, not in the literal
    group) whose every match opens with a Latin letter, answered together by a `LatinLedGroup`
    (two or more), and their indices; built once per process, like `_trigger_tests`."""
    searches, _, literal = _trigger_tests(triggers)
    members = tuple(i for i, t in enumerate(triggers)
                    if searches[i] == t.search and i not in literal and latin_led(t))
    if len(members) < 2:
        return None, ()
    return LatinLedGroup([triggers[i] for i in members]), members


@functools.lru_cache(maxsize=64)
def _substring_tests(triggers: tuple[re.Pattern[str], ...]) -> SubstringGroup | None:
    """One `SubstringGroup` for the triggers `trigger_test` answers by substring searches alone
    (`substring_tested`) that are in neither the literal nor the Latin-led group, each with its
    own bit (``1 << index``, indices under 62); None for fewer than two such
    triggers. Built once per process, like `_trigger_tests`."""
    _, _, literal = _trigger_tests(triggers)
    _, latin = _latin_tests(triggers)
    members = tuple(i for i, t in enumerate(triggers)
                    if i not in literal and i not in latin and i < 62 and substring_tested(t))
    if len(members) < 2:
        return None
    return SubstringGroup([triggers[i] for i in members], [1 << i for i in members])


def _view(texts: list[str], joined: str) -> tuple[str, list[int], list[int]] | None:
    """`decoded_view` of a record's ``joined`` texts, or None where it would change nothing;
    `needs_view` with `line_wraps.may_wrap` tested once."""
    if not may_wrap(joined):
        return decoded_view(joined) if needs_unescape(joined) else None
    seams = _seams(texts) if len(texts) > 1 else frozenset()
    return decoded_view(joined, seams) if needs_unescape(joined) or wrap_breaks(joined, seams) else None


def _seams(texts: list[str]) -> frozenset[int]:
    """Offsets of the separators in ``_SEP.join(texts)``: two fields, never one wrapped value."""
    out, pos = [], 0
    for t in texts[:-1]:
        pos += len(t)
        out.append(pos)
        pos += len(_SEP)
    return frozenset(out)


def split_spans(spans: list[Span], lengths: list[int], sep_len: int) -> list[list[Span]]:
    """Map spans over ``sep.join(texts)`` back to per-text spans; spans crossing a separator are dropped."""
    out: list[list[Span]] = [[] for _ in lengths]
    starts, pos = [], 0
    for n in lengths:
        starts.append(pos)
        pos += n + sep_len
    i = 0
    for s in spans:  # spans are sorted by start
        while i + 1 < len(starts) and starts[i + 1] <= s.start:
            i += 1
        lo = starts[i]
        if s.end <= lo + lengths[i]:
            out[i].append(s if lo == 0 else Span(s.start - lo, s.end - lo, s.type, s.score, s.detector))
    return out
