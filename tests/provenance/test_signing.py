"""Signing a run directory: any changed byte, added/removed file or directory, or another key fails."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from privtune.errors import ConfigError, InputError
from privtune.provenance.signing import ENVELOPE_NAME, generate_key, load_public_key, sign, verify


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    d = tmp_path / "run"
    (d / "adapter").mkdir(parents=True)
    (d / "adapter" / "adapter_model.safetensors").write_bytes(bytes(range(256)) * 8)
    (d / "adapter" / "adapter_config.json").write_text('{"r": 8}')
    (d / "adapter" / "README.md").write_text("---\nlibrary_name: peft\n---\n# card\n")
    (d / "bom.cdx.json").write_text('{"bomFormat": "CycloneDX"}')
    (d / "privacy.json").write_text('{"dp": true, "epsilon": 8.0}')
    return d


@pytest.fixture()
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_valid_signature_and_envelope_format(run_dir: Path, key: Ed25519PrivateKey) -> None:
    sign(run_dir, key)
    status = verify(run_dir, key.public_key())
    assert status.ok and status.pinned and status.files == 5
    envelope = json.loads((run_dir / ENVELOPE_NAME).read_text())
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert {s["name"] for s in statement["subject"]} >= {"adapter/adapter_model.safetensors", "adapter/README.md",
                                                         "bom.cdx.json", "privacy.json"}
    assert verify(run_dir).ok and not verify(run_dir).pinned  # stored key: integrity only


@pytest.mark.parametrize("tamper", ["flip_byte", "append", "add_file", "remove_file", "add_empty_dir",
                                    "remove_dir", "symlink", "fifo"])
def test_any_change_fails(run_dir: Path, key: Ed25519PrivateKey, tamper: str) -> None:
    sign(run_dir, key)
    weights = run_dir / "adapter" / "adapter_model.safetensors"
    if tamper == "flip_byte":
        data = bytearray(weights.read_bytes())
        data[1000] ^= 1
        weights.write_bytes(bytes(data))
    elif tamper == "append":
        (run_dir / "privacy.json").write_text('{"dp": true, "epsilon": 8.0} ')
    elif tamper == "add_file":
        (run_dir / "adapter" / "extra.bin").write_bytes(b"")
    elif tamper == "remove_file":
        (run_dir / "bom.cdx.json").unlink()
    elif tamper == "add_empty_dir":
        (run_dir / "adapter" / "empty").mkdir()
    elif tamper == "remove_dir":
        for p in (run_dir / "adapter").iterdir():
            p.unlink()
        (run_dir / "adapter").rmdir()
    elif tamper == "fifo":  # was skipped: neither file nor directory
        os.mkfifo(run_dir / "adapter" / "pipe")
    else:
        (run_dir / "link").symlink_to(weights)
    status = verify(run_dir, key.public_key())
    assert not status.ok and status.state == "invalid" and status.problems


def test_other_key_and_forged_envelope_fail(run_dir: Path, key: Ed25519PrivateKey) -> None:
    sign(run_dir, key)
    assert not verify(run_dir, Ed25519PrivateKey.generate().public_key()).ok
    # Re-signing a tampered directory with another key passes only the unpinned check.
    (run_dir / "privacy.json").write_text('{"dp": false}')
    sign(run_dir, Ed25519PrivateKey.generate())
    assert verify(run_dir).ok and not verify(run_dir, key.public_key()).ok
    env = json.loads((run_dir / ENVELOPE_NAME).read_text())
    env["payload"] = base64.b64encode(b'{"subject": []}').decode()
    (run_dir / ENVELOPE_NAME).write_text(json.dumps(env))
    assert not verify(run_dir).ok


def test_special_files_cannot_be_signed(run_dir: Path, key: Ed25519PrivateKey) -> None:
    os.mkfifo(run_dir / "pipe")
    with pytest.raises(InputError, match="pipe: not a regular file"):
        sign(run_dir, key)


def test_crafted_statement_is_invalid_not_a_crash(run_dir: Path, key: Ed25519PrivateKey) -> None:
    from privtune.provenance.signing import PAYLOAD_TYPE, _pae

    sign(run_dir, key)
    payload = b'{"subject": "x"}'  # validly signed with the stored key, but not a list of digests
    env = {"payloadType": PAYLOAD_TYPE, "payload": base64.b64encode(payload).decode(),
           "signatures": [{"sig": base64.b64encode(key.sign(_pae(PAYLOAD_TYPE, payload))).decode()}]}
    (run_dir / ENVELOPE_NAME).write_text(json.dumps(env))
    status = verify(run_dir)
    assert status.state == "invalid" and "malformed signed statement" in status.reason


def test_unsigned_and_empty_directories(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert verify(empty).state == "unsigned" and not verify(empty).ok
    with pytest.raises(InputError, match="nothing to sign"):
        sign(empty, key)
    (empty / "sub").mkdir()
    with pytest.raises(InputError, match="nothing to sign"):
        sign(empty, key)


def test_key_files(tmp_path: Path, run_dir: Path) -> None:
    key = generate_key(tmp_path / "k.pem")
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
    with pytest.raises(ConfigError, match="exists"):
        generate_key(tmp_path / "k.pem")
    sign(run_dir, key)
    assert verify(run_dir, load_public_key(tmp_path / "k.pem.pub")).ok
    assert verify(run_dir, load_public_key(tmp_path / "k.pem")).ok  # public half of the private key


def test_cli_sign_verify(tmp_path: Path, run_dir: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "privtune.cli", *args], capture_output=True, text=True,
                              timeout=120)

    k = tmp_path / "keys" / "signing.pem"
    assert cli("sign", str(run_dir), "--key", str(k), "--generate-key").returncode == 0
    ok = cli("verify", str(run_dir), "--key", str(k) + ".pub")
    assert ok.returncode == 0 and "valid" in ok.stderr
    (run_dir / "adapter" / "README.md").write_text("changed")
    bad = cli("verify", str(run_dir), "--key", str(k) + ".pub", "--json")
    assert bad.returncode == 7 and json.loads(bad.stdout)["problems"] == ["adapter/README.md: changed after signing"]
    cfg = tmp_path / "verify.yaml"
    cfg.write_text(f"run_dir: {run_dir}\nkey: {k}.pub\n")
    from_yaml = cli("verify", "--config", str(cfg))  # same check, configured from YAML
    assert from_yaml.returncode == 7 and "adapter/README.md: changed after signing" in from_yaml.stderr
    missing = cli("sign", str(run_dir), "--key", str(tmp_path / "none.pem"))
    assert missing.returncode == 2 and "not found" in missing.stderr and "Traceback" not in missing.stderr
    typo = cli("verify", str(tmp_path / "rnu"), "--key", str(k) + ".pub")  # was exit 7 'unsigned'
    assert typo.returncode == 2 and "run directory not found" in typo.stderr
    (tmp_path / "junk.pub").write_text("not a key\n")
    junk = cli("verify", str(run_dir), "--key", str(tmp_path / "junk.pub"))
    assert junk.returncode == 2 and "not a PEM public key" in junk.stderr and "Traceback" not in junk.stderr


def test_serve_helpers(run_dir: Path, key: Ed25519PrivateKey, tmp_path: Path) -> None:
    from privtune.errors import SignatureInvalid
    from privtune.provenance.status import require_signature

    with pytest.raises(SignatureInvalid, match="unsigned"):
        require_signature(run_dir)
    sign(run_dir, key)
    assert require_signature(run_dir).ok
    (run_dir / "privacy.json").write_text("{}")
    with pytest.raises(SignatureInvalid, match="privacy.json: changed after signing"):
        require_signature(run_dir)
