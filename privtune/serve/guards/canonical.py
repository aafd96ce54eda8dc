"""Canonical-split generation: keep the sampled token sequence equal to what the tokenizer
would produce from its own text, so that a text-only watermark detector sees the same tokens.

A BPE tokenizer maps a string to one *canonical* token sequence, but a language model can put
probability on other splits of the same string ("hel" + "lo" where "hello" is one token). The
green-list bias makes this worse: it pushes mass towards whichever split is green. The client
receives text; a detector re-encodes that text, gets the canonical split, and every token that
changed flips its own green bit and those of the next ``context_width`` windows. On the demo's
2,048-token model about 4-5 % of tokens changed on the round trip and the median z-score fell
from ≈ 4 to ≈ 3 (benchmarks/RESULTS.md, "Where the z-score goes").

For BPE, a token sequence is canonical iff every adjacent pair is (Vieira et al. 2025,
"Language models over canonical byte-pair encodings", the bigram test). So at each step we mask
the candidates ``b`` for which ``[previous token, b]`` does not re-encode to itself. The pair
test uses the real tokenizer:

* **text route** (byte-level BPE and any tokenizer that adds no prefix space): decode the pair,
  encode the text with ``add_special_tokens=False``, compare. This also covers the
  pre-tokenizer (regex splits on spaces, digits, punctuation);
* **piece route** (the text route cannot decide): a pair whose bytes are not whole UTF-8
  characters (a Chinese character split into byte tokens decodes to U+FFFD), or a
  SentencePiece-style tokenizer that prepends "▁" to any text it encodes (decoding "lo" alone
  and encoding it gives "▁lo", although "lo" is canonical inside a word): the BPE model alone
  (``backend_tokenizer.model.tokenize``) is run on the concatenated piece strings, which is the
  bigram test itself. A pair it cannot judge either (byte-fallback ``<0x..>`` pieces, a
  non-BPE model) is allowed: the filter only ever removes splits it has shown non-canonical.

Only the candidates that carry the mass are tested (the most likely tokens up to
``coverage`` of the probability after the bias, at most ``max_candidates``), and verdicts are
cached per pair, so the cost is a few tokenizer calls per new pair and a sort per step.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from typing import Any

import torch

DEFAULT_COVERAGE = 0.999
DEFAULT_MAX_CANDIDATES = 256


def _byte_level_decoder() -> dict[str, int]:
    """GPT-2's printable stand-in character of each byte, inverted (byte-level BPE pieces)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = printable[:], 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(printable, chars)}


