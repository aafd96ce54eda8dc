"""The bank-card recognizer looks up the issuer of a Luhn-invalid number only if it starts with
6, 8 or 9: no other number can be UnionPay or CN domestic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from privtune.scan.recognizers.financial import card_issuer


@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_cn_issuers_start_with_6_8_or_9(digits: str) -> None:
    if card_issuer(digits) in ("unionpay", "cn_domestic"):
        assert digits[0] in "689"


@given(st.sampled_from(["62", "81", "9558", "9559", "6013", "6016"]), st.text(alphabet="0123456789", min_size=12, max_size=15))
def test_cn_prefixes_reach_the_check(prefix: str, rest: str) -> None:
    assert card_issuer(prefix + rest) is None or prefix[0] in "689"
