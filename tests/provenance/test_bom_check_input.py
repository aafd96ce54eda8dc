"""`privtune bom --check FILE` on a received file: whatever its content, an error naming the file, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from privtune.errors import InputError
from privtune.provenance.bom_check import check_bom_file


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_deeply_nested_bom_is_a_named_error(tmp_path: Path, depth: int) -> None:
    # 300 nested components (600 JSON levels, 17 kB) overflowed the schema validator's recursion, 5000 the
    # parser's: RecursionError tracebacks
    path = tmp_path / "received.cdx.json"
    path.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": '
                    + '[{"type": "library", "name": "x", "components": ' * depth + "[]" + "}]" * depth + "}")
    with pytest.raises(InputError, match="nests too deeply") as err:
        check_bom_file(path)
    assert err.value.path == str(path)


def test_run_files_nested_past_the_parser_limit_are_named_errors(tmp_path: Path) -> None:
    """A received run directory is untrusted: a signature envelope of 5000 nested arrays made
    `privtune verify` (which "never raises for a bad signature") a RecursionError traceback, exit 1
    instead of 7; a privacy.json, provenance.json or audit report nested so did the same in card,
    privacy explain, serve's /info and card --audit-report."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from privtune.privacy.explain import explain
    from privtune.provenance.card import card_data
    from privtune.provenance.refresh import link_audit
    from privtune.provenance.signing import ENVELOPE_NAME, verify
    from privtune.serve.info import privacy_summary

    deep = "[" * 5000 + "]" * 5000
    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / ENVELOPE_NAME).write_text(deep)
    status = verify(run_dir, Ed25519PrivateKey.generate().public_key())
    assert not status.ok and "malformed signature envelope" in status.reason
    report = tmp_path / "report.json"
    report.write_text(deep)
    (run_dir / "privacy.json").write_text('{"dp": false}')
    with pytest.raises(InputError) as err:
        link_audit(run_dir, report)
    assert err.value.path == str(report)
    (run_dir / "provenance.json").write_text('{"chain": ' + deep + "}")
    with pytest.raises(InputError) as err:
        card_data(run_dir)
    assert err.value.path == str(run_dir / "provenance.json")
    (run_dir / "privacy.json").write_text('{"dp": false, "x": ' + deep + "}")
    for read in (card_data, explain, lambda d: privacy_summary(d / "privacy.json")):
        with pytest.raises(InputError) as err:
            read(run_dir)
        assert err.value.path == str(run_dir / "privacy.json"), read
