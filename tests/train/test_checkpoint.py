"""Encrypted checkpoints, key handling, rotation, adapter encryption and secure deletion."""

from __future__ import annotations

import base64
import os
import random
import stat
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from privtune.errors import ConfigError, InputError, IntegrityError
from privtune.train import checkpoint as ck
from privtune.train.checkpoint import (
    HEADER,
    CheckpointManager,
    SecretKey,
    capture_rng_state,
    decrypt_adapter,
    encrypt_adapter,
    load_checkpoint,
    load_encrypted_adapter,
    load_key,
    read_key_file,
    restore_rng_state,
    save_checkpoint,
)
from privtune.train.secure_delete import overwrite_file, secure_rmtree, secure_unlink

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def make_state() -> dict:
    gen = torch.Generator().manual_seed(0)
    lora = {"layers.0.q_proj.lora_A.weight": torch.randn(4, 16, generator=gen),
            "layers.0.q_proj.lora_B.weight": torch.zeros(16, 4)}
    params = [torch.nn.Parameter(t.clone()) for t in lora.values()]
    opt = torch.optim.AdamW(params, lr=1e-3)
    sum(p.sum() for p in params).backward()
    opt.step()
    return {"model": lora, "optimizer": opt.state_dict(), "rng": capture_rng_state(),
            "sampler": {"epoch": 2, "seed": 12345678901234567890, "order": torch.randperm(10, generator=gen)},
            "accountant": {"history": [(1.0, 0.01, 5)], "mechanism": "rdp"}, "step": 5, "blob": b"\x00\xff"}


def assert_same(a: object, b: object) -> None:
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and torch.equal(a, b)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


@pytest.fixture
def key() -> SecretKey:
    return SecretKey.generate()


def test_round_trip_encrypted(tmp_path: Path, key: SecretKey) -> None:
    state = make_state()
    path = save_checkpoint(tmp_path / "c.ptck", state, key)
    assert_same(state, load_checkpoint(path, key))
    raw = path.read_bytes()
    assert raw[:8] == b"PRIVTUNE" and raw[10] & 1
    assert b"lora_A" not in raw and b"rdp" not in raw  # nothing readable leaks into the file
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_multi_chunk_round_trip_and_chunk_truncation(tmp_path: Path, key: SecretKey) -> None:
    payload = os.urandom(10_000)
    path = tmp_path / "a.enc"
    ck._write_sealed(path, payload, key, ck.KIND_ADAPTER, chunk=1024)
    assert ck._read_sealed(path, key, ck.KIND_ADAPTER) == payload
    raw = path.read_bytes()
    # Dropping whole trailing chunks is caught by the last-chunk flag in the nonce.
    path.write_bytes(raw[: HEADER.size + 3 * (1024 + 16)])
    with pytest.raises(IntegrityError, match="authentication failed"):
        ck._read_sealed(path, key, ck.KIND_ADAPTER)
    # So is swapping two chunks (the counter is in the nonce).
    c0, c1 = (raw[HEADER.size + i * 1040: HEADER.size + (i + 1) * 1040] for i in (0, 1))
    path.write_bytes(raw[: HEADER.size] + c1 + c0 + raw[HEADER.size + 2080:])
    with pytest.raises(IntegrityError):
        ck._read_sealed(path, key, ck.KIND_ADAPTER)


def test_wrong_key(tmp_path: Path, key: SecretKey) -> None:
    path = save_checkpoint(tmp_path / "c.ptck", {"x": torch.ones(3)}, key)
    with pytest.raises(IntegrityError, match="wrong key"):
        load_checkpoint(path, SecretKey.generate())


def test_every_flipped_byte_is_detected(tmp_path: Path, key: SecretKey) -> None:
    path = save_checkpoint(tmp_path / "c.ptck", {"x": torch.arange(40)}, key)
    raw = path.read_bytes()
    # Every header byte (magic, version, kind, flags, reserved, chunk size, key id, salt), then
    # a spread of ciphertext positions including the first and the tag's last byte.
    positions = list(range(HEADER.size)) + list(range(HEADER.size, len(raw), 97)) + [len(raw) - 1]
    for pos in positions:
        bad = bytearray(raw)
        bad[pos] ^= 0x01
        path.write_bytes(bytes(bad))
        with pytest.raises(IntegrityError):
            load_checkpoint(path, key)


@pytest.mark.parametrize("keep", [0, 10, HEADER.size, HEADER.size + 5, -1])
def test_truncated_file(tmp_path: Path, key: SecretKey, keep: int) -> None:
    path = save_checkpoint(tmp_path / "c.ptck", {"x": torch.ones(100)}, key)
    raw = path.read_bytes()
    path.write_bytes(raw[:keep])
    with pytest.raises(IntegrityError):
        load_checkpoint(path, key)


def test_appended_bytes_are_detected(tmp_path: Path, key: SecretKey) -> None:
    path = save_checkpoint(tmp_path / "c.ptck", {"x": torch.ones(10)}, key)
    path.write_bytes(path.read_bytes() + b"\x00" * 16)
    with pytest.raises(IntegrityError):
        load_checkpoint(path, key)


