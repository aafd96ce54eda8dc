"""Which licence a local base-model directory is under: from its licence text and its card's tags.

Evidence, in order of trust:

1. the licence text (``LICENSE*``, ``LICENCE*``, ``COPYING*``, ``USE_POLICY*``, ``NOTICE*`` at the
   top of the directory), matched against the fingerprint phrases of `licence_catalog`;
2. the README's YAML front matter (``license``, and ``license_name`` when ``license: other``).

The text wins over the tag: a card's tag is often copied from another model, the text is what
was actually shipped. A disagreement is reported as a conflict. Each licence file's SHA-256 is
recorded so a later reader can tell whether the text changed.

The Hub id of the base model (for the card's ``base_model``) is read from where a local
directory can reveal it: an explicit value, a Hub cache path (``models--org--name``) or
``config.json``'s ``_name_or_path`` when it looks like ``org/name`` and is not a local path.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from privtune.errors import InputError
from privtune.provenance.licence_catalog import LICENCES, LicenceInfo, by_id, normalise_licence_text, tag_to_id

__all__ = ["LicenceDetection", "detect_licence", "hub_id", "read_front_matter"]

_LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|use_policy|notice)([._-].*)?$", re.IGNORECASE)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_MAX_LICENCE_BYTES = 2_000_000  # a licence text is tens of kB; anything larger is not one
_LLAMA_3X = ("llama3.1", "llama3.2", "llama3.3")


@dataclass
class LicenceDetection:
    """What was found. ``licence`` is the id to act on (text over tag); None when unknown."""

    licence: str | None
    source: str  # "text", "tag", "text+tag" (agree) or "none"
    text_match: str | None = None
    tag_match: str | None = None
    tag: dict[str, Any] = field(default_factory=dict)  # raw front-matter license fields
    conflict: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # licence file name -> "sha256:..."
    phrases_matched: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def info(self) -> LicenceInfo | None:
        return by_id(self.licence) if self.licence else None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        info = self.info
        out["name"] = info.name if info else None
        out["spdx"] = info.spdx if info else None
        return out


def read_front_matter(readme: Path) -> dict[str, Any]:
    """The YAML mapping between the leading ``---`` lines of a model card, or {}."""
    if not readme.is_file():
        return {}
    text = readme.read_text(encoding="utf-8", errors="replace")
    m = re.match(r"^\ufeff?---\s*\n(.*?)\n---\s*(\n|$)", text, re.DOTALL)
    if not m:
        return {}
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML front matter: {exc}", path=str(readme)) from None
    return data if isinstance(data, dict) else {}


def _licence_files(base: Path) -> list[Path]:
    return sorted(p for p in base.iterdir() if p.is_file() and _LICENCE_FILE.match(p.name))


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def match_text(text: str) -> tuple[str | None, int, list[str]]:
    """(licence id, phrases matched, notes) for a licence text; (None, 0, []) if nothing matches."""
    norm = normalise_licence_text(text)
    scored: list[tuple[float, int, LicenceInfo]] = []
    for lic in LICENCES:
        hits = sum(1 for p in lic.norm_phrases if p in norm)
        if hits >= lic.min_hits:
            scored.append((hits / len(lic.norm_phrases), hits, lic))
    if not scored:
        return None, 0, []
    scored.sort(key=lambda s: (-s[0], -s[1]))
    best_ratio, best_hits, best = scored[0]
    notes: list[str] = []
    if best.id in _LLAMA_3X and [s for s in scored if s[2].id in _LLAMA_3X and s[0] == best_ratio][1:]:
        # Llama 3.1-3.3 share their terms' wording; only the title or release date names the version.
        version = re.search(r"\bllama 3 ([123])\b", norm)
        chosen = f"llama3.{version.group(1)}" if version else "llama3.1"
        if not version:
            notes.append("Llama 3.1-3.3 wording without a version; assumed Llama 3.1 (same terms, bar 3.2's EU clause)")
        return chosen, best_hits, notes
    return best.id, best_hits, notes


def _tag_licence(front: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    raw = {k: front[k] for k in ("license", "license_name", "license_link") if k in front}
    values = front.get("license")
    tags = [str(v) for v in (values if isinstance(values, list) else [values]) if v is not None]
    if front.get("license_name"):
        tags.insert(0, str(front["license_name"]))
    for tag in tags:
        if tag.strip().lower() == "other":
            continue
        found = tag_to_id(tag)
        if found:
            return found, raw
    return None, raw


def detect_licence(base: str | Path) -> LicenceDetection:
    """Detect the licence of the model directory ``base`` (see module docstring)."""
    base = Path(base)
    if not base.is_dir():
        raise InputError("base model directory not found", path=str(base))
    files = _licence_files(base)
    texts = []
    for p in files:
        if p.stat().st_size > _MAX_LICENCE_BYTES:
            continue
        texts.append(p.read_text(encoding="utf-8", errors="replace"))
    text_id, hits, notes = match_text("\n".join(texts)) if texts else (None, 0, [])
    tag_id, raw = _tag_licence(read_front_matter(base / "README.md"))
    if raw.get("license") and tag_id is None:
        notes.append(f"front-matter licence {raw.get('license_name') or raw.get('license')!r} is not one privtune knows")
    if texts and text_id is None:
        notes.append("licence file(s) present but matching no known licence: review them by hand")
    conflict = None
    if text_id and tag_id and text_id != tag_id:
        conflict = f"licence text is {by_id(text_id).name} but the README tag says {by_id(tag_id).name}; the text is trusted"
    licence = text_id or tag_id
    source = ("text+tag" if text_id and tag_id == text_id else "text") if text_id else ("tag" if tag_id else "none")
    return LicenceDetection(
        licence=licence, source=source, text_match=text_id, tag_match=tag_id, tag=raw, conflict=conflict,
        files={p.name: _sha256(p) for p in files}, phrases_matched=hits, notes=notes,
    )


def hub_id(base: str | Path, explicit: str | None = None) -> str | None:
    """The base model's Hub id when it can be known offline; never a local path."""
    if explicit:
        return explicit
    parts = Path(base).resolve().parts
    for part in parts:
        m = re.fullmatch(r"models--([^/]+?)--(.+)", part)
        if m:
            return f"{m.group(1)}/{m.group(2)}"
    cfg = Path(base) / "config.json"
    if cfg.is_file():
        try:
            name = json.loads(cfg.read_text(encoding="utf-8")).get("_name_or_path")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            name = None
        if isinstance(name, str) and _HUB_ID.match(name) and not Path(name).exists():
            return name
    return None
