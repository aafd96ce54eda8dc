"""Pseudonymisation: consistent, format-preserving fake values.

A surrogate is a pure function of (key, format version, entity type, normalised value), so the
same real value gets the same fake value in every record, worker process and run that uses the
same key, with no shared state. Format 1 seeds a ``random.Random`` with HMAC-SHA256(key, type
":" value); format 2 draws from keyed BLAKE2b output (`keyed_draws`), several times cheaper,
with other surrogates: which format a scan uses follows its key (`privtune.scan.pseudonym_version`).
Consistency across runs also assumes the same Faker/python-stdnum versions (their word lists
and region table feed the generators).

Guarantees: the surrogate differs from the original (after normalisation), keeps its format
(separators, length for numbers, script for names), and passes the checksum a detector would
apply. When no such surrogate can be made (an unparseable date, an IBAN without a country) the
result is None and the caller redacts. SECRET never gets a surrogate: a made-up key or password
could be a real one, so secrets are always redacted.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

from privtune.scan.anonymize import dates, names, numbers, places
from privtune.scan.anonymize._common import SurrogateContext
from privtune.scan.anonymize.keyed_draws import KeyedDraws, keyed_block
from privtune.scan.anonymize.operators import keyed_digest, normalise_value

Generator = Callable[[str, random.Random, SurrogateContext], "str | None"]

GENERATORS: dict[str, Generator] = {
    "PERSON": names.person,
    "ORGANIZATION": names.organization,
    "ADDRESS": places.address,
    "EMAIL": places.email,
    "URL": places.url,
    "USERNAME": places.username,
    "IP_ADDRESS": places.ip_address,
    "PHONE": numbers.phone,
    "ID_CARD": numbers.id_card,
    "BANK_CARD": numbers.bank_card,
    "USCC": numbers.uscc,
    "IBAN": numbers.iban,
    "US_SSN": numbers.us_ssn,
    "PASSPORT": numbers.passport,
    "RECORD_ID": numbers.record_id,
    "LICENSE_PLATE": numbers.license_plate,
    "DATE_OF_BIRTH": dates.date_of_birth,
}
# Generators that draw only from ``ctx.rng_for`` (one keyed RNG per name part) and ignore
# the whole value's RNG: seeding one for them (~5 µs) bought nothing.
CONTEXT_ONLY = frozenset({"PERSON"})
# Types whose surrogate depends on a language when the value has no letters to tell.
LANGUAGE_TYPES = frozenset({"PERSON", "ORGANIZATION", "ADDRESS"})
_ATTEMPTS = 4


PSEUDONYM_VERSIONS = (1, 2)


def keyed_rng(key: bytes, label: str, normalised: str) -> random.Random:
    """A ``random.Random`` seeded with the 256-bit keyed digest of (label, value) (version 1)."""
    return random.Random(int.from_bytes(keyed_digest(key, label, normalised), "big"))


def keyed_draws(key: bytes, label: str, normalised: str) -> KeyedDraws:
    """The version-2 stream of (label, value): see `keyed_draws`."""
    return KeyedDraws(keyed_block(key, label, normalised))


def rng_factory(version: int) -> Callable[[bytes, str, str], "random.Random | KeyedDraws"]:
    """How values are seeded in pseudonym format ``version`` (1: Mersenne Twister, 2: BLAKE2b)."""
    if version == 1:
        return keyed_rng
    if version == 2:
        return keyed_draws
    raise ValueError(f"unknown pseudonym version {version!r}; known: {PSEUDONYM_VERSIONS}")


def surrogate(
    entity_type: str, value: str, key: bytes, *, lang: str = "en", keep_birth_year: bool = False,
    version: int = 1,
) -> str | None:
    """Fake value for ``value`` of ``entity_type``, or None when the caller must redact.

    ``lang`` ("zh"/"en") is the record language, used only if the value has no letters.
    ``keep_birth_year`` keeps the birth year in ID cards and dates of birth. ``version`` is the
    pseudonym format (1 or 2, see `keyed_draws`): the same inputs give the same surrogate
    within a version, different ones across versions.
    """
    gen = GENERATORS.get(entity_type)
    if gen is None or not value.strip():  # SECRET and unknown types: never invent a value
        return None
    seeded = rng_factory(version)
    norm = normalise_value(entity_type, value)
    ctx = _context(key, version, lang, keep_birth_year)
    for attempt in range(_ATTEMPTS):
        # Attempt 0 is seeded exactly by HMAC(key, type:value); later ones only exist for the
        # rare draw that reproduces the original and stay deterministic.
        label = entity_type if attempt == 0 else f"{entity_type}#{attempt}"
        rng = None if entity_type in CONTEXT_ONLY else seeded(key, label, norm)
        result = gen(value, rng, ctx)  # type: ignore[arg-type]
        if result is None:
            return None
        if result != value and normalise_value(entity_type, result) != norm:
            return result
    return None


def en_given_surrogate(given: str, key: bytes, version: int = 1) -> str:
    """What the given name ``given`` becomes inside an English full name's surrogate ("Helga"
    of "Helga Björk"): alone, a name outside the first-name lists would read as a surname."""
    return names.en_given(given, _context(key, version, "", False))


@functools.lru_cache(maxsize=64)
def _context(key: bytes, version: int, lang: str, keep_birth_year: bool) -> SurrogateContext:
    """The generators' context for one key, format and record setting: immutable, so built once
    (a frozen dataclass and its closure cost ~2 µs, paid before per surrogate)."""
    seeded = rng_factory(version)
    return SurrogateContext(lambda label, token: seeded(key, label, token), lang, keep_birth_year)


def cn_given_surrogate(given: str, key: bytes, version: int = 1) -> str:
    """What the Chinese given name ``given`` becomes inside any full name's surrogate ("小明"
    of "王小明"), so a record that later says just "小明" stays consistent with it."""
    ctx = _context(key, version, "zh", False)
    return names.cn_given(given, ctx)
