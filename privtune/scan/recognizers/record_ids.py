"""RECORD_ID: medical record, patient, insurance-member, policy, employee and student numbers
beside their names.

HIPAA's Safe Harbor list names medical record numbers and health-plan beneficiary numbers among
the identifiers a de-identified record must lose, and clinical notes and claims carry them
everywhere ("MRN 00482913", "住院号20230415", "医保卡号：1101 0519 4912 3100"); internal records
carry employee and student numbers ("工号：10086") and vehicle identification numbers ("车架号
LSVAM4187C2184847", which HIPAA lists too) the same way. Their shapes are
the issuer's (digits, letters, dashes), so a value is taken only right after its name: a cue,
then at most a colon, comma, full stop, "#", "is" or "no." and spaces, then one code with at least four digits
(digit groups separated by single spaces continue it). The surrogate keeps every character's
class, so the number keeps its written shape.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

SCORE = 0.85
MIN_DIGITS = 4

_EN_CUES = (
    r"mrn|medical record(?:s)?(?: number| no\.?| #)?|patient (?:id|number|no\.?)|hospital (?:number|no\.?)"
    r"|health plan (?:id|number)|member (?:id|number|no\.?)|(?<!national )insurance (?:id|number|no\.?)"
    r"|policy (?:number|no\.?)|beneficiary (?:id|number)|medicare (?:number|no\.?)|medicaid (?:id|number)"
    r"|(?:employee|staff|student) (?:id|number|no\.?)|vin|vehicle identification number"
)
_ZH_CUES = (
    r"住院[号號]|病[历歷案][号號]|门诊[号號]|門診[号號]|就[诊診](?:卡)?[号號]|[医醫]保(?:卡)?[号號]|社保(?:卡)?[号號]"
    r"|[医醫][疗療]卡[号號]|健康卡[号號]|(?:病人|患者)(?:编号|編號|ID)|保[单單][号號]|会员(?:卡)?[号號]|會員(?:卡)?[號号]"
    r"|工[号號]|(?:员工|員工|职工|職工)(?:编号|編號)|学[号號]|學[號号]|车架[号號]|車架[號号]|车辆识别(?:代)?[号號]"
)
# A cue, what may stand between it and the value, the value: one code ("MR-2023-004512",
# "00482913") and digit groups after single spaces ("1101 0519 4912 3100").
_CUED = re.compile(
    rf"(?:(?<![a-z])(?:{_EN_CUES})(?![a-z])|{_ZH_CUES})(?:码|碼)?"
    r"[ \t]*(?:[:：#=，,][ \t]*(?:\r?\n[ \t]*)?|\.[ \t]*|(?:is|was|no\.?)[ \t]*[:：#]?[ \t]*)?"
    r"(?P<value>[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*(?: [0-9]{3,}(?![A-Za-z]))*)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"[0-9]")


def record_id_spans(text: str) -> list[Span]:
    """RECORD_ID spans: the code right after each cue that holds at least `MIN_DIGITS` digits."""
    out = []
    for m in _CUED.finditer(text):
        value = m.group("value")
        if len(_DIGIT.findall(value)) >= MIN_DIGITS:
            out.append(Span(m.start("value"), m.end("value"), "RECORD_ID", SCORE, "record_id"))
    return out


@register
class RecordIdRecognizer(Recognizer):
    """Medical record, patient, hospital, insurance member, policy, membership, employee, student
    and vehicle identification numbers."""

    name = "record_id"
    entity_types = ("RECORD_ID",)
    # Literal words only (lower-case stems catch "Patient" and "patient"), so the analyzer's
    # one shared literal scan answers it instead of a regex search per text.
    trigger = re.compile(
        "MRN|mrn|ecord|ECORD|atient|ATIENT|ospital|ember|EMBER|olicy|OLICY|nsurance|NSURANCE|eneficiary|"
        "ealth plan|edicare|edicaid|mployee|MPLOYEE|taff|TAFF|tudent|TUDENT|VIN|ehicle|"
        "住院|病历|病歷|病案|门诊|門診|就诊|就診|医保|醫保|社保|医疗卡|醫療卡|健康卡|病人|患者|保单|保單|会员|會員|"
        "工号|工號|员工|員工|职工|職工|学号|學號|车架|車架|车辆识别"
    )

    def analyze(self, text: str) -> list[Span]:
        return record_id_spans(text)
