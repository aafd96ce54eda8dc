"""Where the PII guard's replacements sit in an output, so watermark detection can skip them.

The guard (`pii.py`, privtune scan's anonymiser) writes ``[PHONE]`` (redact), ``<PHONE_3fa2c91b>``
(keyed hash) or stars with the last few characters kept (``*******5678``, ``*三``; mask). The
tokens there were not sampled by the model, and the green bit of a token depends on the
``context_width`` tokens before it, so a placeholder turns its own tokens and the next windows
into coin flips that dilute the z-score. Pseudonymised values are realistic fakes and cannot be
told apart from text: they cost their tokens as before.

Skipping depends on the text alone, never on the key, so under no watermark the remaining
tokens are still green with probability γ and the false-positive rate does not move. Human text
that happens to contain ``[EMAIL]`` or a run of stars only loses those tokens.
"""

from __future__ import annotations

from typing import Any

from privtune.scan.anonymize.operators import replacement_pattern
from privtune.scan.entities import ENTITY_TYPES

PLACEHOLDER = replacement_pattern(ENTITY_TYPES)


def placeholder_spans(text: str) -> list[tuple[int, int]]:
    """Character spans [start, end) of the redaction placeholders in ``text``."""
    return [m.span() for m in PLACEHOLDER.finditer(text)]


def encode_marking_placeholders(tokenizer: Any, text: str) -> tuple[list[int], list[bool]]:
    """Token ids of ``text`` (no special tokens, no truncation) and, per token, whether it
    overlaps a placeholder. Needs a fast tokenizer's offsets; without them nothing is marked."""
    from privtune.serve.guards.watermark import encode_for_detection

    spans = placeholder_spans(text)
    if not spans:
        ids = encode_for_detection(tokenizer, text)
        return ids, [False] * len(ids)
    try:
        enc = tokenizer(text, add_special_tokens=False, truncation=False, return_offsets_mapping=True)
    except NotImplementedError:  # a slow tokenizer has no offsets
        ids = encode_for_detection(tokenizer, text)
        return ids, [False] * len(ids)
    marked = []
    for start, end in enc["offset_mapping"]:
        marked.append(any(start < pe and max(end, start + 1) > ps for ps, pe in spans))
    return list(enc["input_ids"]), marked
