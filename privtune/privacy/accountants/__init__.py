"""Privacy accountants for DP-SGD (Poisson-subsampled Gaussian, add/remove adjacency).

One interface (`Accountant.epsilon(history, delta)`), three implementations:

- ``pld`` (default): tight, dp_accounting's privacy-loss distributions, adaptive grid.
- ``prv``: tight, our own privacy-random-variable accountant with explicit error bounds.
- ``rdp``: Renyi DP; looser but cheap, and the classic number papers report.
"""

from __future__ import annotations

from collections.abc import Sequence

from privtune.privacy.accountants.base import Accountant, MechanismEvent, normalise_history
from privtune.privacy.accountants.pld import PLDAccountant
from privtune.privacy.accountants.prv import PRVAccountant
from privtune.privacy.accountants.rdp import RDPAccountant
from privtune.privacy.errors import AccountingError

__all__ = [
    "ACCOUNTANTS",
    "DEFAULT_ACCOUNTANT",
    "Accountant",
    "MechanismEvent",
    "PLDAccountant",
    "PRVAccountant",
    "RDPAccountant",
    "epsilon_curve",
    "get_accountant",
    "normalise_history",
]

ACCOUNTANTS: dict[str, type[Accountant]] = {
    cls.name: cls for cls in (PLDAccountant, PRVAccountant, RDPAccountant)
}
DEFAULT_ACCOUNTANT = "pld"

# One shared instance per name, so their result caches serve every caller in the process.
_INSTANCES: dict[str, Accountant] = {}


def get_accountant(name: str | Accountant = DEFAULT_ACCOUNTANT) -> Accountant:
    """The accountant registered under ``name`` ("pld", "rdp" or "prv"); instances pass through."""
    if isinstance(name, Accountant):
        return name
    key = str(name).strip().lower()
    if key not in ACCOUNTANTS:
        raise AccountingError(f"unknown accountant {name!r}; choose one of: {', '.join(sorted(ACCOUNTANTS))}")
    if key not in _INSTANCES:
        _INSTANCES[key] = ACCOUNTANTS[key]()
    return _INSTANCES[key]


def epsilon_curve(
    history: Sequence[MechanismEvent],
    delta: float,
    accountant: str | Accountant = DEFAULT_ACCOUNTANT,
    points: int = 20,
) -> list[tuple[int, float]]:
    """``(steps, epsilon)`` pairs at ``points`` evenly spaced points of ``history``.

    Cheap for ``rdp`` (use hundreds of points); ``pld``/``prv`` compute every point afresh,
    so ask them for a handful.
    """
    return get_accountant(accountant).epsilon_curve(history, delta, points)
