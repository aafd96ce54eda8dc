"""Secret keys kept outside the data: read from an environment variable or a 0600 key file.

Used for scan's keyed pseudonyms/HMAC tokens. The key never appears in logs or reports; only
its fingerprint (first 8 hex of its SHA-256) does, so a reader can tell which key was used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import stat
from pathlib import Path

from privtune.errors import ConfigError


def config_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "privtune"


def key_fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _decode(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{source} is not valid base64 (expected 32 random bytes, base64-encoded)") from None
    if len(key) != 32:
        raise ConfigError(f"{source} decodes to {len(key)} bytes; expected 32")
    return key


def load_or_create_key(env_var: str, path: Path) -> tuple[bytes, str]:
    """Key from ``env_var`` (base64) or ``path``; a missing file is created with a fresh key, mode 0600.

    Returns ``(key, source)`` where source says where it came from (never the key itself).
    """
    if os.environ.get(env_var):
        return _decode(os.environ[env_var], f"${env_var}"), f"${env_var}"
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"key file {path} is readable by group/others (mode {mode:o}); run: chmod 600 {path}"
            )
        return _decode(path.read_text(encoding="ascii"), f"key file {path}"), str(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return _decode(path.read_text(encoding="ascii"), f"key file {path}"), f"{path} (created)"
