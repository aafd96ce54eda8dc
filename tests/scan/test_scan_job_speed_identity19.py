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
def test_nfkc_is_unicodedata_nfkc_on_every_swapped_block(mark: str) -> None:
    # Every character of the swapped blocks (and every 61st elsewhere, where only the check and
    # the fallback run) alone and followed by a combining mark: the case where a replaced
    # character composes with its neighbour and the fallback must run.
    from privtune.scan.nfkc import _BLOCKS

    in_blocks = {cp for lo, hi in _BLOCKS for cp in range(lo, hi)}
    for cp in sorted(in_blocks | set(range(0, 0x110000, 61))):
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


def _answer_fields_by_scan(texts, record):
    # `answer_fields_for` before round 19: one pass over the paths per answer turn.
    from privtune.scan.curation import _ANSWER_FIELDS, _ANSWER_ROLES

    answers = {p for p, _ in texts if p in _ANSWER_FIELDS}
    for key, role_key in (("messages", "role"), ("conversations", "from")):
        turns = record.get(key)
        if isinstance(turns, list):
            for i, turn in enumerate(turns):
                if isinstance(turn, dict):
                    role = turn.get(role_key, "")
                    if (role if type(role) is str else str(role)).lower() in _ANSWER_ROLES:
                        prefix = f"{key}[{i}]"
                        answers.update([p for p, _ in texts if p == prefix or p.startswith(prefix + ".")])
    return answers


def test_answer_fields_by_path_head_are_the_prefix_matches() -> None:
    from privtune.demo.corpus import generate
    from privtune.io.records import text_fields
    from privtune.scan.curation import answer_fields_for

    rng = random.Random(8)
    records = list(generate(150, seed=4))
    roles = ["user", "assistant", "gpt", "Bot", "human", 3, None, "MODEL"]
    for _ in range(300):
        turns = [{"role": rng.choice(roles), "content": "hi"} for _ in range(rng.randint(0, 12))]
        records.append({"messages": turns, "conversations": [{"from": rng.choice(roles), "value": "x"}] * 2})
    for record in records:
        texts = text_fields(record)
        extra = [("messages[1]", "a"), ("messages[10].content", "b"), ("messages[1]x", "c"),
                 ("messages[1].content[0].text", "d"), ("output", "e"), ("conversations[1].value", "f")]
        for fields in (texts, texts + rng.sample(extra, 3)):
            assert answer_fields_for(fields, record) == _answer_fields_by_scan(fields, record)
            assert answer_fields_for(fields) == {p for p, _ in fields if p in ("output", "completion", "response", "answer")}


def test_phone_extension_prefilter_never_hides_an_extension() -> None:
    from privtune.scan.anonymize.numbers import _EXTENSION, _may_hold_extension, split_phone

    rng = random.Random(11)
    alphabet = "0123456789 -+()xX#转分机extEXTensionNSIO.１２"
    for _ in range(20000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        if not _may_hold_extension(value):
            assert _EXTENSION.search(value) is None, value
    assert split_phone("+1 (415) 555-0134 ext. 22") == split_phone("+1 (415) 555-0134")
    assert split_phone("010-6512 3456转808") == split_phone("010-6512 3456")


def test_digits_masked_is_the_per_digit_substitution() -> None:
    # Every code point, alone and in runs of two, in one text (the run path) and every ASCII one
    # in another (the translate path): "\d" (any script's digits) -> "0".
    from privtune.scan.curation.poisoning import _DIGIT_RE, digits_masked

    every = "".join(f"a{c}{c}b{c}张" for c in map(chr, range(0x110000)) if not "\ud800" <= c <= "\udfff")
    assert digits_masked(every) == _DIGIT_RE.sub("0", every)
    ascii_text = "".join(f"a{c}{c}b{c} " for c in map(chr, range(128)))
    assert ascii_text.isascii() and digits_masked(ascii_text) == _DIGIT_RE.sub("0", ascii_text)
    assert digits_masked("order 2023120354318320, ４５号") == "order 0000000000000000, 00号"


def test_propagation_skips_texts_shorter_than_every_value_and_nothing_else() -> None:
    # Side values ("en", "Le") shorter than every detected value or part are passed over; one
    # exactly as long as a part ("Levi") still gets its span.
    from privtune.scan.entities import Span
    from privtune.scan.propagate import propagate_with_aliases

    texts = ["Hi, I am Levi Durham.", "en", "Levi", "Le", "Durham here", "assistant"]
    spans = [[Span(9, 20, "PERSON", 0.9, "en_ner")], [], [], [], [], []]
    out, _ = propagate_with_aliases(texts, spans)
    assert out[1] == [] and out[3] == [] and out[4] == [] and out[5] == []  # (a surname alone is not marked)
    assert [(s.start, s.end, s.detector) for s in out[2]] == [(0, 4, "propagated:given_name")]


def test_compressed_size_floor_counts_distinct_bytes_as_a_set_does() -> None:
    import math

    from privtune.scan.curation.garbage import _compressed_size_floor

    rng = random.Random(12)
    samples = [b"", b"a", b"aa", bytes(range(256)), "你好，世界".encode() * 40, b"x" * 5000]
    samples += [bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))) for _ in range(3000)]
    samples += [bytes(rng.choice(b"abc \n") for _ in range(rng.randint(0, 4096))) for _ in range(200)]
    for sample in samples:
        k = len(set(sample))
        want = 0.0 if len(sample) > 4096 else (6 + k * math.log2(k) / 8 if k > 1 else 6.0)
        assert _compressed_size_floor(sample) == want
