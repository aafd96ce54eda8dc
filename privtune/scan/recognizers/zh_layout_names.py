"""PERSON: Chinese names that layout, not words, marks: letter-spaced by OCR, or after a department.

- A scanned form read by OCR spaces its label and its value alike ("姓  名 张 晨", "申 请 人 ：
  韩 红 霞"): the tagger sees single characters and the cue rules a label with no name after it.
  After a (spaced) name label, two to four Han characters each one space apart are the name; a
  header row of spaced labels ("姓 名 性 别 年 龄") is not (`_LABEL_CHARS`).
- A letter's or notice's sign-off writes the department, a space and the signer ("人事部 黃文龍",
  "财务处 王芳"): at a line's start and end, a department word, blanks, a surname and one or two
  characters.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers.person_cue import NAME_PATTERN
from privtune.scan.registry import Recognizer, register

DETECTOR = "zh_layout_names"
SCORE = 0.85

_HAN = "[\u4e00-\u9fff]"
# Name labels of forms, possibly letter-spaced; a colon or not.
_LABELS = ("姓名", "申请人", "申請人", "联系人", "聯絡人", "收货人", "收件人", "患者", "经办人", "經辦人", "签名", "簽名")
_SPACED_LABEL = "|".join(" *".join(label) for label in _LABELS)
SPACED_NAME = re.compile(rf"(?:{_SPACED_LABEL})[ \t]*[:：]?[ \t]*({_HAN}(?: {_HAN}){{1,3}})(?=[ \t]*(?:\r?\n|$|[ \t]{{2}}))")
# Characters of form labels: a run holding one is a spaced header, not a name.
_LABEL_CHARS = set("性别年龄电话手机地址号码身份证日期民族籍贯职业单位名称签字")
# A department at a line's start, then the signer alone on the rest of the line.
_DEPARTMENT = rf"{_HAN}{{1,6}}(?:部|处|處|科|室|办公室|辦公室|中心)"
DEPARTMENT_SIGNER = re.compile(rf"(?m)^[ \t]*{_DEPARTMENT}[ \t]+({NAME_PATTERN})[ \t]*$")


def zh_layout_name_spans(text: str) -> list[Span]:
    out = []
    for m in SPACED_NAME.finditer(text):
        if _LABEL_CHARS.isdisjoint(m.group(1)):
            out.append(Span(m.start(1), m.end(1), "PERSON", SCORE, DETECTOR))
    for m in DEPARTMENT_SIGNER.finditer(text):
        out.append(Span(m.start(1), m.end(1), "PERSON", SCORE, DETECTOR))
    return out


@register
class ZhLayoutNameRecognizer(Recognizer):
    """Letter-spaced names after a spaced form label, and a signer after their department."""

    name = "zh_layout_names"
    entity_types = ("PERSON",)
    # Non-ASCII-first: ASCII texts are skipped before the pattern runs (see `analyze`).
    trigger = re.compile("[姓申联聯收患经經签簽部处處科室心] ")

    def analyze(self, text: str) -> list[Span]:
        if text.isascii():
            return []
        return zh_layout_name_spans(text)
