"""Poisson sampling for DP-SGD: each unit (record or user) joins a step independently with rate q.

The privacy accountants assume exactly this (sampled Gaussian mechanism), so the batch size is
random, may be zero, and must not be padded or truncated. A logical batch is cut into physical
micro-batches of at most ``micro_batch_size`` rows; the DP engine sums them before noising.
Determinism: the draws come from one seeded numpy PCG64 stream whose state is checkpointed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from privtune.errors import ConfigError


@dataclass(frozen=True)
class MicroBatch:
    """Rows to run together: dataset record indices and each row's privacy unit."""

    indices: Tensor  # int64 record indices into the dataset
    units: Tensor  # int64 unit per row: the record index, or the user's dense index in user mode

    def __len__(self) -> int:
        return len(self.indices)


@dataclass(frozen=True)
class LogicalBatch:
    """One DP-SGD step's worth of rows, possibly empty."""

    step: int
    micro_batches: tuple[MicroBatch, ...]
    n_units: int

    @property
    def n_rows(self) -> int:
        return sum(len(mb) for mb in self.micro_batches)


class PoissonSampler:
    """Poisson sampler over records, or over users when ``user_ids`` (one per record) is given.

    In user mode a sampled user brings all their records, kept contiguous so a user rarely
    straddles micro-batches. Iterating yields ``num_steps`` batches in total (forever if None),
    counting steps already drawn before a resume.
    """

    def __init__(
        self,
        n_records: int,
        sample_rate: float,
        micro_batch_size: int,
        *,
        seed: int | None = None,
        user_ids: Sequence[Hashable] | np.ndarray | None = None,
        num_steps: int | None = None,
    ) -> None:
        if n_records < 1:
            raise ConfigError(f"n_records must be >= 1, got {n_records}")
        if not 0.0 < sample_rate <= 1.0:
            raise ConfigError(f"sample_rate must be in (0, 1], got {sample_rate}")
        if micro_batch_size < 1:
            raise ConfigError(f"micro_batch_size must be >= 1, got {micro_batch_size}")
        self.n_records = int(n_records)
        self.sample_rate = float(sample_rate)
        self.micro_batch_size = int(micro_batch_size)
        self.num_steps = num_steps
        self.step = 0
        self._rng = np.random.Generator(np.random.PCG64(seed if seed is not None else secrets.randbits(128)))
        self.user_mode = user_ids is not None
        self._fingerprint = ""
        if user_ids is not None:
            ids = np.asarray(user_ids)
            if ids.shape != (n_records,):
                raise ConfigError(f"user_ids must have one entry per record ({n_records}), got shape {ids.shape}")
            _, inverse = np.unique(ids, return_inverse=True)
            inverse = inverse.astype(np.int64)
            self._order = np.argsort(inverse, kind="stable")  # records grouped by user
            self._counts = np.bincount(inverse)
            self._starts = np.concatenate(([0], np.cumsum(self._counts)[:-1]))
            self.n_units = len(self._counts)
            self._fingerprint = hashlib.sha256(inverse.tobytes()).hexdigest()
        else:
            self.n_units = self.n_records

    @property
    def expected_batch_size(self) -> float:
        """E[units per step] = q * units: the DP engine divides the noisy sum by this."""
        return self.sample_rate * self.n_units

    def next_batch(self) -> LogicalBatch:
        """Draw the next logical batch (advances the RNG and the step counter)."""
        picked = np.flatnonzero(self._rng.random(self.n_units) < self.sample_rate)
        if self.user_mode:
            lengths = self._counts[picked]
            # Position of every row inside the user-grouped order, built without a Python loop.
            first = np.repeat(self._starts[picked] - (np.cumsum(lengths) - lengths), lengths)
            rows = self._order[first + np.arange(int(lengths.sum()))]
            units = np.repeat(picked, lengths)
        else:
            rows = units = picked
        rows_t = torch.from_numpy(rows.astype(np.int64))
        units_t = torch.from_numpy(units.astype(np.int64))
        mbs = tuple(
            MicroBatch(rows_t[i:i + self.micro_batch_size], units_t[i:i + self.micro_batch_size])
            for i in range(0, len(rows_t), self.micro_batch_size)
        )
        batch = LogicalBatch(step=self.step, micro_batches=mbs, n_units=len(picked))
        self.step += 1
        return batch

    def __iter__(self) -> Iterator[LogicalBatch]:
        while self.num_steps is None or self.step < self.num_steps:
            yield self.next_batch()

    def __len__(self) -> int:
        if self.num_steps is None:
            raise TypeError("unbounded sampler has no length")
        return max(0, self.num_steps - self.step)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed for a resumed run to draw the same future batches."""
        return {
            "step": self.step,
            "rng": self._rng.bit_generator.state,
            "n_records": self.n_records,
            "n_units": self.n_units,
            "sample_rate": self.sample_rate,
            "micro_batch_size": self.micro_batch_size,
            "users": self._fingerprint,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore from :meth:`state_dict`; refuses a state written for other data or settings.

        ``micro_batch_size`` may differ: the draws do not depend on it, and the engine sums the
        micro-batches before the noise, so a resume after running out of memory can lower it."""
        for key in ("n_records", "n_units", "sample_rate", "users"):
            if state[key] != getattr(self, "_fingerprint" if key == "users" else key):
                raise ConfigError(f"sampler state does not match this run: {key} differs")
        self._rng.bit_generator.state = state["rng"]
        self.step = int(state["step"])
