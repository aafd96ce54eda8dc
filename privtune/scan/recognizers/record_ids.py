"""RECORD_ID: medical record, patient, insurance-member, policy, employee and student numbers
beside their names.

HIPAA's Safe Harbor list names medical record numbers and health-plan beneficiary numbers among
the identifiers a de-identified record must lose, and clinical notes and claims carry them
everywhere ("MRN 00482913", "住院号20230415", "医保卡号：1101 0519 4912 3100"); internal records
carry employee, student, payroll, claim and bank-account numbers ("工号：10086", "Staff no. 88213",
"Claim number: CLM-2024-0098123"), driving licences, IMEIs and airline ticket numbers, vehicle identification numbers ("车架号
LSVAM4187C2184847") and device serial numbers ("Pacemaker serial no. PJN4471829B", "序列号"), which
HIPAA lists too, the same way, and order numbers ("订单号 2024120712345678", "Order
#112-4471823-5523311": the shop's key to one customer's name and address). Their shapes are the issuer's (digits,
letters, dashes), so a value is taken only right after its name: a cue, then at most a colon,
comma, full stop, "#", "is" or "no." and spaces, then one code with at least four digits (digit
groups separated by single spaces continue it). The surrogate keeps every character's class, so
the number keeps its written shape.
"""

from __future__ import annotations

import re

from privtune.scan.checksums import is_luhn_valid
from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import CuesBefore, halfwidth, number_runs
from privtune.scan.recognizers.financial import card_issuer
from privtune.scan.registry import Recognizer, register

SCORE = 0.85
_PERMIT_PASSPORT_SHAPE = re.compile(r"[HM][0-9]{8}")
MIN_DIGITS = 4


# Bank accounts that are no card ("帳號：0123-4567-8901-23", "收款账号：012-345678-901"): a
# corporate, Taiwanese or Hong Kong account has no IIN and no Luhn digit, so only its label
# names it. The same words label online accounts ("QQ账号", "账号：zhang_1990"): a value there
# counts only if it is digits and separators, with `MIN_ACCOUNT_DIGITS` digits or more; a card
# number after them is the card recognizer's (`_card_shaped`).
ACCOUNT_CUES = tuple(f"{a}{b}" for a in "账帐帳賬" for b in "号號户戶")
MIN_ACCOUNT_DIGITS = 8
_ACCOUNT_VALUE = re.compile(r"[0-9]+(?:[- ][0-9]+)*")
# Ordinary words that are cues alone ("Policy: HH-2231-7789-01", "badge 004512"); a year after
# one is not its number ("our policy 2024", "account 2019 closed").
_BARE_WORD_CUES = ("policy", "badge", "account", "acct")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


