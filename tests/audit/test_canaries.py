import json
import re
from collections import Counter

import numpy as np
import pytest

from privtune.audit.canaries import (
    CONCRETE_FORMATS,
    CanarySet,
    insert_canaries,
    load_canaries,
    make_canaries,
    secret_space,
)
from privtune.audit.canary_spaces import CnIdSpace, CnMobileSpace, DigitSpace, UsPhoneSpace
from privtune.demo.corpus import generate
from privtune.errors import ConfigError, InputError
from privtune.io import text_fields
from privtune.scan.checksums import is_valid_cn_id


def test_formats_templates_and_secret_shapes():
    zh = make_canaries("mixed", 8, [1], "zh", seed=0)
    en = make_canaries("mixed", 8, [1], "en", seed=0)
    by_fmt = {c.format: c for c in zh.canaries}
    assert set(by_fmt) == set(CONCRETE_FORMATS)
    assert re.fullmatch(r"\d{6}", by_fmt["digits6"].secret) and by_fmt["digits6"].text.endswith(
        "我的验证码是" + by_fmt["digits6"].secret)
    assert re.fullmatch(r"1[3-9]\d{9}", by_fmt["phone"].secret)
    assert is_valid_cn_id(by_fmt["id_card"].secret)
    assert re.fullmatch(r"\d{6}", by_fmt["bank_pin"].secret) and "我的银行卡密码是" in by_fmt["bank_pin"].prefix
    en_by = {c.format: c for c in en.canaries}
    assert re.fullmatch(r"\([2-9]\d\d\) [2-9]\d\d-\d{4}", en_by["phone"].secret)
    assert re.fullmatch(r"\d{4}", en_by["bank_pin"].secret) and en_by["bank_pin"].space_size == 10**4
    assert en_by["digits6"].text.endswith("my verification code is " + en_by["digits6"].secret)


def test_repeats_round_robin_unique_tags_and_secrets_and_determinism():
    a = make_canaries("digits6", 30, [1, 4, 16], "zh", seed=5)
    assert Counter(c.repeats for c in a.canaries) == {1: 10, 4: 10, 16: 10}
    assert len({c.secret for c in a.canaries}) == 30 and len({c.prefix for c in a.canaries}) == 30
    assert a == make_canaries("digits6", 30, [1, 4, 16], "zh", seed=5)
    assert a.canaries != make_canaries("digits6", 30, [1, 4, 16], "zh", seed=6).canaries
    mixed = make_canaries("mixed", 24, [1, 4, 16], "en", seed=1)
    assert Counter((c.format, c.repeats) for c in mixed.canaries) == {(f, r): 2 for f in CONCRETE_FORMATS for r in (1, 4, 16)}


@pytest.mark.parametrize("space", [DigitSpace(6), CnMobileSpace(), UsPhoneSpace(), CnIdSpace()])
def test_secret_space_is_a_bijection(space):
    rng = np.random.default_rng(0)
    indices = [0, space.size - 1, *rng.integers(0, space.size, 200).tolist()]
    secrets = [space.secret(i) for i in indices]
    assert [space.index(s) for s in secrets] == indices
    assert len(set(secrets)) == len(set(indices))


def test_space_sizes():
    assert CnMobileSpace.size == 55 * 10**8
    assert UsPhoneSpace.size == 800 * 800 * 10**4
    assert CnIdSpace.size == 16 * 20454 * 1000
    assert secret_space("bank_pin", "zh").size == 10**6


def test_all_id_card_secrets_are_valid_ids():
    space = CnIdSpace()
    rng = np.random.default_rng(1)
    assert all(is_valid_cn_id(s) for s in space.sample(2000, rng))


def test_candidates_exclude_the_canary_and_enumerate_small_spaces():
    canary = make_canaries("bank_pin", 1, [1], "en", seed=2).canaries[0]
    every = canary.sample_candidates(20_000, np.random.default_rng(0))
    assert len(every) == 9999 and len(set(every)) == 9999 and canary.secret not in every
    sampled = canary.sample_candidates(5000, np.random.default_rng(0))
    assert len(sampled) == 5000 and canary.secret not in sampled


def test_candidates_are_uniform():
    canary = make_canaries("digits6", 1, [1], "zh", seed=3).canaries[0]
    cands = canary.sample_candidates(50_000, np.random.default_rng(1))
    counts = np.bincount([int(s[0]) for s in cands], minlength=10)
    chi2 = float(((counts - 5000) ** 2 / 5000).sum())
    assert chi2 < 27.9  # 99.9% quantile of chi-square with 9 dof
    assert len({len(s) for s in cands}) == 1  # leading zeros kept


def test_format_candidate_validates():
    canary = make_canaries("id_card", 1, [1], "zh", seed=4).canaries[0]
    other = canary.sample_candidates(1, np.random.default_rng(0))[0]
    assert canary.format_candidate(other) == canary.prefix + other
    with pytest.raises(ConfigError):
        canary.format_candidate(other[:17] + ("0" if other[17] != "0" else "1"))  # wrong check char


def test_make_errors():
    with pytest.raises(ConfigError, match="unknown canary format"):
        make_canaries("ssn", 1, [1], "zh", 0)
    with pytest.raises(ConfigError, match="lang"):
        make_canaries("digits6", 1, [1], "fr", 0)
    with pytest.raises(ConfigError, match="repeats"):
        make_canaries("digits6", 1, [0], "zh", 0)


