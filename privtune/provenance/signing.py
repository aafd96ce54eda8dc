"""Sign a training run directory and verify it: Ed25519 over a DSSE envelope of an in-toto statement.

What is signed: every regular file under the run directory (adapter/ with the model card,
bom.cdx.json, privacy.json, provenance.json, train_report.json, ...) by SHA-256, as the
``subject`` list of an in-toto Statement v1, plus the list of directories (so an added empty
directory is caught too). The statement is wrapped in a DSSE envelope
(``payloadType: application/vnd.in-toto+json``) whose signature covers the DSSE pre-authentication
encoding; the envelope is ``RUN_DIR/signature.dsse.json`` and the signer's public key
``RUN_DIR/signature.pub.pem``. Both formats are open standards, checked with ``cryptography`` only
(offline, no transparency log).

`verify` fails on any changed byte, added or removed file or directory, a symbolic link (a FIFO, socket or device), a
signature made by another key than the pinned one, and a directory that was never signed.
Without a pinned public key it checks against the key stored beside the signature and says so
(``pinned: False``): that proves integrity, not who signed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from privtune import __version__
from privtune.errors import ConfigError, InputError
from privtune.io.writers import atomic_write_bytes, atomic_write_text
from privtune.provenance.lineage import file_sha256

__all__ = ["ENVELOPE_NAME", "PUBKEY_NAME", "SignatureStatus", "generate_key", "load_private_key", "load_public_key",
           "sign", "verify"]

ENVELOPE_NAME = "signature.dsse.json"
PUBKEY_NAME = "signature.pub.pem"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://github.com/privtune/privtune/run-manifest/v1"
_SIGNATURE_FILES = {ENVELOPE_NAME, PUBKEY_NAME}


@dataclass
class SignatureStatus:
    """The outcome of `verify`; ``ok`` is the one bit serve needs."""

    ok: bool
    state: str  # valid | unsigned | invalid
    reason: str = ""
    key_id: str | None = None
    pinned: bool = False
    files: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what the signature actually covers."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def generate_key(path: str | Path) -> Ed25519PrivateKey:
    """A new Ed25519 key as PKCS#8 PEM, created 0600 (fails if the file exists); public key at PATH.pub."""
    path = Path(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{path}: key file exists; not overwriting it") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    atomic_write_bytes(path.with_name(path.name + ".pub"), _public_pem(key.public_key()))
    return key


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except FileNotFoundError:
        raise InputError("signing key not found", path=str(path), hint="create one with --generate-key") from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"not an unencrypted PEM private key: {exc}", path=str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("the signing key must be Ed25519", path=str(path))
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """A PEM public key, or the public half of a PEM private key."""
    data = Path(path).read_bytes() if Path(path).is_file() else None
    if data is None:
        raise InputError("public key not found", path=str(path))
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError):
            raise InputError("not a PEM public key, nor an unencrypted PEM private key", path=str(path)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("the key must be Ed25519", path=str(path))
    return key


def _inventory(run_dir: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(file -> sha256 hex, directories, problems) for everything under ``run_dir`` but the signature files."""
    files: dict[str, str] = {}
    dirs: list[str] = []
    problems: list[str] = []
    for p in sorted(run_dir.rglob("*")):
        rel = p.relative_to(run_dir).as_posix()
        if p.is_symlink():
            problems.append(f"{rel}: symbolic link (not signable)")
        elif p.is_dir():
            dirs.append(rel)
        elif not p.is_file():
            # A FIFO, socket or device: no content to hash, and reading a FIFO would block.
            problems.append(f"{rel}: not a regular file or directory (not signable)")
        elif rel not in _SIGNATURE_FILES:
            files[rel] = file_sha256(p).removeprefix("sha256:")
    return files, dirs, problems


def sign(run_dir: str | Path, key: Ed25519PrivateKey) -> Path:
    """Sign ``run_dir`` (see module docstring); returns the envelope's path."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("run directory not found", path=str(run_dir))
    files, dirs, problems = _inventory(run_dir)
    if problems:
        raise InputError("cannot sign: " + "; ".join(problems), path=str(run_dir))
    if not files:
        raise InputError("nothing to sign: the directory holds no files", path=str(run_dir))
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": digest}} for name, digest in files.items()],
        "predicateType": PREDICATE_TYPE,
        "predicate": {"directories": dirs, "signed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                      "privtune_version": __version__},
    }
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    envelope = {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": key_id(key.public_key()),
                        "sig": base64.b64encode(key.sign(_pae(PAYLOAD_TYPE, payload))).decode()}],
    }
    atomic_write_bytes(run_dir / PUBKEY_NAME, _public_pem(key.public_key()))
    path = run_dir / ENVELOPE_NAME
    atomic_write_text(path, json.dumps(envelope, indent=1) + "\n")
    return path


def _invalid(reason: str, **kw: Any) -> SignatureStatus:
    return SignatureStatus(False, "invalid", reason, **kw)


def verify(run_dir: str | Path, public_key: Ed25519PublicKey | None = None) -> SignatureStatus:
    """Check ``run_dir`` against its signature; never raises for a bad or missing signature."""
    run_dir = Path(run_dir)
    env_path = run_dir / ENVELOPE_NAME
    if not run_dir.is_dir() or not env_path.is_file():
        return SignatureStatus(False, "unsigned", f"no {ENVELOPE_NAME} in {run_dir}")
    try:
        envelope = json.loads(env_path.read_text(encoding="utf-8"))
        payload = base64.b64decode(envelope["payload"], validate=True)
        sigs = envelope["signatures"]
        if envelope["payloadType"] != PAYLOAD_TYPE:
            return _invalid(f"unexpected payloadType {envelope['payloadType']!r}")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested 1000+ deep
        return _invalid(f"malformed signature envelope: {exc}")
    pinned = public_key is not None
    if public_key is None:
        try:
            public_key = load_public_key(run_dir / PUBKEY_NAME)
        except InputError as exc:
            return _invalid(f"no usable public key beside the signature: {exc}")
    kid = key_id(public_key)
    for s in sigs if isinstance(sigs, list) else []:
        try:
            public_key.verify(base64.b64decode(s["sig"], validate=True), _pae(PAYLOAD_TYPE, payload))
            break
        except (InvalidSignature, ValueError, KeyError, TypeError):
            continue
    else:
        return _invalid("the signature does not verify with " + ("the given key" if pinned else "the stored key"),
                        key_id=kid, pinned=pinned)
    try:  # signed by the stored key, so well-formed unless someone signed a crafted statement
        statement = json.loads(payload)
        signed = {s["name"]: s["digest"]["sha256"] for s in statement.get("subject", [])}
        signed_dirs = set(statement.get("predicate", {}).get("directories", []))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        return _invalid(f"malformed signed statement: {exc!r}", key_id=kid, pinned=pinned)
    files, dirs, problems = _inventory(run_dir)
    problems += [f"{n}: added after signing" for n in files if n not in signed]
    problems += [f"{n}: removed after signing" for n in signed if n not in files]
    problems += [f"{n}: changed after signing" for n in files if n in signed and files[n] != signed[n]]
    problems += [f"{d}/: directory added after signing" for d in dirs if d not in signed_dirs]
    problems += [f"{d}/: directory removed after signing" for d in signed_dirs if d not in dirs]
    if problems:
        return _invalid(f"{len(problems)} difference(s) from the signed state", key_id=kid, pinned=pinned,
                        files=len(files), problems=problems)
    return SignatureStatus(True, "valid", "all files match the signed digests", key_id=kid, pinned=pinned,
                           files=len(files))
