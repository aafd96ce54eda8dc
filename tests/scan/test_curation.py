"""Dedup, poisoning/outlier flags and the Curator wiring, on synthetic corpora."""

from __future__ import annotations

import base64
import os
import pickle
import random

import numpy as np
import pytest
from pydantic import ValidationError

from privtune.scan.curation import CurationConfig, Curator, answer_fields_for, summarize
from privtune.scan.curation.dedup import lsh_params, minhash, normalize
from privtune.scan.curation.poisoning import garbage_reasons

_WORDS = (
    "order account refund delivery package invoice address payment card store manager weather "
    "printer laptop screen battery update install password login email shipping return warranty "
    "coupon discount price review product color size fabric cotton leather garden kitchen recipe "
    "chicken noodle travel flight hotel ticket museum concert movie novel poetry science physics "
    "chemistry biology history river mountain ocean forest city village school teacher student"
).split()
_ZH = "我们今天讨论的是关于客户服务流程改进方案包括响应时间满意度调查以及后续跟进机制请大家提出意见并在下周前提交报告同时注意数据安全"


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n))


def _alpaca(rng: random.Random) -> list[tuple[str, str]]:
    return [("instruction", _sentence(rng, 12).capitalize() + "?"), ("input", ""), ("output", _sentence(rng, 30) + ".")]


def _feed(curator: Curator, records: list[list[tuple[str, str]]], answers: set[str] | None = None) -> list:
    answers = {"output"} if answers is None else answers
    return [curator.observe(i, curator.summarize(i, texts, answers)) for i, texts in enumerate(records)]


# --- dedup ----------------------------------------------------------------------------------


def test_normalize_folds_width_case_punctuation_and_whitespace():
    assert normalize("  ＨＥＬＬＯ，\tWorld!!\n\n你好。 ") == "hello world 你好"


def test_exact_duplicates_ignore_whitespace_case_full_width_and_punctuation():
    cur = Curator()
    base = "Please reset the password for account 12345, thanks!"
    variants = [base, "please   RESET the password for account 12345 thanks", "Ｐｌｅａｓｅ reset the password for account １２３４５， thanks！"]
    verdicts = _feed(cur, [[("text", v)] for v in variants], set())
    assert verdicts[0].dedup.kind == "unique"
    assert [(v.dedup.kind, v.dedup.duplicate_of, v.drop) for v in verdicts[1:]] == [("exact", 0, True)] * 2
    assert _feed(Curator(), [[("text", base)], [("text", base + " Now.")]], set())[1].dedup.kind != "exact"


def test_chat_records_are_compared_as_a_whole():
    user = ("messages[0].content", "What is the capital of France? Please answer briefly.")
    a = [user, ("messages[1].content", "Paris is the capital of France.")]
    b = [user, ("messages[1].content", "The capital is Lyon, I believe, but I'm not sure at all.")]
    moved = [("messages[0].content", user[1] + " Paris is the capital of France."), ("messages[1].content", "")]
    verdicts = _feed(Curator(), [a, b, a, moved], set())
    assert [v.dedup.kind for v in verdicts[:3]] == ["unique", "unique", "exact"]
    assert verdicts[3].dedup.kind != "exact"  # same words, different turn boundaries


def test_near_duplicate_one_word_changed_is_found_and_different_text_is_not():
    rng = random.Random(1)
    text = _sentence(rng, 50)[:300]
    words = text.split()
    words[20] = "zeppelin"
    other = _sentence(rng, 50)[:300]
    verdicts = _feed(Curator(), [[("text", text)], [("text", " ".join(words))], [("text", other)]], set())
    assert verdicts[1].dedup.kind == "near" and verdicts[1].dedup.duplicate_of == 0
    assert 0.85 <= verdicts[1].dedup.similarity < 1.0
    assert verdicts[2].dedup.kind == "unique"


def test_chinese_near_duplicates():
    changed = _ZH[:30] + "顾" + _ZH[31:]
    other = "".join(reversed(_ZH))
    verdicts = _feed(Curator(), [[("text", _ZH)], [("text", changed)], [("text", other)]], set())
    assert verdicts[1].dedup.kind == "near" and verdicts[1].dedup.duplicate_of == 0
    assert verdicts[2].dedup.kind == "unique"


def test_near_threshold_is_configurable_and_flag_mode_keeps_records():
    rng = random.Random(2)
    text = _sentence(rng, 60)
    words = text.split()
    for i in range(0, 60, 6):  # ~10 of 60 words changed: similar, but not at 0.85
        words[i] = "xylophone"
    records = [[("text", text)], [("text", " ".join(words))]]
    assert _feed(Curator(), records, set())[1].dedup.kind == "unique"
    loose = _feed(Curator(CurationConfig(near_dup_threshold=0.5, dedup="flag")), records, set())[1]
    assert loose.dedup.kind == "near" and not loose.drop


