"""Dataset fingerprint: order-independent, multiset- and content-sensitive, normalised."""

from __future__ import annotations

import hashlib
import random

import pytest

from privtune.provenance.fingerprint import dataset_fingerprint, normalise_text

RECORDS = ["Alice paid 12 EUR.", "Bob's phone is 555-0100", "多语言记录", "", "x"]


def test_format() -> None:
    fp = dataset_fingerprint(RECORDS)
    assert fp.startswith("sha256:") and len(fp) == len("sha256:") + 64
    int(fp.split(":", 1)[1], 16)


def test_matches_the_documented_construction() -> None:
    # Re-derive the value independently from the module docstring's recipe.
    total = sum(int.from_bytes(hashlib.sha256(normalise_text(t).encode()).digest(), "big") for t in RECORDS) % 2**256
    body = b"privtune-dataset-fingerprint-v1\x00" + len(RECORDS).to_bytes(8, "big") + total.to_bytes(32, "big")
    assert dataset_fingerprint(RECORDS) == "sha256:" + hashlib.sha256(body).hexdigest()


def test_order_does_not_matter() -> None:
    base = dataset_fingerprint(RECORDS)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = RECORDS[:]
        rng.shuffle(shuffled)
        assert dataset_fingerprint(iter(shuffled)) == base


def test_multiset_sensitivity() -> None:
    base = dataset_fingerprint(RECORDS)
    assert dataset_fingerprint(RECORDS + ["x"]) != base  # a duplicate counts (XOR would cancel it)
    assert dataset_fingerprint(RECORDS + ["x", "x"]) != dataset_fingerprint(RECORDS)
    assert dataset_fingerprint(RECORDS[:-1]) != base  # a removal
    assert dataset_fingerprint(["a", "a"]) != dataset_fingerprint(["b", "b"])
    assert dataset_fingerprint([]) != dataset_fingerprint([""])  # the count is part of it


def test_content_sensitivity() -> None:
    edited = RECORDS[:]
    edited[0] = "Alice paid 13 EUR."
    assert dataset_fingerprint(edited) != dataset_fingerprint(RECORDS)
    assert dataset_fingerprint(["Alice"]) != dataset_fingerprint(["alice"])  # case is kept


@pytest.mark.parametrize(
    "a,b",
    [
        ("ﬁle", "file"),  # ligature, NFKC
        ("ＡＢＣ１２３", "ABC123"),  # full-width forms
        ("e\u0301", "\u00e9"),  # decomposed vs composed accent
        ("  hello \t\n world  ", "hello world"),
        ("a\u00a0b", "a b"),  # no-break space
    ],
)
def test_normalisation_equates(a: str, b: str) -> None:
    assert normalise_text(a) == normalise_text(b)
    assert dataset_fingerprint([a, "other"]) == dataset_fingerprint(["other", b])


def test_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        dataset_fingerprint([b"bytes"])  # type: ignore[list-item]
