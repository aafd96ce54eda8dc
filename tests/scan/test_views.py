"""PII written the way web exports and copy-paste write it: no-break spaces, zero-width
characters, HTML character references, percent-encoded UTF-8 (`privtune.scan.views`)."""

from __future__ import annotations

import hashlib

import pytest

from privtune.demo.corpus import generate
from privtune.scan.analyzer import Analyzer
from privtune.scan.anonymize import AnonymizationPolicy, Anonymizer, derive_key
from privtune.scan.views import decoded_view, needs_view, raw_bounds

KEY = derive_key(hashlib.sha256(b"privtune-views-test").digest())


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_view_decodes_and_maps_every_character_back() -> None:
    raw = "a&nbsp;b\u200b\u200bc&#64;d%E7%8E%8B\u00a0e\u2011f&bogus;g%ZZ100%"
    view, starts, ends = decoded_view(raw)
    assert view == "a b" + "c@d王 e-f&bogus;g%ZZ100%"
    assert len(starts) == len(ends) == len(view)
    assert raw[starts[2]:ends[2]] == "b" and raw[starts[4]:ends[4]] == "&#64;"  # 'c' follows the dropped ZWSPs
    assert raw[slice(*raw_bounds(starts, ends, 3, 6))] == "c&#64;d"
    assert raw[starts[6]:ends[6]] == "%E7%8E%8B"
    assert not needs_view("plain 50% off, AT&T, 电话 138 1234 5678") and needs_view("x&amp;y")
    assert decoded_view("%FF%FE")[0] == "%FF%FE" and decoded_view("%0A")[0] == "%0A"  # not UTF-8 / not printable


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("电话 138\u00a01234\u00a05678", "PHONE", "138\u00a01234\u00a05678"),
    ("call +44\u202f20\u202f7946\u202f0958", "PHONE", "+44\u202f20\u202f7946\u202f0958"),
    ("call 415\u2011555\u20110199", "PHONE", "415\u2011555\u20110199"),
    ("卡号 6222\u00a00212\u00a03456\u00a07890\u00a0128", "BANK_CARD", "6222\u00a00212\u00a03456\u00a07890\u00a0128"),
    ("ID 110105\u200b19491231002X", "ID_CARD", "110105\u200b19491231002X"),
    ("联系电话：138&nbsp;1234&nbsp;5678，谢谢", "PHONE", "138&nbsp;1234&nbsp;5678"),
    ("<p>number 415&#8209;555&#8209;0199</p>", "PHONE", "415&#8209;555&#8209;0199"),
    ("write to jane.doe&#64;example.com", "EMAIL", "jane.doe&#64;example.com"),
    ("q?phone=1&name=%E7%8E%8B%E5%B0%8F%E6%98%8E", "PERSON", "%E7%8E%8B%E5%B0%8F%E6%98%8E"),
])
def test_hidden_pii_is_found_and_its_span_covers_the_raw_characters(analyzer: Analyzer, text: str, kind: str,
                                                                     value: str) -> None:
    # every case was missed before (no span at all)
    assert (kind, value) in [(s.type, text[s.start:s.end]) for s in analyzer.analyze(text)]


def test_plain_text_is_analysed_as_before(analyzer: Analyzer) -> None:
    for rec in generate(40, seed=11):
        text = "\n".join(m["content"] for m in rec["messages"])
        assert not needs_view(text)
        assert analyzer.analyze(text) == analyzer._analyze_plain(text)


def test_replacements_are_made_from_the_value_as_read() -> None:
    pseudo = Anonymizer(AnonymizationPolicy(default="pseudonymise"), KEY)
    assert pseudo.replacement("PERSON", "%E7%8E%8B%E5%B0%8F%E6%98%8E") == pseudo.replacement("PERSON", "王小明")
    assert pseudo.replacement("PHONE", "138&nbsp;1234&nbsp;5678") == pseudo.replacement("PHONE", "138 1234 5678")
    masked = Anonymizer(AnonymizationPolicy(default="mask"), KEY).replacement("EMAIL", "jane.doe&#64;example.com")
    assert "&#" not in masked and "@" in masked
