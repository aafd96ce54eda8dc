"""Readers for the CoNLL-style NER sets (zh: Weibo, People's Daily, Resume; en: BTC, WNUT17,
wikigold) as ``(text, gold spans)`` sentences in privtune's types.

Used by ``benchmarks/ner_eval.py`` and the training tools. English tokens are joined by one
space (the sets are pre-tokenised; the offsets refer to that joined text); Chinese characters
are joined with nothing. Tags are read as BIO, IOB1 (wikigold: ``I-`` everywhere, ``B-`` only
between two touching entities of one type) or BMES (Resume) alike: an entity starts at ``B-``
/ ``S-`` or at an ``I-`` / ``M-`` / ``E-`` whose type differs from the previous tag's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from privtune.errors import InputError

GoldSpan = tuple[int, int, str]  # (start, end exclusive, privtune type)

# Source label -> privtune type. Labels not listed (Weibo's nominal mentions "PER.NOM",
# Resume's TITLE/EDU/PRO/CONT/RACE, WNUT's product/creative-work, wikigold's MISC) are not PII
# targets here and count as O.
LABEL_MAP: dict[str, str] = {
    "PER": "PERSON", "PER.NAM": "PERSON", "NAME": "PERSON", "person": "PERSON",
    "LOC": "ADDRESS", "LOC.NAM": "ADDRESS", "GPE.NAM": "ADDRESS", "location": "ADDRESS",
    "ORG": "ORGANIZATION", "ORG.NAM": "ORGANIZATION", "corporation": "ORGANIZATION",
    "group": "ORGANIZATION",
}  # fmt: skip


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple[GoldSpan, ...]


@dataclass(frozen=True)
class CorpusSpec:
    """How one file is laid out: language ("zh" joins tokens with nothing), column separator,
    and whether the token carries a trailing segmentation digit (Weibo: "口0")."""

    language: str
    sep: str | None = "\t"  # None: any whitespace
    strip_position_digit: bool = False


def read_conll(path: str | Path, spec: CorpusSpec) -> list[Sentence]:
    """Sentences of a token-per-line file (blank line between sentences)."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read NER file: {exc}", path=str(p)) from exc
    out: list[Sentence] = []
    rows: list[tuple[str, str]] = []
    for lineno, line in enumerate(lines + [""], start=1):
        if not line.strip():
            if rows:
                out.append(_sentence(rows, spec.language))
                rows = []
            continue
        parts = line.split(spec.sep) if spec.sep else line.split()
        if len(parts) < 2:
            raise InputError("expected 'token<sep>tag'", path=str(p), line=lineno)
        token, tag = parts[0], parts[-1].strip()
        if spec.strip_position_digit and len(token) > 1 and token[-1].isdigit():
            token = token[:-1]
        rows.append((token, tag))
    return out


def _sentence(rows: list[tuple[str, str]], language: str) -> Sentence:
    joiner = "" if language == "zh" else " "
    text_parts, spans = [], []
    pos, cur = 0, None  # cur: [start, end, label]
    prev_label = None
    for i, (token, tag) in enumerate(rows):
        if i:
            text_parts.append(joiner)
            pos += len(joiner)
        start, end = pos, pos + len(token)
        text_parts.append(token)
        pos = end
        prefix, _, label = tag.partition("-")
        if tag == "O" or not label:
            if cur:
                spans.append(tuple(cur))
            cur, prev_label = None, None
            continue
        begins = prefix in ("B", "S") or label != prev_label or cur is None
        if begins:
            if cur:
                spans.append(tuple(cur))
            cur = [start, end, label]
        else:
            cur[1] = end
        if prefix in ("E", "S"):
            spans.append(tuple(cur))
            cur, label = None, None
        prev_label = label
    if cur:
        spans.append(tuple(cur))
    mapped = tuple((s, e, LABEL_MAP[lab]) for s, e, lab in spans if lab in LABEL_MAP)
    return Sentence("".join(text_parts), mapped)


ZH_WEIBO = CorpusSpec("zh", "\t", strip_position_digit=True)
ZH_SPACE = CorpusSpec("zh", None)
EN_TAB = CorpusSpec("en", "\t")
EN_SPACE = CorpusSpec("en", None)

DATA_ROOT = Path("/work/shared/data/ner")
# name -> (relative file, layout); the SPLIT_FILES below are loaded only by slice.
FILES: dict[str, tuple[str, CorpusSpec]] = {
    "weibo.train": ("zh/weibo.train.conll", ZH_WEIBO),
    "weibo.dev": ("zh/weibo.dev.conll", ZH_WEIBO),
    "peoples_daily": ("zh/peoples_daily.dev.bio", ZH_SPACE),
    "resume.train": ("zh/resume.train.bmes", ZH_SPACE),
    "resume.dev": ("zh/resume.dev.bmes", ZH_SPACE),
    "btc": ("en/btc.conll", EN_TAB),
    "wnut17.train": ("en/wnut17.train.conll", EN_TAB),
    "wnut17.dev": ("en/wnut17.dev.conll", EN_TAB),
    "wikigold": ("en/wikigold.conll", EN_SPACE),
}

# Files that come as one piece are split here: every HELD_OUT_EVERY-th sentence (index % 10 == 0)
# is held out for evaluation ("<name>.dev") and never trained on; the rest is training data
# ("<name>.train"). BTC and wikigold have no dev split at all; People's Daily comes only as its
# dev file, which the data README lists as training data (its test split is withheld), so its
# held-out tenth is what benchmarks/ner_eval.py reports as "peoples_daily.dev".
HELD_OUT_EVERY = 10
SPLIT_FILES: tuple[str, ...] = ("btc", "wikigold", "peoples_daily")


def load(name: str, root: Path = DATA_ROOT) -> list[Sentence]:
    """A named set of :data:`FILES`; for the :data:`SPLIT_FILES`, ``<name>.dev`` is the
    held-out slice and ``<name>.train`` the rest of the file."""
    base, _, part = name.rpartition(".")
    if base in SPLIT_FILES and part in ("dev", "train"):
        rel, spec = FILES[base]
        sents = read_conll(root / rel, spec)
        keep = (lambda i: i % HELD_OUT_EVERY == 0) if part == "dev" else (lambda i: i % HELD_OUT_EVERY != 0)
        return [s for i, s in enumerate(sents) if keep(i)]
    if name not in FILES or name in SPLIT_FILES:
        split = [f"{b}.{part}" for b in SPLIT_FILES for part in ("train", "dev")]
        known = [n for n in FILES if n not in SPLIT_FILES] + split
        raise InputError(f"unknown NER set {name!r}; known: {', '.join(known)}")
    rel, spec = FILES[name]
    return read_conll(root / rel, spec)