def test_canary_file_roundtrip_and_errors(tmp_path):
    made = make_canaries("mixed", 6, [1, 2], "zh", seed=7)
    path = tmp_path / "c.json"
    made.save(path)
    loaded, insertion = load_canaries(path)
    assert loaded == made and insertion is None
    obj = json.loads(path.read_text(encoding="utf-8"))
    assert obj["canaries"][0]["space_size"] == made.canaries[0].space_size
    obj["canaries"][0]["secret"] = "12"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(InputError, match="c00000"):
        load_canaries(path)
    path.write_text('{"kind": "something else"}', encoding="utf-8")
    with pytest.raises(InputError, match="not a privtune canary file"):
        load_canaries(path)
    with pytest.raises(InputError, match="not found"):
        load_canaries(tmp_path / "missing.json")


def _chat_data(n):
    return list(generate(n, seed=3))


def test_insert_places_copies_where_the_key_says_and_keeps_order():
    data = _chat_data(300)
    cs = make_canaries("digits6", 40, [1, 4, 16], "zh", seed=1)
    stream, key = insert_canaries(data, cs, seed=9, one_run=True)
    out = list(stream)
    entries = key["canaries"]
    expected_added = sum(e["repeats"] for e in entries if e["included"])
    assert len(out) == 300 + expected_added == key["insertion"]["n_output_records"]
    canary_positions = set()
    for e in entries:
        assert len(e["positions"]) == (e["repeats"] if e["included"] else 0)
        for pos in e["positions"]:
            msgs = out[pos]["messages"]
            assert msgs[0]["role"] == "user" and msgs[1] == {"role": "assistant", "content": e["prefix"] + e["secret"]}
            canary_positions.add(pos)
    assert [r for i, r in enumerate(out) if i not in canary_positions] == data  # originals, in order
    again, key2 = insert_canaries(data, cs, seed=9)
    assert list(again) == out and key2 == key


def test_one_run_includes_about_half_and_all_includes_all():
    data = _chat_data(50)
    cs = make_canaries("digits6", 400, [1], "en", seed=2)
    _, key = insert_canaries(data, cs, seed=3, one_run=True)
    included = sum(e["included"] for e in key["canaries"])
    assert 160 < included < 240  # Binomial(400, 1/2): mean 200, sd 10
    _, key_all = insert_canaries(data, cs, seed=3, one_run=False)
    assert all(e["included"] for e in key_all["canaries"]) and key_all["insertion"]["one_run"] is False


def test_positions_are_spread_uniformly():
    data = [{"text": f"row {i}"} for i in range(2000)]
    cs = make_canaries("digits6", 200, [5], "en", seed=4)
    _, key = insert_canaries(data, cs, seed=5, one_run=False)
    pos = np.array([p for e in key["canaries"] for p in e["positions"]]) / key["insertion"]["n_output_records"]
    assert abs(pos.mean() - 0.5) < 0.03 and pos.min() < 0.02 and pos.max() > 0.98


@pytest.mark.parametrize(
    ("record", "check"),
    [
        ({"instruction": "q", "input": "", "output": "a"}, lambda r, t: r["output"] == t and r["instruction"]),
        ({"conversations": [{"from": "human", "value": "hi"}]}, lambda r, t: r["conversations"][1]["value"] == t),
        ({"prompt": "x", "id": 1}, lambda r, t: r == {"prompt": t}),
    ],
)
def test_insert_follows_the_data_shape(record, check):
    cs = make_canaries("phone", 3, [2], "zh", seed=6)
    stream, key = insert_canaries([dict(record) for _ in range(10)], cs, seed=1, one_run=False)
    out = list(stream)
    texts = {e["prefix"] + e["secret"] for e in key["canaries"]}
    added = [r for r in out if r != record]
    assert len(added) == 6
    for r in added:
        fields = [t for _, t in text_fields(r)]
        assert any(check(r, t) for t in texts if t in fields)


def test_insert_streams_lazily_with_a_known_count_and_checks_it():
    consumed = []

    def source(n):
        for i in range(n):
            consumed.append(i)
            yield {"text": f"row {i}"}

    cs = make_canaries("digits6", 5, [1], "en", seed=8)
    stream, key = insert_canaries(source(100), cs, seed=2, n_records=100, unit_field="customer_id")
    assert len(consumed) == 1  # only the first record was peeked to learn the shape
    out = list(stream)
    assert len(out) == key["insertion"]["n_output_records"]
    assert all(r["customer_id"].startswith("canary-c") for r in out if "customer_id" in r)
    short, _ = insert_canaries(source(10), cs, seed=2, n_records=100)
    with pytest.raises(InputError, match="ended after 10 records"):
        list(short)
    long, _ = insert_canaries(source(120), cs, seed=2, n_records=100)
    with pytest.raises(InputError, match="more than"):
        list(long)


def test_insert_rejects_empty_or_shapeless_data():
    cs = make_canaries("digits6", 2, [1], "en", seed=0)
    with pytest.raises(InputError, match="no records"):
        insert_canaries([], cs, seed=0)
    with pytest.raises(InputError, match="shape"):
        insert_canaries([{"n": 1}], cs, seed=0)


def test_canary_set_is_json_serialisable_with_key_fields():
    cs = make_canaries("mixed", 4, [1], "en", seed=0)
    _, key = insert_canaries([{"text": "a"}], cs, seed=0)
    again = json.loads(json.dumps(key))
    assert CanarySet.from_dict(again) == cs
