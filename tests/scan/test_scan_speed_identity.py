"""Speed-ups of the scan job must not change its outputs: pinned digests and signatures."""

from __future__ import annotations

import hashlib
import hmac

from privtune.scan.anonymize.operators import keyed_digest

KEY = b"k" * 32


def test_keyed_digest_is_hmac_sha256_of_label_and_value() -> None:
    # Pinned: every surrogate and token is seeded by these bytes, so they must never move.
    assert keyed_digest(KEY, "PERSON", "jane roe").hex() == (
        "984d82a9558a9a4b263a7821e99c0ca0801262c9964fcc16026eeca5660589b2"
    )
    assert keyed_digest(KEY, "PERSON/cn-surname", "王").hex() == (
        "6d8df8c8d4438f785f718e633aa1d961b33a5045d094bc2dfebcc850fd7d5906"
    )
    for label, value in [("PHONE", "13800138000"), ("EMAIL", ""), ("ADDRESS#2", "北京市 1 号")]:
        ref = hmac.new(KEY, f"{label}:{value}".encode(), hashlib.sha256).digest()
        assert keyed_digest(KEY, label, value) == ref