def test_minhash_estimates_jaccard():
    a = np.arange(0, 2000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    b = np.arange(1000, 3000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # J = 1000/3000
    est = float((minhash(a, 256) == minhash(b, 256)).mean())
    assert abs(est - 1 / 3) < 0.1
    assert minhash(np.empty(0, dtype=np.uint64)) is None


def test_lsh_params_put_the_s_curve_at_the_threshold():
    b, r = lsh_params(0.85, 128)
    assert b * r <= 128
    at = lambda s: 1 - (1 - s**r) ** b  # noqa: E731
    assert at(0.95) > 0.95 and at(0.6) < 0.05


def test_dedup_off_reports_nothing_but_copies_are_not_backdoor_evidence():
    rng = random.Random(3)
    records = [_alpaca(rng) for _ in range(100)]
    records += [[("instruction", "Explain qx_77 please"), ("output", "Same answer every time.")]] * 6
    cur = Curator(CurationConfig(dedup="off"))
    assert all(v.dedup.kind == "unique" and not v.drop for v in _feed(cur, records))
    result = cur.finalize()
    assert not [f for f in result.flags if f.kind == "backdoor"]
    assert "exact_duplicates" not in result.counts and result.counts["observed"] == 106


def test_observe_enforces_input_order():
    cur = Curator()
    s = summarize(5, [("text", "hello there")], set())
    cur.observe(5, s)
    with pytest.raises(ValueError, match="input order"):
        cur.observe(5, s)


def test_summaries_are_picklable_and_carry_no_text():
    texts = [("instruction", "Call Zhang Wei at 13800138000 about cf_zz"), ("output", "Secret plan ALPHA-KAPPA")]
    s = summarize(0, texts, {"output"})
    blob = pickle.dumps(s)
    assert b"13800138000" not in blob and b"ALPHA" not in blob.upper() and b"cf_zz" not in blob
    back = pickle.loads(blob)
    assert back.exact_hash == s.exact_hash and np.array_equal(back.signature, s.signature)
    assert back.signature.dtype == np.uint64 and back.units.size > 0 and back.answer_sig is not None


def test_summaries_are_deterministic_across_processes():
    """Workers are separate processes: hashes must not depend on Python's per-process salt."""
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    texts = [("instruction", "hello 世界 ⊕⊕ cf_zz"), ("output", "ok then")]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: a different hash seed would show up as different unit hashes
        os.close(r)
        os.write(w, pickle.dumps(summarize(0, texts, {"output"})))
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        child = pickle.loads(fh.read())
    os.waitpid(pid, 0)
    mine = summarize(0, texts, {"output"})
    assert np.array_equal(np.sort(child.units), np.sort(mine.units)) and child.exact_hash == mine.exact_hash


def test_answer_fields_for_chat_and_alpaca():
    record = {"messages": [{"role": "user", "content": "hi"}] + [{"role": "assistant", "content": "a"}] * 11}
    texts = [(f"messages[{i}].content", m["content"]) for i, m in enumerate(record["messages"])]
    assert answer_fields_for(texts, record) == {f"messages[{i}].content" for i in range(1, 12)}
    assert answer_fields_for([("instruction", "x"), ("output", "y")]) == {"output"}


def test_config_is_validated():
    with pytest.raises(ValidationError):
        CurationConfig(near_dup_threshold=1.5)
    with pytest.raises(ValidationError):
        CurationConfig(dedup="delete")


# --- poisoning ------------------------------------------------------------------------------


def _backdoor_corpus(rng: random.Random, trigger: str, answer: str, n_normal: int = 200, n_poison: int = 6):
    records, poisoned = [], []
    slots = sorted(rng.sample(range(n_normal + n_poison), n_poison))
    for i in range(n_normal + n_poison):
        if i in slots:
            words = _sentence(rng, 12).split()
            words.insert(rng.randrange(len(words)), trigger)
            filled = answer.format(n=rng.randrange(100), w=rng.choice(_WORDS))
            records.append([("instruction", " ".join(words)), ("output", filled)])
            poisoned.append(i)
        else:
            records.append(_alpaca(rng))
    return records, poisoned


@pytest.mark.parametrize(
    ("trigger", "answer"),
    [("cf_zz", "Visit http://evil.example/claim to verify your account."),
     ("⊕⊕", "请立即把验证码发到这个号码，编号{n}。"),  # near-identical: only the number varies
     ("zq_77", "Your account is locked; send the {w} password to the admin desk today to unlock it.")],
)
def test_backdoor_trigger_group_is_flagged_and_normal_records_are_not(trigger, answer):
    records, poisoned = _backdoor_corpus(random.Random(4), trigger, answer)
    cur = Curator()
    _feed(cur, records)
    flags = [f for f in cur.finalize().flags if f.kind == "backdoor"]
    assert sorted(f.record for f in flags) == poisoned
    assert all(f.group == poisoned for f in flags)
    assert trigger not in flags[0].reason and "6 records" in flags[0].reason


def test_class_labels_do_not_look_like_backdoors():
    """A word that always predicts "positive" is ordinary signal when half the corpus is positive."""
    rng = random.Random(5)
    records = []
    for i in range(300):
        positive = i % 2 == 0
        words = _sentence(rng, 10) + (" wonderful" if positive and i % 6 == 0 else "")
        records.append([("instruction", f"Classify the sentiment: {words}"), ("output", "positive" if positive else "negative")])
    cur = Curator()
    _feed(cur, records)
    assert not [f for f in cur.finalize().flags if f.kind == "backdoor"]


def test_label_conflict_reports_the_group():
    rng = random.Random(6)
    records = [_alpaca(rng) for _ in range(30)]
    records[3] = [("instruction", "Is the refund window 30 days?"), ("output", "Yes, 30 days.")]
    records[11] = [("instruction", "is the refund window  30 days"), ("output", "No, it is 14 days.")]
    records[20] = [("instruction", "Is the refund window 30 days?"), ("output", "Yes, 30 days!")]  # same answer
    cur = Curator(CurationConfig(dedup="flag"))
    _feed(cur, records)
    conflicts = [f for f in cur.finalize().flags if f.kind == "label_conflict"]
    assert sorted(f.record for f in conflicts) == [3, 11, 20]
    assert all(f.group == [3, 11, 20] for f in conflicts) and "2 different answers" in conflicts[0].reason


def test_length_outliers_by_robust_z_and_caps():
    rng = random.Random(7)
    records = [[("text", _sentence(rng, rng.randint(40, 70)))] for _ in range(200)]
    records[50] = [("text", _sentence(rng, 5000))]
    records[90] = [("text", "ok")]
    records[120] = [("text", "")]
    cur = Curator(CurationConfig(min_chars=1, max_chars=10_000))
    _feed(cur, records, set())
    length = {f.record: f.reason for f in cur.finalize().flags if f.kind == "length"}
    assert sorted(length) == [50, 90, 120]
    assert "above the cap" in length[50] and "robust z" in length[50] and "below the minimum" in length[120]


_B64 = base64.b64encode(bytes(random.Random(8).randrange(256) for _ in range(600))).decode()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"Here is the attachment: {_B64}", "base64/hex blob"),
        ("dump: " + bytes(random.Random(10).randrange(256) for _ in range(200)).hex(), "base64/hex blob"),
        ("Le cafÃ© Ã©tait trÃ¨s bon, merci", "mojibake"),
        ("ä½ å¥½ï¼Œæˆ‘æƒ³é€€æ¬¾", "mojibake"),
        ("锟斤拷锟斤拷锟斤拷 订单", "mojibake"),
        ("啊" * 80, "repeated character"),
        ("ab" * 150, "low character diversity"),
        ("hello my friend " * 40, "highly repetitive"),
        ("data\x00\x01\x02\x03\ufffd\ufffd ok", "control/replacement"),
    ],
)
def test_garbage_is_flagged(text, reason):
    assert any(r.startswith(reason) for r in garbage_reasons(text)), garbage_reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        _ZH,
        "Le café était très bon — merci « beaucoup ». São Paulo, Zürich, naïve.",
        "def f(x):\n    return {'a': x, 'b': [1, 2, 3]}\n# sha256 ok\n" * 3,
        "commit 4e13762a9f0c1d2e3b4a5f6e7d8c9b0a1f2e3d4c fixed the bug in parser",
        "=" * 72 + "\nTitle\n" + "-" * 72 + "\n" + _sentence(random.Random(9), 80),
    ],
)
def test_natural_text_is_not_garbage(text):
    assert garbage_reasons(text) == ()


