"""USERNAME: account handles that team tools write in their own markup.

A Jira comment mentions a user as ``[~lars_h77]`` (wiki markup); a Slack export heads each
message with the sender's handle and the time (``yuki.t_88  10:14 AM``). Either is a person's
login, as a ``@handle`` with their name is (`propagate`); a handle found here marks its other
copies in the record (``@j.oduya`` further down) like any cue-found one.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "desk_handle"
SCORE = 0.85
_JIRA_MENTION = re.compile(r"\[~([A-Za-z0-9][\w.\-@]{1,60})\]")
# A line of its own: the handle, two or more blanks, a 12-hour time (Slack's plain-text export).
_SLACK_HEADER = re.compile(r"(?m)^([a-z0-9][a-z0-9._\-]{2,40})[ \t]{2,}[0-9]{1,2}:[0-9]{2}[ \t]?(?:AM|PM)[ \t]*$")


def desk_handle_spans(text: str) -> list[Span]:
    out = []
    if "[~" in text:
        out += [Span(m.start(1), m.end(1), "USERNAME", SCORE, DETECTOR) for m in _JIRA_MENTION.finditer(text)]
    if "M\n" in text:
        out += [Span(m.start(1), m.end(1), "USERNAME", SCORE, DETECTOR) for m in _SLACK_HEADER.finditer(text)]
    return out


@register
class DeskHandleRecognizer(Recognizer):
    """``[~lars_h77]`` in Jira text, ``yuki.t_88  10:14 AM`` heading a Slack message."""

    name = "desk_handle"
    entity_types = ("USERNAME",)
    trigger = re.compile("\\[~|AM\n|PM\n")

    def analyze(self, text: str) -> list[Span]:
        return desk_handle_spans(text)
