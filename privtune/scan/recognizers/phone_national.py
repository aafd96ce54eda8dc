"""Phone numbers in national formats of any country, found by a context cue ("Phone:", "Tel",
"mobile", "call me on", "电话", "手机" ...), and unambiguous international numbers written
with "00" or "(+CC)".

Without a country code a national number ("0471 22 93 15", "(03) 774 9118", "06.12.34.56.78")
is just digits in groups: it could be an order id, an amount or a date. So it is taken only
right after a cue word, with nothing but a few non-digit words between ("Mobile: ", "call me
on ", "Contact: Anna Berg ("); the number's own shape is checked loosely (7-15 digits in
groups of 1-6, optional extension; bare digits with a leading 0, or of a subscriber number's
length, 8-10, without one) because national plans differ too much for one rule, and
``phonenumbers`` cannot say which country a bare national number belongs to. Numbers with
"00" + country code or "(+CC)" are checked against ``phonenumbers``' metadata instead and
need no cue. :class:`privtune.scan.recognizers.contact.PhoneRecognizer` merges these spans
with its own (a longer cued number replaces the pieces it contains).
"""

from __future__ import annotations

import re
from collections.abc import Container

import phonenumbers

from privtune.scan.recognizers._shared import NEGATIVE_CONTEXT

# English cues need a word boundary ("hotel", "cancel" are no cue); Chinese ones need none.
_EN_CUES = (
    r"tel(?:ephone)?|phone|mobile|mob|cell(?:phone)?|call(?:\s+me)?|call(?:ed|ing)\s+from|ring|whats\s?app|fax"
    r"|text(?:\s+me)?|ping\s+me"
    # Past and spoken forms in call notes ("caller rang on 021 555 0199", "phoned from …").
    r"|rang|rung|phoned|phoning|dial(?:l?ed|l?ing)?|landline"
    # A new number announced in a chat ("new number is 03-1234-5678"); a signature's one-letter
    # labels ("M: 0412 345 678", "T: …", "P: …", "O: …": mobile, telephone, phone, office).
    r"|new\s+(?:phone\s+|mobile\s+|cell\s+)?number|[mtpo](?=[ \t]?[:：])"
    r"|sms|reach(?:\s+me)?|reached\s+(?:at|on|via)|contact|(?:my|his|her|their|your|our)\s+(?:phone\s+|mobile\s+|cell\s+)?number|ph\.|ph:|my\s+ph|ph\s+no|tlf|handy|telefon|t[eé]l[eé]fono"
    # Customers write their own language's words beside a number in an English export too;
    # "number" alone is no cue (order and ticket numbers), "my number" in their words is.
    r"|meine?\s+nummer|mon\s+num[eé]ro|mi\s+n[uú]mero|meu\s+n[uú]mero|mio\s+numero|mijn\s+nummer"
    r"|portable|m[oó]vil|celular|cellulare|telefone|telefoon|mobiel"
    # A callback field of a ticket, a bookings line of a bio or an ad, a bare "ph" before digits.
    r"|call[ -]?back|bookings?|ph(?=[ \t]{1,3}\Z)"  # (searched up to the number: \Z is its start)
    # Signature labels of Latin America and central Europe: "Cel. (11) 93285-1641", "Mobil: …".
    r"|cel|mobil"
    # A signature's bare one-letter labels, no colon ("T 0912-435-800 | M 079 601 27 76"): upper
    # case, at a line's start or after a "|", a digit or "+" next.
    r"|(?-i:(?:(?<=\n)|(?<=\|[ \t])|(?<=\A))[TMPOF](?=[ \t](?:[+(0-9]|\Z)))"  # (\Z: the search ends at the number)
)
# and their traditional forms: customers in Hong Kong and Taiwan write 電話, 手機, 聯絡 ...
_ZH_CUES = ("电话|手机|座机|联系|号码|致电|拨打|来电|回电|热线|传真|打给|这个号|這個號"
            "|電話|手機|座機|聯繫|聯絡|联络|號碼|致電|撥打|來電|回電|熱線|傳真|打俾|打畀")
