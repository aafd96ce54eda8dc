"""What serve needs from provenance, in two calls (serve itself lives in privtune/serve).

- `run_info(run_dir, public_key)`: the card data and the signature status, for ``/info``;
- `require_signature(run_dir, public_key)`: for ``--require-signature``: returns the status of
  a valid signature, raises `SignatureInvalid` for an unsigned or altered run directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from privtune.errors import SignatureInvalid
from privtune.provenance.card import card_data
from privtune.provenance.signing import SignatureStatus, load_public_key, verify

__all__ = ["require_signature", "run_info"]


def _status(run_dir: str | Path, public_key: str | Path | None) -> SignatureStatus:
    return verify(run_dir, load_public_key(public_key) if public_key is not None else None)


def run_info(run_dir: str | Path, public_key: str | Path | None = None) -> dict[str, Any]:
    """``{"card": card_data(run_dir), "signature": {...}}`` (JSON-ready)."""
    return {"card": card_data(run_dir), "signature": _status(run_dir, public_key).to_json()}


def require_signature(run_dir: str | Path, public_key: str | Path | None = None) -> SignatureStatus:
    """The status of a valid signature; `SignatureInvalid` naming the first problems otherwise."""
    status = _status(run_dir, public_key)
    if not status.ok:
        detail = "; ".join(status.problems[:3]) or status.reason
        raise SignatureInvalid(f"{run_dir}: refusing an {status.state} run directory: {detail}")
    return status
