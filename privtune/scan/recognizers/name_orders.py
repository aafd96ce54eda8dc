"""PERSON: a name in the order forms, registers and directories write it, where a field says so.

Passports, court papers, KYC forms and CRM exports put the family name first, in capitals or
behind a comma ("Name: WONGSAKUL, Suda", "Patient: Mei WATANABE", "Next of kin: TE RANGI Kiri",
"Prepared by ÖZTÜRK Zeynep; reviewed by S. Jónsdóttir"), and in any alphabet ("Name: Гупало,
Амалія"). The English model reads a word in capitals as an acronym and stops at a comma, so it
took "Mei" and left "WATANABE". This rule takes the whole value of a person's field when it has
one of those shapes:

- a word in capitals and a capitalised word, either order ("ÖZTÜRK Zeynep", "Mei WATANABE");
- surname, comma, given names ("Al-Rashidi, Abdullah bin Hamid", "ΤΣΙΑΝΤΆΣ, Κανέλλα");
- initials and a surname ("S. y. Jung", "P. H. dos Santos Lima");

and where the value closes: a line end, a bracket, ``;``, ``|``, two spaces, or a ``<`` of an
e-mail address. The fields: a name's or a person's role label before a colon (`_LABELS`), a
"by" of a document's sign-off chain, a mail header's display name before its address, and the
sender line of a Teams export ("[12/03/2024 14:22] Rhodes, Shawn (Guest)").
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.en_crf import tag_en
from privtune.scan.ner.en_span_rules import is_common_word
from privtune.scan.ner.lexicon import en_lexicon
from privtune.scan.registry import Recognizer, register

DETECTOR = "name_orders"
# Above the models' guesses inside the value ("P. H" of "P. H. dos Santos Lima"): the field and
# the shape together say where the name ends.
SCORE = 0.95

# A word of a name in any alphabet: a capital, then letters (an apostrophe or hyphen inside).
_CAPWORD = r"(?:[^\W\d_a-z](?:['’]?[^\W\d_])*(?:-[^\W\d_]+)*)"
# Lower-case particles of family and given names ("dos Santos", "bin Hamid", "van der Berg").
_PARTICLE = r"(?:bin|binti|bint|ibn|al|el|de|da|das|do|dos|del|della|di|du|la|le|van|von|der|den|ter|te|y|e)"
_INITIAL = r"(?:[^\W\d_]\.)"
_RUN = rf"(?:{_CAPWORD}|{_INITIAL})(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_CAPWORD}|{_INITIAL}))*"
# The value: words, at most one comma (surname first), words.
_VALUE = rf"(?P<name>{_RUN}(?:,[ \t]*{_RUN})?)"
# Where a value closes.
_CLOSE = r"(?=[ \t]*(?:\r?\n|$|[(（\[|;<]|\"|  |\t))"
_LABELS = (
    r"name|full name|names?|patient|client|customer|claimant|defendant|applicant|witness|tenant|guest|passenger|"
    r"next of kin|emergency contact|account holder|holder|signed|signature|attendee|employee|member|re"
)
# A label opening a line (or after a bracket or a bar), optional words in brackets after it
# ("Name (BLOCK CAPITALS):"), a colon.
# Looked for from each colon back (a letter or a bracket before it: a time's colon has a digit),
# on the lower-cased label: one scan of the text for colons, not a pattern tried at every line.
# (a transcriber's note may open the line: "[handwritten] Name (BLOCK CAPITALS): …")
_LABEL_ONLY = re.compile(rf"[ \t]*(?:\[[^\]\n]{{1,20}}\][ \t]*)?(?:{_LABELS})(?:[ \t]*\([^()\n]{{0,30}}\))?[ \t]*")
_COLON = re.compile("[:：]")
VALUE_AFTER_LABEL = re.compile(rf"[ \t]*{_VALUE}{_CLOSE}")
# A document's sign-off chain: "Prepared by X; reviewed by Y; approved by Z."
# (found from each " by ": a pattern opening with the verbs was tried at every position)
_SIGNING_VERBS = ("prepared", "reviewed", "approved", "signed", "checked", "authorised", "authorized", "taken",
                  "written", "verified", "witnessed")
_BY = re.compile(" by[ \t]+")
VALUE_AFTER_BY = re.compile(rf"{_VALUE}(?=[ \t]*(?:[.;,]|\r?\n|$))")
# A mail header's display name: `From: "DORCHA, Oonagh" <…@…>`, `An: TE RANGI Kiri <…>`.
DISPLAY_NAME = re.compile(rf"(?m)^(?:From|To|Cc|Bcc|Reply-To|Sender|Von|An|De|À|Para|Da|A):[ \t]*\"?{_VALUE}\"?[ \t]*<[^<>\s@]+@")
# A Teams or Skype export's sender line: a bracketed time stamp, the name, an optional role.
CHAT_SENDER = re.compile(rf"(?m)^\[[0-9/.\-]+,? [0-9:]+(?: ?[AP]M)?\][ \t]+{_VALUE}(?=[ \t]*(?:\((?:Guest|External|Gast|Invité)\))?[ \t]*$)")
# Words after "Name, " that are a role or a department, not a given name ("Customer: Lee, Sales").
_ROLE_WORDS = frozenset(
    "Sales Support Billing Marketing Finance Accounts Accounting Operations Legal Reception Admin Manager Director "
    "Engineer Assistant Secretary Treasurer President Chair Officer Head Lead Intern Consultant Nurse Doctor "
    "Partner Founder Owner Editor Student Retired Ltd Inc GmbH LLC".split())
# A name a hard-wrapped paragraph broke after its first word, the line before ending mid-sentence
# (a lower-case word), the next line going on after the name with a comma or a bracket ("… and
# the tenant\nHaruto\nSato, born …", "I confirm that Haruto\nSato (passport …"). The English
# model reads the halves apart ("Haruto" a place); it is asked again about the joined lines,
# and two words it reads as one place or company there ("we visited\nParis\nLondon, and") are not
# taken.
# (a line break first: found by a fast scan; the word before it is looked at from there)
WRAP_TAIL = re.compile(r"\n(?P<last>[^\W\d_a-z][^\W\d_'’-]*(?:-[^\W\d_]+)*)(?=,| \()")
_CAPWORD_ONLY = re.compile(_CAPWORD)
# A court paper's parties in capitals, each above its role ("BETWEEN:\nMARTIN STOPAR\nClaimant"),
# and the statement's maker ("WITNESS STATEMENT OF INGRID SØREIDE").
_CAPS_WORD = r"[^\W\d_a-z](?:[^\W\d_a-z]|['’-])+"
_CAPS_RUN = rf"(?P<name>{_CAPS_WORD}(?:[ \t]+{_CAPS_WORD}){{1,3}})"
COURT_PARTY = re.compile(rf"(?m)^{_CAPS_RUN}[ \t]*\r?\n[ \t]*(?:Claimant|Defendant|Applicant|Respondent|Appellant|Petitioner|"
                         rf"Plaintiff)s?[ \t]*$")
STATEMENT_OF = re.compile(rf"(?m)STATEMENT OF {_CAPS_RUN}[ \t]*$")
# A numbered or bulleted list of people under its heading ("Attendees:\n1. Watanabe Mei\n2. …").
LIST_HEADING = re.compile(r"(?im)^[ \t]*(?:attendees|participants|present|apologies|invitees|members|distribution|"
                          r"signatories|witnesses)[ \t]*:?[ \t]*$")
LIST_ITEM = re.compile(rf"[ \t]*(?:[0-9]{{1,2}}[.)]|[-*•])[ \t]+{_VALUE}[ \t]*$")
# A Latin name after a Chinese word for the person it is ("境外客户 WONGSAKUL, Suda（CPF …）", "同事
# Chen Shu-fen，"): the name closes at a bracket, a comma or a Chinese character.
ZH_CUE_LATIN = re.compile(rf"(?:客户|客戶|客人|乘客|用户|用戶|申请人|申請人|联系人|聯絡人|收件人|同事|朋友|老板|经理|經理)[ \t]*"
                          rf"{_VALUE}(?=[ \t]*[（(，,。]|[ \t]*[\u4e00-\u9fff])")
_NOT_NAMES = frozenset("N/A NA NONE NULL UNKNOWN TBD TBC REDACTED WITHHELD ANONYMOUS SEE BELOW ABOVE SAME AS "
                       "BLOCK CAPITALS DOB TEL FAX ID NO MR MRS MS DR ALL STAFF TEAM EVERYONE MEMBERS BOARD "
                       "NOT PROVIDED CUSTOMER PATIENT GUEST ATTACHED PENDING REVIEW GIVEN SPECIFIED "
                       # a company or a body as a party ("ACME LIMITED\nDefendant"), a title
                       "THE OF AND FOR LIMITED LTD PLC INC LLC COUNCIL BANK TRUST".split())


def _shaped(value: str, all_caps: bool = False) -> bool:
    """Is ``value`` a name in a family-first, capitals or initials order (see the module doc)?
    ``all_caps``: a name field's value may be in capitals throughout ("NGUYỄN THỊ MAI")."""
    words = re.findall(r"[^\W\d_][^\s,]*", value)
    if len(words) < 2 or len(words) > 7:
        return False
    if any(w.rstrip(".").upper() in _NOT_NAMES and (w.isupper() or len(w) <= 3) or w in _ROLE_WORDS for w in words):
        return False
    caps = [w for w in words if w.isupper() and len(w.rstrip(".")) >= 2]
    mixed = [w for w in words if not w.isupper() and w[:1].isupper() and len(w) >= 2]
    initials = [w for w in words if re.fullmatch(r"[^\W\d_]\.", w)]
    if "," in value:
        return bool(mixed or caps) and not (len(caps) == len(words) and len(words) > 4)
    if initials:
        return len(initials) < len(words)
    return bool(caps) and (bool(mixed) or all_caps and len(caps) == len(words) <= 4)