def test_unencrypted_opt_out_is_marked_and_checked(tmp_path: Path, key: SecretKey) -> None:
    path = save_checkpoint(tmp_path / "p.ptck", {"x": torch.ones(3)}, None, encrypt=False)
    assert path.read_bytes()[10] & 1 == 0
    assert_same(load_checkpoint(path, None), {"x": torch.ones(3)})
    # With a key in hand an unencrypted file is refused: it could be a swapped-in forgery.
    with pytest.raises(IntegrityError, match="NOT encrypted"):
        load_checkpoint(path, key)
    assert_same(load_checkpoint(path, key, allow_unencrypted=True), {"x": torch.ones(3)})
    bad = bytearray(path.read_bytes())
    bad[HEADER.size + 20] ^= 0x80
    path.write_bytes(bytes(bad))
    with pytest.raises(IntegrityError, match="checksum"):
        load_checkpoint(path, None)


def test_encrypted_file_without_key_and_missing_key(tmp_path: Path, key: SecretKey) -> None:
    path = save_checkpoint(tmp_path / "c.ptck", {"x": 1}, key)
    with pytest.raises(ConfigError, match="encrypted"):
        load_checkpoint(path, None)
    with pytest.raises(ConfigError, match="encrypt=False"):
        save_checkpoint(tmp_path / "d.ptck", {"x": 1}, None)
    with pytest.raises(InputError, match="not found"):
        load_checkpoint(tmp_path / "nope.ptck", key)


def test_unstorable_state_is_refused_before_writing(tmp_path: Path, key: SecretKey) -> None:
    with pytest.raises(TypeError, match=r"state\['sampler'\]\['perm'\].*numpy"):
        save_checkpoint(tmp_path / "c.ptck", {"sampler": {"perm": np.arange(3)}}, key)
    assert not any(tmp_path.iterdir())


def test_rng_state_round_trip(tmp_path: Path, key: SecretKey) -> None:
    path = save_checkpoint(tmp_path / "r.ptck", {"rng": capture_rng_state()}, key)
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    restore_rng_state(load_checkpoint(path, key)["rng"])
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


def test_key_repr_is_redacted(key: SecretKey) -> None:
    assert key.to_base64() not in repr(key) and "redacted" in repr(key)


@posix_only
def test_key_file_created_0600_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRIVTUNE_KEY", raising=False)
    kf = tmp_path / "keys" / "privtune.key"
    k1 = load_key(kf)
    assert stat.S_IMODE(kf.stat().st_mode) == 0o600
    assert len(base64.b64decode(kf.read_text().strip())) == 32
    assert load_key(kf).key_id == k1.key_id
    kf.chmod(0o640)
    with pytest.raises(ConfigError, match="chmod 600") as err:
        read_key_file(kf)
    assert kf.read_text().strip() not in str(err.value)


def test_env_key_wins_and_parse_errors_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = os.urandom(32)
    monkeypatch.setenv("PRIVTUNE_KEY", base64.urlsafe_b64encode(raw).decode())
    assert load_key(tmp_path / "unused.key").key_id == SecretKey(raw).key_id
    assert not (tmp_path / "unused.key").exists()
    for value, match in (("not base64!!", "not valid base64"), (base64.b64encode(b"short").decode(), "5 bytes")):
        monkeypatch.setenv("PRIVTUNE_KEY", value)
        with pytest.raises(ConfigError, match=match) as err:
            load_key()
        assert "PRIVTUNE_KEY" in str(err.value) and value not in str(err.value)
    monkeypatch.delenv("PRIVTUNE_KEY")
    with pytest.raises(ConfigError, match="no encryption key"):
        load_key()
    with pytest.raises(ConfigError, match="not found"):
        load_key(tmp_path / "absent.key", create=False)


def test_manager_rotation_and_latest(tmp_path: Path, key: SecretKey) -> None:
    mgr = CheckpointManager(tmp_path / "ckpts", key, keep_last=2)
    assert mgr.latest() is None
    for step in (10, 20, 30):
        mgr.save(step, {"w": torch.full((2,), float(step))})
    assert [s for s, _ in mgr.checkpoints()] == [20, 30]
    step, state = mgr.latest()  # type: ignore[misc]
    assert step == 30 and torch.equal(state["w"], torch.full((2,), 30.0))
    assert sorted(p.name for p in (tmp_path / "ckpts").iterdir()) == ["ckpt-0000000020.ptck", "ckpt-0000000030.ptck"]


def test_manager_refuses_renamed_or_corrupt_latest(tmp_path: Path, key: SecretKey) -> None:
    mgr = CheckpointManager(tmp_path, key, keep_last=3)
    mgr.save(1, {"w": 1})
    mgr.save(2, {"w": 2})
    # Rolling back by renaming an old file to a newer step is caught...
    mgr.path_for(1).rename(mgr.path_for(3))
    with pytest.raises(IntegrityError, match="step 3"):
        mgr.latest()
    # ...and a corrupt newest file raises rather than silently resuming from an older one.
    mgr.path_for(3).unlink()
    raw = bytearray(mgr.path_for(2).read_bytes())
    raw[-1] ^= 1
    mgr.path_for(2).write_bytes(bytes(raw))
    with pytest.raises(IntegrityError):
        mgr.latest()