class CanonicalPairs:
    """``ok(a, b)``: whether the token pair ``[a, b]`` is how the tokenizer splits its own text;
    ``utf8_mask(pending, V)``: which tokens may follow the incomplete character ``pending``."""

    def __init__(self, tokenizer: Any) -> None:
        self.tok = tokenizer
        self._special = set(getattr(tokenizer, "all_special_ids", []) or [])
        # added tokens (chat markers and the like) are matched before BPE: never part of a split
        self._special |= set(getattr(tokenizer, "added_tokens_decoder", {}) or {})
        backend = getattr(tokenizer, "backend_tokenizer", None)
        self._backend = backend
        model = getattr(backend, "model", None)
        self._bpe = model if type(model).__name__ == "BPE" else None
        self._cache: dict[tuple[int, int], bool] = {}
        self._utf8_cache: dict[tuple[bytes, int], torch.Tensor] = {}
        self._bytes: dict[int, bytes | None] = {}
        self._byte_level = type(getattr(backend, "decoder", None)).__name__ == "ByteLevel"
        self._byte_map = _byte_level_decoder() if self._byte_level else {}
        self.text_route = not self._adds_prefix()
        self.checked = {"text": 0, "pieces": 0, "undecided": 0}

    def _adds_prefix(self) -> bool:
        """True when encoding text puts a space marker before it (SentencePiece "▁", byte-level
        ``add_prefix_space``): then decode→encode of a word-internal piece is not the identity."""
        ids = self.tok.encode("a", add_special_tokens=False)
        if not ids:
            return False
        first = self.tok.convert_ids_to_tokens(ids[0])
        return first.startswith(("▁", "Ġ")) or self.tok.decode(ids[:1]).startswith(" ")

    @property
    def special_ids(self) -> set[int]:
        return set(self._special)

    # -- bytes: a sampled sequence must decode to valid UTF-8, or the text holds U+FFFD ----------
    def token_bytes(self, t: int) -> bytes | None:
        """The bytes token ``t`` stands for; None when unknown (special token, other families)."""
        if t in self._bytes:
            return self._bytes[t]
        out: bytes | None = None
        piece = None if t in self._special else self.tok.convert_ids_to_tokens(t)
        if piece is not None:
            if self._byte_level:
                if all(c in self._byte_map for c in piece):
                    out = bytes(self._byte_map[c] for c in piece)
            elif re.fullmatch(r"<0x[0-9A-Fa-f]{2}>", piece):  # SentencePiece byte fallback
                out = bytes([int(piece[3:5], 16)])
            else:
                out = piece.replace("▁", " ").encode("utf-8")
        self._bytes[t] = out
        return out

    def pending(self, ids: list[int]) -> bytes:
        """The incomplete UTF-8 character at the end of ``ids`` (b"" when the text ends cleanly)."""
        buf = b"".join(self.token_bytes(t) or b"" for t in ids[-4:])
        dec = codecs.getincrementaldecoder("utf-8")(errors="replace")
        dec.decode(buf, final=False)
        return bytes(dec.getstate()[0])

    def utf8_mask(self, pending: bytes, vocab_size: int) -> torch.Tensor:
        """Bool [vocab_size]: the tokens whose bytes may follow ``pending`` and keep the text a
        valid UTF-8 prefix (after b"": no token opening with a continuation byte). Tokens of
        unknown bytes (special ones) are allowed here. One pass over the vocabulary per state
        (a state is at most 3 bytes, and few occur), then cached."""
        key = (pending, vocab_size)
        hit = self._utf8_cache.get(key)
        if hit is None:
            allowed = []
            for t in range(vocab_size):
                tb = self.token_bytes(t) if t < len(self.tok) else None
                if tb is None:
                    allowed.append(True)
                    continue
                try:
                    codecs.getincrementaldecoder("utf-8")().decode(pending + tb, final=False)
                    allowed.append(True)
                except UnicodeDecodeError:
                    allowed.append(False)
            hit = self._utf8_cache[key] = torch.tensor(allowed, dtype=torch.bool)
        return hit

    # -- pairs ----------------------------------------------------------------------------------
    def ok(self, a: int, b: int) -> bool:
        return self.ok_many([(a, b)])[0]

    def ok_many(self, pairs: list[tuple[int, int]]) -> list[bool]:
        """Verdicts for many pairs; the undecided ones are settled in one batched tokenizer call."""
        todo = list(dict.fromkeys(p for p in pairs if p not in self._cache))
        text_pairs: list[tuple[int, int]] = []
        for a, b in todo:
            if a in self._special or b in self._special:
                self._cache[(a, b)] = True
            elif self.text_route:
                text_pairs.append((a, b))
            else:
                self._cache[(a, b)] = self._pieces_ok(a, b)
        if text_pairs:
            texts = self._decode([list(p) for p in text_pairs])
            clean: list[tuple[tuple[int, int], str]] = []
            for p, text in zip(text_pairs, texts):
                if "\ufffd" in text:  # not whole characters: decode→encode cannot judge these bytes
                    self._cache[p] = self._pieces_ok(*p)
                else:
                    clean.append((p, text))
            self.checked["text"] += len(clean)
            for (p, _), ids in zip(clean, self._encode([t for _, t in clean])):
                self._cache[p] = ids == list(p)
        return [self._cache[p] for p in pairs]

    def _decode(self, rows: list[list[int]]) -> list[str]:
        if self._backend is not None:
            return list(self._backend.decode_batch(rows, skip_special_tokens=False))
        return [self.tok.decode(r, skip_special_tokens=False, clean_up_tokenization_spaces=False) for r in rows]

    def _encode(self, texts: list[str]) -> list[list[int]]:
        if self._backend is not None:
            return [list(e.ids) for e in self._backend.encode_batch(texts, add_special_tokens=False)]
        return [list(self.tok.encode(t, add_special_tokens=False)) for t in texts]

    def _pieces_ok(self, a: int, b: int) -> bool:
        if self._bpe is None:
            self.checked["undecided"] += 1
            return True
        pa, pb = self.tok.convert_ids_to_tokens([a, b])
        if pa is None or pb is None or (pa.startswith("<0x") and pa.endswith(">")) or (
                pb.startswith("<0x") and pb.endswith(">")):
            self.checked["undecided"] += 1
            return True
        self.checked["pieces"] += 1
        if [t.id for t in self._bpe.tokenize(pa + pb)] != [a, b]:
            return False
        return self._pretokens_respect_boundary(a, b)

    def _pretokens_respect_boundary(self, a: int, b: int) -> bool:
        """The pre-tokenizer (regex splits) must not cut inside ``a`` or ``b``: a token that spans
        a pre-token boundary never comes out of encoding. Judged on the whole characters of the
        pair's bytes (an incomplete first or last character is left out)."""
        pre = getattr(self._backend, "pre_tokenizer", None)
        ba, bb = self.token_bytes(a), self.token_bytes(b)
        if pre is None or ba is None or bb is None:
            return True
        buf = ba + bb
        head = 0
        while head < len(buf) and head < 3 and 0x80 <= buf[head] < 0xC0:  # continuation bytes
            head += 1
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            text = dec.decode(buf[head:], final=False)
        except UnicodeDecodeError:
            return True
        if not text:
            return True
        cuts = {0, len(ba), len(buf)}
        for _, (start, _end) in pre.pre_tokenize_str(text):
            cut = head + len(text[:start].encode("utf-8"))
            if cut not in cuts and cut > head:
                return False
        return True


