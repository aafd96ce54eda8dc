"""What a phone number and a date look like in a speech-recognition transcript.

ASR writes digits as words ("oh seven seven oh nine …", "double five") and dates as speech
("june eighth nineteen ninety four", "the third of march two thousand and one"). These shapes
are checked only where a question named the type (`asked_values`): alone, "one" and "march"
are ordinary words.
"""

from __future__ import annotations

import re

_DIGIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_SPOKEN_DIGITS = re.compile(rf"(?:(?:double|triple) )?{_DIGIT}(?:[ ,\-]+(?:(?:double|triple) )?{_DIGIT})*")
_REPEATS = {"double": 2, "triple": 3}
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_ORDINAL = (r"(?:(?:twenty|thirty)[ \-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
            r"|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
            r"|twentieth|thirtieth)")
_YEAR = r"(?:nineteen|two thousand)(?:(?: and)?[ \-][a-z]+){0,2}"
_SPOKEN_DATE = re.compile(rf"(?:the )?(?:{_MONTH} (?:the )?{_ORDINAL}|{_ORDINAL} of {_MONTH}),? {_YEAR}")


def spoken_digit_count(value: str) -> int:
    """How many digits ``value`` says when the whole of it is digit words (else 0)."""
    v = value.strip().lower()
    if not _SPOKEN_DIGITS.fullmatch(v):
        return 0
    words = re.findall(r"[a-z]+", v)
    # every digit word says one digit; "double" and "triple" repeat the next one
    return sum(1 if w not in _REPEATS else _REPEATS[w] - 1 for w in words)


def is_spoken_phone(value: str) -> bool:
    """Seven to fifteen digits read out as words."""
    return 7 <= spoken_digit_count(value) <= 15


def is_spoken_date(value: str) -> bool:
    return _SPOKEN_DATE.fullmatch(value.strip().lower()) is not None
