"""The demo's held-out split: same language x scenario mix as training, disjoint customers."""

from collections import Counter

from privtune.demo.corpus import generate, split_heldout


def _mix(records):
    c = Counter((r["lang"], r["scenario"]) for r in records)
    return {k: v / len(records) for k, v in c.items()}


def test_split_matches_strata_and_keeps_customers_apart():
    records = list(generate(400, seed=3, house_style=1.0, near_dup_rate=0.05))
    train, held = split_heldout(records, 150)
    assert len(held) == 150
    assert not {r["customer_id"] for r in train} & {r["customer_id"] for r in held}
    assert len(train) + len(held) <= len(records) and len(train) >= 400 - 150 - 20
    mix_t, mix_h = _mix(train), _mix(held)
    for key in set(mix_t) | set(mix_h):
        assert abs(mix_t.get(key, 0) - mix_h.get(key, 0)) < 0.02, key


def test_near_duplicates_carry_their_language():
    records = list(generate(300, seed=1, near_dup_rate=0.2))
    assert all(r["lang"] in ("zh", "en") for r in records)