def _plain(value: str) -> bool:
    """Two to five capitalised words (with particles or initials): a name where the place says so."""
    words = value.replace(",", " ").split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() or re.fullmatch(_PARTICLE, w) for w in words) \
        and not any(w.rstrip(".").upper() in _NOT_NAMES or w in _ROLE_WORDS for w in words)


def _list_members(text: str, out: list[Span]) -> None:
    for head in LIST_HEADING.finditer(text):
        pos = head.end() + 1
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            m = LIST_ITEM.match(text, pos, end)
            if m is None:
                break
            value = m.group("name").rstrip(",")
            if _plain(value) or _shaped(value, True):
                out.append(Span(m.start("name"), m.start("name") + len(value), "PERSON", SCORE, DETECTOR))
            pos = end + 1


# Words that open a court paper's parties or a list of people (most texts hold neither), looked
# for with `in` (an alternation of them took ~5 µs a record in sre, these ~1 µs).
_RARE_WORDS = ("laimant", "efendant", "espondent", "STATEMENT OF", "ttendees", "TTENDEES", "articipants", "pologies")


def _labelled(text: str) -> list[re.Match[str]]:
    """`VALUE_AFTER_LABEL` matches after a person's label and its colon (see `_LABELS`)."""
    out = []
    for c in _COLON.finditer(text):
        k = c.start()
        before = text[k - 1 : k]
        if not (before.isalpha() or before == ")"):
            continue  # a time ("14:22"), a URL's scheme after its letters is taken on (rare)
        line = max(text.rfind("\n", 0, k), text.rfind("|", 0, k), text.rfind("\t", 0, k)) + 1
        if k - line <= 48 and _LABEL_ONLY.fullmatch(text[line:k].lower()) is not None:
            if (m := VALUE_AFTER_LABEL.match(text, c.end())) is not None:
                out.append(m)
    return out