def _cue_words() -> tuple[str, ...]:
    """Every cue written out, lower case (the one list both directions of the search use)."""
    id_num_no, num_no, id_num = ("id", "number", "no", "no."), ("number", "no", "no."), ("id", "number")
    en = ["mrn", "vin", "vehicle identification number", *_BARE_WORD_CUES]
    # Device identifiers and serial numbers (HIPAA's identifier 13): implants, pumps, meters.
    en += ["serial", "serial number", "serial no", "serial no.", "s/n", "sn", "device id", "device serial",
           "device serial number", "udi"]
    en += [f"medical record{s}{t}" for s in ("", "s") for t in ("", " number", " no", " no.", " #")]
    # Numbers a person is reached or charged by outside the clinic: bank and loyalty accounts,
    # claims and payroll, a driving licence, a phone's IMEI/ICCID, an airline ticket.
    licences = [f"{d} {l}" for d in ("driver's", "drivers", "driver", "driving") for l in ("license", "licence")]
    en += [f"{c}{t}" for c in ["account", "acct", "bank account", "frequent flyer", "frequent flier", *licences]
           for t in ("", " number", " no", " no.", " #")]
    en += ["imei", "imei number", "imei no", "imei no.", "iccid", "imsi", "meid", "e-ticket", "eticket",
           "e-ticket number", "ticket number", "ticket no", "ticket no.", "dl no", "dl no.", "dl number", "dl #", "dl#",
           # A pupil's number in English schools, a laptop's asset tag in the assignee's record.
           "upn", "unique pupil number", "uln", "unique learner number", "asset tag", "asset no", "asset no.",
           "asset number", "asset id"]
    # The same numbers in the customer's own language in an export ("Ihre Kundennummer ist 4711-0815").
    en += ["kundennummer", "kunden-nr", "kunden-nr.", "kundennr", "kundennr.", "versichertennummer", "mitgliedsnummer",
           "vertragsnummer", "personalnummer", "matrikelnummer", "patientennummer", "numéro client", "numéro de client",
           "n° client", "n° de client", "numéro d'adhérent", "número de cliente", "nº de cliente",
           "número de socio", "número de afiliado", "klantnummer", "lidnummer", "numero cliente", "codice cliente",
           "numero di tessera"]
    for head, tails in (("patient", id_num_no), ("hospital", num_no), ("health plan", id_num), ("member", id_num_no),
                        ("insurance", id_num_no), ("policy", num_no), ("beneficiary", id_num), ("medicare", num_no),
                        ("medicaid", id_num), ("customer", (*id_num_no, "ref", "ref.", "reference")), ("client", id_num_no),
                        ("subscriber", id_num_no), ("employee", id_num_no), ("staff", id_num_no), ("student", id_num_no),
                        ("claim", (*id_num_no, "reference", "ref", "ref.")), ("payroll", id_num_no),
                        ("membership", id_num_no), ("loyalty", (*id_num, "card number")), ("badge", id_num_no),
                        ("collar", num_no), ("warrant", num_no), ("order", (*id_num_no, "ref", "reference"))):
        en += [f"{head} {t}" for t in tails]
    zh_stems = ("住院 病历 病歷 病案 门诊 門診 就诊 就診 就诊卡 就診卡 医保 醫保 医保卡 醫保卡 社保 社保卡 医疗卡 醫療卡 "
                "健康卡 保单 保單 会员 会员卡 會員 會員卡 工 学 學 车架 車架 车辆识别 车辆识别代 序列 设备编 設備編 "
                "设备 設備 机身 機身 "
                # Identity papers the ID recognizers do not know by shape (台胞证 12345678, 军官证),
                # fund and exam numbers, claim numbers.
                "台胞证 臺胞證 台胞證 军官证 軍官證 士兵证 士兵證 警官证 警官證 公积金账 公積金賬 公积金 公積金 "
                "准考证 准考證 考生 报案 報案 赔案 賠案 理赔 理賠 "
                # A driving licence's file number, an engine number, a lab order or prescription.
                "档案编 檔案編 发动机 發動機 检验单 檢驗單 标本 標本 处方 處方 挂号 掛號 "
                # A pupil's national school-roll number and an exam candidate's number.
                "学籍 學籍 考 考试 考試 "
                # Taiwan's health-insurance card, resident permit and driving licence (駕照號碼 is
                # the holder's ID number there); Shenzhen's social-insurance "computer number";
                # an insured person's own number (个人编号), a student number written out.
                "健保卡 健保 居留证 居留證 驾照 駕照 驾驶执照 駕駛執照 社保电脑 社保電腦 个人编 個人編 学生编 學生編 工作证 工作證 "
                # A health check's and a lab sample's numbers.
                "体检编 體檢編 体检 體檢 样本 樣本 保险单 保險單 入院 出院 回乡证 回鄉證").split()
    zh = [stem + mark for stem in zh_stems for mark in ("号", "號")]
    zh += "病人编号 病人編號 患者编号 患者編號 病人id 患者id 员工编号 員工編號 职工编号 職工編號".split()
    # An order's number names one customer's purchase (the shop links it to their name and
    # address): "订单号 2024120712345678", "Order #112-4471823-5523311" ("order" alone, with a
    # "#" or ":" after it: `_BARE_ORDER`). A bare "订单" is not a cue ("订单日期：2024-12-07").
    zh += "订单号 訂單號 订单编号 訂單編號 订单号码 訂單號碼".split()
    zh += [w + code for w in zh if w[-1] in "号號" for code in ("码", "碼")]
    # A certificate number written "<issuer>字第1234567号" (军字第, 京房权证朝字第) or a property
    # title's "不动产权第0012345号": the words right before the digits name the number.
    zh += "字第 不动产权第 不動產權第".split()
    # Papers named without 号: "台胞证：12345678", "准考证 2023…", "公积金账户：…".
    zh += "台胞证 臺胞證 台胞證 军官证 軍官證 准考证 准考證 公积金账户 公積金賬戶 学生证 學生證 校园卡 校園卡".split()
    # A Home Return Permit of the old 11-character shape (H1234567801); the 9-character one
    # (H12345678) is a PASSPORT (government_ids.py): `_PERMIT_PASSPORT_SHAPE` leaves it there.
    zh += "回乡证 回鄉證 永久居留身份证 永久居留身份證 永久居留证 永久居留證".split()
    zh += ACCOUNT_CUES
    en += ["order"]  # only with a "#" or ":" before the value (`_BARE_ORDER`): "order 1000 pieces" is none
    return tuple(sorted(set(en + zh), key=len, reverse=True))