class CanonicalSplitProcessor:
    """A transformers `LogitsProcessor` that masks (to -inf) candidates forming a non-canonical
    pair with the previous token. Runs after the watermark's (the bias goes on raw logits first,
    so the candidate set is the one the biased distribution would sample from)."""

    def __init__(self, pairs: CanonicalPairs, coverage: float = DEFAULT_COVERAGE,
                 max_candidates: int = DEFAULT_MAX_CANDIDATES, end_ids: Iterable[int] = ()) -> None:
        self.pairs, self.coverage, self.max_candidates = pairs, coverage, max_candidates
        # special tokens other than the end ones vanish from the decoded text (skip_special_tokens),
        # so sampling one mid-output is itself a split the detector cannot see
        self.end_ids = sorted(set(end_ids))
        self.invisible = pairs.special_ids - set(self.end_ids)
        self.masked = 0  # candidates removed, summed over steps (for measurements)

    def _bad(self, row: list[int], verdicts: list[bool]) -> list[int]:
        return [b for b, ok in zip(row, verdicts) if not ok or b in self.invisible]

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        history = input_ids[:, -4:].tolist()
        original = scores.clone()
        # bytes first, over the whole vocabulary: a token that breaks UTF-8 decodes to U+FFFD
        for r, h in enumerate(history):
            allowed = self.pairs.utf8_mask(self.pairs.pending(h), scores.shape[-1]).to(scores.device)
            if bool(allowed.any()):
                scores[r] = scores[r].masked_fill(~allowed, float("-inf"))
        k = min(self.max_candidates, scores.shape[-1])
        probs = torch.softmax(scores.float(), dim=-1)
        top_p, top_i = probs.topk(k, dim=-1)
        # candidates until the mass reaches `coverage` (the token that crosses it included)
        n_keep = ((top_p.cumsum(-1) - top_p) < self.coverage).sum(-1).tolist()
        top = top_i.tolist()
        cands = [row[:n] for row, n in zip(top, n_keep)]
        verdicts = self.pairs.ok_many([(h[-1], b) for h, row in zip(history, cands) for b in row])
        rows_cols: list[tuple[int, int]] = []
        at = 0
        for r, (h, row) in enumerate(zip(history, cands)):
            bad = self._bad(row, verdicts[at: at + len(row)])
            at += len(row)
            if len(bad) == len(row):
                # every likely candidate is non-canonical (after a lone lead byte, the model may
                # only want tokens that cannot complete the character): look further down
                rest = top[r][len(row):]
                bad += self._bad(rest, self.pairs.ok_many([(h[-1], b) for b in rest]))
                if len(bad) == len(top[r]):
                    continue  # nothing canonical among the top `max_candidates`: leave the row
            rows_cols.extend((r, b) for b in bad)
        if rows_cols:
            rows = torch.tensor([r for r, _ in rows_cols], device=scores.device)
            cols = torch.tensor([c for _, c in rows_cols], device=scores.device)
            scores[rows, cols] = float("-inf")
            self.masked += len(rows_cols)
        # a row left with nothing but end tokens (which min_new_tokens may forbid next) samples
        # from its unmasked scores: an odd split is better than a crash or a forced stop
        alive = torch.isfinite(scores)
        if self.end_ids:
            alive[:, [t for t in self.end_ids if t < scores.shape[-1]]] = False
        dead = ~alive.any(dim=-1)
        if bool(dead.any()):
            scores[dead] = original[dead]
        return scores


def reencodes_identically(tokenizer: Any, ids: list[int]) -> bool:
    """Whether decoding ``ids`` and encoding the text gives ``ids`` back (what a detector sees)."""
    from privtune.serve.guards.watermark import encode_for_detection

    text = tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)
    return encode_for_detection(tokenizer, text) == list(ids)


def identical_share(generated: list[int], reencoded: list[int]) -> float:
    """Share of ``generated`` tokens that survive the round trip (longest matching blocks)."""
    import difflib

    if not generated:
        return 1.0
    sm = difflib.SequenceMatcher(a=generated, b=reencoded, autojunk=False)
    return sum(m.size for m in sm.get_matching_blocks()) / len(generated)