def name_order_spans(text: str) -> list[Span]:
    out: list[Span] = []
    if "\n" in text and any(w in text for w in _RARE_WORDS):
        for m in [*COURT_PARTY.finditer(text), *STATEMENT_OF.finditer(text)]:
            if _shaped(m.group("name"), True):
                out.append(Span(m.start("name"), m.end("name"), "PERSON", SCORE, DETECTOR))
        _list_members(text, out)
    if not text.isascii():
        for m in ZH_CUE_LATIN.finditer(text):
            value = m.group("name").rstrip(",")
            if _plain(value) or _shaped(value):
                out.append(Span(m.start("name"), m.start("name") + len(value), "PERSON", SCORE, DETECTOR))
    found: list[tuple[re.Match[str], bool]] = [(m, True) for m in _labelled(text)] if ":" in text or "：" in text else []
    if " by " in text:
        for b in _BY.finditer(text):
            if text[max(0, b.start() - 10) : b.start()].lower().endswith(_SIGNING_VERBS):
                if (m := VALUE_AFTER_BY.match(text, b.end())) is not None:
                    found.append((m, False))
    if "@" in text and "<" in text:
        found += [(m, False) for m in DISPLAY_NAME.finditer(text)]
    if "] " in text:
        found += [(m, False) for m in CHAT_SENDER.finditer(text)]
    if "\n" in text:
        out.extend(_wrapped_names(text))
    for m, labelled in found:
        value = m.group("name").rstrip(",")
        start = m.start("name")
        all_caps = labelled
        if labelled:
            line = max(text.rfind("\n", 0, start), text.rfind("|", 0, start), text.rfind("\t", 0, start)) + 1
            if text[line:start].strip(" \t|:：").lower() in ("re", "signed", "signature"):
                # A letter's "Re:" line is a subject unless a bracket or a comma follows the value
                # ("Re: HOSSEINI, Reza (date of birth …)" names the patient; "Re: Budget REVIEW" not).
                if not text.startswith((" (", ",", "("), start + len(value)):
                    continue
                all_caps = False
        # Where the field is a sign-off, a mail header or a chat's sender, any name shape.
        if _shaped(value, all_caps) or (not labelled and _plain(value)):
            out.append(Span(start, start + len(value), "PERSON", SCORE, DETECTOR))
    return out


