"""Helpers shared by the provenance tests: licence fixture texts and fake base-model directories."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


class NetworkBlocked(RuntimeError):
    """Raised by the offline fixture (conftest.py) when a test tries to open a network connection."""


def licence_text(licence_id: str) -> str:
    return (FIXTURES / "licences" / f"{licence_id}.txt").read_text(encoding="utf-8")


def model_dir(root: Path, *, licence: str | None = None, front_matter: str | None = None,
              licence_file: str = "LICENSE", config: str | None = None) -> Path:
    """A base-model directory holding only what licence detection reads."""
    root.mkdir(parents=True, exist_ok=True)
    if licence is not None:
        (root / licence_file).write_text(licence_text(licence), encoding="utf-8")
    if front_matter is not None:
        (root / "README.md").write_text(f"---\n{front_matter}\n---\n# A model\n", encoding="utf-8")
    (root / "config.json").write_text(config or '{"model_type": "llama"}', encoding="utf-8")
    return root
