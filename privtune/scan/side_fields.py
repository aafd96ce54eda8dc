"""Values outside the training text: every other string (and long integer) in a record.

A CRM export carries the customer's name and phone in their own columns beside the chat; they
are as personal as the chat and end up in the cleaned file, so they are scanned and
neutralised too. ``--fields`` only chooses what is training text; ``--passthrough`` is the
explicit opt-out for values the user vouches for (ticket ids, timestamps).

A bare side value has no context ("王建国" alone, "13812345678" alone), so the field name
supplies it: a value under a name / phone / email / address / id-card key that looks like one
becomes a span of that type even when the detectors, which need context, stay silent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from privtune.io.csv_format import header_is_data
from privtune.io.records import path_key
from privtune.scan.entities import Span

KEY_DETECTOR = "field_name"
KEY_SCORE = 0.9
MIN_DIGITS_INT = 6  # shorter integers (counts, amounts, years) are not identifiers
_INDEX = re.compile(r"\[\d*\]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# Field-name words -> the entity type a matching value is. Matched against the key split into
# lower-case words ("customerName" -> customer, name), so "product_name" is not a person.
_PERSON_OWNERS = frozenset(
    "customer client user contact patient person first last given family full middle sender "
    "recipient receiver agent employee owner holder member buyer seller real nick display "
    "account_holder cardholder guest passenger cust kunde".split()
)
# ("nm": a database column's abbreviation, "cust_nm", "emp_nm")
_NAME_WORDS = frozenset({"name", "names", "nm", "fullname", "firstname", "lastname", "surname", "forename", "nickname",
                         "nom", "prénom", "prenom", "vorname", "nachname", "familienname", "nombre", "apellido",
                         "apellidos", "nome", "cognome", "sobrenome", "voornaam", "achternaam"})
_NOT_VALUES = frozenset("type kind status state flag format label count verified valid id_type lang language".split())
_ORG_WORDS = frozenset({"company", "organization", "organisation", "org", "employer", "firm", "institution"})
# European spreadsheets name their columns in their own language ("Telefon", "Adresse",
# "Geburtsdatum", "Prénom"): the common words of German, French, Spanish, Italian, Portuguese and Dutch.
_KEYWORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("PHONE", frozenset({"phone", "mobile", "tel", "telephone", "cell", "cellphone", "fax", "msisdn", "whatsapp",
                         "telefon", "telefono", "teléfono", "telefone", "téléphone", "handy", "movil", "móvil",
                         "celular", "cellulare", "portable",
                         # a database's or a form's abbreviations ("cust_ph_no", "Ph#", "mob_no")
                         "ph", "ph#", "phn", "mob", "tel#", "mobil"})),
    ("EMAIL", frozenset({"email", "mail", "e_mail", "courriel"})),
    # A city or district alone is a HIPAA Safe Harbor identifier (a unit smaller than a state).
    ("ADDRESS", frozenset({"address", "addr", "street", "residence", "city", "town", "village", "suburb", "district",
                           "hometown", "adresse", "adres", "anschrift", "direccion", "dirección", "indirizzo",
                           "endereco", "endereço", "strasse", "straße", "stadt", "ville", "ciudad", "città",
                           "cidade", "woonplaats"})),
    ("US_SSN", frozenset({"ssn"})),
    ("PASSPORT", frozenset({"passport", "passeport", "reisepass", "pasaporte", "passaporto", "passaporte",
                            "paspoort"})),
    ("DATE_OF_BIRTH", frozenset({"dob", "birthday", "birthdate", "birth", "brth", "geburtsdatum", "geboortedatum",
                                 "gebdat", "gebdatum"})),
    ("RECORD_ID", frozenset({"mrn", "vin"})),
)
# Field names of several words (joined by "_") that say the type only together: "patient_id" is a
# record number, "id" or "patient" alone is not.
_JOINED_KEYS: dict[str, str] = {
    **dict.fromkeys(("date_of_birth", "birth_date", "day_of_birth", "born_on", "date_de_naissance",
                     "fecha_de_nacimiento", "data_di_nascita", "data_de_nascimento", "geb_dat", "geb_datum"),
                    "DATE_OF_BIRTH"),
    # Whom a parcel or a letter goes to (not "sender": a chat export's role key).
    **dict.fromkeys(("legal_person", "legal_representative", "vehicle_owner", "car_owner", "receiver", "recipient",
                     "consignee"), "PERSON"),
    # A table's column of people is often named by the role alone ("Customer", "Passenger").
    # (Not "client", "guest": ``client=ios``, ``"guest": "true"`` in logs.)
    **dict.fromkeys(("customer", "patient", "passenger", "tenant", "applicant", "kunde"), "PERSON"),
    # Where a parcel or an invoice goes: a column "Ship to" / "Bill to" holds an address.
    **dict.fromkeys(("ship_to", "bill_to", "deliver_to", "send_to"), "ADDRESS"),
    **dict.fromkeys(("place_of_birth", "birth_place", "birthplace", "country_of_birth", "birth_country",
                     "city_of_birth", "birth_city"), "ADDRESS"),
    # A messaging or login account: the whole key only ("login_ip", "qq_group" are not one).
    # A log's bare "user=" and an app's "openid" are accounts too.
    **dict.fromkeys(("user", "openid", "username", "user_name", "login", "login_name", "screen_name", "handle", "wechat", "wechat_id",
                     "weixin", "wxid", "qq", "qq_number", "qq_no", "telegram", "instagram", "twitter", "skype",
                     "line_id", "snapchat", "tiktok", "douyin", "weibo"), "USERNAME"),
    # A shop's order number links one customer's name and address (`record_ids`); "order_total",
    # "order_date", "order_status" are not one.
    **dict.fromkeys(("order", "order_id", "order_no", "order_number", "order_num", "order_ref", "cf_order",
                     "order_reference"), "RECORD_ID"),
    **dict.fromkeys((
        "medical_record_number", "medical_record_no", "medical_record", "patient_id", "patient_number",
        "member_id", "member_number", "membership_number", "policy_number", "policy_no", "insurance_id",
        "insurance_number", "employee_id", "employee_number", "staff_id", "staff_number", "student_id",
        "student_number", "hospital_number"), "RECORD_ID"),
}
_ZH_KEYS: tuple[tuple[str, str], ...] = (
    ("出生", "DATE_OF_BIRTH"), ("生日", "DATE_OF_BIRTH"),
    ("住院号", "RECORD_ID"), ("病历号", "RECORD_ID"), ("病案号", "RECORD_ID"), ("医保卡号", "RECORD_ID"),
    ("社保卡号", "RECORD_ID"), ("工号", "RECORD_ID"), ("学号", "RECORD_ID"), ("会员卡号", "RECORD_ID"),
    ("保单号", "RECORD_ID"), ("车架号", "RECORD_ID"),
    ("微信", "USERNAME"),
    ("身份证", "ID_CARD"), ("证件号", "ID_CARD"), ("护照", "PASSPORT"),
    ("电话", "PHONE"), ("手机", "PHONE"), ("電話", "PHONE"), ("手機", "PHONE"), ("邮箱", "EMAIL"), ("邮件", "EMAIL"),
    ("郵箱", "EMAIL"), ("電郵", "EMAIL"),
    ("地址", "ADDRESS"), ("住址", "ADDRESS"), ("城市", "ADDRESS"), ("籍贯", "ADDRESS"), ("籍貫", "ADDRESS"), ("公司", "ORGANIZATION"), ("单位", "ORGANIZATION"), ("企业", "ORGANIZATION"),
    ("姓名", "PERSON"), ("名字", "PERSON"), ("联系人", "PERSON"), ("收货人", "PERSON"), ("车主", "PERSON"),
    ("法人", "PERSON"), ("法定代表人", "PERSON"),
    ("收件人", "PERSON"), ("客户", "PERSON"), ("患者", "PERSON"),
)

# What a value must look like for the field name to vouch for its type.
_SHAPES: dict[str, re.Pattern[str]] = {
    # "Last, First" (CRM and directory exports sort by surname) as well as "First Last".
    "PERSON": re.compile(r"^[^\W\d_][^\W\d_.,'·\- ]*(?:(?:, ?|[.'·\- ]{1,2})[^\W\d_]+){0,4}\.?$"),
    "ORGANIZATION": re.compile(r"^[^\d\s].{1,79}$", re.S),
    "PHONE": re.compile(r"^\+?[\d\s().\-/]{6,24}$"),  # (Austria and Belgium write "0664/7313467")
    "EMAIL": re.compile(r"^[^@\s]+@[^@\s]+$"),
    "ADDRESS": re.compile(r"^(?=.*[^\W\d_]).{4,200}$", re.S),
    "ID_CARD": re.compile(r"^[0-9A-Za-z\-\s.]{8,24}$"),  # (Brazil's CPF: "283.273.546-04")
    "US_SSN": re.compile(r"^\d{3}-?\d{2}-?\d{4}$"),
    "PASSPORT": re.compile(r"^[0-9A-Za-z]{6,12}$"),
    "DATE_OF_BIRTH": re.compile(r"^(?=.*\d)[\w\s/.,\-年月日号]{6,30}$"),
    "RECORD_ID": re.compile(r"^#?(?=(?:\D*\d){4})[0-9A-Za-z\-/. ]{4,32}$"),
    "USERNAME": re.compile(r"^@?[A-Za-z0-9][A-Za-z0-9._\-]{2,31}$"),
}


_CUSTOM_FIELD = re.compile(r"custom_?field_?[0-9]+$", re.I)
_ISO_DAY = re.compile(r"^\d{4}-[01]\d-[0-3]\d(?:$|[T ])")

DATA_KEY = "<key>"


@functools.lru_cache(maxsize=8192)  # the same few paths recur in every record
def normalise_path(path: str) -> str:
    """``messages[3].content`` -> ``messages[].content``: one name for a field across records.
    A key that is data itself (a map keyed by e-mail addresses or phone numbers: `header_is_data`)
    becomes ``<key>``, so no such value reaches the report or the console."""
    return _INDEX.sub("[]", shown_path(path))


@functools.lru_cache(maxsize=8192)
def shown_path(path: str) -> str:
    """``path`` as findings show it: indices kept, a key that is data itself as ``<key>``."""
    if "@" in path or any(c.isdigit() for c in path) or len(path) > 64:
        parts = [DATA_KEY if t[0] not in ".[" and is_data_key(_unescape(t)) else t for t in _TOKENS.findall(path)]
        return "".join(parts) if parts else path
    return path


def is_data_key(key: object) -> bool:
    """Is a record's dict key data itself (an e-mail address, a number of 5+ digits, 65+ characters)?"""
    return isinstance(key, str) and header_is_data([key])


