"""The demo's end-of-run provenance step for one arm: link the scan, refresh card and BOM, sign, verify.

In the demo the training file is the scan's output with canaries inserted, so its hash is not the
scan output's and train cannot find the scan report by hash; the demo knows which report it
was and links it here (the chain records ``data_is_scan_output: false``). The signing key is
created under ``OUT/keys/``, outside the signed run directory; a real deployment keeps it elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from privtune.provenance.bom import write_bom
from privtune.provenance.card import write_card
from privtune.provenance.lineage import read_provenance, scan_link, write_provenance
from privtune.provenance.signing import generate_key, load_private_key, sign, verify

__all__ = ["finish_arm"]


def finish_arm(run_dir: Path, train_file: Path, scan_report: Path, out: Path) -> dict[str, str]:
    """Card, BOM and signature for ``run_dir``; returns {label: path relative to ``out``} for the report."""
    prov = read_provenance(run_dir)
    prov["chain"] = [scan_link(train_file, scan_report, run_dir) if s["stage"] == "scan" else s for s in prov["chain"]]
    write_provenance(run_dir, prov)
    card, bom = write_card(run_dir), write_bom(run_dir)
    key_path = out / "keys" / "signing.pem"
    key = load_private_key(key_path) if key_path.is_file() else generate_key(key_path)
    signature = sign(run_dir, key)
    status = verify(run_dir, key.public_key())
    if not status.ok:  # a bug, not a user error: the directory was just signed
        raise RuntimeError(f"fresh signature does not verify: {status.reason}")
    return {"model card": card.relative_to(out).as_posix(), "ML-BOM": bom.relative_to(out).as_posix(),
            "signature": signature.relative_to(out).as_posix()}
