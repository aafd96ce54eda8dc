"""JSON name parts {"given": …, "family": …} in a log line held as a string (log_fields)."""

from __future__ import annotations

from privtune.scan.recognizers.log_fields import log_field_spans


def people(text: str) -> list[str]:
    return [text[s.start : s.end] for s in log_field_spans(text) if s.type == "PERSON"]


def test_given_and_family_together_are_a_name() -> None:
    # Round-12 probe: the family name leaked (the model found the given name at best).
    text = ('{"level":30,"msg":"kyc.submitted","req":{"body":{"applicant":{"given":"Sigríður",'
            '"family":"Jónsdóttir","idType":"PESEL"}}}}')
    assert people(text) == ["Sigríður", "Jónsdóttir"]
    assert people('{"given":"Λέων","family":"Κατσαβός"}') == ["Λέων", "Κατσαβός"]


def test_either_key_alone_is_a_common_word() -> None:
    assert people('{"font":{"family":"Fira Sans","size":12}}') == []
    assert people('{"given":"yes","family":"none"}') == []
