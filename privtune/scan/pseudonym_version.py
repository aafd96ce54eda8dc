"""Which pseudonym format a scan writes, and where that choice is kept.

Format 2 (`privtune.scan.anonymize.keyed_draws`) is cheaper to compute than format 1 but gives
every value a different surrogate. A key that has already pseudonymised data must go on giving
the same surrogates (a dataset cleaned in batches, or re-scanned, stays consistent), so the
format belongs to the key:

- ``pseudonym_version`` in the scan config wins when set;
- a key file carries its format in a sidecar ``<key file>.json`` (``{"key_id": ...,
  "pseudonym_version": 2}``); the scan writes it when it creates the key file, so new keys get 2;
- a key file without a sidecar (made before format 2 existed), or whose sidecar names another
  key id (the key file was replaced), and a key from ``$PRIVTUNE_SCAN_KEY`` get format 1.

The scan report's ``key`` section records the format used. The sidecar holds no secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from privtune.errors import ConfigError
from privtune.io.writers import atomic_write_json

NEW_KEY_VERSION = 2
LEGACY_VERSION = 1


@dataclass(frozen=True)
class PseudonymVersion:
    version: int
    # Why this version: "config", "key file", "new key file", "key file made before format 2",
    # "environment key".
    source: str


def sidecar_path(key_file: Path) -> Path:
    key_file = Path(key_file).expanduser()
    return key_file.with_name(key_file.name + ".json")


def read_sidecar(key_file: Path, key_id: str) -> int | None:
    """The format recorded for the key with id ``key_id`` at ``key_file``, None if none is."""
    path = sidecar_path(key_file)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the key's metadata file {path}: {exc}; delete it to use format 1, "
                          "or set pseudonym_version") from None
    if not isinstance(meta, dict) or meta.get("key_id") != key_id:
        return None  # written for another key: this key file was replaced
    version = meta.get("pseudonym_version")
    if version not in (1, 2):
        raise ConfigError(f"{path}: pseudonym_version must be 1 or 2, got {version!r}")
    return int(version)


def write_sidecar(key_file: Path, key_id: str, version: int) -> None:
    atomic_write_json(sidecar_path(key_file), {"key_id": key_id, "pseudonym_version": version})


def resolve(configured: int | None, *, key_file: Path | None, key_id: str, created: bool,
            from_env: bool) -> PseudonymVersion:
    """The format for this scan (see the module docstring); records it beside a new key file."""
    if configured is not None:
        return PseudonymVersion(configured, "config")
    if from_env or key_file is None:
        return PseudonymVersion(LEGACY_VERSION, "environment key")
    if created:
        write_sidecar(key_file, key_id, NEW_KEY_VERSION)
        return PseudonymVersion(NEW_KEY_VERSION, "new key file")
    recorded = read_sidecar(key_file, key_id)
    if recorded is not None:
        return PseudonymVersion(recorded, "key file")
    return PseudonymVersion(LEGACY_VERSION, "key file made before format 2")
