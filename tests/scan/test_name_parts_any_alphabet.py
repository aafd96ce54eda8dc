"""A full name with letters outside ASCII (Ágota Szőke, Søren, Helga Björk) has its parts found
again in the record, and a given name alone takes the full name's surrogate first name (before,
such names had no parts at all: "the parcel for Ágota" kept the name)."""

from __future__ import annotations

import json
import re

import pytest

from privtune.scan.config import ScanConfig
from privtune.scan.name_parts import name_parts
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY
from scan_helpers import write_lines as _write


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


@pytest.mark.parametrize("name, given", [("Zsófia Kertész", "Zsófia"), ("Helga Björk", "Helga"), ("Søren Kierkegård", "Søren")])
def test_names_with_diacritics_have_a_given_name_part(name, given):
    parts = {p.needle: p for p in name_parts(name)}
    assert given in parts and parts[given].alias == ("en_given", given)


def _scan(tmp_path, texts):
    src = _write(tmp_path / "in.jsonl", [{"text": t} for t in texts])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl"))
    return [json.loads(x)["text"] for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_given_name_alone_does_not_survive(tmp_path):
    out = _scan(tmp_path, ["Customer: I am Ágota Szőke\nAgent: the parcel for Ágota arrived"])[0]
    assert "Ágota" not in out and "Szőke" not in out


@pytest.mark.parametrize(
    "text",
    [
        "Customer: I am Helga Björk, my order is late\nAgent: Sure Helga, checking now",
        "My name is Søren Kierkegård. Søren will call back",
    ],
)
def test_the_given_name_alone_gets_the_full_surrogates_first_name(tmp_path, text):
    out = _scan(tmp_path, [text])[0]
    full = re.search(r"(?:I am|My name is) (\w+) (\w+)", out)
    assert full is not None
    first = full.group(1)
    rest = out[full.end():]
    assert re.search(rf"\b{first}\b", rest), out  # "Sure <first>", "<first> will call back"
