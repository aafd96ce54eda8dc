"""Gaussian noise from a cryptographic stream, hardened against floating-point attacks.

Two weaknesses of ``torch.randn`` for DP noise:

1. Its generators (Mersenne Twister on CPU, Philox on CUDA) are not cryptographically secure:
   from enough outputs, or a guessed 64-bit seed, the stream can be predicted, and predicted
   noise can be subtracted from a released update.
2. Floating-point attacks (Mironov 2012 for Laplace; Jin et al. 2021, arXiv:2112.05307, for
   the Gaussian samplers of DP libraries): a sampler maps finitely many random bit patterns to
   doubles through log/sqrt/cos, so the attainable values are an irregular, sparse subset of
   the reals. ``x + noise`` and ``x' + noise`` then land on different lattices, and looking at
   the low-order bits of a single release can tell x from x'.

`SecureGaussian` addresses both. The uniform bits come from ChaCha20 (RFC 8439, via the
``cryptography`` package) under a 256-bit key from ``os.urandom``; a counter-mode stream cipher
is a CSPRNG whose whole state is (key, position), so a checkpoint can store it and a resumed
run draws exactly the noise the crashed one would have. Each returned N(0, 1) value is the
sum of ``terms`` independent Box-Muller normals divided by ``sqrt(terms)``; following Holohan &
Braghin (arXiv:2107.10138) such a sum fills in the gaps of the single sampler's output set,
so the attainable-value pattern no longer separates neighbouring inputs. Box-Muller runs in
float64 with 53-bit uniforms strictly inside (0, 1), and only the final sum is cast to fp32.
"""

from __future__ import annotations

import hashlib
import math
import os
from typing import Any

import numpy as np
import torch
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from torch import Tensor

DEFAULT_TERMS = 4  # normals summed per output (an even number: Box-Muller yields pairs)
_KEY_BYTES = 32
_SEED_LABEL = b"privtune secure_noise seed v1"


class SecureGaussian:
    """Standard normal samples from a ChaCha20 keystream; state = (key, calls made)."""

    def __init__(self, key: bytes | None = None, terms: int = DEFAULT_TERMS) -> None:
        if terms < 2 or terms % 2:
            raise ValueError(f"terms must be an even number >= 2, got {terms}")
        self.key = key if key is not None else os.urandom(_KEY_BYTES)
        if len(self.key) != _KEY_BYTES:
            raise ValueError(f"key must be {_KEY_BYTES} bytes")
        self.terms = terms
        self.calls = 0

    @classmethod
    def from_seed(cls, seed: int, terms: int = DEFAULT_TERMS) -> SecureGaussian:
        """Reproducible stream for tests (``dp_seed``); whoever knows the seed knows the noise."""
        return cls(hashlib.sha256(_SEED_LABEL + str(int(seed)).encode()).digest(), terms)

    def _uniform53(self, count: int) -> np.ndarray:
        """``count`` float64 uniforms in (0, 1): 53 random bits each, offset by half a step."""
        # A fresh 96-bit nonce per call (the call index) with the 32-bit block counter at 0: no
        # keystream is ever reused, and one call may draw up to 256 GiB.
        nonce = (0).to_bytes(4, "little") + self.calls.to_bytes(12, "little")
        self.calls += 1
        stream = Cipher(algorithms.ChaCha20(self.key, nonce), mode=None).encryptor().update(bytes(8 * count))
        words = np.frombuffer(stream, dtype=np.uint64) >> np.uint64(11)
        return (words.astype(np.float64) + 0.5) * (1.0 / (1 << 53))

    def sample(self, n: int, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> Tensor:
        """``n`` N(0, 1) values: each the sum of ``terms`` Box-Muller normals / sqrt(terms)."""
        pairs = self.terms // 2
        u = torch.from_numpy(self._uniform53(2 * pairs * n)).to(device).view(pairs, 2, n)
        radius = torch.sqrt(-2.0 * torch.log(u[:, 0]))
        angle = (2.0 * math.pi) * u[:, 1]
        total = (radius * torch.cos(angle)).sum(0) + (radius * torch.sin(angle)).sum(0)
        return total.mul_(1.0 / math.sqrt(self.terms)).to(dtype)

    def state_dict(self) -> dict[str, Any]:
        """Checkpoint state; it holds the key, so it must only be stored encrypted."""
        return {"key": self.key, "calls": self.calls, "terms": self.terms}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.key, self.calls, self.terms = bytes(state["key"]), int(state["calls"]), int(state["terms"])
