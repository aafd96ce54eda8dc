"""Encrypted, authenticated checkpoints and adapter files (AES-256-GCM).

File layout (little-endian), the same for checkpoints and encrypted adapter weights::

    magic "PRIVTUNE" | version u8 | kind u8 | flags u8 (bit 0: encrypted) | reserved u8
    | chunk_size u32 | key_check 8 B | salt 16 B                              (40-byte header)
    encrypted:   chunk_0 ciphertext+tag | chunk_1 ... | last chunk (each chunk_size bytes of plaintext)
    unencrypted: payload | SHA-256(header || payload)

Encryption: a per-file key is derived with HKDF-SHA256 from the master key and a random
128-bit salt, so nonces never repeat across files even if a random value did; each chunk's
96-bit nonce is its counter plus a "last chunk" flag, which makes reordering, dropping or
truncating chunks fail authentication. The whole header is the AAD of every chunk, so any
flipped header bit fails too. Chunking keeps memory flat and lifts GCM's per-call size limit.
``key_check`` (8 bytes of HMAC-SHA256 of the master key) only lets us say "wrong key" rather
than "tampered"; it reveals nothing usable about a 256-bit key.

Serialisation is ``torch.save``. That is a pickle, and it is safe here because (1) we only
unpickle plaintext whose GCM tags verified under the user's key, i.e. bytes we wrote, and
(2) loading uses ``torch.load(weights_only=True)``, whose restricted unpickler admits only
tensors and plain containers/scalars — which also covers the opt-out unencrypted mode, where
the SHA-256 trailer detects corruption but, having no key, cannot detect a deliberate edit.
`save_checkpoint` checks the state contains only such types, so a checkpoint that could not
be loaded back is never written.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import random
import re
import shutil
import struct
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privtune.errors import ConfigError, InputError, IntegrityError
from privtune.keys import KEY_ENV, SecretKey, as_key, create_key_file, load_key, read_key_file
from privtune.train.secure_delete import fsync_dir, secure_unlink

# The key helpers live in privtune.keys; callers that deal with checkpoints import them from here too.
__all__ = [
    "CheckpointManager", "save_checkpoint", "load_checkpoint", "capture_rng_state", "restore_rng_state",
    "encrypt_adapter", "load_encrypted_adapter", "decrypt_adapter",
    "KEY_ENV", "SecretKey", "as_key", "create_key_file", "load_key", "read_key_file",
]

MAGIC = b"PRIVTUNE"
VERSION = 1
KIND_CHECKPOINT, KIND_ADAPTER = 1, 2
_KIND_NAMES = {KIND_CHECKPOINT: "checkpoint", KIND_ADAPTER: "sealed adapter"}
FLAG_ENCRYPTED = 0x01
HEADER = struct.Struct("<8sBBBBI8s16s")
CHUNK = 1 << 24
_TAG = 16
_DIGEST = 32
ADAPTER_WEIGHTS = "adapter_model.safetensors"
ENCRYPTED_SUFFIX = ".enc"


# --------------------------------------------------------------------------- sealed container


@contextmanager
def _private_atomic(path: Path) -> Iterator[BinaryIO]:
    """A 0600 temp file beside ``path``: fsynced and renamed over it on success, securely
    removed on failure (it may hold plaintext in unencrypted mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        secure_unlink(tmp, missing_ok=True)


def _write_sealed(path: Path, payload: bytes | memoryview, key: SecretKey | None, kind: int,
                  chunk: int = CHUNK) -> None:
    """Atomically write ``payload`` (encrypted unless ``key`` is None) to ``path``, mode 0600."""
    salt = os.urandom(16) if key else bytes(16)
    flags = FLAG_ENCRYPTED if key else 0
    header = HEADER.pack(MAGIC, VERSION, kind, flags, 0, chunk, key.check if key else bytes(8), salt)
    view = memoryview(payload).cast("B")
    with _private_atomic(path) as fh:
        fh.write(header)
        if key:
            aead = AESGCM(key.file_key(salt))
            count = max(1, -(-len(view) // chunk))
            for i in range(count):
                nonce = i.to_bytes(11, "big") + (b"\x01" if i == count - 1 else b"\x00")
                fh.write(aead.encrypt(nonce, view[i * chunk:(i + 1) * chunk], header))
        else:
            digest = hashlib.sha256(header)
            digest.update(view)
            fh.write(view)
            fh.write(digest.digest())


def _read_sealed(path: Path, key: SecretKey | None, kind: int, allow_unencrypted: bool = False) -> bytes:
    """Verify and return the payload of ``path``; `IntegrityError` on any mismatch."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{_KIND_NAMES[kind]} file not found", path=str(path)) from None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        header = fh.read(HEADER.size)
        if len(header) < HEADER.size:
            raise IntegrityError(f"{path}: truncated ({size} bytes is shorter than the header)")
        magic, version, got_kind, flags, reserved, chunk, check, salt = HEADER.unpack(header)
        if magic != MAGIC:
            raise IntegrityError(f"{path}: not a privtune {_KIND_NAMES[kind]} file (bad magic bytes)")
        if version != VERSION:
            raise IntegrityError(f"{path}: unsupported format version {version} (this privtune reads {VERSION})")
        if got_kind != kind:
            found = _KIND_NAMES.get(got_kind, f"unknown kind {got_kind}")
            raise IntegrityError(f"{path}: this is a {found} file, not a {_KIND_NAMES[kind]} file")
        if reserved or flags & ~FLAG_ENCRYPTED or not 0 < chunk <= 1 << 30:
            raise IntegrityError(f"{path}: corrupt header")
        if not flags & FLAG_ENCRYPTED:
            return _read_plain(path, fh, header, size, key, allow_unencrypted)
        if key is None:
            raise ConfigError(f"{path} is encrypted: set {KEY_ENV} or give the key file it was written with")
        if not hmac.compare_digest(check, key.check):
            raise IntegrityError(f"{path}: wrong key — the file was encrypted with key id {check.hex()}, "
                                 f"the key given has id {key.key_id} (or the header was modified)")
        aead = AESGCM(key.file_key(salt))
        out = bytearray()
        i = 0
        while True:
            record = fh.read(chunk + _TAG)
            last = fh.tell() >= size
            if len(record) < _TAG:
                raise IntegrityError(f"{path}: truncated (chunk {i} is incomplete)")
            nonce = i.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
            try:
                out += aead.decrypt(nonce, record, header)
            except InvalidTag:
                raise IntegrityError(f"{path}: authentication failed at chunk {i} — the file was modified, "
                                     "truncated or corrupted; refusing to load it") from None
            if last:
                return bytes(out)
            i += 1


def _is_sealed(path: Path) -> bool | None:
    """Whether ``path`` has a privtune header with the encrypted flag (None: unreadable or not one;
    `_read_sealed` then says what is wrong)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(HEADER.size)
    except OSError:
        return None
    if len(header) < HEADER.size or HEADER.unpack(header)[0] != MAGIC:
        return None
    return bool(HEADER.unpack(header)[3] & FLAG_ENCRYPTED)


def _read_plain(path: Path, fh: Any, header: bytes, size: int, key: SecretKey | None,
                allow_unencrypted: bool) -> bytes:
    if key is not None and not allow_unencrypted:
        # Otherwise swapping in an unencrypted file would silently bypass authentication.
        raise IntegrityError(f"{path}: file is NOT encrypted but a key was given; refusing to load it "
                             "(pass allow_unencrypted=True if you wrote it with encryption off)")
    if size < HEADER.size + _DIGEST:
        raise IntegrityError(f"{path}: truncated (no checksum)")
    body = fh.read()
    payload, digest = body[:-_DIGEST], body[-_DIGEST:]
    if not hmac.compare_digest(hashlib.sha256(header + payload).digest(), digest):
        raise IntegrityError(f"{path}: checksum mismatch — the unencrypted file is corrupt or was modified")
    return payload


# --------------------------------------------------------------------------- checkpoints

_LEAF_TYPES = (type(None), bool, int, float, complex, str, bytes, torch.dtype, torch.Size, torch.device)


def _check_storable(obj: Any, where: str) -> None:
    """Raise TypeError naming the first value that ``torch.load(weights_only=True)`` would refuse."""
    t = type(obj)
    if t in _LEAF_TYPES or t in (torch.Tensor, torch.nn.Parameter):
        return
    if t in (dict, OrderedDict):
        for k, v in obj.items():
            if type(k) not in _LEAF_TYPES:
                raise TypeError(f"{where}: dict key of type {type(k).__name__} cannot be stored in a checkpoint")
            _check_storable(v, f"{where}[{k!r}]")
        return
    if t in (list, tuple, set, frozenset):
        for i, v in enumerate(obj):
            _check_storable(v, f"{where}[{i}]")
        return
    raise TypeError(f"{where}: {t.__module__}.{t.__qualname__} cannot be stored in a checkpoint; use tensors, "
                    "numbers, strings, bytes and dict/list/tuple of them (numpy: torch.from_numpy or .tolist())")


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any], key: SecretKey | bytes | None, *,
                    encrypt: bool = True) -> Path:
    """Serialise ``state`` and write it atomically, encrypted unless ``encrypt=False``."""
    k = as_key(key)
    if encrypt and k is None:
        raise ConfigError("checkpoint encryption needs a key; opt out explicitly with encrypt=False")
    if not isinstance(state, dict):
        raise TypeError("checkpoint state must be a dict")
    _check_storable(state, "state")
    buf = io.BytesIO()
    torch.save(state, buf)
    p = Path(path)
    _write_sealed(p, buf.getbuffer(), k if encrypt else None, KIND_CHECKPOINT)
    return p


def load_checkpoint(path: str | os.PathLike[str], key: SecretKey | bytes | None, *,
                    allow_unencrypted: bool = False) -> dict[str, Any]:
    """Verify and load a checkpoint; `IntegrityError` on a wrong key or any modification."""
    p = Path(path)
    payload = _read_sealed(p, as_key(key), KIND_CHECKPOINT, allow_unencrypted)
    try:
        state = torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
    except Exception as exc:  # authentic bytes that do not unpickle: written by something else
        raise IntegrityError(f"{p}: verified but not a loadable checkpoint ({type(exc).__name__})") from None
    if not isinstance(state, dict):
        raise IntegrityError(f"{p}: verified but does not hold a checkpoint dict")
    return state


def capture_rng_state() -> dict[str, Any]:
    """Python, NumPy (legacy global) and torch RNG states, in checkpoint-storable types."""
    name, keys, pos, has_gauss, gauss = np.random.get_state(legacy=True)  # type: ignore[misc]
    state: dict[str, Any] = {"python": random.getstate(), "numpy": (name, keys.tolist(), pos, has_gauss, gauss),
                             "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    """Inverse of `capture_rng_state`."""
    random.setstate(state["python"])
    name, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(state["cuda"])


class CheckpointManager:
    """Numbered checkpoints in one directory, keeping the newest ``keep_last``.

    Older ones are removed with `secure_unlink`. `latest` never falls back to an older file
    when the newest fails verification: resuming from an older accountant state would
    under-count the privacy already spent, so it raises `IntegrityError` instead.
    """

    _NAME = re.compile(r"^ckpt-(\d{10})\.ptck$")

    def __init__(self, directory: str | os.PathLike[str], key: SecretKey | bytes | None, keep_last: int = 1, *,
                 encrypt: bool = True) -> None:
        if keep_last < 1:
            raise ConfigError(f"keep_last must be at least 1, got {keep_last}")
        self.key, self.encrypt, self.keep_last = as_key(key), encrypt, keep_last
        if encrypt and self.key is None:
            raise ConfigError("checkpoint encryption needs a key; opt out explicitly with encrypt=False")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for stale in self.directory.glob(".ckpt-*.tmp"):  # left by a crash mid-save
            secure_unlink(stale, missing_ok=True)

    def path_for(self, step: int) -> Path:
        return self.directory / f"ckpt-{step:010d}.ptck"

    def checkpoints(self) -> list[tuple[int, Path]]:
        found = [(int(m.group(1)), p) for p in self.directory.iterdir() if (m := self._NAME.match(p.name))]
        return sorted(found)

    def save(self, step: int, state: dict[str, Any]) -> Path:
        """Write the checkpoint for ``step``, then delete all but the newest ``keep_last``."""
        if not 0 <= step < 10**10:
            raise ValueError(f"step out of range: {step}")
        path = save_checkpoint(self.path_for(step), {"step": step, "state": state}, self.key, encrypt=self.encrypt)
        for _, old in self.checkpoints()[: -self.keep_last]:
            secure_unlink(old, missing_ok=True)
        return path

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        """``(step, state)`` of the newest checkpoint, or None when there is none."""
        found = self.checkpoints()
        if not found:
            return None
        step, path = found[-1]
        sealed = _is_sealed(path)
        if sealed is not None and sealed != self.encrypt:
            # The run's own setting decides; the reader's messages named a Python argument
            # (allow_unencrypted=True) or a key, not the flag that was changed.
            raise ConfigError(
                f"{path} was written with checkpoint.encrypt {'on' if sealed else 'off'}, and this resume has it "
                f"{'on' if self.encrypt else 'off'}: resume with --checkpoint-encrypt {str(sealed).lower()} "
                + ("(and the key it was written with: PRIVTUNE_KEY or checkpoint.key_file)" if sealed else
                   "(a plaintext file is never loaded while encryption is on: swapping one in would bypass "
                   "authentication)"))
        payload = load_checkpoint(path, self.key, allow_unencrypted=not self.encrypt)
        if payload.get("step") != step or "state" not in payload:
            # Binds the file name to the contents: a renamed (rolled-back) file is caught.
            raise IntegrityError(f"{path}: file name says step {step} but its contents say {payload.get('step')!r}")
        return step, payload["state"]


# --------------------------------------------------------------------------- adapters


def encrypt_adapter(adapter_dir: str | os.PathLike[str], key: SecretKey | bytes, *,
                    remove_plaintext: bool = True) -> Path:
    """Encrypt ``adapter_model.safetensors`` to ``adapter_model.safetensors.enc`` in place.

    The ciphertext is read back and verified before the plaintext is securely deleted.
    """
    k = as_key(key)
    if k is None:
        raise ConfigError("encrypting an adapter needs a key")
    src = Path(adapter_dir) / ADAPTER_WEIGHTS
    if not src.is_file():
        raise InputError(f"no {ADAPTER_WEIGHTS} to encrypt", path=str(adapter_dir))
    data = src.read_bytes()
    dst = src.with_name(ADAPTER_WEIGHTS + ENCRYPTED_SUFFIX)
    _write_sealed(dst, data, k, KIND_ADAPTER)
    if not hmac.compare_digest(hashlib.sha256(_read_sealed(dst, k, KIND_ADAPTER)).digest(),
                               hashlib.sha256(data).digest()):
        raise IntegrityError(f"{dst}: read-back verification failed; the plaintext was kept")
    if remove_plaintext:
        secure_unlink(src)
    return dst


def load_encrypted_adapter(adapter_dir: str | os.PathLike[str], key: SecretKey | bytes) -> dict[str, torch.Tensor]:
    """Decrypt the adapter weights in memory (no plaintext on disk) as a tensor dict."""
    from safetensors.torch import load as load_safetensors

    return load_safetensors(_read_sealed(Path(adapter_dir) / (ADAPTER_WEIGHTS + ENCRYPTED_SUFFIX),
                                         as_key(key), KIND_ADAPTER))


def decrypt_adapter(adapter_dir: str | os.PathLike[str], key: SecretKey | bytes,
                    out_dir: str | os.PathLike[str]) -> Path:
    """Write a loadable PEFT adapter dir at ``out_dir`` (config files copied, weights decrypted).

    The plaintext weights are written with mode 0600; delete them with `secure_rmtree` after use.
    """
    src_dir, dst_dir = Path(adapter_dir), Path(out_dir)
    payload = _read_sealed(src_dir / (ADAPTER_WEIGHTS + ENCRYPTED_SUFFIX), as_key(key), KIND_ADAPTER)
    dst_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if dst_dir.resolve() != src_dir.resolve():
        for item in src_dir.iterdir():
            if item.is_file() and not item.name.endswith(ENCRYPTED_SUFFIX) and item.name != ADAPTER_WEIGHTS:
                shutil.copy2(item, dst_dir / item.name)
    with _private_atomic(dst_dir / ADAPTER_WEIGHTS) as fh:
        fh.write(payload)
    return dst_dir