# A path's tokens (keys escaped as `path_key` writes them).
_TOKENS = re.compile(r"\[\d+\]|\.|(?:[^.\[\]\\]|\\.)+")  # an index, a dot or a key


def _unescape(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name)


def dotted(path: str) -> str:
    """``items[0].sku`` / ``items[].sku`` -> ``items.sku``, the form ``--passthrough`` uses."""
    return _INDEX.sub("", path)


def _words(key: str) -> list[str]:
    return [w for w in re.split(r"[_\-\s.]+", _CAMEL.sub("_", key).lower()) if w]


@functools.lru_cache(maxsize=4096)
def key_type(key: str, parent: str = "") -> str | None:
    """Entity type a field named ``key`` (inside ``parent``) holds, if its name says so."""
    for word, etype in _ZH_KEYS:
        if word in key:
            return etype
    words = _words(key)
    if not words:
        return None
    joined = "_".join(words)
    if _CUSTOM_FIELD.match(key) or (joined == "value" and "custom" in parent.lower()):
        # A help desk's custom field (Jira "customfield_10042", Zendesk custom_fields[{"id",
        # "value"}]) is named by a number: an ID-shaped value there is the customer's order,
        # member or case number (a phone or an e-mail there is still found as one).
        return "RECORD_ID"
    if joined in ("id_card", "idcard", "id_number", "national_id", "identity_card", "id_no", "identity_number", "natl_id",
                  "nat_id", "national_id_number", "natl_id_no"):
        return "ID_CARD"
    if joined in _JOINED_KEYS:
        return _JOINED_KEYS[joined]
    if words[-1] in _NOT_VALUES:  # "address_type", "email_verified": about the value, not it
        return None
    for etype, names in _KEYWORDS:
        if any(w in names for w in words) or joined in names:
            return etype
    if words[-1] in _NAME_WORDS or (len(words) >= 2 and words[-2] in _NAME_WORDS):
        owners = words[:-1]
        if words[-1] != "name" or not owners and (not parent or set(_words(parent)) & _PERSON_OWNERS):
            return "PERSON"
        if owners and all(w in _PERSON_OWNERS for w in owners):
            return "PERSON"
        if owners and any(w in _ORG_WORDS for w in owners):
            return "ORGANIZATION"
        return None
    if any(w in _ORG_WORDS for w in words) and words[-1] not in ("id", "code", "type", "size"):
        return "ORGANIZATION"
    return None


