"""Stop strings matched on the text the client sees, when an output guard rewrites it.

A backend matches stop strings on the model's raw output. With a PII guard on, that turns
``stop`` into a probe of what the guard hides: a stop string inside a value ends the output
on a prefix the detectors no longer recognise ("电话1380013", "Card 4111 1111 1111" go out
as they are), and whether ``finish_reason`` is ``stop`` says whether a guessed value was in
the output. So when the guard changes the text, the backend gets no stop strings; the gateway
matches them on the guarded text (`VisibleStop`) and asks the backend to halt generation
(`GenRequest.halt`) once one appears there.
"""

from __future__ import annotations


class VisibleStop:
    """Cut a text, arriving in pieces, before the first of ``stops``; hold back what may be the
    start of one (up to the longest stop string less one character)."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = [s for s in stops if s]
        self.hold = max((len(s) for s in self.stops), default=1) - 1
        self.seen = ""
        self.sent = 0
        self.hit = False

    def feed(self, text: str) -> str:
        """What of the text so far may be sent now; nothing once a stop string was found."""
        if self.hit or not text:
            return ""
        searched_to = len(self.seen)
        self.seen += text
        # A match not found before must end in the new text: start looking a stop's length back.
        found = [i for i in (self.seen.find(s, max(0, searched_to - len(s) + 1)) for s in self.stops) if i >= 0]
        if found:
            self.hit = True
            upto = min(found)
        else:
            upto = max(self.sent, len(self.seen) - self.hold)
        out = self.seen[self.sent:upto]
        self.sent = max(self.sent, upto)
        return out

    def finish(self) -> str:
        """The held-back rest, once no more text comes (nothing after a stop string)."""
        if self.hit:
            return ""
        out, self.sent = self.seen[self.sent:], len(self.seen)
        return out