CUE_WORDS = _cue_words()
_GAP = r"[ \t]*(?:[:：#=，,][ \t]*(?:[:：][ \t]*)?(?:\r?\n[ \t]*)?|\.[ \t]*|(?:(?:ist|est|es)(?![A-Za-z0-9])|is|was|no\.?|是|为|為)[ \t]*[:：#]?[ \t]*)?"
# A cue, what may stand between it and the value, the value: one code ("MR-2023-004512",
# "00482913") and digit groups after single spaces ("1101 0519 4912 3100").
_CUED = re.compile(
    "(?:" + "|".join(map(re.escape, CUE_WORDS)) + ")" + _GAP
    + r"(?P<value>[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*(?: [0-9]{3,}(?![A-Za-z]))*)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"[0-9]")
_BARE_ORDER = re.compile(r"(?i:order)[ \t]*")  # no "#", ":" or "number" after it
# What a bare "order" still names: a shop's order number of 7+ digits, as written in a chat
# ("my order 240-0242192-0007364", "Order 2023-10-58812"); "order 1000 pieces" is a quantity
# and "order 2024-12-07" a date.
_BARE_ORDER_DIGITS = 7
_ISO_DATE = re.compile(r"(?:19|20)[0-9]{2}-[01]?[0-9]-[0-3]?[0-9]")
# A value may open with letters glued to its digits ("MR-2023-…", "XJH88…", "1HGCM82…").
_PREFIX_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/.")
# How far back a value's letters and short digit groups may go before its first 4-digit run: a
# VIN's first such run may be its serial at the end ("LFV2A21K5A3123456").
_MAX_PREFIX = 16
_GAP_CHARS = " \t:：#=，,.\r\n是为為"  # "工号是 HR-00231": 是/为 as "is" (no cue ends with them)
_GAP_WORDS = (" is", " ist", " est", " es", " was", " no", " no.")
LOOKBACK = 48  # characters before a value's start its cue and gap may take

CUES = CuesBefore(CUE_WORDS, _GAP_CHARS, _GAP_WORDS, LOOKBACK)


_IMEI_CHECK_DIGIT = re.compile(r" [0-9](?![0-9A-Za-z])")


def _imei_near(t: str, start: int, end: int) -> bool:
    """A phone's IMEI a few words after its name ("IMEI of company phone 356938035643809"):
    15 digits, Luhn-valid as every IMEI is, with "IMEI" in the 40 characters before."""
    digits = t[start:end].replace("-", "").replace(" ", "")
    return (digits.isdigit() and len(digits) == 15 and "imei" in t[max(0, start - 40) : start].lower()
            and is_luhn_valid(digits))


def record_id_spans(text: str) -> list[Span]:
    """RECORD_ID spans: the code right after its cue, with at least `MIN_DIGITS` digits. Only the
    text's number runs of 4+ digits are looked at (the shared number-run index): for each, the
    cue is sought backwards from the value's start, and the forward pattern confirms it."""
    t = halfwidth(text)
    out: list[Span] = []
    done = 0
    for start, end, n in number_runs(t):
        if n < MIN_DIGITS or start < done:
            continue
        head = start
        while head > 0 and start - head < _MAX_PREFIX and t[head - 1] in _PREFIX_CHARS:
            head -= 1
        cue_start = CUES.start(t, head)
        if cue_start < 0:
            label = _self_label(t, head, start)
            if label:  # "MRN-2956425", "ACCT#00482913": the code names itself
                code = _SELF_LABELLED.match(t, head)
                if code is not None and len(_DIGIT.findall(code.group())) >= MIN_DIGITS:
                    out.append(Span(head, code.end(), "RECORD_ID", SCORE, "record_id"))
                    done = code.end()
                continue
            if n == 15:
                end = start + len(t[start:end].rstrip(" .-"))  # a run ends with the separators after it
                if _imei_near(t, start, end):
                    out.append(Span(start, end, "RECORD_ID", SCORE, "record_id"))
                    done = end
            continue
        before = t[cue_start - 1] if cue_start else " "
        if before.isascii() and before.isalpha() and t[cue_start].isascii():
            continue  # inside a word: "basin 1234", "devin 2024"
        if t[max(0, cue_start - 9) : cue_start].lower() == "national ":
            continue  # the UK National Insurance number is an ID_CARD (national_ids.py)
        m = _CUED.match(t, cue_start)
        if _BARE_ORDER.fullmatch(t, cue_start, head) and not (
                m is not None and len(_DIGIT.findall(m.group("value"))) >= _BARE_ORDER_DIGITS
                and not _ISO_DATE.fullmatch(m.group("value"))):
            continue  # "order 1000 pieces": a bare "order" names a short number only with a "#" or ":"
        if m is not None and _PERMIT_PASSPORT_SHAPE.fullmatch(m.group("value")):
            continue  # a travel permit's passport-shaped number: the passport recognizer's
        if (m is not None and t.startswith(ACCOUNT_CUES, cue_start)
                and not _is_bank_account(m.group("value"))):
            continue
        if (m is not None and m.start("value") <= start < m.end("value")
                and len(_DIGIT.findall(m.group("value"))) >= MIN_DIGITS
                and not (_YEAR.fullmatch(m.group("value")) and t[cue_start : m.start("value")].rstrip(_GAP_CHARS).lower()
                         in _BARE_WORD_CUES)):
            end = m.end("value")
            if _IMEI_CHECK_DIGIT.match(t, end) and _imei_near(t, m.start("value"), end + 2):
                end += 2  # an IMEI's check digit is written apart: "35 407115 123456 7"
            out.append(Span(m.start("value"), end, "RECORD_ID", SCORE, "record_id"))
            done = end
    return out


# Cue words a code may carry as its own prefix, glued by "-", "#" or nothing ("MRN-2956425",
# "MRN2956425", "ACCT#0048291"): a calendar invite's "Patient MRN-…", an SMS's "ref MRN-…".
_SELF_LABELS = frozenset({"mrn", "acct", "imei", "iccid", "upn", "uln"})
_SELF_LABELLED = re.compile(r"[A-Za-z]+[-#/.]?[0-9]+(?:[-/.][A-Za-z0-9]+)*(?![A-Za-z0-9])")


def _self_label(t: str, head: int, start: int) -> bool:
    """Does the code from ``head`` open with a cue word of `_SELF_LABELS` before its digits,
    at a word start?"""
    if head and (t[head - 1].isalnum() or t[head - 1] in "_-"):
        return False
    return t[head:start].rstrip("-#/.").lower() in _SELF_LABELS


def _is_bank_account(value: str) -> bool:
    """Digits and separators only, long enough, and no card number (13-19 digits with an IIN)."""
    if _ACCOUNT_VALUE.fullmatch(value) is None:
        return False
    digits = value.replace("-", "").replace(" ", "")
    return len(digits) >= MIN_ACCOUNT_DIGITS and not (13 <= len(digits) <= 19 and card_issuer(digits) is not None)


@register
class RecordIdRecognizer(Recognizer):
    """Medical record, patient, hospital, insurance member, policy, membership, employee, student,
    order and vehicle identification numbers."""

    name = "record_id"
    entity_types = ("RECORD_ID",)
    min_run_digits = MIN_DIGITS  # runs of fewer digits are skipped
    trigger = None  # pre-filtered by the shared number-run index (see _shared.number_runs)

    def analyze(self, text: str) -> list[Span]:
        return record_id_spans(text)
