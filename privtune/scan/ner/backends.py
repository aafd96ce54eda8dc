"""Pluggable NER backends: a spaCy pipeline, a Hugging Face token-classification model or a
GLiNER model, loaded from a LOCAL directory, added to the scan beside the built-in detectors.

Choose one in the scan config (YAML)::

    ner_backend:
      kind: hf                       # spacy | hf | gliner
      path: models/my-ner            # a directory on disk; nothing is downloaded
      label_map: {PER: PERSON, LOC: ADDRESS, GPE: ADDRESS, ORG: ORGANIZATION}

Only labels in ``label_map`` are reported (under the privtune type they map to). Long texts
are cut into pieces of at most ``max_chars`` characters at whitespace, pieces of many texts
are run ``batch_size`` at a time, and offsets are mapped back to the original text.

Trade-off (see benchmarks/RESULTS.md): a transformer backend is far more accurate on names
in unusual contexts but costs milliseconds per record on CPU, one to two orders of magnitude
more than the built-in CRF + rules; spaCy's small CNN pipelines sit in between.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field, field_validator

from privtune.errors import ConfigError
from privtune.scan.entities import ENTITY_TYPES, Span
from privtune.scan.registry import Recognizer

Raw = tuple[int, int, str, float]  # (start, end, model label, score) within one piece


class NerBackendConfig(BaseModel):
    """An external NER model on disk and how its labels map onto privtune's types."""

    model_config = {"extra": "forbid"}

    kind: Literal["spacy", "hf", "gliner"] = Field(description="spacy | hf (token classification) | gliner.")
    path: Path = Field(description="Local model directory (never a hub id: nothing is downloaded).")
    label_map: dict[str, str] = Field(description="Model label -> privtune type, e.g. {PER: PERSON}.")
    labels: list[str] | None = Field(None, description="GLiNER: labels to ask for; default: label_map keys.")
    batch_size: int = Field(16, ge=1, le=1024, description="Texts (pieces) per model call.")
    max_chars: int = Field(2000, ge=50, description="Longer texts are cut at whitespace into pieces.")
    threshold: float = Field(0.5, ge=0.0, le=1.0, description="hf/gliner: minimum model score.")
    score: float = Field(0.85, ge=0.0, le=1.0, description="spaCy: score given to its entities.")

    @field_validator("label_map")
    @classmethod
    def _known_types(cls, v: dict[str, str]) -> dict[str, str]:
        bad = sorted({t for t in v.values() if t not in ENTITY_TYPES})
        if bad:
            raise ValueError(f"label_map maps to unknown types {bad}; known: {', '.join(ENTITY_TYPES)}")
        if not v:
            raise ValueError("label_map is empty: no model label would be reported")
        return v


class Backend(Protocol):
    def predict(self, pieces: Sequence[str]) -> list[list[Raw]]: ...


def _local_dir(path: Path, kind: str) -> Path:
    if not path.is_dir():
        raise ConfigError(f"{kind} NER model directory not found: {path} (local paths only; nothing is downloaded)")
    return path


class SpacyBackend:
    def __init__(self, cfg: NerBackendConfig) -> None:
        import spacy

        path = _local_dir(cfg.path, "spaCy")
        try:
            self.nlp = spacy.load(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"cannot load the spaCy pipeline at {path}: {exc}") from exc
        self.batch_size, self.score = cfg.batch_size, cfg.score

    def predict(self, pieces: Sequence[str]) -> list[list[Raw]]:
        return [[(e.start_char, e.end_char, e.label_, self.score) for e in doc.ents]
                for doc in self.nlp.pipe(pieces, batch_size=self.batch_size)]


