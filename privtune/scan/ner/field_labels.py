"""Form labels are no names: "Passport: E12345678", "Nationality: Spanish", "Ward: 5B".

A capitalised word opening a line before a colon reads as a speaker ("Tomasz: you saved me!"), and
the English model tags such words as names too; in a record written as a form (a CRM export, a
patient sheet, an ID scan's text) they are field labels, and replacing them ("Tanner:
E81484733") corrupts the data without protecting anyone. A label is a field label when

- its words are a field name (`FIELD_WORDS`), whatever else the text holds, or
- the text is a form (two or more lines open with a field name) and the label's value is a
  short code with a digit ("Ward: 5B", "Bed: 12"), where a speaker's line holds words.

All-capital field acronyms ("my SSN is …", "DOB") are no organisation either.
"""

from __future__ import annotations

import re

_FIELD_NAMES = """
name|full name|first name|last name|surname|given name|family name|maiden name|phone|telephone|tel|
mobile|cell|fax|email|e-mail|mail|address|home address|street|city|town|state|province|county|country|
zip|zip code|postcode|post code|postal code|dob|date of birth|birthday|birth date|birthdate|born|age|
sex|gender|nationality|citizenship|passport|passport no|passport number|id|id no|id number|ssn|
national id|licence|license|licence no|license no|plate|vehicle|employer|company|organisation|
organization|occupation|profession|job|job title|title|position|department|dept|ward|bed|room|mrn|
diagnosis|allergies|allergy|medication|medications|insurance|insurer|policy|policy no|member id|
account|account no|account number|iban|swift|bic|bank|branch|card|card no|card number|amount|
balance|reference|ref|order|order no|invoice|ticket|case|booking|reservation|flight|seat|gate|date|
time|status|priority|subject|notes|comments|remarks|description|reason|username|user id|login|
password|pin|website|url|ip|religion|marital status|spouse|next of kin|emergency contact|
relationship|language|education|school|university|degree|major|income|salary|height|weight|
blood type|blood group|visa|residence|nric|aadhaar|pan|cpf|nin|sin|nhs number|tax id|vat|vat no|
sort code|routing number|issued|expires|expiry|expiry date|valid until|place of birth|
issuing country|document no|document number|
tenant|landlord|property|rent|deposit|policyholder|policy holder|insured|claimant|adjuster|loss adjuster|
assessor|third party|witness|suspect|victim|offender|reporting officer|officer|requester|requestor|
reporter|assignee|assigned to|hostname|host|computer name|device|serial|guest|passenger|traveller|
traveler|student|pupil|parent|guardian|parent/guardian|teacher|tutor|form tutor|homeroom|reviewer|
manager|line manager|employee|applicant|candidate|interviewer|patient|gp|consultant|seller|buyer|
vendor|executor|beneficiary|solicitor|defendant|plaintiff|respondent"""

# Names of national identity-number schemes: the words before the number ("National Insurance:
# JG103759A", "numéro de sécurité sociale 2 69 …"), read as an insurer or a name because they are
# capitalised or end in "Insurance"; they name no one. A longer name ("National Insurance
# Company Limited", an insurer) is not one of them.
ID_SCHEME_NAMES: frozenset[str] = frozenset("""
national insurance|national insurance number|national insurance no|social insurance|social insurance number|
social security|social security number|social security no|medicare|medicare number|medicare card|
medicare card number|tax file number|steuer-id|steuer id|steueridentifikationsnummer|
steuerliche identifikationsnummer|identifikationsnummer|burgerservicenummer|pesel|personnummer|
fødselsnummer|cpr|cpr-nummer|cpr-nr|henkilötunnus|hetu|sécurité sociale|numéro de sécurité sociale|
securite sociale|numero de securite sociale|carte vitale|rijksregisternummer|registre national|
numéro de registre national|numéro national|codice fiscale|aadhaar|aadhaar number|nhs number|
resident registration number|주민등록번호|tax id|taxpayer identification number|
individual taxpayer identification number|itin|hkid|nric|bsn|tfn|nino|uidai|
iqama|iqama number|iqama no|iqamah|muqeem|emirates id|qatar id|civil id|mykad|curp|cédula|cedula""".replace("\n", "").split("|"))

# Field names a form's lines open with (lower case, single spaces).
FIELD_WORDS: frozenset[str] = frozenset(w for w in _FIELD_NAMES.replace("\n", "").split("|") if w) | ID_SCHEME_NAMES

# Identifier acronyms the English model tags as organisations ("My SSN is …" -> "My CZJ is …").
FIELD_ACRONYMS: frozenset[str] = frozenset(
    "SSN DOB PIN IBAN SWIFT BIC MRN NIN TIN EIN ITIN VAT CVV CVC OTP ID IP URL ZIP SIN PAN CPF DNI NIE "
    "NRIC FIN IFSC BSB IMEI VIN PCP NOK".split()
)

