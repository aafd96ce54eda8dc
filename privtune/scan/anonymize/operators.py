"""The value-level operators (redact, mask, hmac) and the keyed digest everything builds on.

Keys: the pipeline obtains key material (``PRIVTUNE_SCAN_KEY`` or a generated secret) and turns
it into the 32-byte HMAC key with :func:`derive_key`. The same material gives the same key in
every process and every run, which is what makes tokens and pseudonyms consistent across a
dataset processed in parallel or in several batches.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from privtune.errors import ConfigError
from privtune.scan.anonymize.numbers import split_phone
from privtune.scan.nfkc import nfkc

KEY_BYTES = 32
MIN_MATERIAL = 16
MASK_KEEP = 4
_SALT = b"privtune/scan/anonymize/v1"  # fixed on purpose: same material -> same key every run
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64,}")
# Types whose identity is the characters, not the spacing or case ("6222 0212…" == "62220212…").
_COMPACT_TYPES = frozenset({"ID_CARD", "BANK_CARD", "US_SSN", "IBAN", "USCC", "PASSPORT", "LICENSE_PLATE", "RECORD_ID"})
_NOT_ASCII_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_EN_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam)\.?\s+", re.I)


def new_key_material() -> str:
    """64 hex characters of fresh randomness, suitable for ``PRIVTUNE_SCAN_KEY``."""
    return secrets.token_hex(KEY_BYTES)


def derive_key(material: bytes | str) -> bytes:
    """32-byte HMAC key from key material; deterministic, so every worker derives the same key.

    Random material (>= 32 raw bytes, or a hex string of >= 64 digits as produced by
    :func:`new_key_material`) goes through HKDF-SHA256. Anything else is treated as a passphrase
    and stretched with scrypt, because tokens of low-entropy values such as phone numbers can
    be brute-forced offline by anyone who can guess the key.
    """
    if isinstance(material, str):
        text = material.strip()
        if _HEX_KEY.fullmatch(text) and len(text) % 2 == 0:
            raw, random_material = bytes.fromhex(text), True
        else:
            raw, random_material = text.encode("utf-8"), False
    else:
        raw = bytes(material)
        random_material = len(raw) >= KEY_BYTES
    if len(raw) < MIN_MATERIAL:
        raise ConfigError(
            f"scan key material is too short ({len(raw)} bytes; need at least {MIN_MATERIAL}). "
            'Use a random key such as the output of `python -c "import secrets; print(secrets.token_hex(32))"`.'
        )
    if random_material:
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=_SALT, info=b"hmac").derive(raw)
    return Scrypt(salt=_SALT, length=KEY_BYTES, n=2**14, r=8, p=1).derive(raw)


def normalise_value(entity_type: str, value: str) -> str:
    """The form two mentions of the same thing share, so they get the same token/pseudonym.

    NFKC (full-width -> ASCII), trimmed, case-folded; numbers lose separators; phones reduce
    to the national number ("+86 138-0013-8000" == "13800138000"); a leading English title
    is dropped when a full name follows ("Dr. Jane Roe" == "Jane Roe").
    """
    v = nfkc(value).strip()
    if entity_type in _COMPACT_TYPES:
        if v.isascii():  # ASCII letters and digits are exactly its alphanumerics
            return _NOT_ASCII_ALNUM.sub("", v).upper()
        return "".join(ch for ch in v if ch.isalnum()).upper()
    if entity_type == "PHONE":
        national = split_phone(v)[1]
        return national or v
    v = " ".join(v.split()).casefold()
    if entity_type == "PERSON":
        stripped = _EN_TITLE.sub("", v)
        if " " in stripped:
            v = stripped
    return v


def keyed_digest(key: bytes, label: str, normalised: str) -> bytes:
    """HMAC-SHA256(key, label ":" normalised value). ``label`` is the entity type (or a sub-label
    such as "PERSON/cn-surname"); the separator keeps (label, value) pairs unambiguous."""
    return hmac.new(key, f"{label}:{normalised}".encode(), hashlib.sha256).digest()


def hmac_token(key: bytes, entity_type: str, value: str) -> str:
    """``<PHONE_3fa2c91b>``: first 8 hex digits of the keyed digest of the normalised value.

    32 bits: among 10,000 distinct values of one type the chance of any two sharing a token
    is about 1%; that only merges two identities, it never reveals one.
    """
    digest = keyed_digest(key, entity_type, normalise_value(entity_type, value))
    return f"<{entity_type}_{digest.hex()[:HMAC_HEX_CHARS]}>"


HMAC_HEX_CHARS = 8


def replacement_pattern(entity_types: Iterable[str]) -> re.Pattern[str]:
    """What `redact`, `hmac_token` and `mask` write, as one regex (their output's shape lives
    here, beside them): ``[PHONE]``, ``<PHONE_3fa2c91b>``, stars with a short kept tail."""
    types = "|".join(sorted(entity_types, key=len, reverse=True))
    return re.compile(
        rf"\[(?:{types})\]"  # redact
        rf"|<(?:{types})_[0-9a-f]{{{HMAC_HEX_CHARS}}}>"  # keyed hash
        r"|\*+(?:[\s\-./]?\*+)*(?:[\s\-./]?[^\W_]{1,4})?"  # mask: stars, then the kept tail
    )


def redact(entity_type: str, value: str = "") -> str:
    """``[PHONE]``."""
    return f"[{entity_type}]"


def mask(value: str, keep: int = MASK_KEEP) -> str:
    """Star every letter/digit except the last ``keep``; separators stay where they are.

    ``13812345678`` -> ``*******5678``, ``6222 0212 3456 7890`` -> ``**** **** **** 7890``.
    Never more than half of the characters stay visible, so short values ("张三", "Bob")
    are not left readable: ``张三`` -> ``*三``.
    """
    n = sum(1 for ch in value if ch.isalnum())
    visible = min(keep, n // 2)
    seen, out = 0, []
    for ch in value:
        if ch.isalnum():
            seen += 1
            out.append(ch if seen > n - visible else "*")
        else:
            out.append(ch)
    return "".join(out)
