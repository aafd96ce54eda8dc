"""Version-1 pseudonyms are pinned: speed-ups of the generators must not move a single one.

The digest below was computed on the code before any surrogate speed-up (commit fbfddfb) over
the per-type samples of `test_anonymize_surrogates` plus a few hundred generated values per
type (many phone, card and name shapes, zh and en), three keys and both birth-year settings.
"""

from __future__ import annotations

import hashlib
import random

from privtune.scan.anonymize import derive_key, surrogate
from privtune.scan.anonymize._common import ascii_digit, fill_slots, is_digit_slot, rand_digits
from privtune.scan.anonymize._data import cn_single_surnames, en_first_names, en_last_names, pick
from privtune.scan.anonymize.anonymizer import Anonymizer
from privtune.scan.anonymize.policy import AnonymizationPolicy
from tests.scan.test_anonymize_surrogates import SAMPLES

KEYS = [derive_key(hashlib.sha256(f"v1-pin-{i}".encode()).digest()) for i in range(3)]
ADDED_AFTER_PIN = frozenset({"USERNAME", "RECORD_ID"})
V1_DIGEST = "78f8daf8036a391e65153d00623857bbf5ae3af58ab9ad53d373a6242e031d4a"


def _generated(seed: int = 11) -> list[tuple[str, str]]:
    """Deterministic extra values: the shapes the demo corpus and users' data carry."""
    rng = random.Random(seed)
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    out: list[tuple[str, str]] = []
    sur, first, last = cn_single_surnames()[:60], en_first_names("female")[:80], en_last_names()[:80]
    for _ in range(120):
        out += [
            ("PHONE", f"1{rng.choice('3456789')}{d(9)}"),
            ("PHONE", f"({rng.randint(201, 989)}) {rng.randint(201, 989)}-{d(4)}"),
            ("PHONE", f"+86 1{rng.choice('3589')}{d(1)}-{d(4)}-{d(4)}"),
            ("PHONE", f"0{rng.choice(['10', '21', '755'])}-{d(8)}"),
            ("PHONE", f"{rng.randint(201, 989)}.{d(3)}.{d(4)}x{d(3)}"),
            ("BANK_CARD", f"62{d(14)}"), ("BANK_CARD", f"4{d(3)} {d(4)} {d(4)} {d(4)}"),
            ("ID_CARD", f"{rng.choice(['110105', '440305', '310101'])}19{d(2)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{d(3)}X"),
            ("PERSON", rng.choice(sur) + "".join(rng.choice("明华伟芳小丽强") for _ in range(rng.randint(1, 2)))),
            ("PERSON", f"{rng.choice(first)} {rng.choice(last)}"),
            ("PERSON", f"Mr. {rng.choice(last)}"),
            ("ADDRESS", f"{rng.randint(1, 9999)} {rng.choice(last)} Street Apt. {d(3)}, {rng.choice(last)}ville, CA {d(5)}"),
            ("ADDRESS", f"{rng.choice(['北京市朝阳区', '上海市浦东新区', '广东省深圳市南山区'])}{rng.choice('长青和平')}路{d(3)}号{d(1)}栋{d(3)}室"),
            ("EMAIL", f"{rng.choice(last).lower()}{d(2)}@example.com"),
            ("DATE_OF_BIRTH", f"19{d(2)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"),
        ]
    return out


def _v1_outputs() -> list[str]:
    # Types added after the pin (USERNAME, RECORD_ID) are not part of it.
    values = [(t, v) for t, vs in SAMPLES.items() if t not in ADDED_AFTER_PIN for v in vs] + _generated()
    outs = []
    for key in KEYS:
        for keep in (False, True):
            for etype, value in values:
                for lang in ("en", "zh"):
                    outs.append(repr(surrogate(etype, value, key, lang=lang, keep_birth_year=keep)))
    # The Anonymizer path (hmac tokens and Chinese given names alone) too.
    anon = Anonymizer(AnonymizationPolicy(default="hmac"), KEYS[0])
    outs += [anon.replacement(t, v) for t, v in values[:200]]
    pseudo = Anonymizer(AnonymizationPolicy(), KEYS[1])
    outs += [pseudo.alias_replacement(("zh_given", g), g) for g in ("小明", "伟", "婷婷", "志强")]
    return outs


def test_v1_surrogates_are_byte_identical_to_before_the_speed_ups() -> None:
    digest = hashlib.sha256("\n".join(_v1_outputs()).encode()).hexdigest()
    assert digest == V1_DIGEST


def test_draw_shortcuts_match_the_random_methods_they_replace() -> None:
    # rand_digits and pick call Random._randbelow directly; randint/randrange must agree.
    for seed in range(50):
        a, b = random.Random(seed), random.Random(seed)
        for n in (1, 2, 5, 11):
            first_nz = seed % 2 == 0
            ref = (str(b.randint(1, 9)) if first_nz else str(b.randint(0, 9))) + "".join(
                str(b.randint(0, 9)) for _ in range(n - 1))
            assert rand_digits(a, n, first_nonzero=first_nz) == ref
        pool = tuple(range(37))
        for _ in range(20):
            ref = pool[b.randrange(len(pool))]
            while ref == 3:
                ref = pool[b.randrange(len(pool))]
            assert pick(a, pool, avoid=3, tries=100) == ref


def test_ascii_fill_slots_fast_path_equals_the_general_loop() -> None:
    def general(original: str, new: str) -> str:
        it = iter(new)
        return "".join(next(it) if ascii_digit(ch) is not None else ch for ch in original)

    for original in ["138-0013-8000", "(212) 555-1234", "+86 10 1234 5678", "6222 0212 3456", "x", ""]:
        n = sum(1 for ch in original if is_digit_slot(ch))
        new = "".join(str(i % 10) for i in range(7, 7 + n))
        assert fill_slots(original, new, is_digit_slot) == general(original, new)


def test_ascii_normalisation_fast_path_equals_the_general_one() -> None:
    import string
    import unicodedata

    from privtune.scan.anonymize.operators import normalise_value

    rng = random.Random(3)
    alphabet = string.printable + "é１２Ａ－"
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        nfkc = unicodedata.normalize("NFKC", value).strip()
        assert normalise_value("BANK_CARD", value) == "".join(ch for ch in nfkc if ch.isalnum()).upper()