class HfBackend:
    def __init__(self, cfg: NerBackendConfig) -> None:
        from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

        path = _local_dir(cfg.path, "Hugging Face")
        try:
            tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForTokenClassification.from_pretrained(path, local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"cannot load the token-classification model at {path}: {exc}") from exc
        if not getattr(tok, "is_fast", False):
            raise ConfigError(f"{path}: the tokenizer must be a fast tokenizer (character offsets are needed)")
        self.pipe = pipeline("token-classification", model=model, tokenizer=tok,
                             aggregation_strategy="simple", device=-1)
        self.batch_size, self.threshold = cfg.batch_size, cfg.threshold

    def predict(self, pieces: Sequence[str]) -> list[list[Raw]]:
        results = self.pipe(list(pieces), batch_size=self.batch_size)
        if pieces and isinstance(results, list) and results and isinstance(results[0], dict):
            results = [results]  # one piece: the pipeline returns a flat list
        return [[(int(r["start"]), int(r["end"]), str(r["entity_group"]), float(r["score"]))
                 for r in res if float(r["score"]) >= self.threshold and r.get("start") is not None]
                for res in results]


class GlinerBackend:
    def __init__(self, cfg: NerBackendConfig) -> None:
        try:
            from gliner import GLiNER
        except ImportError as exc:
            raise ConfigError("the gliner backend needs the 'gliner' package: pip install gliner") from exc
        path = _local_dir(cfg.path, "GLiNER")
        try:
            self.model = GLiNER.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"cannot load the GLiNER model at {path}: {exc}") from exc
        self.labels = cfg.labels or list(cfg.label_map)
        self.threshold = cfg.threshold

    def predict(self, pieces: Sequence[str]) -> list[list[Raw]]:
        return [[(int(e["start"]), int(e["end"]), str(e["label"]), float(e["score"]))
                 for e in self.model.predict_entities(p, self.labels, threshold=self.threshold)]
                for p in pieces]


_BACKENDS = {"spacy": SpacyBackend, "hf": HfBackend, "gliner": GlinerBackend}
_BREAK = re.compile(r"\s")


def pieces_of(text: str, max_chars: int) -> list[tuple[int, str]]:
    """``(offset, piece)`` cuts of ``text`` of at most ``max_chars`` characters, each ending at
    whitespace when there is any in its second half (so that words stay whole)."""
    out, pos = [], 0
    while pos < len(text):
        end = min(len(text), pos + max_chars)
        if end < len(text):
            cut = max((m.start() for m in _BREAK.finditer(text, pos + max_chars // 2, end)), default=-1)
            if cut > pos:
                end = cut + 1
        out.append((pos, text[pos:end]))
        pos = end
    return out


class ExternalNerRecognizer(Recognizer):
    """The configured backend as a recognizer (not registered: it exists only with a config)."""

    name = "external_ner"
    entity_types = ("PERSON", "ADDRESS", "ORGANIZATION")
    trigger = None

    def __init__(self, cfg: NerBackendConfig, backend: Backend | None = None) -> None:
        self.cfg = cfg
        self.backend = backend if backend is not None else _BACKENDS[cfg.kind](cfg)
        self.entity_types = tuple(sorted(set(cfg.label_map.values())))  # type: ignore[misc]

    def analyze(self, text: str) -> list[Span]:
        return self.analyze_batch([text])[0]

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans of each text; the pieces of all texts go through the model together."""
        index: list[tuple[int, int]] = []  # (text number, offset) of each piece
        pieces: list[str] = []
        for i, text in enumerate(texts):
            for offset, piece in pieces_of(text, self.cfg.max_chars):
                index.append((i, offset))
                pieces.append(piece)
        out: list[list[Span]] = [[] for _ in texts]
        if not pieces:
            return out
        for (i, offset), found in zip(index, self.backend.predict(pieces), strict=True):
            for start, end, label, score in found:
                typ = self.cfg.label_map.get(label)
                if typ is not None and end > start:
                    out[i].append(Span(offset + start, offset + end, typ, round(score, 4), f"{self.name}:{self.cfg.kind}"))
        return out


def build_analyzer(types: Sequence[str] | None, min_score: float, backend: NerBackendConfig | None):
    """The scan's Analyzer: the built-in recognizers, plus the external backend if configured."""
    from privtune.scan.analyzer import Analyzer

    analyzer = Analyzer(types=types, min_score=min_score)
    if backend is not None:
        external = ExternalNerRecognizer(backend)
        if analyzer.types & set(external.entity_types):
            analyzer.recognizers = [*analyzer.recognizers, external]
    return analyzer
