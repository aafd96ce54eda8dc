"""Speed-ups of the scan job's work around detection (round 19): same outputs as before."""

from __future__ import annotations

import random
import unicodedata

import pytest

from privtune.scan.nfkc import _pattern, nfkc


def test_nfkc_cheap_path_covers_fullwidth_punctuation() -> None:
    # The cheap path exists for these: a Chinese turn's full-width commas, digits, spaces, ellipsis.
    pattern = _pattern()
    for ch in "，！？：；（）０９ＡＺａｚ\u3000…①™":
        assert pattern.fullmatch(ch), ch


@pytest.mark.parametrize("mark", ["", "\u0301", "\u0308", "\u0327", "\u3099", "\u309a", "\u20dd"])
def test_nfkc_is_unicodedata_nfkc_on_every_code_point(mark: str) -> None:
    # Every character alone and followed by a combining mark (the case where a replaced
    # character composes with its neighbour and the fallback must run).
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        text = chr(cp) + mark
        assert nfkc(text) == unicodedata.normalize("NFKC", text), hex(cp)


def test_nfkc_is_unicodedata_nfkc_on_mixed_text() -> None:
    alphabet = ("ab Z9 ，。！？、（）「」０１ＡＢｃ\u3000…‥①⑳㈱™ﬁ½é\u0301\u0308\u0327\u3099ｶﾞ가\u1100\u1161"
                "张王小明北京\u200b\xa0\t\n\U0001d400\U0001f600Å\u212b")
    rng = random.Random(19)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)
    chat = "廖婷婷您好，已为您预约下周三上午九点的复诊，短信提醒会发到１５０５９３８７７８４。"
    assert nfkc(chat) == unicodedata.normalize("NFKC", chat)
    plain = "Hello, the parcel is held at the sorting centre."
    assert nfkc(plain) is plain


def _person_by_counts(value: str, ctx) -> str:
    # `names.person` before round 19: CJK and ASCII letters counted a character at a time.
    from privtune.scan.anonymize import names
    from privtune.scan.anonymize._common import is_cjk

    cjk = sum(1 for c in value if is_cjk(c))
    latin = sum(1 for c in value if c.isascii() and c.isalpha())
    if cjk and cjk * 3 >= latin:
        return names._cn_person(value, ctx)
    return names._en_person(value, ctx)


def test_person_surrogate_chooses_the_script_as_the_character_counts_did() -> None:
    from privtune.scan.anonymize import names
    from privtune.scan.anonymize.surrogates import _context

    ctx = _context(b"k" * 32, 2, "", False)
    rng = random.Random(5)
    pieces = ["王", "小明", "欧阳", "Li", "John", " ", "·", "约翰", "Smith", "先生", "José", "Ólafur", "\U00020000",
              "Mr.", "A.", "李Wei", "Zhang"]
    for _ in range(3000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        assert names.person(value, None, ctx) == _person_by_counts(value, ctx), value


def test_surrogate_contexts_compare_by_identity_as_their_closures_did() -> None:
    from privtune.scan.anonymize.surrogates import _context

    a, b = _context(b"k" * 32, 2, "zh", False), _context(b"k" * 32, 2, "zh", False)
    assert a is b and a == b and hash(a) == hash(b)
    assert _context(b"k" * 32, 2, "en", False) != a