# A line-start label: up to three words before a colon.
_LABEL = re.compile(r"(?m)^[ \t]*([^\W\d_][\w'’.-]*(?:[ \t]+[\w'’.-]+){0,2})[ \t]*[:：]")
# A value that is a short code with a digit: "5B", "12", "A-113", "#4471".
_CODE_VALUE = re.compile(r"[ \t]*[#\w./-]{0,12}\d[#\w./-]{0,12}[ \t]*(?:\n|$)")


def _label_key(label: str) -> str:
    return " ".join(label.lower().replace("’", "'").rstrip(".").split())


def _colon_after(text: str, end: int) -> int:
    """The index just past a colon that follows ``end`` (spaces between allowed), else -1."""
    i = end
    while i < len(text) and text[i] in " \t":
        i += 1
    return i + 1 if i < len(text) and text[i] in ":：" else -1


def _opens_line(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] == "\n"


def is_form(text: str) -> bool:
    """Two or more lines of the text open with a field name and a colon."""
    return sum(_label_key(m.group(1)) in FIELD_WORDS for m in _LABEL.finditer(text)) >= 2


def is_field_label(text: str, start: int, end: int, form: bool | None = None) -> bool:
    """Is ``text[start:end]`` a line's label before a colon that names a field, not a speaker?
    ``form``: `is_form(text)` when the caller has it (computed here otherwise, when needed)."""
    after = _colon_after(text, end)
    if after < 0 or not _opens_line(text, start):
        return False
    if _label_key(text[start:end]) in FIELD_WORDS:
        return True
    if not _CODE_VALUE.match(text, after):
        return False
    return is_form(text) if form is None else form


def _word_runs(name: str) -> list[str]:
    words = name.split()
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]


# Each run of words of a scheme's name -> the names holding it ("numéro de sécurité" is part of
# "numéro de sécurité sociale"): a model's span may be cut short of the whole name.
_SCHEME_NAME_PARTS: dict[str, tuple[str, ...]] = {}
for _name in sorted(ID_SCHEME_NAMES):
    for _part in _word_runs(_name):
        _SCHEME_NAME_PARTS[_part] = (*_SCHEME_NAME_PARTS.get(_part, ()), _name)


def in_id_scheme_name(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` the name of an identity-number scheme (`ID_SCHEME_NAMES`), or a
    part of one written around it ("National" of "National Insurance")?"""
    if end - start > 45:
        return False
    names = _SCHEME_NAME_PARTS.get(_label_key(text[start:end]))
    if not names:
        return False
    lo = max(0, start - 45)
    window = text[lo : end + 45].lower()
    for name in names:
        i = window.find(name)
        while i >= 0:
            if lo + i <= start and end <= lo + i + len(name):
                return True
            i = window.find(name, i + 1)
    return False


# Columns of a form or a table row: a tab, or two or more spaces.
_COLUMN_GAP = re.compile(r"[ ]*\t[ \t]*|[ ]{2,}")


def cut_at_column_label(text: str, start: int, end: int) -> int:
    """The end of ``text[start:end]`` without a field label in a later column: the model runs a
    name on over the layout's gap into the next field's label ("Margaret O'Donnell   MRN: …",
    "John Smith<TAB>DOB …"); replacing the label corrupts the form. ``end`` when there is none."""
    for gap in _COLUMN_GAP.finditer(text, start, end):
        rest = text[gap.end() : end]
        if rest in FIELD_ACRONYMS or _label_key(rest) in FIELD_WORDS:
            return gap.start()
    return end


def drop_field_labels(text: str, spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """``spans`` (start, end, type, score) less the PERSON / ORGANIZATION ones that are field labels,
    field acronyms or the names of ID schemes, a span run on into a later column's label cut
    short of it (`cut_at_column_label`). Cheap when nothing is: a colon or an acronym must
    follow the span, the span be short or hold a column gap."""
    out = None
    for k, (s, e, t, p) in enumerate(spans):
        if t == "ADDRESS":
            if out is not None:
                out.append(spans[k])
            continue
        if (text.find("\t", s, e) >= 0 or text.find("  ", s, e) >= 0) and (cut := cut_at_column_label(text, s, e)) < e:
            out = spans[:k] if out is None else out
            out.append((s, cut, t, p))
            continue
        if (t == "ORGANIZATION" and text[s:e] in FIELD_ACRONYMS) or in_id_scheme_name(text, s, e) or (
                e < len(text) and text[e] in " \t:：" and is_field_label(text, s, e)):
            if out is None:
                out = spans[:k]
            continue
        if out is not None:
            out.append(spans[k])
    return spans if out is None else out
