"""Secret keys kept outside the data: from an environment variable or a 0600 key file.

One master-key type for every stage: checkpoints and adapters (``PRIVTUNE_KEY``) and scan's
keyed pseudonyms/HMAC tokens (``PRIVTUNE_SCAN_KEY``). A key never appears in logs, reports or
errors; only its id (an HMAC of the key, not the key) does, so a reader can tell which key
was used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from privtune.errors import ConfigError

KEY_ENV = "PRIVTUNE_KEY"
SCAN_KEY_ENV = "PRIVTUNE_SCAN_KEY"
_KEYGEN_HINT = "generate one with: python -c \"import base64,os; print(base64.b64encode(os.urandom(32)).decode())\""


def config_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "privtune"


def train_key_file() -> Path:
    """Where `privtune train` keeps the key of its checkpoints and sealed adapters by default, and
    where audit and serve look for it: outside any run directory on purpose (a key stored beside
    its ciphertext protects nothing)."""
    return config_dir() / "train.key"


def _fsync_dir(path: Path) -> None:
    """Make a new directory entry durable (the file's own fsync does not cover its name)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SecretKey:
    """A 32-byte master key whose repr never shows the key material."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes) or len(raw) != 32:
            raise ConfigError("an encryption key must be exactly 32 bytes (AES-256)")
        self._raw = raw

    @classmethod
    def generate(cls) -> SecretKey:
        return cls(os.urandom(32))

    @property
    def check(self) -> bytes:
        """8-byte key identifier stored in file headers (HMAC of the key, not the key)."""
        return hmac.new(self._raw, b"privtune key-check v1", hashlib.sha256).digest()[:8]

    @property
    def key_id(self) -> str:
        return self.check.hex()

    def file_key(self, salt: bytes) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"privtune seal v1")
        return hkdf.derive(self._raw)

    def reveal(self) -> bytes:
        """The raw key, for keyed hashing (scan's HMAC tokens). Never log or store it."""
        return self._raw

    def to_base64(self) -> str:
        return base64.b64encode(self._raw).decode("ascii")

    def __repr__(self) -> str:
        return f"SecretKey(<redacted>, id={self.key_id})"


def as_key(key: SecretKey | bytes | None) -> SecretKey | None:
    return SecretKey(key) if isinstance(key, bytes) else key


def _decode_key(text: str, source: str) -> SecretKey:
    # The value itself never appears in a message: it is the secret.
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{source} is not valid base64 (expected 44 characters encoding 32 random bytes); "
                          + _KEYGEN_HINT) from None
    if len(raw) != 32:
        raise ConfigError(f"{source} decodes to {len(raw)} bytes; AES-256 needs exactly 32; " + _KEYGEN_HINT)
    return SecretKey(raw)


def create_key_file(path: str | os.PathLike[str]) -> SecretKey:
    """Write a fresh random key to ``path`` with mode 0600 (fails if the file exists)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = SecretKey.generate()
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # the umask can only remove bits; make the mode exact
        os.write(fd, (key.to_base64() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(p.parent)
    return key


def read_key_file(path: str | os.PathLike[str]) -> SecretKey:
    """Read a base64 key file, refusing one that group or others may read or write."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ConfigError(f"key file not found: {p}") from None
    if not p.is_file():
        raise ConfigError(f"key file is not a regular file: {p}")
    if os.name == "posix" and st.st_mode & 0o077:
        raise ConfigError(f"key file {p} is accessible by group/others (mode {st.st_mode & 0o777:o}); "
                          f"restrict it with: chmod 600 {p}")
    try:
        text = p.read_text(encoding="ascii")
    except UnicodeDecodeError:
        raise ConfigError(f"key file {p} is not base64 text; " + _KEYGEN_HINT) from None
    return _decode_key(text, f"key file {p}")


def load_key(key_file: str | os.PathLike[str] | None = None, *, env_var: str = KEY_ENV,
             create: bool = True) -> SecretKey:
    """The master key: env ``PRIVTUNE_KEY`` (base64 of 32 bytes) if set, else ``key_file``.

    A missing key file is created with a fresh random key (mode 0600) when ``create``.
    """
    env = os.environ.get(env_var)
    if env is not None and env.strip():
        return _decode_key(env, f"environment variable {env_var}")
    if key_file is None:
        raise ConfigError(f"no encryption key: set {env_var} or give a key file "
                          "(or explicitly opt out of encryption)")
    p = Path(key_file).expanduser()
    if not p.exists() and create:
        try:
            return create_key_file(p)
        except FileExistsError:  # another process created it first: use theirs
            pass
    return read_key_file(p)
