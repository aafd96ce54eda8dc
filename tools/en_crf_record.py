"""The training record of the shipped English CRF (``privtune/scan/ner/en_crf.train.json``).

``tools/train_en_ner.py`` writes it beside the model: a fingerprint of everything the model's
bytes follow from, and the model file's SHA-256. ``tests/scan/test_en_crf_record.py`` recomputes
the fingerprint from the current sources, so that a change to the feature code, the word lists
the features read, the training data, the recipe or its parameters fails the default suite
until the model is retrained (the shipped model had drifted from its recipe unseen before).

Components (each a SHA-256 over):
  * ``features``: the source of ``privtune/scan/ner/en_features.py`` (tokens and feature strings);
  * ``word_lists``: the name lexicon's first / last names and ``english.NOT_NAME`` (read by the
    features; they live in files other sessions edit);
  * ``recipe``: the source of ``tools/train_en_ner.py`` (templates, dropout, data handling);
  * ``data``: the corpora's training sentences as words and BIO tags;
  * ``params``: the training options (seed included), ``--out`` and ``--pick-bias`` left out;
  * ``versions``: Faker (the generated sentences) and python-crfsuite (the trainer).
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FEATURE_SOURCE = ROOT / "privtune" / "scan" / "ner" / "en_features.py"
RECIPE_SOURCE = ROOT / "tools" / "train_en_ner.py"
# Options that do not reach the model's bytes.
_NOT_PARAMS = frozenset({"out", "pick_bias"})
RETRAIN = "feature code changed since en_crf.crfsuite was trained: run tools/train_en_ner.py"


def record_path(model: Path) -> Path:
    """``en_crf.crfsuite`` -> ``en_crf.train.json``."""
    return model.with_name(model.name.removesuffix(".crfsuite") + ".train.json")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_sha(obj: object) -> str:
    return _sha(json.dumps(obj, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def components(params: dict[str, object], corpus: list[tuple[list[str], list[str]]],
               feature_source: Path = FEATURE_SOURCE, recipe_source: Path = RECIPE_SOURCE) -> dict[str, str]:
    """The fingerprint's parts for training options ``params`` (``vars(args)``) on ``corpus``."""
    from privtune.scan.ner.english import NOT_NAME
    from privtune.scan.ner.lexicon import en_lexicon

    lex = en_lexicon()
    return {
        "features": _sha(feature_source.read_bytes()),
        "word_lists": _json_sha([sorted(lex.first_names), sorted(lex.last_names), sorted(NOT_NAME)]),
        "recipe": _sha(recipe_source.read_bytes()),
        "data": _json_sha(corpus),
        "params": _json_sha({k: str(v) for k, v in params.items() if k not in _NOT_PARAMS}),
        "versions": _json_sha({p: metadata.version(p) for p in ("faker", "python-crfsuite")}),
    }


def fingerprint(parts: dict[str, str]) -> str:
    return _json_sha(parts)


def write(model: Path, params: dict[str, object], parts: dict[str, str], sentences: int) -> Path:
    """Write the record beside ``model`` (atomically) and return its path."""
    seed = params.get("seed")
    record = {
        "model": model.name,
        "model_sha256": _sha(model.read_bytes()),
        "fingerprint": fingerprint(parts),
        "components": parts,
        "seed": seed,
        "params": {k: v for k, v in params.items() if k not in _NOT_PARAMS},
        "versions": {p: metadata.version(p) for p in ("faker", "python-crfsuite")},
        "sentences": sentences,
        "command": "python tools/train_en_ner.py" + ("" if model.name == "en_crf.crfsuite" else f" --out {model}"),
    }
    path = record_path(model)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def stale(model: Path, parts: dict[str, str]) -> list[str]:
    """What no longer matches the record of ``model``: the names of changed components, and
    "model file" when the file is not the one the record was written for. Empty: up to date."""
    path = record_path(model)
    if not path.is_file():
        return ["record missing"]
    record = json.loads(path.read_text(encoding="utf-8"))
    changed = sorted(k for k in parts.keys() | record["components"].keys()
                     if parts.get(k) != record["components"].get(k))
    if record["model_sha256"] != _sha(model.read_bytes()):
        changed.append("model file")
    return changed
