"""Secret spaces of canaries: each a bijection between the secrets of one format and 0..|R|-1,
so a canary's secret is drawn uniformly and the audit can rank it against the alternatives
(`SecretSpace.sample`) and compute its exposure."""

from __future__ import annotations

import datetime as _dt

import numpy as np

from privtune.errors import ConfigError
from privtune.scan.checksums import cn_id_check_char


class SecretSpace:
    """A finite set of secrets, indexed so it can be sampled uniformly and enumerated."""

    name: str
    size: int

    def secret(self, index: int) -> str:
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator, *, exclude: str | None = None) -> list[str]:
        """``n`` secrets drawn uniformly with replacement from the space minus ``exclude``;
        every one of them exactly once, in index order, when ``n >= |R| - 1`` (exhaustive)."""
        skip = self.index(exclude) if exclude is not None else None
        pool = self.size - (skip is not None)
        if n >= pool:
            idx = np.arange(self.size, dtype=np.int64)
        else:
            idx = rng.integers(0, pool, size=n, dtype=np.int64)
            if skip is not None:  # map [0, |R|-1) onto R minus the excluded index
                idx[idx >= skip] += 1
        return [self.secret(int(i)) for i in idx if int(i) != skip]

    def index(self, secret: str) -> int:
        raise NotImplementedError


class DigitSpace(SecretSpace):
    """All ``width``-digit strings, leading zeros included: |R| = 10^width."""

    def __init__(self, width: int) -> None:
        self.name, self.width, self.size = f"{width} digits", width, 10**width

    def secret(self, index: int) -> str:
        return f"{index:0{self.width}d}"

    def index(self, secret: str) -> int:
        if len(secret) != self.width or not secret.isdigit():
            raise ConfigError(f"{secret!r} is not a {self.width}-digit secret")
        return int(secret)


# Allocated CN mobile number blocks 1xx (MIIT), as the digits after the leading 1.
_CN_MOBILE_BLOCKS = tuple(
    [f"3{d}" for d in range(10)] + ["45", "46", "47", "48", "49"] + [f"5{d}" for d in "01235789"]
    + ["62", "65", "66", "67"] + [f"7{d}" for d in "012345678"] + [f"8{d}" for d in range(10)]
    + [f"9{d}" for d in "0123" "56789"]
)  # fmt: skip


class CnMobileSpace(SecretSpace):
    """11-digit CN mobile numbers ``1`` + allocated block + 8 digits: |R| = 55 × 10^8."""

    name = "CN mobile number"
    size = len(_CN_MOBILE_BLOCKS) * 10**8

    def secret(self, index: int) -> str:
        block, rest = divmod(index, 10**8)
        return f"1{_CN_MOBILE_BLOCKS[block]}{rest:08d}"

    def index(self, secret: str) -> int:
        if len(secret) != 11 or not secret.isdigit() or secret[1:3] not in _CN_MOBILE_BLOCKS or secret[0] != "1":
            raise ConfigError(f"{secret!r} is not a CN mobile number in an allocated block")
        return _CN_MOBILE_BLOCKS.index(secret[1:3]) * 10**8 + int(secret[3:])


class UsPhoneSpace(SecretSpace):
    """NANP-shaped ``(NXX) NXX-XXXX``, N = 2..9: |R| = 800 × 800 × 10^4."""

    name = "US phone number"
    size = 800 * 800 * 10**4

    def secret(self, index: int) -> str:
        area, rest = divmod(index, 800 * 10**4)
        exchange, line = divmod(rest, 10**4)
        return f"({area + 200}) {exchange + 200}-{line:04d}"

    def index(self, secret: str) -> int:
        s = secret
        if len(s) != 14 or s[0] != "(" or s[4:6] != ") " or s[9] != "-" or not (s[1:4] + s[6:9] + s[10:]).isdigit():
            raise ConfigError(f"{secret!r} is not a phone number of the form (NXX) NXX-XXXX")
        area, exchange = int(s[1:4]) - 200, int(s[6:9]) - 200
        if area < 0 or exchange < 0:
            raise ConfigError(f"{secret!r}: area code and exchange must start with 2-9")
        return (area * 800 + exchange) * 10**4 + int(s[10:])


_ID_REGIONS = ("110101", "110105", "120101", "210102", "310101", "310104", "320102", "330106",
               "340102", "370202", "420111", "440103", "440305", "500103", "510107", "610113")  # fmt: skip
_ID_FIRST_DAY = _dt.date(1950, 1, 1)
_ID_DAYS = (_dt.date(2005, 12, 31) - _ID_FIRST_DAY).days + 1


class CnIdSpace(SecretSpace):
    """18-digit CN resident IDs (GB 11643-1999): region × birth date 1950–2005 × sequence,
    with the MOD 11-2 check character computed, so |R| = 16 × 20454 × 1000."""

    name = "CN resident ID number"
    size = len(_ID_REGIONS) * _ID_DAYS * 1000

    def secret(self, index: int) -> str:
        rest, seq = divmod(index, 1000)
        region, day = divmod(rest, _ID_DAYS)
        birth = _ID_FIRST_DAY + _dt.timedelta(days=day)
        first17 = f"{_ID_REGIONS[region]}{birth:%Y%m%d}{seq:03d}"
        return first17 + cn_id_check_char(first17)

    def index(self, secret: str) -> int:
        try:
            region = _ID_REGIONS.index(secret[:6])
            day = (_dt.date(int(secret[6:10]), int(secret[10:12]), int(secret[12:14])) - _ID_FIRST_DAY).days
            seq = int(secret[14:17])
        except ValueError:
            raise ConfigError(f"{secret!r} is not an ID number in the canary space") from None
        if len(secret) != 18 or not 0 <= day < _ID_DAYS or cn_id_check_char(secret[:17]) != secret[17]:
            raise ConfigError(f"{secret!r} is not an ID number in the canary space")
        return (region * _ID_DAYS + day) * 1000 + seq
