"""Line breaks that a fixed-width export put inside a Chinese value, read as absent.

Text taken out of a PDF (or copied from a fixed-width tool) is hard-wrapped at the page width,
and the wrap falls anywhere: ``现住址：四川省成\\n都市武侯区…``, ``承租方（乙方）：皇\\n甫俊``,
``…中山北路7\\n72号A座``. Read as written, the detectors see two half values. `wrap_breaks`
finds the breaks that are such a wrap, for `views.decoded_view` to drop: the span found on
the joined text then covers the break, and a replacement takes the whole of it.

A break is a wrap when all of these hold:

* one line break (``\\n`` or ``\\r\\n``) between two Chinese characters, or between a Chinese
  character and a run of at most four digits on either side (``路180\\n号``); never after
  punctuation (``。``, ``，`` are not in the class) and never a blank line;
* the line after it does not open a field of its own (``电话：``, ``手机号码 ：``), a list
  item (``一、``), a new place (``南京市…`` after ``寄件人：张彬``), nor a short word and more
  after a blank (``祁杰 14:23:40``, a chat's speaker line);
* neither line is a table row (a tab, ``|`` or ``,``: CSV and TSV exports);
* the line before it is a field with its value begun (``联系人：梁``) and the line after it
  holds no sentence mark (``发件人：蒋欣然\n请联系我的助理…，…``), the value does not end as an
  address does (``…12樓15室``) and the next line does not name a field without a colon
  (``手机号码9871 6908``); or the line before it holds at least
  `PARAGRAPH_WIDTH` Chinese characters (a paragraph line at the page width): a short line of
  its own (``人事部 李桂珍``, ``1404室``, ``2024-03-12 20:25:09 蒋欣然``) is complete;
* the value before the break and the whole next line are not both 2-4 Chinese characters:
  two lines such as ``张三`` / ``李四`` are two names, not one wrapped.

Texts with no line break between Chinese characters and digits never reach the rules: the test
is ``str.isascii`` then a search for a line break before a Chinese character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A line break before up to 4 digits and a Chinese character; `_breaks_after_han` then looks
# back for the Chinese character. The pattern opens with a literal "\n", which `re` finds by a
# fast scan (a class first, "[汉]\d*\n", took ~6x as long on the demo's chats).
# The lookbehind drops a break after anything but a Chinese character, a digit or "\r" in C
# (0.2 µs a demo record, not 0.8 with that test in Python).
_NEWLINE_BEFORE_HAN = re.compile(rf"\n(?<=[{_HAN}0-9\r]\n)(?=[0-9]{{0,4}}[{_HAN}])")
_HAN_ONE = re.compile(rf"[{_HAN}]")
# A field's name at a line's start: up to 12 characters, none a blank or a sentence mark, then
# a colon ("电话：", "承租方（乙方）：", "Tel:").
_LABEL = re.compile(r"[^\s：:。，,；;！？!?]{1,12}[ \t\u3000]*[：:]")
# A line that starts a new place (a province or city): the value before the break was whole
# ("寄件人：张彬\n南京市鼓楼区…"); a wrap inside a name that ends there changes nothing.
_PLACE_START = re.compile(rf"[{_HAN}]{{2,3}}(?:省|市|自治区)")
# A field's value goes on without a sentence: a line that holds one after a field is prose.
_SENTENCE_MARK = re.compile(r"[，。！？；!?]")
_ADDRESS_ENDS = frozenset("号號室楼樓层層栋棟幢座户戶")
_FIELD_CUE = re.compile(r"手机|手機|电话|電話|座机|座機|固话|联系|聯系|邮箱|郵箱|微信|身份证|身份證|地址|住址|姓名|备注|備註|打这个|打這個")
_HAN_CHAR = re.compile(rf"[{_HAN}]")
# A row of a table (CSV, TSV, Markdown), never a paragraph.
_CELL_MARKS = re.compile(r"[\t|,]")
_LIST_ITEM = re.compile(r"[一二三四五六七八九十]{1,3}[、.．]")
_SHORT_NAME = re.compile(rf"[{_HAN}]{{2,4}}")
PARAGRAPH_WIDTH = 16


def may_wrap(text: str) -> bool:
    """Whether ``text`` has a line break between Chinese characters (or digits next to them)
    at all: the cheap test before `wrap_breaks`."""
    if "\n" not in text or text.isascii():
        return False
    return next(_breaks_after_han(text), None) is not None


def _breaks_after_han(text: str) -> Iterator[tuple[int, int]]:
    """``(cut, nl)`` of each line break between a Chinese character (and up to 4 digits) and up
    to 4 digits and a Chinese character: ``nl`` the ``\n``, ``cut`` where the line before ends
    (before a ``\r``)."""
    for m in _NEWLINE_BEFORE_HAN.finditer(text):
        nl = m.start()
        cut = nl - 1 if nl and text[nl - 1] == "\r" else nl
        i = cut - 1
        while i >= 0 and cut - i <= 4 and "0" <= text[i] <= "9":
            i -= 1
        if i >= 0 and _HAN_ONE.match(text, i):
            yield cut, nl


def _is_wrap(text: str, nl: int, cut: int) -> bool:
    """Whether the break whose ``\\n`` is at ``nl`` (``cut``: where the line before it ends,
    before any ``\\r``) is a wrap inside one value (the rules in the module's docstring)."""
    end = text.find("\n", nl + 1)
    after = text[nl + 1:end if end >= 0 else len(text)].strip()
    if _LABEL.match(after) or _LIST_ITEM.match(after) or _PLACE_START.match(after):
        return False
    head = after.split(None, 1)[0]
    if head != after and len(head) < 5:  # "祁杰 14:23:40": a name or a speaker, then more
        return False
    before = text[text.rfind("\n", 0, cut) + 1:cut].strip()
    if _CELL_MARKS.search(before) or _CELL_MARKS.search(after):
        return False
    label = _LABEL.match(before)
    if label:
        value = before[label.end():].strip()
        if not value or _SENTENCE_MARK.search(after):  # "发件人：蒋欣然\n请联系我的助理…，…。"
            return False
        # A field's value that ends as an address does ("…12樓15室"), or a next line that names
        # a field without a colon ("手机号码9871 6908", "座机(0755)…"): the value was whole.
        if value[-1] in _ADDRESS_ENDS or _FIELD_CUE.match(after):
            return False
    elif len(_HAN_CHAR.findall(before)) >= PARAGRAPH_WIDTH:
        value = before[-PARAGRAPH_WIDTH:]
    else:
        return False
    return not (_SHORT_NAME.fullmatch(value) and _SHORT_NAME.fullmatch(after))


_BREAK_IN_VALUE = re.compile(rf"(?<=[{_HAN}])\r?\n(?=[{_HAN}])")


def unwrapped_value(value: str) -> str:
    """A found name's text as read: a line break between two Chinese characters inside one
    PERSON or ORGANIZATION span is a wrap (names do not go over lines), so "梁\\n雪" is "梁雪"
    and gets 梁雪's surrogate."""
    return _BREAK_IN_VALUE.sub("", value) if "\n" in value else value


def wrap_breaks(text: str, seams: frozenset[int] = frozenset()) -> list[int]:
    """Offsets of every character of ``text`` that a wrap consists of (each ``\\n`` and the
    ``\\r`` before it), ascending. ``seams``: offsets of line breaks that join two fields of
    one record (`Analyzer.analyze_many`): never a wrap."""
    out: list[int] = []
    for cut, nl in _breaks_after_han(text):
        if nl in seams or not _is_wrap(text, nl, cut):
            continue
        out.extend(range(cut, nl + 1))
    return out