def key_span(etype: str | None, value: str) -> Span | None:
    """One span over the whole (stripped) ``value`` when it has the shape of ``etype``."""
    if etype is None:
        return None
    core = value.strip()
    shape = _SHAPES.get(etype)
    if not core or shape is None or not shape.match(core):
        return None
    if etype == "PERSON" and len(core) > 60:
        return None
    if etype == "RECORD_ID" and _ISO_DAY.match(core):
        return None  # a date in an ID's column (a custom field's "2024-03-12") is no number of anyone's
    start = value.index(core[0])
    return Span(start, start + len(core), etype, KEY_SCORE, KEY_DETECTOR)


def is_passthrough(path: str, passthrough: tuple[str, ...]) -> bool:
    """``path`` is, or lies under, a field the user let through (dotted, indices ignored)."""
    if not passthrough:
        return False
    d = dotted(path)
    return any(d == p or d.startswith(p + ".") or d.startswith(p + "[") for p in passthrough)


def iter_side_values(
    record: dict[str, Any], skip: set[str]
) -> Iterator[tuple[str, str, str, Any]]:
    """``(path, key, parent_key, value)`` for every string and long integer (a whole float too,
    `_whole_number`) of ``record`` whose path is not in ``skip`` (the training text), depth first
    in record order."""
    # Each entry carries its path's last key (`last_key(path)`), known when it is pushed: a
    # dict member's is its own key's (`_key_of`), a list item's its list's. No path is split
    # again per value (8.9 -> 7.6 µs per demo record).
    stack: list[tuple[str, str, str, Any]] = [(_path_key(k), _key_of(k), "", v) for k, v in reversed(record.items())]
    while stack:
        path, key, parent, value = stack.pop()
        if isinstance(value, str):
            if path not in skip and value.strip():
                yield path, key, parent, value
        elif isinstance(value, dict):  # (lists, not generators: ~1.5 µs less per chat record)
            stack.extend([(f"{path}.{_path_key(k)}", _key_of(k), key, v) for k, v in reversed(value.items())])
        elif isinstance(value, list):
            stack.extend([(f"{path}[{i}]", key, key, value[i]) for i in range(len(value) - 1, -1, -1)])
        elif isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= MIN_DIGITS_INT:
            if path not in skip:
                yield path, key, parent, value
        elif isinstance(value, float) and _whole_number(value) and path not in skip:
            yield path, key, parent, value


