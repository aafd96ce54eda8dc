"""Poisson sampler: batch-size law, determinism, resume, micro-batching, user mode."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from privtune.errors import ConfigError
from privtune.train.sampler import PoissonSampler


def sizes(sampler: PoissonSampler, steps: int) -> np.ndarray:
    return np.array([sampler.next_batch().n_units for _ in range(steps)])


def test_batch_size_mean_and_variance_are_binomial() -> None:
    n, q, steps = 1000, 0.05, 3000
    s = sizes(PoissonSampler(n, q, micro_batch_size=16, seed=0), steps)
    mean, var = n * q, n * q * (1 - q)
    # 5 standard errors: mean s.e. sqrt(var/steps), variance s.e. ~ var*sqrt(2/(steps-1)).
    assert abs(s.mean() - mean) < 5 * np.sqrt(var / steps)
    assert abs(s.var(ddof=1) - var) < 5 * var * np.sqrt(2 / (steps - 1))


def test_every_record_has_inclusion_rate_q() -> None:
    n, q, steps = 50, 0.2, 2000
    sampler = PoissonSampler(n, q, micro_batch_size=8, seed=1)
    counts = np.zeros(n)
    for _ in range(steps):
        for mb in sampler.next_batch().micro_batches:
            counts[mb.indices.numpy()] += 1
    se = np.sqrt(steps * q * (1 - q))
    assert np.all(np.abs(counts - steps * q) < 5 * se)


def test_micro_batches_partition_the_batch_and_empty_batches_happen() -> None:
    sampler = PoissonSampler(40, 0.05, micro_batch_size=3, seed=2)
    empty = 0
    for _ in range(300):
        batch = sampler.next_batch()
        rows = torch.cat([mb.indices for mb in batch.micro_batches]) if batch.micro_batches else torch.empty(0)
        assert all(0 < len(mb) <= 3 for mb in batch.micro_batches)
        assert len(set(rows.tolist())) == len(rows) == batch.n_units == batch.n_rows
        assert all(torch.equal(mb.units, mb.indices) for mb in batch.micro_batches)
        empty += batch.n_units == 0
    assert empty > 0  # P(empty) = 0.95^40 ~ 13%


def test_seeded_runs_repeat_and_different_seeds_differ() -> None:
    def draw(seed: int) -> list[list[int]]:
        s = PoissonSampler(200, 0.1, micro_batch_size=7, seed=seed)
        return [[i for mb in s.next_batch().micro_batches for i in mb.indices.tolist()] for _ in range(20)]

    assert draw(4) == draw(4)
    assert draw(4) != draw(5)


def test_resume_draws_the_same_future_batches() -> None:
    a = PoissonSampler(300, 0.1, micro_batch_size=8, seed=9, num_steps=10)
    first = [a.next_batch() for _ in range(4)]
    state = json.loads(json.dumps(a.state_dict()))  # must survive a JSON checkpoint
    rest_a = [[mb.indices.tolist() for mb in b.micro_batches] for b in a]
    b = PoissonSampler(300, 0.1, micro_batch_size=8, seed=12345, num_steps=10)
    b.load_state_dict(state)
    assert len(b) == 6
    rest_b = [[mb.indices.tolist() for mb in x.micro_batches] for x in b]
    assert rest_a == rest_b and len(rest_a) == 6
    assert first[-1].step == 3
    with pytest.raises(ConfigError, match="sample_rate"):
        PoissonSampler(300, 0.2, micro_batch_size=8).load_state_dict(state)


def test_user_mode_samples_whole_users() -> None:
    rng = np.random.default_rng(0)
    user_of = rng.choice(np.array(["ann", "bob", "cy", "dee", "eve", "fay", "gus"] * 3 + [f"u{i}" for i in range(30)]),
                         size=400)
    n_users = len(set(user_of))
    q, steps = 0.3, 1500
    sampler = PoissonSampler(len(user_of), q, micro_batch_size=5, seed=3, user_ids=user_of)
    assert sampler.n_units == n_users and sampler.expected_batch_size == pytest.approx(q * n_users)
    counts = []
    for _ in range(steps):
        batch = sampler.next_batch()
        rows = np.concatenate([mb.indices.numpy() for mb in batch.micro_batches] or [np.array([], int)])
        units = np.concatenate([mb.units.numpy() for mb in batch.micro_batches] or [np.array([], int)])
        names = set(user_of[rows])
        # All of a sampled user's records come, and nobody else's.
        assert sorted(rows.tolist()) == sorted(np.flatnonzero(np.isin(user_of, list(names))).tolist())
        assert len(set(units.tolist())) == len(names) == batch.n_units
        for u in set(units.tolist()):  # one unit id <-> one user, rows kept contiguous
            assert len(set(user_of[rows[units == u]])) == 1
            pos = np.flatnonzero(units == u)
            assert pos[-1] - pos[0] + 1 == len(pos)
        counts.append(batch.n_units)
    counts = np.array(counts)
    var = n_users * q * (1 - q)
    assert abs(counts.mean() - q * n_users) < 5 * np.sqrt(var / steps)


def test_user_state_refuses_other_grouping_and_bad_settings() -> None:
    users = np.arange(20) % 4
    state = PoissonSampler(20, 0.5, 4, seed=0, user_ids=users).state_dict()
    with pytest.raises(ConfigError, match="users"):
        PoissonSampler(20, 0.5, 4, user_ids=np.arange(20) % 2 * 2 + np.arange(20) // 10).load_state_dict(state)
    for kwargs in ({"sample_rate": 0.0}, {"sample_rate": 1.5}, {"micro_batch_size": 0}, {"n_records": 0}):
        args = {"n_records": 20, "sample_rate": 0.5, "micro_batch_size": 4, **kwargs}
        with pytest.raises(ConfigError):
            PoissonSampler(**args)
    with pytest.raises(ConfigError, match="one entry per record"):
        PoissonSampler(20, 0.5, 4, user_ids=np.arange(19))
