"""Names written surname first ("O'Brien, Pat"), as CRM, directory and hospital exports sort
them: the whole name is found, in a side column and behind a cue in text; roles and greetings
after the comma stay out."""

from __future__ import annotations

import json

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan
from privtune.scan.side_fields import key_span

from scan_helpers import KEY
from scan_helpers import write_lines as _write


@pytest.mark.parametrize("value", ["O'Brien, Pat", "Müller, Jürgen", "Kowalczyk,Agnieszka", "Nakamura, Yuki"])
def test_a_name_column_vouches_for_surname_first_values(value):
    span = key_span("PERSON", value)
    assert span is not None and (span.start, span.end) == (0, len(value))


@pytest.mark.parametrize("value", ["Smith, 42", ", Pat", "Smith,, John"])
def test_other_comma_values_are_not_vouched_for(value):
    assert key_span("PERSON", value) is None


def test_surname_first_column_leaves_no_part_of_the_name(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    src = _write(tmp_path / "in.jsonl", [{"text": "ticket about a refund", "name": "O'Brien, Pat"}])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl"))
    rec = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert "Brien" not in rec["name"] and "Pat" not in rec["name"]
    assert ", " in rec["name"]  # the surrogate keeps the surname-first shape


def _persons(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer(types=["PERSON"]).analyze(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Customer: Nakamura, Yuki", "Nakamura, Yuki"),
        ("Patient: Okafor, Chidi; DOB 1980", "Okafor, Chidi"),
        ("Attn: Dupont, Marie\nRoom 4", "Dupont, Marie"),
    ],
)
def test_a_cued_surname_takes_the_given_name_after_its_comma(text, expected):
    assert expected in _persons(text)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Dear Smith, Thanks", "Smith"),  # a common word after the comma
        ("Customer: Lee, Sales", "Lee"),  # a department
        ("Contact: Dupont, Manager", "Dupont"),  # a role
        ("Hi Anna, how are you", "Anna"),  # the line goes on
    ],
)
def test_roles_greetings_and_running_text_stay_out(text, name):
    found = _persons(text)
    assert name in found and not any("," in f for f in found)
