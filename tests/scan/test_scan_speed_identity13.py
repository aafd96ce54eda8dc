"""Round 12 of the scan job's speed-ups (branch scan-speed11): each shortcut against the code it
replaced, on texts that reach both sides of every pre-check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.analyzer import Analyzer, resolve_overlaps
from privtune.scan.recognizers._shared import halfwidth, number_runs
from privtune.scan.side_fields import iter_side_values


def _most_digits(text: str) -> int:
    return max([n for _, _, n in number_runs(halfwidth(text))], default=0)


def _ungated_analyze(analyzer: Analyzer, text: str) -> list:
    """`Analyzer.analyze` of a plain text as before the number-run gates: every recognizer
    without a trigger runs on every text."""
    plan = analyzer._plan or analyzer._build_plan()
    spans = []
    for trig, rec in plan.steps:
        if trig >= 0 and plan.searches[trig] is not None and trig not in plan.group_members:
            if plan.searches[trig](text) is None:
                continue
        elif trig >= 0 and not plan.group.fired(text)[plan.group_members.index(trig)]:
            continue
        spans += [s for s in rec.analyze(text) if s.type in plan.threshold and s.score >= plan.threshold[s.type]]
    return resolve_overlaps(spans, text)  # as `Analyzer._analyze_plain`: a street block absorbs a name across its edge


_GATED = {"phone": 7, "bank_card": 13, "cn_id_card": 15, "uscc": 6, "passport": 7, "us_ssn": 9, "record_id": 4}

# Digit runs around every gate's need, plain, grouped, full-width, after the cues and letters the
# gated recognizers look for.
_PIECES = st.sampled_from([
    "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1381234567",
    "13812345678", "01234567890123", "622202895559797", "370202196407029855", "3702021964070298", "91350100M000100Y43",
    "E12345678", "G1234567", "MRN ", "工号", "手机", "call me on ", "SSN ", "078-05-1120", "123-45-6789", "１３８１２３４",
    "５６７８", " ", "-", ".", "(", ")", "+", "X", "护照", "身份证", "card ", "\n", "C", "订单号", "ID ",
])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_number_run_gates_keep_every_span(text: str) -> None:
    """A gated recognizer finds nothing below its need, and the analyzer's spans are those of
    the loop that ran every recognizer without a trigger."""
    analyzer = Analyzer()
    most = _most_digits(text)
    for rec in analyzer.recognizers:
        if rec.name in _GATED and most < rec.min_run_digits:
            assert rec.analyze(text) == [], (rec.name, text)
    assert analyzer.analyze(text) == _ungated_analyze(analyzer, text)
    assert analyzer.analyze_records([[text]]) == [[_ungated_analyze(analyzer, text)]]


def test_gates_are_the_recognizers_own_needs_and_demo_spans_stay() -> None:
    analyzer = Analyzer()
    assert {r.name: r.min_run_digits for r in analyzer.recognizers if r.min_run_digits} == _GATED
    texts = []
    for r in generate(300, seed=13):
        fields = [t for _, t in text_fields(r)]
        texts += ["\n".join(fields), *fields, *(str(v) for *_, v in iter_side_values(r, set()))]
    for t in texts:
        assert analyzer.analyze(t) == _ungated_analyze(analyzer, t), t


def test_a_short_code_skips_the_gated_recognizers() -> None:
    """A customer id ("C00001": five digits) reaches none of the recognizers that need six or
    more; a mobile number reaches those that need up to eleven."""
    analyzer = Analyzer()
    called: list[str] = []
    for rec in analyzer.recognizers:
        if rec.name in _GATED:
            def spy(text: str, _name: str = rec.name, _analyze=rec.analyze) -> list:
                called.append(_name)
                return _analyze(text)
            rec.analyze = spy  # before the plan binds it
    assert analyzer.analyze("C00001") == []
    assert called == ["record_id"]
    called.clear()
    assert [s.type for s in analyzer.analyze("13812345678")] == ["PHONE"]
    assert sorted(called) == ["passport", "phone", "record_id", "us_ssn", "uscc"]


def _old_find_addresses(text: str) -> list:
    """`english.find_addresses` before `_may_hold_street`: the anchored matches on every text."""
    from privtune.scan.ner import english

    english.find_addresses("")  # compiles the pattern
    states = english.en_lexicon().states
    out = [(m.start(), m.end(), 0.95 if m.group("state") in states else 0.8, "en_address_pattern")
           for m in english._matches_at(english._ADDRESS_RE, english._ADDRESS_START, text)]
    if "PO A" in text:
        out += [(m.start(), m.end(), 0.95, "en_address_pattern") for m in english._MILITARY_RE.finditer(text)]
    return out


_ADDRESS_PIECES = st.sampled_from([
    "12", "9083", "7", "a", "B", "-4", "-12", " ", "  ", "\t", "\n", "Christopher", "Main", "St", "Street", "Ave.",
    "Manor", "Apt 4", "Suite", ",", ", ", "East", "AR", "74616", "NY 10001", "P.O. Box", "PO Box", "Box", "P",
    "FPO AE", "Unit 0417", "收货", "路", "e座", "号", "\u0663", "\uff11\uff12", "\u0e51", "1st", "Rd",
])


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.lists(_ADDRESS_PIECES, max_size=12).map("".join))
def test_street_pre_check_keeps_every_address(text: str) -> None:
    """Where `_may_hold_street` says no, the US address pattern matches nowhere in the text (at
    any position, anchored or not), and `find_addresses` gives what it gave before."""
    from privtune.scan.ner import english

    english.find_addresses("")
    if not english._may_hold_street(text):
        assert english._ADDRESS_RE.search(text) is None, text
    assert english.find_addresses(text) == _old_find_addresses(text)


def test_street_pre_check_on_demo_records() -> None:
    from privtune.scan.ner import english

    skipped = 0
    for r in generate(400, seed=17):
        t = "\n".join(x for _, x in text_fields(r))
        assert english.find_addresses(t) == _old_find_addresses(t)
        skipped += not english._may_hold_street(t)
    assert skipped > 100  # the Chinese records, most of them


def test_person_candidates_of_all_regions_in_one_call() -> None:
    """`ZhTagger._person_candidates` with the joint gains (one kernel call for a text's regions)
    gives each region's candidates as the call per region does, on texts of one to many regions
    (lines, blanks, Latin words between Chinese stretches) and on demo records."""
    from privtune.scan.ner.model import get_tagger

    tagger = get_tagger()
    texts = ["张伟说", "收货人华桂珍，电话13960181590\n好的 李明 from 华为\n王小二您好 OK 陈嘉庚故乡",
             "a 李 b 王芳 c 欧阳娜娜 d 刘诗诗 e\n\n托马斯·皮克林 说 f 记者王姝马力"]
    texts += ["\n".join(t for _, t in text_fields(r)) for r in generate(200, seed=19)]
    joined = 0
    for text in texts:
        _, regions, joint = tagger._decode_regions(text)
        assert (joint is not None) == (len(regions) > 1)
        if joint is not None:
            joined += 1
            assert tagger._person_candidates(regions, joint) == tagger._person_candidates(regions)
        raw, plain = tagger._decode(text)
        assert raw == tagger._decode_regions(text)[0] and [o for o, _ in plain] == [o for o, _ in regions]
        assert all((g == h).all() for (_, g), (_, h) in zip(plain, regions))
    assert joined > 50


def test_latin_led_classification() -> None:
    import re

    from privtune.scan.triggers import latin_led

    for p in ("[A-Z][a-z]", "Inc|Ltd|LL[CP]|Co\\b", "[a-z]{3}", "(?:ab|Cd)x", "[A-Z][A-Z]\\d\\d", "\u00e9t[e\u00e9]"):
        assert latin_led(re.compile(p)), p
    for p in ("[0-9]", "\\w+", "(?<=a)b", "a?b", "(?i)abc", "[^a]", "K|\u212a", "[a-z]*x", "a|1", "\\bab", ".a",
              "[A-Z\u0250]", "(?i:a)b", "^ab", "x{0,2}a"):
        assert not latin_led(re.compile(p)), p


_LATIN_CHARS = st.sampled_from(list("AZaz019 .-_@:\n\t") + ["\u00c0", "\u00df", "\u0131", "\u024f", "\u0250",
                                                             "\u212a", "\u4e2d", "\u6587", "\uff21", "Inc", "Ltd",
                                                             "Co", "GB82", "DE89", "Şali", "abc", "Zz"])


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(_LATIN_CHARS, max_size=16).map("".join))
def test_latin_group_answers_as_each_search(text: str) -> None:
    """`LatinLedGroup.fired` gives each of its triggers' ``search`` answer, for the analyzer's
    own group and for patterns that open with branches, repeats and groups."""
    import re

    from privtune.scan.analyzer import _latin_tests
    from privtune.scan.triggers import LatinLedGroup

    analyzer = Analyzer()
    triggers = tuple(dict.fromkeys(r.trigger for r in analyzer.recognizers if r.trigger is not None))
    group, members = _latin_tests(triggers)
    assert group is not None and len(members) >= 3
    assert group.fired(text) == [triggers[k].search(text) is not None for k in members]
    extra = [re.compile(p) for p in ("[A-Z][a-z]|[a-z]{3}", "(?:Inc|Co)\\b", "z(?<=[^A-Z]z)", "[a-z]+(?<!abc)1")]
    assert LatinLedGroup(extra).fired(text) == [p.search(text) is not None for p in extra]


def test_short_texts_only_take_the_gates() -> None:
    from privtune.scan.analyzer import SHORT_TEXT

    plan = Analyzer()._build_plan()
    gates = {t for t, _, _ in plan.short_calls} - {t for t, _, _ in plan.calls}
    assert len(gates) == len(set(_GATED.values()))  # one pseudo trigger per distinct need
    assert all(t < len(plan.searches) for t in gates) and SHORT_TEXT >= 64  # the side-value cache's limit
