"""The scan's own look at a table's first row before it becomes the column names.

`privtune.io.csv_format.header_is_data` knows shapes (long numbers, e-mail addresses, names as
capitalised words); a headerless export whose first row holds a "Wang Wei" beside a city, a
mistyped ID or "张伟,男,北京" passes it, and its values became column names: printed, reported
and written as the output's header, never scanned. The scan pipeline adds this check
(`csv_format.add_data_row_check`): the first row is data when the structured recognizers find
anything in a cell (a phone, an ID, a card), or the name recognizers find a person filling a
whole cell that is no column-name word ("Bill Amount", "Ward" and "Grant" are names to the
tagger, alone; a column is seldom named with two words of which none is a column word).
"""

from __future__ import annotations

import functools
import re

from privtune.io.csv_format import is_name_cell
from privtune.scan.entities import STRUCTURED_TYPES

_TYPES = frozenset(STRUCTURED_TYPES) | {"PERSON"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HEADER_WORDS_ZH = ("姓名", "名字", "名称", "名稱", "客户", "客戶", "联系人", "聯絡人", "用户", "用戶")


@functools.lru_cache(maxsize=1)
def _analyzer() -> object:
    from privtune.scan.analyzer import Analyzer  # (the analyzer imports the recognizers: only when asked)

    return Analyzer(types=_TYPES)


@functools.lru_cache(maxsize=256)
def column_names_hold_pii(cells: tuple[str, ...]) -> bool:
    """Does a first row hold what the scan calls an identifier (see the module doc)?"""
    analyzer = _analyzer()
    for raw in cells:
        cell = raw.strip()
        if not cell:
            continue
        for span in analyzer.analyze(cell):  # type: ignore[attr-defined]
            if span.type != "PERSON":
                return True
            whole = span.start == 0 and span.end == len(cell)
            if whole and (is_name_cell(cell) or (_HAN.match(cell) and not cell.endswith(_HEADER_WORDS_ZH))):
                return True
    return False