# A cue word; it must end at most _GAP characters (no digit, no line break) before the number.
_CUE = re.compile(rf"(?<![a-z])(?:{_EN_CUES})(?![a-z])|{_ZH_CUES}", re.IGNORECASE)
_GAP = 26
# After a label's colon the name and relation of a contact may come first ("Emergency contact:
# Raúl Hernández-López, brother, 55 1234 5678"): a longer reach.
_LABEL_GAP = 40
_LABEL_COLON = re.compile(r"[ \t]*[:：]")
# "at"/"on" just before the number ties it to the cue across a name and its other spelling
# ("contact Ms. Yuki Tanaka (田中由紀) at 03-1234-5678"): the label's reach.
_TIED = re.compile(r"(?<![A-Za-z])(?:at|on)[ \t]*\Z")
_LAST_STOP = re.compile(r"(?s:.*)[0-9\n]")
_NEGATIVE = re.compile("|".join(map(re.escape, NEGATIVE_CONTEXT)))
_LOOKBACK = 56  # a label's cue, its colon and _LABEL_GAP characters
_ABOVE_LOOKBACK = 40

# Digit groups of 1-6 with one separator (or brackets) between them, an optional extension.
_GROUP = r"\(?\+?[0-9]{1,6}+\)?"  # possessive: a long digit run splits one way only
_CANDIDATE = re.compile(
    rf"(?<![0-9A-Za-z+]){_GROUP}(?:(?:[ .\-/]|\s?-\s?)?{_GROUP}){{0,7}}"
    r"(?:\s?(?:x|ext\.?|#)\s?[0-9]{1,6})?(?![0-9A-Za-z])"
)
_EXTENSION = re.compile(r"\s?(?:x|ext\.?|#)\s?[0-9]{1,6}$")
_DIGITS = re.compile(r"[0-9]")
_JOINERS = frozenset("/xX#")  # what may join a digit run to the rest of a number ("05350/7529…")
_DOTTED_SHORT = re.compile(r"(?:^|\.)[0-9]\.|\.[0-9]$")
_INTL_START = re.compile(r"\(?(?:\+|00(?=[1-9]))")
# A date, not a number to call: 28/11/2020, 2020-11-28, 28.11.2020.
_DATE_SHAPE = re.compile(r"(?:[0-3]?[0-9]([/.\-])[01]?[0-9]\1|(?:19|20)[0-9]{2}([/.\-])[01]?[0-9]\2)(?:19|20)?[0-9]{2}")
# A clause end followed by more words: the cue before it belongs to another clause ("fax not
# available; delivered 28/11/2020"), unlike "Call me! 0612 34 56 78".
_CLAUSE_BREAK = re.compile(r"[;；。！？!?]\s*\w")
# What may follow the cue on a label line above a number: "number"/"no."/"号码", label marks,
# and the words a chat message ends with before its author pressed Enter ("my number is",
# "call me on", "我的电话是").
_LABEL_TAIL = re.compile(r"[ \t:：*_#>|\-–—]*(?:(?:number|no\.?|nr\.?|#|号码?)[ \t:：*_#>|\-–—]*)?"
                         r"(?:(?:is|on|at|是|为)[ \t:：]*)?\r?", re.IGNORECASE)

CUED_SCORE = 0.9  # a cue and a phone-shaped number: the two together are rarely anything else
INTL_VALID_SCORE = 0.85  # as contact._intl_base gives a valid "+CC" number
MIN_DIGITS, MAX_DIGITS = 7, 15
# A digit run without trunk 0 or separators is a phone number only after a cue, and only of the
# lengths subscriber numbers have: 8 (Singapore, Hong Kong), 9 (Spain, France without the 0),
# 10 (India, NANP). Runs starting with 1 are the Chinese mobile pattern's.
BARE_CUED_DIGITS = (8, 10)
# Runs starting with 1 of a length no mobile number has (not 11), after a cue: cut or mistyped.
CUT_MOBILE_DIGITS, CUT_MOBILE_SCORE = (7, 12), 0.6


