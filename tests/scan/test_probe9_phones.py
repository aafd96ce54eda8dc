"""Leak probe, round 9: masked phone numbers, a cue across a name written twice, a new number
announced in a chat, a signature's one-letter labels, and a cued number's uncued copy."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.propagate import propagate


@pytest.fixture(scope="module")
def an():
    return Analyzer()


def _values(an, text, etype="PHONE"):
    return [text[s.start:s.end] for s in an.analyze(text) if s.type == etype]


@pytest.mark.parametrize("text,value", [
    ("请联系 138****5678 的客户", "138****5678"),
    ("My number is 138****5678, call me", "138****5678"),
    ("Call +44 7700 9**123 after 5pm", "+44 7700 9**123"),
    ("请联系 07700 9***56 的客户孙悦", "07700 9***56"),
    ("收件人：张三 186 **** 0099", "186 **** 0099"),
    ("phone 555-***-0142", "555-***-0142"),
    ("Tel: 0412 ***678", "0412 ***678"),
    ("Please contact Ms. Yuki Tanaka (田中由紀) at 03-1234-5678 tomorrow.", "03-1234-5678"),
    ("hey it's Liam, new number is 03-1234-5678", "03-1234-5678"),
    ("--\nJane Doe\nSenior Buyer | Acme\nM: 0412 345 678\nUnit 5", "0412 345 678"),
    ("T: 02 9876 5432", "02 9876 5432"),
])
def test_phone_shapes_the_probe_found_left(an, text, value):
    assert value in _values(an, text)


@pytest.mark.parametrize("text", [
    "card 6222 **** **** 1234 expired",      # a masked card: 16 places
    "account 6222****1234",                  # no phone shape, no cue
    "**Contact:** Yuki — see **notes**",     # Markdown bold
    "order 123****4567",                     # no cue, no mobile prefix
    "Q3 results: 0412 345 678 units",        # "Q3:" is no label
    "we met at the contact desk, the long queue, and then at 0412",  # too short
])
def test_masks_and_labels_that_are_no_phone(an, text):
    assert _values(an, text) == []


def test_the_masked_number_keeps_its_mask_when_pseudonymised(tmp_path, monkeypatch):
    from scan_helpers import KEY, write_lines
    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import run_scan

    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    src = write_lines(tmp_path / "in.jsonl", [{"text": "请联系 138****5678 的客户"}])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", policy="pseudonymise"))
    out = (tmp_path / "o.jsonl").read_text(encoding="utf-8")
    assert "5678" not in out and "****" in out


def test_a_cued_number_marks_its_uncued_copy(an):
    text = 'Call <a href="tel:0412 345 678">0412 345 678</a> to change it.'
    assert len(_values(an, text)) == 1  # the link text has no cue of its own
    out = propagate([text], [an.analyze(text)])[0]
    assert [text[s.start:s.end] for s in out if s.type == "PHONE"] == ["0412 345 678"] * 2
