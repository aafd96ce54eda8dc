"""A Markdown table in a reply: the guard analyses line segments, so a table's header is carried
to its rows (the cue for cells such as a national-format number); streamed in any chunks, the
reply still equals the whole text redacted."""

from __future__ import annotations

import random

from privtune.serve.guards.pii import PIIGuard, PIIStreamSession

TABLE = ("Here are the contacts:\n| Name | Phone | Notes |\n|------|:-----:|---|\n"
         "| Aiko Tanaka | 090-1234-5678 | after 5 |\n| Lars Øberg | +47 912 34 567 | |\nAnything else?")


def test_table_cells_are_redacted_and_streams_equal_the_whole():
    red = PIIGuard().redactors["redact"]
    whole = red.redact_text(TABLE)
    for value in ("090-1234-5678", "Tanaka", "Øberg", "912 34 567"):
        assert value not in whole
    assert whole.count("|") == TABLE.count("|") and whole.endswith("Anything else?")
    rng = random.Random(4)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(TABLE)), rng.randint(1, 30)))
        session = PIIStreamSession(red)
        out = "".join(session.feed(TABLE[a:b]) for a, b in zip([0, *cuts], [*cuts, len(TABLE)])) + session.finish()
        assert out == whole


def test_rows_after_the_table_get_no_header():
    red = PIIGuard().redactors["redact"]
    # ("Parcel", not "Order": a bare "order" before 7+ digits names an order number since round 9.)
    text = "| Name | Phone |\n|---|---|\n| Aiko Tanaka | 090-1234-5678 |\n\nParcel 090-1234-5678 shipped"
    assert red.redact_text(text).endswith("Parcel 090-1234-5678 shipped")  # no cue outside the table
