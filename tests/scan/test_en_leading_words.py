"""Capitalised words before a known first name: roles and verbs are cut from the name, an
unknown name word is not ("Rajesh Kumar Nair" lost "Rajesh", which stayed in the text)."""

from __future__ import annotations

import pytest

from privtune.scan.ner.english import find_persons


def _names(text: str) -> list[str]:
    return [text[s:e] for s, e, _, _ in find_persons(text)]


@pytest.mark.parametrize(
    "text, name",
    [
        ("Contact Rajesh Kumar Nair, Flat 402", "Rajesh Kumar Nair"),
        ("Rajesh Kumar Nair will call", "Rajesh Kumar Nair"),
        ("Recipient Norma Fisher", "Norma Fisher"),
        ("Customer Wang Wei", "Wang Wei"),
        ("Coach Norma Fisher", "Norma Fisher"),
    ],
)
def test_roles_are_cut_and_unknown_name_words_kept(text, name):
    assert _names(text) == [name]


@pytest.mark.parametrize(
    "text, name",
    [("Mme Lefèvre called", "Mme Lefèvre"), ("spoke with Sra. Gómez today", "Sra. Gómez"),
     ("Frau Schneider called", "Frau Schneider"), ("Sig. Rossi ha chiamato", "Sig. Rossi")],
)
def test_forms_of_address_in_other_languages(text, name):
    assert name in _names(text)


def test_a_foreign_title_stays_and_keeps_its_gender_in_the_surrogate():
    from privtune.scan.anonymize.surrogates import surrogate

    fake = surrogate("PERSON", "Mme Lefèvre", b"k" * 32)
    assert fake is not None and fake.startswith("Mme ") and "Lefèvre" not in fake