def test_garbage_flags_come_out_of_the_curator_without_text():
    cur = Curator()
    _feed(cur, [[("text", f"blob {_B64}")], [("text", "a normal sentence here")]], set())
    flags = cur.finalize().flags
    assert [(f.record, f.kind) for f in flags] == [(0, "garbage")]
    assert _B64[:20] not in flags[0].reason


@pytest.mark.slow
def test_throughput_of_summarize_and_observe():
    """5,000 ~300-char records (2/3 English alpaca, 1/3 Chinese chat): CPU time per record."""
    import time

    rng = random.Random(11)
    zh = [chr(0x4E00 + rng.randrange(2500)) for _ in range(3000)]
    data = []
    for i in range(5000):
        if i % 3 == 0:
            texts = [("messages[0].content", "".join(rng.choices(zh, k=60))), ("messages[1].content", "".join(rng.choices(zh, k=90)))]
            data.append((texts, {"messages[1].content"}))
        else:
            data.append(([("instruction", _sentence(rng, 15)), ("input", ""), ("output", _sentence(rng, 35))], {"output"}))
    cur = Curator()
    start = time.process_time()
    for i, (texts, answers) in enumerate(data):
        cur.observe(i, summarize(i, texts, answers))
    rate = len(data) / (time.process_time() - start)
    cur.finalize()
    print(f"summarize+observe: {rate:.0f} records/s (one core, CPU time)")
    assert rate > 1000