def test_manager_cleans_stale_temp_and_checks_args(tmp_path: Path, key: SecretKey) -> None:
    stale = tmp_path / ".ckpt-0000000005.ptck.abc.tmp"
    stale.write_bytes(b"partial")
    CheckpointManager(tmp_path, key)
    assert not stale.exists()
    with pytest.raises(ConfigError):
        CheckpointManager(tmp_path, key, keep_last=0)
    with pytest.raises(ConfigError):
        CheckpointManager(tmp_path, None)
    plain = CheckpointManager(tmp_path / "plain", None, encrypt=False)
    plain.save(1, {"w": 1})
    assert plain.latest() == (1, {"w": 1})


def test_adapter_encrypt_decrypt(tmp_path: Path, key: SecretKey) -> None:
    adir = tmp_path / "adapter"
    adir.mkdir()
    tensors = {"base_model.model.q_proj.lora_A.weight": torch.randn(4, 8), "x.lora_B.weight": torch.zeros(8, 4)}
    save_file(tensors, str(adir / "adapter_model.safetensors"))
    (adir / "adapter_config.json").write_text('{"r": 4}')
    enc = encrypt_adapter(adir, key)
    assert enc.name == "adapter_model.safetensors.enc" and not (adir / "adapter_model.safetensors").exists()
    assert_same(load_encrypted_adapter(adir, key), tensors)
    out = decrypt_adapter(adir, key, tmp_path / "plain")
    assert (out / "adapter_config.json").read_text() == '{"r": 4}'
    from safetensors.torch import load_file
    assert_same(load_file(str(out / "adapter_model.safetensors")), tensors)
    with pytest.raises(IntegrityError):
        load_encrypted_adapter(adir, SecretKey.generate())
    # A checkpoint file is not accepted where adapter weights are expected.
    save_checkpoint(enc, {"x": 1}, key)
    with pytest.raises(IntegrityError, match="this is a checkpoint file, not a sealed adapter file"):
        load_encrypted_adapter(adir, key)
    with pytest.raises(InputError):
        encrypt_adapter(tmp_path / "plain" / "missing", key)


def test_secure_unlink(tmp_path: Path) -> None:
    target = tmp_path / "secret.bin"
    target.write_bytes(b"S" * 3_000_000)
    link = tmp_path / "link"
    link.symlink_to(target)
    secure_unlink(link)  # removes the link only, never the target's data
    assert target.read_bytes()[:1] == b"S"
    secure_unlink(target)
    assert not target.exists() and not list(tmp_path.iterdir())
    with pytest.raises(FileNotFoundError):
        secure_unlink(target)
    secure_unlink(target, missing_ok=True)
    tree = tmp_path / "tree" / "sub"
    tree.mkdir(parents=True)
    (tree / "a").write_bytes(b"x")
    (tree.parent / "b").write_bytes(b"y")
    with pytest.raises(IsADirectoryError):
        secure_unlink(tree)
    secure_rmtree(tmp_path / "tree")
    assert not (tmp_path / "tree").exists()


def test_overwrite_replaces_every_byte(tmp_path: Path) -> None:
    target = tmp_path / "secret.bin"
    original = b"TOPSECRET" * 300_000  # > 1 block, not a multiple of it
    target.write_bytes(original)
    assert overwrite_file(target) == len(original)
    after = target.read_bytes()
    assert len(after) == len(original)
    # Random bytes match the original at ~1/256 of positions; an untouched block would match everywhere.
    same = sum(a == b for a, b in zip(after[::97], original[::97]))
    assert same < len(original[::97]) // 50 and after[-1000:] != original[-1000:]
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OSError):
        overwrite_file(link)


def test_a_resume_that_flips_checkpoint_encrypt_names_the_flag(tmp_path: Path, key: SecretKey) -> None:
    # Encrypted run resumed with --checkpoint-encrypt false: "is encrypted: set PRIVTUNE_KEY or give
    # the key file"; plaintext run resumed with encryption on: "pass allow_unencrypted=True" (a Python
    # argument, no flag). Both refuse to load; now they name the flag that changed.
    from privtune.train.checkpoint import CheckpointManager

    sealed, plain = tmp_path / "sealed", tmp_path / "plain"
    CheckpointManager(sealed, key).save(2, {"x": 1})
    CheckpointManager(plain, None, encrypt=False).save(2, {"x": 1})
    with pytest.raises(ConfigError, match="written with checkpoint.encrypt on.*--checkpoint-encrypt true"):
        CheckpointManager(sealed, None, encrypt=False).latest()
    with pytest.raises(ConfigError, match="written with checkpoint.encrypt off.*--checkpoint-encrypt false"):
        CheckpointManager(plain, key).latest()
    assert CheckpointManager(sealed, key).latest() == (2, {"x": 1})
    assert CheckpointManager(plain, None, encrypt=False).latest() == (2, {"x": 1})