def _whole_number(value: float) -> bool:
    """A float that is a long integer: pandas writes an integer column holding a null as floats
    (``"phone": 13812345678.0``), and 2**53 bounds the integers a float holds exactly."""
    return value.is_integer() and 10 ** (MIN_DIGITS_INT - 1) <= abs(value) < 2**53


def number_text(value: int | float) -> str:
    """The digits a long integer side value is scanned as (a whole float without its ".0")."""
    return str(int(value)) if isinstance(value, float) else str(value)


@functools.lru_cache(maxsize=4096, typed=True)  # 1 and True are different keys here
def _key_of(k: object) -> str:
    """``last_key`` of a path ending in the dict key ``k``: the same as of ``k`` alone, as the
    part after the path's last dot is the part after ``k``'s last dot, or all of ``k``."""
    k = f"{k}"
    return k if "." in k or "[" in k else last_key(k)  # a key with path characters is one key


@functools.lru_cache(maxsize=4096, typed=True)
def _path_key(k: object) -> str:
    return path_key(k)


def last_key(path: str) -> str:
    """The last named component of a path (``customer.phones[1]`` -> ``phones``)."""
    tail = path.rsplit(".", 1)[-1]
    return tail.split("[", 1)[0]


def restore_number(original: int | float, replaced: str) -> Any:
    """A rewritten integer stays an integer (a whole float a float) when its replacement is one
    (a pseudonymised phone), otherwise becomes the replacement string ("[PHONE]")."""
    if replaced.isdigit() and not replaced.startswith("0"):
        number = int(replaced) if original >= 0 else -int(replaced)
        return float(number) if isinstance(original, float) else number
    return replaced