def national_numbers(
    t: str, runs: tuple[tuple[int, int, int], ...], known: Container[tuple[int, int]] = frozenset()
) -> list[tuple[int, int, float]]:
    """``(start, end, score)`` of cued national numbers and "00"/"(+CC)" numbers in the folded
    text ``t``, looked for at the starts of its number ``runs`` (from ``number_runs``);
    candidates equal to a ``known`` span (found by the other phone patterns) are skipped."""
    out: list[tuple[int, int, float]] = []
    done = -1
    for run_start, run_end, n_digits in runs:
        if run_start < done:
            continue
        if n_digits == run_end - run_start and t[run_end : run_end + 1] not in _JOINERS:
            # A bare digit run that nothing joins to a next group: a national number only if
            # it starts with the trunk 0 and has a phone's length (order ids, amounts: no), or
            # if it is a subscriber number's length right after a cue ("call me at 9876543210":
            # India's and NANP's mobiles are written so, without trunk prefix).
            if t[run_start] != "0":
                _bare_cued(t, run_start, run_end, out)
                continue
            if not MIN_DIGITS <= n_digits <= MAX_DIGITS:
                continue
        m = _CANDIDATE.match(t, run_start)
        if m is None and t.startswith("((", run_start):  # "((018) 6091390)"
            m = _CANDIDATE.match(t, run_start + 1)
        if m is None:
            continue
        start, end = _balanced(t, m.start(), m.end())
        if (start, end) in known:
            continue
        value = t[start:end]
        ext = _EXTENSION.search(value)
        core = value[: ext.start()] if ext else value
        n = len(_DIGITS.findall(core))
        if not MIN_DIGITS <= n <= MAX_DIGITS:
            continue
        # A bare digit string is a national number only with the trunk prefix 0 ("0617603137");
        # others ("2125550123", "12842279947") are the CN / NANP patterns' call, which know them.
        bare = core.isdigit() and core[0] != "0"
        if bare:
            _bare_cued(t, start, start + len(core), out)
            continue
        if _DOTTED_SHORT.search(core):  # "20.4.12.16" is a version, not 06.12.34.56.78
            continue
        if _DATE_SHAPE.fullmatch(core):
            continue
        score = _intl_score(core) if _INTL_START.match(core) else 0.0
        if score < INTL_VALID_SCORE and _cued(t, start):
            score = CUED_SCORE
        if score >= INTL_VALID_SCORE:
            out.append((start, end, score))
            done = end
    return out


def _bare_cued(t: str, start: int, end: int, out: list[tuple[int, int, float]]) -> None:
    """A bare digit run ``t[start:end]`` without trunk 0 is a phone number only of a subscriber
    number's length, right after a cue ("call me at 9876543210": India's and NANP's mobiles are
    written so), and not as the digits of a longer token ("E67927903", a passport). Runs that
    start with 1 are the Chinese mobile pattern's."""
    if (t[start] != "1" and BARE_CUED_DIGITS[0] <= end - start <= BARE_CUED_DIGITS[1]
            and not _in_token(t, start, end) and _cued(t, start)):
        out.append((start, end, CUED_SCORE))
    elif (t[start] == "1" and CUT_MOBILE_DIGITS[0] <= end - start <= CUT_MOBILE_DIGITS[1] and end - start != 11
            and not _in_token(t, start, end) and not _amount(t, start, end) and _cued(t, start)):
        # "电话13801380", "手机号138001380001": a mobile number cut short or mistyped after its cue
        # (a model's garbled output, a typo) still gives most of the number away.
        out.append((start, end, CUT_MOBILE_SCORE))


