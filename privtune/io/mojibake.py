"""UTF-8 text read as Latin-1 and written back: Facebook / Instagram / Messenger exports.

Meta's "Download your information" JSON writes each UTF-8 byte of a message as its own
``\\u00XX`` escape, so "张伟" arrives as "å¼ ä¼\\x9f" and "Zoë" as "ZoÃ«". The detectors read that
text as it is: no Chinese name, address or organisation in it was found, and the cleaned file
kept them (in the same mojibake, which any reader undoes). A string is repaired when every
character of it fits in one byte, some are not ASCII, and those bytes are valid UTF-8 holding
a character beyond one byte; genuine Latin-1 text ("Müller", "café") is not valid UTF-8 so and
stays as it is. The cleaned file holds the repaired text.
"""

from __future__ import annotations

import re
from typing import Any

# What a JSON source holding such text shows: a UTF-8 lead byte and a continuation byte, as
# \u00XX escapes (Meta writes them so) or as the characters themselves. Looked for in a file's
# first 64 KiB (`readers.iter_records`), then only in the lines of a file that shows it.
SIGNS = re.compile(r"\\u00[cdefCDEF][0-9a-fA-F]\\u00[89abAB][0-9a-fA-F]|[\xc2-\xf4][\x80-\xbf]")


def repaired_text(text: str) -> str:
    """``text`` decoded as the UTF-8 its one-byte characters spell, when they do; else as is."""
    if text.isascii():
        return text
    try:
        fixed = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    return fixed if len(fixed) < len(text) else text


def repaired(value: Any) -> Any:
    """``value`` (a parsed JSON value) with every string and key repaired (`repaired_text`)."""
    if isinstance(value, str):
        return repaired_text(value)
    if isinstance(value, dict):
        return {repaired_text(k): repaired(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repaired(v) for v in value]
    return value