def _wrapped_names(text: str) -> list[Span]:
    out: list[Span] = []
    for t in WRAP_TAIL.finditer(text):
        # The first name: the word before the break, after a blank or a break that follows a
        # lower-case letter (looked at in Python: a searched look-behind cost ~1 µs a break).
        k = t.start()
        start = k
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        first, last = text[start:k], t.group("last")
        if start < 2 or not text[start - 2].islower() or _CAPWORD_ONLY.fullmatch(first) is None:
            continue
        end = t.end("last")
        lex = en_lexicon()
        if first.isupper() or last.isupper() or any(is_common_word(w, lex.first_names, lex.last_names) for w in (first, last)):
            continue  # "… the\nBoard, …", an acronym: no name
        lo = text.rfind("\n", 0, start - 1) + 1
        hi = text.find("\n", end)
        hi = len(text) if hi < 0 else hi
        joined = text[lo:hi].replace("\n", " ")  # the sentence as one line (the same length: offsets hold)
        a, b = start - lo, end - lo
        if any(ty != "PERSON" and s <= a and e >= b for s, e, ty, _ in tag_en(joined)):
            continue
        out.append(Span(start, end, "PERSON", SCORE, DETECTOR))
    return out


@register
class NameOrderRecognizer(Recognizer):
    """A person's field value written family name first, in capitals or with initials."""

    name = "name_orders"
    entity_types = ("PERSON",)
    # Literal words (the shared literal scan): a label's tail, "by", a header's name, "] ".
    trigger = re.compile(r"ame:|AME|ame \(|atient|kin:|ontact:|older|ustomer|lient:|laimant|efendant|pplicant|"
                         r"itness|enant|uest:|assenger|ed by|From:|To:|Cc:|Von:|An:|De:|Re:|\] |\n|客户|客戶|客人|乘客|用户|用戶|申请人|申請人|联系人|聯絡人|收件人|同事|朋友|老板|经理|經理")

    def analyze(self, text: str) -> list[Span]:
        return name_order_spans(text)