def _amount(t: str, start: int, end: int) -> bool:
    """Is the run a sum of money ("电话费1000000元", "话费 1200000 块")?"""
    return t[end : end + 1] in ("元", "块", "塊", "万", "萬", "¥", "$", "%") or "费" in t[max(0, start - 4) : start] \
        or "費" in t[max(0, start - 4) : start]


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_")


def _in_token(t: str, start: int, end: int) -> bool:
    """A Latin letter, digit, "+" or "_" touches ``t[start:end]`` on either side (a Han
    character does not: "电话98765432" is written so)."""
    before = t[start - 1] if start else " "
    after = t[end] if end < len(t) else " "
    return before in _TOKEN_CHARS or after in _TOKEN_CHARS


def _balanced(t: str, start: int, end: int) -> tuple[int, int]:
    """Drop a bracket at either end that has no partner inside the number ("((018) 6091390)"),
    and a pair that wraps the whole number ("(+1-860-291-3909)")."""
    value = t[start:end]
    if value.startswith("(") and value.endswith(")") and _closing(value) == len(value) - 1:
        value, start, end = value[1:-1], start + 1, end - 1
    while value.endswith(")") and value.count(")") > value.count("("):
        value, end = value[:-1], end - 1
    while value.startswith("(") and value.count("(") > value.count(")"):
        value, start = value[1:], start + 1
    return start, end


def _closing(value: str) -> int:
    """Index of the bracket that closes the one at ``value[0]``, or -1."""
    depth = 0
    for i, c in enumerate(value):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i
    return -1


def _cued(t: str, start: int) -> bool:
    """A cue word ends within _GAP characters before ``start``, with no digit or line break
    after it (the window starts after the last one), and no reference word after the cue."""
    lo = max(0, start - _LOOKBACK)
    stop = _LAST_STOP.match(t, lo, start)
    if stop is not None:
        lo = stop.end()
        if t[lo - 1] == "\n" and (lo == start or t[lo:start].isspace()):
            return _cued_above(t, lo - 1)
    cue = None
    for cue in _CUE.finditer(t, lo, start):
        pass  # the last cue before the number
    if cue is None or _CLAUSE_BREAK.search(t, cue.end(), start):
        return False
    if start - cue.end() > _GAP and (start - cue.end() > _LABEL_GAP or not (
            _LABEL_COLON.match(t, cue.end()) or _TIED.search(t, cue.end(), start))):
        return False
    # "order number 1234567", "tracking: 0471 2293": the number is a reference, not a phone.
    return _NEGATIVE.search(t[cue.start() : start].lower()) is None


cued_number = _cued  # (the masked-number recognizer asks the same question)


def _cued_above(t: str, newline: int) -> bool:
    """A number that opens its line, under a label line ("Phone:\n0471 22 93 15", "联系电话\n
    62345678", "**Mobile number**\n06 12 34 56 78", a chat message's "…: my number is\n0471…"):
    the line above ends with a cue word, at most "number"/"no.", "is"/"on" and label
    punctuation after it, and holds no digit from that cue on (a chat export's timestamp and
    author may precede the cue on its line)."""
    lo = t.rfind("\n", 0, newline) + 1
    lo = max(lo, newline - _ABOVE_LOOKBACK)
    cue = None
    for cue in _CUE.finditer(t, lo, newline):
        pass
    return (cue is not None and not _DIGITS.search(t, cue.start(), newline)
            and _LABEL_TAIL.fullmatch(t, cue.end(), newline) is not None
            and _NEGATIVE.search(t[lo:newline].lower()) is None)


def _intl_score(core: str) -> float:
    """INTL_VALID_SCORE for a "00CC…" / "(+CC)…" number valid in phonenumbers' metadata, else 0."""
    digits = "".join(_DIGITS.findall(core))
    if core.lstrip("(").startswith("00"):
        digits = digits[2:]
    try:
        num = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return 0.0
    return INTL_VALID_SCORE if phonenumbers.is_valid_number(num) else 0.0
