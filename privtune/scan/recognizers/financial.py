"""Payment identifiers: bank/credit card numbers (IIN + Luhn), IBANs (mod 97) and card security codes."""

from __future__ import annotations

import re

from privtune.scan.checksums import is_luhn_valid, is_valid_iban
from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import (
    NEGATIVE_CONTEXT, NOT_DIGIT, finditer_runs, halfwidth, has_continuation, match_at_hints, scored, valid_cn_id,
)  # fmt: skip
from privtune.scan.registry import Recognizer, register

CARD_CONTEXT = (
    "卡", "银行", "账号", "账户", "帐号", "帐户", "开户",
    "转账", "汇款", "还款", "付款", "退款", "银联", "card", "account", "acct", "visa",
    "mastercard", "amex", "unionpay", "bank", "debit", "pay",
    # Traditional forms (Taiwan, Hong Kong): "帳號：6222…", "銀行卡".
    "銀行", "帳號", "帳戶", "賬號", "賬戶", "轉帳", "轉賬", "匯款", "還款", "銀聯",
)  # fmt: skip


# Labels of other long numbers: a Luhn-valid string after "身份证" / "税号" is not a card.
CARD_NEGATIVE = ("身份证", "证件", "信用代码", "税号", "uscc", "tax id", "credit code", "ssn", "passport", "护照",
                 "id card")  # fmt: skip
# Built once: `words_pattern` finds a module-level tuple by identity; a fresh one is hashed.
_NEGATIVE = NEGATIVE_CONTEXT + CARD_NEGATIVE


def card_issuer(digits: str) -> str | None:
    """Scheme whose IIN range and length fit ``digits``, or None."""
    n = len(digits)
    p2, p3, p4 = int(digits[:2]), int(digits[:3]), int(digits[:4])
    if digits[0] == "4":
        return "visa" if n in (13, 16, 19) else None
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return "mastercard" if n == 16 else None
    if p2 in (34, 37):
        return "amex" if n == 15 else None
    if p2 in (62, 81):
        return "unionpay" if 16 <= n <= 19 else None
    if 3528 <= p4 <= 3589:
        return "jcb" if 16 <= n <= 19 else None
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65:
        return "discover" if 16 <= n <= 19 else None
    if 300 <= p3 <= 305 or p2 in (36, 38, 39):
        return "diners" if 14 <= n <= 19 else None
    if digits.startswith(("9558", "9559", "6013", "6016")):  # older CN bank-issued debit ranges
        return "cn_domestic" if 16 <= n <= 19 else None
    return None


@register
class BankCardRecognizer(Recognizer):
    """13–19 digits, compact or grouped, with a known IIN; Luhn or (UnionPay) context needed."""

    name = "bank_card"
    entity_types = ("BANK_CARD",)
    min_run_digits = 13  # finditer_runs(..., 13, 19) only
    trigger = None  # pre-filtered by the shared number-run index (see _shared.number_runs)
    _re = re.compile(
        r"(?<![0-9A-Za-z])(?:[0-9]{13,19}"
        r"|[0-9]{4}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{1,4}(?:\1[0-9]{1,3})?"
        r"|[0-9]{4}([ -])[0-9]{6}\2[0-9]{4,5}"
        r"|[0-9]{6}([ -])[0-9]{10,13})"
        r"(?![0-9A-Za-z])"
    )

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        for m in finditer_runs(self._re, t, 13, 19):
            start, end = m.start(), m.end()
            digits = m.group().translate(NOT_DIGIT)
            if not 13 <= len(digits) <= 19 or has_continuation(t, start, end):
                continue
            if len(digits) == 18 and valid_cn_id(digits):
                continue  # the ID-card recognizer owns it
            if is_luhn_valid(digits):
                base = 0.75 if card_issuer(digits) else 0.4
            # Only numbers starting 6, 8 or 9 can be UnionPay (62, 81) or CN domestic (9558, 6013…):
            # most Luhn-invalid ones (order numbers) need no issuer lookup.
            elif digits[0] in "689" and card_issuer(digits) in ("unionpay", "cn_domestic"):
                # Some CN debit cards do not satisfy Luhn; accept them only when named as cards.
                base = 0.3
            else:
                continue
            score = scored(t, start, end, base, CARD_CONTEXT, _NEGATIVE)
            spans.append(Span(start, end, "BANK_CARD", score, self.name))
        return spans


# ISO 13616 IBAN lengths of the registry's countries (the common ones).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN_HINT = re.compile(r"[A-Z][A-Z]\d\d")
IBAN_CONTEXT = ("iban", "bank", "account", "账户", "账号", "汇款", "转账", "swift", "wire")


@register
class IbanRecognizer(Recognizer):
    """IBAN, compact or in groups of four, trimmed to its country's length, mod-97 checked."""

    name = "iban"
    entity_types = ("IBAN",)
    trigger = _IBAN_HINT
    _re = re.compile(r"[A-Z](?<![0-9A-Za-z].)[A-Z][0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![0-9a-z])")

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        for m in match_at_hints(self._re, t, _IBAN_HINT):
            start, end = m.start(), m.end()
            want = _IBAN_LENGTHS.get(m.group()[:2])
            if want is None:
                continue  # "SF29…" tracking numbers pass mod 97 one time in 97
            end = _end_after_alnum(t, start, end, want)
            if end is None or (end < m.end() and t[end].isalnum()):
                continue  # too short, or the run goes on mid-group
            if not is_valid_iban(t[start:end]):
                continue
            spans.append(Span(start, end, "IBAN", scored(t, start, end, 0.9, IBAN_CONTEXT), self.name))
        return spans


def _end_after_alnum(text: str, start: int, end: int, count: int) -> int | None:
    """Offset just after the ``count``-th alphanumeric char of text[start:end], or None."""
    seen = 0
    for i in range(start, end):
        if text[i] != " ":
            seen += 1
            if seen == count:
                return i + 1
    return None


# A card's security code after its name ("cvv 123", "CVC2: 4417", "安全码 123"): PCI DSS forbids
# storing it after authorisation, and a chat that holds the card number often holds it too.
_CSC = re.compile(
    r"(?<![A-Za-z])(?:(?i:cvv2?|cvc2?|cvn2?|card (?:security|verification) (?:code|value|number)|security code)"
    r"(?![A-Za-z])|安全码|安全碼|背面三位|背面的三位)"
    r"\s{0,3}(?:[:：=#]|is|是|为|為)?\s{0,3}(?P<val>[0-9]{3,4})(?![0-9])"
)


@register
class CardSecurityCodeRecognizer(Recognizer):
    """A card's CVV / CVC / CID right after its name, as a SECRET."""

    name = "card_security_code"
    entity_types = ("SECRET",)
    # Literal words (the analyzer's shared substring scan answers them): IGNORECASE cost ~10 µs a record.
    # "ecurity code" and "erification" stand for their capitalised forms too.
    trigger = re.compile("|".join(map(re.escape, (
        "cvv", "CVV", "cvc", "CVC", "cvn", "ecurity code", "erification", "安全码", "安全碼", "三位"))))

    def analyze(self, text: str) -> list[Span]:
        return [Span(m.start("val"), m.end("val"), "SECRET", 0.85, self.name) for m in _CSC.finditer(halfwidth(text))]
