"""Noise calibration: the returned sigma spends at most the target, and at least 99 % of it."""

from __future__ import annotations

import pytest

from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.calibration import SIGMA_MAX, default_delta, noise_for_target_epsilon
from privtune.privacy.errors import AccountingError, CalibrationError


@pytest.mark.parametrize(
    "accountant,target,delta,q,steps",
    [
        ("pld", 8.0, 1e-5, 0.01, 10_000),
        ("pld", 1.0, 1e-5, 0.004, 5_000),
        ("pld", 3.0, 1e-6, 1.0, 10),  # full-batch: plain Gaussian mechanism
        ("rdp", 2.0, 1e-5, 0.01, 1_000),
        ("rdp", 0.5, 1e-6, 0.001, 100_000),
        ("prv", 2.0, 1e-5, 0.02, 500),
    ],
)
def test_calibrated_sigma_hits_target_from_below(accountant: str, target: float, delta: float, q: float, steps: int) -> None:
    sigma = noise_for_target_epsilon(target, delta, q, steps, accountant=accountant)
    eps = get_accountant(accountant).epsilon([MechanismEvent(sigma, q, steps)], delta)
    assert target * 0.99 <= eps <= target


def test_tighter_tolerance_is_honoured() -> None:
    sigma = noise_for_target_epsilon(4.0, 1e-5, 0.01, 2_000, accountant="rdp", tol=0.001)
    eps = get_accountant("rdp").epsilon([MechanismEvent(sigma, 0.01, 2_000)], 1e-5)
    assert 4.0 * 0.999 <= eps <= 4.0


def test_rdp_needs_more_noise_than_pld_for_the_same_target() -> None:
    pld = noise_for_target_epsilon(3.0, 1e-5, 0.01, 2_000, accountant="pld")
    rdp = noise_for_target_epsilon(3.0, 1e-5, 0.01, 2_000, accountant="rdp")
    assert rdp > pld


def test_unreachable_small_target_names_the_numbers() -> None:
    with pytest.raises(CalibrationError, match=r"epsilon=1e-05 .* out of reach") as err:
        noise_for_target_epsilon(1e-5, 1e-5, 1.0, 10_000, accountant="rdp")
    assert f"{SIGMA_MAX:g}" in str(err.value)


def test_uselessly_large_target_is_refused() -> None:
    with pytest.raises(CalibrationError, match="no meaningful protection"):
        noise_for_target_epsilon(1e6, 1e-5, 0.001, 10, accountant="rdp")


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"steps": 0}, "steps"),
        ({"steps": -3}, "steps"),
        ({"sample_rate": 0.0}, "sample_rate"),
        ({"sample_rate": 1.5}, "sample_rate"),
        ({"target_epsilon": 0.0}, "target_epsilon"),
        ({"target_epsilon": float("inf")}, "target_epsilon"),
        ({"delta": 1.0}, "delta"),
        ({"tol": 0.0}, "tol"),
        ({"accountant": "nope"}, "unknown accountant"),
    ],
)
def test_invalid_requests_raise_named_errors(kwargs: dict, match: str) -> None:
    args = {"target_epsilon": 2.0, "delta": 1e-5, "sample_rate": 0.01, "steps": 100, "accountant": "rdp"} | kwargs
    with pytest.raises(AccountingError, match=match):
        noise_for_target_epsilon(**args)


def test_default_delta() -> None:
    assert default_delta(1000) == pytest.approx(1000**-1.1)
    assert default_delta(50_000) < 1 / 50_000
    with pytest.raises(AccountingError):
        default_delta(1)
    with pytest.raises(AccountingError):
        default_delta(10.5)  # type: ignore[arg-type]
