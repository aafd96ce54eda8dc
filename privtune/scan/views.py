"""Text as a reader sees it, with a map back to the raw offsets.

Exports from web tools and copy-paste carry PII the detectors cannot see as written: a phone
number spaced with no-break spaces (``138\\u00a01234\\u00a05678``, the usual French and Word
formatting) or non-breaking hyphens, an e-mail or a number inside HTML character references
(``jane.doe&#64;example.com``, ``138&nbsp;1234&nbsp;5678``), a name percent-encoded in a URL
query (``name=%E7%8E%8B%E5%B0%8F%E6%98%8E``), a zero-width space pasted into an ID number.
`decoded_view` gives the text with those undone: zero-width and bidi-control characters
dropped, no-break and figure spaces as spaces, hyphen variants as ``-``, HTML character
references and percent-encoded UTF-8 decoded, HTML tags read as one blank (table cells and rows as a CSV line's tabs and line breaks). The analyzer detects on the view and maps each
span back, so a replacement covers the raw characters (the whole ``&#64;``, the zero-width
space inside the number).

The view also reads a line break that a fixed-width export put inside a Chinese value
(``四川省成\\n都市``) as absent (`line_wraps`); the span found covers the break.

`needs_view` is the cheap test that decides: plain text takes no other path.
"""

from __future__ import annotations

import html
import re

from privtune.scan.line_wraps import may_wrap, wrap_breaks

_DROPPED = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_SPACES = "\u00a0\u2007\u202f"
_HYPHENS = "\u2010-\u2012\u2212"  # not the en dash: prose ("London \u2013 Paris"), not numbers
_HTML_TAGS = ("a|abbr|article|aside|b|big|blockquote|body|br|button|caption|center|cite|code|dd|del|details|div|dl"
              "|dt|em|fieldset|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|ins|kbd|label|legend"
              "|li|main|mark|nav|nobr|ol|option|p|pre|q|s|section|select|small|span|strike|strong|sub|summary|sup"
              "|table|tbody|td|textarea|tfoot|th|thead|time|title|tr|tt|u|ul|wbr")
HIDDEN = re.compile(
    rf"[{_DROPPED}]+|[{_SPACES}]|[{_HYPHENS}]"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
    r"|(?:%[0-9A-Fa-f]{2})+"
    # An HTML tag without attributes (help-desk exports keep their bodies' markup: "My name is
    # <b>Oyelaran</b>"): read as one blank, so a cue reaches the name and words on both sides
    # stay apart. Tags with attributes stay as written: an href may hold a number or address.
    # Only HTML's own tag names: an XML element's name says what its value is (``<passport>``,
    # ``<BirthDate>``), so it stays for `xml_fields` to read.
    rf"|</?(?i:{_HTML_TAGS})[ \t]*/?>"
)
# One character class: what every HIDDEN match starts with. A class scan is ~15x cheaper than
# HIDDEN's alternation on text holding none (0.6 vs 9 µs per demo record), the common case.
_MAYBE = re.compile(rf"[{_DROPPED}{_SPACES}{_HYPHENS}&%<]")
_DROPPED_CHAR = re.compile(f"[{_DROPPED}]")
_BLOCK_TAGS = frozenset("br p div li ul ol tr td th table h1 h2 h3 h4 h5 h6 blockquote pre hr dt dd".split())
_CELL_TAGS = frozenset({"td", "th", "tr"})
_ONE_CHAR = {**{c: " " for c in _SPACES}, "\u2010": "-", "\u2011": "-", "\u2012": "-",
             "\u2212": "-"}


def needs_view(text: str, seams: frozenset[int] = frozenset()) -> bool:
    """Whether ``text`` holds anything `decoded_view` would change (``seams`` as there)."""
    return needs_unescape(text) or (may_wrap(text) and bool(wrap_breaks(text, seams)))


def needs_unescape(text: str) -> bool:
    """Whether ``text`` holds anything `decoded_view` would change other than a line wrap."""
    return _MAYBE.search(text) is not None and HIDDEN.search(text) is not None


def _decoded(token: str) -> str | None:
    """What one matched token reads as; None to keep it as written."""
    first = token[0]
    if first == "&":
        out = html.unescape(token)
        # "&#8203;" (a zero-width space written as a reference, as HTML editors paste it into a
        # number) reads as nothing, as the character itself does.
        return None if out == token else _DROPPED_CHAR.sub("", "".join(_ONE_CHAR.get(c, c) for c in out))
    if first == "%":
        try:
            out = bytes.fromhex(token.replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return None  # not UTF-8 ("100%AB", a binary blob): left as written
        return out if out.isprintable() else None
    if first in _ONE_CHAR:
        return _ONE_CHAR[first]
    if first == "<":  # a line-breaking tag reads as a line break, an inline one as a blank
        name = token.strip("</> \t").lower()
        if name in _CELL_TAGS:
            # A table reads as CSV does (`text_tables`): a row per line, a tab after each cell,
            # so a header row names the cells under it. A row's end is a blank: the next row's
            # start breaks the line, and nothing (</thead>, <tbody>) comes between them.
            closing = token[1] == "/"
            return ("\t" if closing else " ") if name != "tr" else (" " if closing else "\n")
        return "\n" if name in _BLOCK_TAGS else " "
    return ""  # zero-width / bidi controls


def decoded_view(text: str, seams: frozenset[int] = frozenset()) -> tuple[str, list[int], list[int]]:
    """``(view, starts, ends)``: view character i comes from ``text[starts[i]:ends[i]]``.
    ``seams``: offsets of the line breaks that join a record's fields, never read as a wrap."""
    view, starts, ends = _unescaped_view(text)
    if not may_wrap(view):
        return view, starts, ends
    if seams and len(view) != len(text):
        seams = frozenset(i for i, s in enumerate(starts) if s in seams and view[i] == "\n")
    dropped = wrap_breaks(view, seams)
    if not dropped:
        return view, starts, ends
    gone = set(dropped)
    kept = [i for i in range(len(view)) if i not in gone]
    return "".join(view[i] for i in kept), [starts[i] for i in kept], [ends[i] for i in kept]


def _unescaped_view(text: str) -> tuple[str, list[int], list[int]]:
    """`decoded_view` less the line wraps."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in HIDDEN.finditer(text):
        a, b = m.span()
        if a > pos:
            parts.append(text[pos:a])
            starts.extend(range(pos, a))
            ends.extend(range(pos + 1, a + 1))
        out = _decoded(m.group())
        if out is None:
            out, one_each = m.group(), True
        else:
            one_each = False
        parts.append(out)
        if one_each:
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))
        else:
            starts.extend([a] * len(out))
            ends.extend([b] * len(out))
        pos = b
    if pos < len(text):
        parts.append(text[pos:])
        starts.extend(range(pos, len(text)))
        ends.extend(range(pos + 1, len(text) + 1))
    return "".join(parts), starts, ends


def raw_bounds(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """The raw ``[start, end)`` of view span ``[start, end)`` (``end > start``)."""
    return starts[start], ends[end - 1]
