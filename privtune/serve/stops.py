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
    start of one. ``apply_stop`` on the whole text gives the same cut for any split: a stop found
    waits while a longer one that starts earlier may still complete ("了b" with stops "b" and
    "了ba": "了" is not sent until the next character tells which one comes first)."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = [s for s in stops if s]
        self.seen = ""
        self.sent = 0  # no stop string, whole or begun, starts before this index
        self.hit = False

    def _first_match(self) -> int | None:
        found = [i for i in (self.seen.find(s, self.sent) for s in self.stops) if i >= 0]
        return min(found) if found else None

    def _first_partial(self) -> int | None:
        """The first index from which the rest of the text is a proper prefix of a stop string."""
        n = len(self.seen)
        longest = max((len(s) for s in self.stops), default=1)
        for j in range(max(self.sent, n - longest + 1), n):
            rest = self.seen[j:]
            if any(len(s) > len(rest) and s.startswith(rest) for s in self.stops):
                return j
        return None

    def feed(self, text: str) -> str:
        """What of the text so far may be sent now; nothing once a stop string was found."""
        if self.hit or not text:
            return ""
        self.seen += text
        match, partial = self._first_match(), self._first_partial()
        if match is not None and (partial is None or match <= partial):
            self.hit, upto = True, match
        else:
            upto = min(i for i in (match, partial, len(self.seen)) if i is not None)
        out, self.sent = self.seen[self.sent : upto], max(self.sent, upto)
        return out

    def finish(self) -> str:
        """The held-back rest, once no more text comes: cut before a stop string found in it
        (one that waited on a longer one that never completed)."""
        if self.hit:
            return ""
        match = self._first_match()
        upto = len(self.seen) if match is None else match
        self.hit = match is not None
        out, self.sent = self.seen[self.sent : upto], upto
        return out
