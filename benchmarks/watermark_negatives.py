"""Human-written zh/en text for the watermark's false-positive rate, chunked to about N tokens.

Sources (all human-written, none ever watermarked): the bundled support chats, and the NER
corpora under /work/shared/data (Weibo posts, People's Daily, Chinese CVs, CLUENER news/fiction;
Broad Twitter Corpus tweets, WNUT-17 posts, wikigold Wikipedia sentences). The corpora are
token-per-line: tokens are joined back into text (Chinese characters without spaces, English
words with spaces except before closing punctuation and clitics), sentences are concatenated
in file order and cut at sentence ends into chunks of about ``tokens`` tokens of the model's
tokenizer (the last, shorter remainder dropped).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SHARED = Path("/work/shared/data")
_NO_SPACE_BEFORE = re.compile(r"^([.,!?;:%)\]}]+|'s|'re|'ve|'ll|'d|'m|n't|'S)$")


def _conll_sentences(path: Path, first_char_only: bool = False) -> Iterator[list[str]]:
    sent: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            if sent:
                yield sent
            sent = []
            continue
        tok = re.split(r"[\t ]", line)[0]
        if tok.startswith("-DOCSTART-"):
            continue
        sent.append(tok[0] if first_char_only and tok else tok)
    if sent:
        yield sent


def _join_en(tokens: list[str]) -> str:
    out = ""
    for t in tokens:
        if out and not _NO_SPACE_BEFORE.match(t) and not out.endswith(("(", "[", "{", "$", "#", "@")):
            out += " "
        out += t
    return out


def _cluener(paths: list[Path]) -> Iterator[str]:
    dec = json.JSONDecoder()
    for p in paths:
        text, pos = p.read_text(encoding="utf-8"), 0
        while True:  # dev.json is pretty-printed, train.json one object a line: decode a stream
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            obj, pos = dec.raw_decode(text, pos)
            yield obj["text"]


def sources(root: Path) -> dict[str, tuple[str, Callable[[], Iterator[str]]]]:
    """name -> (language, iterator of sentences/posts)."""
    ner = SHARED / "ner"

    def zh(*files: str, first: bool = False) -> Callable[[], Iterator[str]]:
        return lambda: ("".join(s) for f in files for s in _conll_sentences(ner / "zh" / f, first))

    def en(*files: str) -> Callable[[], Iterator[str]]:
        return lambda: (_join_en(s) for f in files for s in _conll_sentences(ner / "en" / f))

    def chats() -> Iterator[str]:
        for line in (root / "examples/data/support_chats.jsonl").read_text(encoding="utf-8").splitlines():
            try:
                yield "\n".join(m["content"] for m in json.loads(line)["messages"])
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # the bundled file has one deliberately broken line

    return {
        "support_chats": ("zh+en", chats),
        "weibo": ("zh", zh("weibo.train.conll", "weibo.dev.conll", first=True)),
        "peoples_daily": ("zh", zh("peoples_daily.dev.bio")),
        "resume": ("zh", zh("resume.train.bmes", "resume.dev.bmes")),
        "cluener": ("zh", lambda: _cluener([SHARED / "cluener/train.json", SHARED / "cluener/dev.json"])),
        "btc_tweets": ("en", en("btc.conll")),
        "wnut17": ("en", en("wnut17.train.conll", "wnut17.dev.conll")),
        "wikigold": ("en", en("wikigold.conll")),
    }


def chunks(tokenizer: Any, lang: str, pieces: Iterator[str], tokens: int, limit: int,
           whole: bool = False) -> list[str]:
    """Up to ``limit`` texts of about ``tokens`` tokens; ``whole``: each piece is one text (chats)."""
    if whole:
        return [p for p in pieces if p.strip()][:limit]
    sep = "" if lang == "zh" else " "
    out: list[str] = []
    buf: list[str] = []
    n = 0
    for whole_piece in pieces:
        m = len(tokenizer(whole_piece, add_special_tokens=False)["input_ids"])
        # a sentence longer than a chunk: cut it into character slices of about ``tokens`` tokens
        step = max(1, len(whole_piece) * tokens // m) if m > tokens else len(whole_piece) or 1
        for piece in (whole_piece[i: i + step] for i in range(0, len(whole_piece), step)):
            buf.append(piece)
            n += len(tokenizer(piece, add_special_tokens=False)["input_ids"])
            if n >= tokens:
                out.append(sep.join(buf))
                buf, n = [], 0
        if len(out) >= limit:
            break
    return out[:limit]


def load_negatives(root: Path, tokenizer: Any, tokens: int, limit: int) -> dict[str, list[str]]:
    """Per source, human-written texts; a missing corpus is skipped (the JSON line lists what ran)."""
    out: dict[str, list[str]] = {}
    for name, (lang, it) in sources(root).items():
        try:
            out[name] = chunks(tokenizer, lang, it(), tokens, limit, whole=(name == "support_chats"))
        except FileNotFoundError:
            continue
    return out
