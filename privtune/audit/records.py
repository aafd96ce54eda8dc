"""Audit data: member / non-member records, encoded exactly as the trainer encodes them.

A record is normalised once (chat messages or a plain document, by the trainer's rules) and
kept in three forms the audit steps need:

- ``input_ids`` / ``labels``: the training tokenisation (`privtune.train.encoding.encode_record`
  with the run's ``loss_on`` and ``max_length``), for likelihood scores and k-extractability;
- ``messages`` / ``document``: the text, for PII detection and prompts;
- `prompt_ids`: the tokens that precede an assistant turn, as rendered for training (chat
  template with generation prompt, or the plain ``### Assistant:`` format), so prompts built
  from a record look to the model like its training context.

``max_records`` keeps a uniform random sample (reservoir sampling, seeded) rather than the
first N, so a file sorted by date or customer still yields a representative audit.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from privtune.errors import InputError
from privtune.io.readers import Rejected, iter_records
from privtune.provenance.fingerprint import dataset_fingerprint
from privtune.train.data import (
    _normalise,  # the trainer's record normalisation; there is no public alias for it yet
    fingerprint_text,
)
from privtune.train.encoding import (
    Message,
    _answer_span,  # where the trainer's supervision starts: audit prompts end there too
    _encode_plain,  # the trainer's plain-format renderer: prompts must match training byte for byte
    _render,
    _Skip,
    chat_messages,
    control_token_pattern,
    encode_record,
)


@dataclass(slots=True)
class AuditRecord:
    """One usable record. ``index`` is its 0-based position in the input file."""

    index: int
    messages: list[Message] | None
    document: str
    input_ids: list[int]
    labels: list[int]

    def answer_texts(self) -> list[tuple[int, str]]:
        """``(turn index, text)`` of each assistant turn, or ``(-1, document)`` for plain text."""
        if self.messages is None:
            return [(-1, self.document)]
        return [(i, c) for i, (r, c) in enumerate(self.messages) if r == "assistant" and c.strip()]


@dataclass
class LoadedRecords:
    records: list[AuditRecord]
    seen: int  # parsed records in the file
    skipped: int  # parsed but unusable (no supervised tokens, bad structure, ...)
    rejected: int  # unparseable lines
    fingerprint: str  # `dataset_fingerprint` of the whole file, comparable with privacy.json's
    text_hashes: frozenset[bytes] = frozenset()  # `text_hash` of every well-formed record


def text_hash(messages: list[Message] | None, document: str) -> bytes:
    """A short digest of a record's canonical text (`fingerprint_text`): the same record in two
    files, whatever their shapes or line order, has the same one."""
    return hashlib.blake2b(fingerprint_text(messages, document).encode("utf-8"), digest_size=16).digest()


def iter_normalised(path: str | os.PathLike[str], fields: Any = None, fmt: str | None = None,
                    encoding: str = "utf-8") -> Iterator[tuple[int, list[Message] | None, str] | None]:
    """``(index, messages, document)`` per record; ``None`` for an unparseable or malformed one."""
    for item in iter_records(path, fmt, encoding):
        if isinstance(item, Rejected):
            yield None
            continue
        try:
            messages, document = _normalise(item.data, fields, {"path": str(path), "line": item.line})
        except InputError:
            yield None
            continue
        yield item.index, messages, document


def load_records(path: str | os.PathLike[str], tokenizer: Any, *, fields: Any = None, loss_on: str = "answer",
                 max_length: int = 512, fmt: str | None = None, encoding: str = "utf-8",
                 max_records: int | None = None, seed: int = 0,
                 keep: Callable[[list[Message] | None, str], bool] | None = None) -> LoadedRecords:
    """Encode the records of ``path``; a seeded uniform sample of ``max_records`` if given.

    ``keep(messages, document)`` can exclude records (the audit drops canary copies from the
    membership sets this way). The file's dataset fingerprint is computed in the same pass,
    over every well-formed record (excluded ones too), exactly as the trainer computes it.
    Raises `InputError` when no record is usable.
    """
    rng = random.Random(seed)
    controls = control_token_pattern(tokenizer)
    sample: list[AuditRecord] = []
    counts = {"seen": 0, "skipped": 0, "rejected": 0, "usable": 0}
    hashes: set[bytes] = set()

    def fingerprint_texts() -> Iterator[str]:
        for item in iter_normalised(path, fields, fmt, encoding):
            if item is None:
                counts["rejected"] += 1
                continue
            counts["seen"] += 1
            index, messages, document = item
            text = fingerprint_text(messages, document)
            hashes.add(hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest())
            yield text
            if keep is not None and not keep(messages, document):
                counts["skipped"] += 1
                continue
            try:
                ids, labels, _ = encode_record(tokenizer, messages, document, loss_on=loss_on,  # type: ignore[arg-type]
                                               max_length=max_length, controls=controls)
            except _Skip:
                counts["skipped"] += 1
                continue
            rec = AuditRecord(index, messages, document, ids, labels)
            counts["usable"] += 1
            if max_records is None or len(sample) < max_records:
                sample.append(rec)
            else:  # reservoir sampling (Algorithm R): every record ends up kept with equal probability
                j = rng.randrange(counts["usable"])
                if j < max_records:
                    sample[j] = rec

    fingerprint = dataset_fingerprint(fingerprint_texts())
    if not sample:
        raise InputError(f"no usable records ({counts['seen']} parsed, {counts['skipped']} skipped, "
                         f"{counts['rejected']} unparseable)", path=str(path))
    sample.sort(key=lambda r: r.index)
    return LoadedRecords(sample, counts["seen"], counts["skipped"], counts["rejected"], fingerprint,
                         frozenset(hashes))


def encode_text(tokenizer: Any, text: str, *, offsets: bool = False) -> tuple[list[int], list[tuple[int, int]] | None]:
    """Token ids of ``text`` as content (special-token look-alikes stay text), with char offsets."""
    if not text:
        return [], [] if offsets else None
    if offsets and getattr(tokenizer, "is_fast", False):
        enc = tokenizer(text, add_special_tokens=False, split_special_tokens=True, return_offsets_mapping=True)
        return list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]
    ids = list(tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"])
    if not offsets:
        return ids, None
    # Slow tokenizers have no offsets: recover them by decoding growing prefixes.
    spans, prev = [], 0
    for k in range(1, len(ids) + 1):
        end = len(tokenizer.decode(ids[:k]))
        spans.append((min(prev, end), end))
        prev = end
    return ids, spans


def prompt_ids(tokenizer: Any, messages_before: Sequence[Message] | None) -> list[int]:
    """Tokens the model saw in training right before an assistant turn (or a document).

    ``None`` means a plain document: just the BOS token, if the tokenizer has one.
    """
    if messages_before is None:
        return [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    msgs = list(messages_before)
    if tokenizer.chat_template:
        msgs = chat_messages(tokenizer, msgs)  # a system turn folded as the trainer folded it
        return list(tokenizer(_chat_prompt(tokenizer, msgs), add_special_tokens=False)["input_ids"])
    ids, _ = _encode_plain(tokenizer, msgs + [("assistant", "")], "")
    eos = tokenizer.eos_token_id
    if eos is not None and ids and ids[-1] == eos:  # the empty answer's end-of-turn is not part of a prompt
        ids = ids[:-1]
    return ids


def _chat_prompt(tokenizer: Any, msgs: list[Message]) -> str:
    """The text before an answer as training rendered it: the generation prompt, unless the
    template's answers do not start with it (DeepSeek-R1 distills prompt with an open think
    block): then the part the two share, as `_answer_span` cuts it."""
    probe = [*msgs, ("assistant", "\u00a7")]
    try:
        start, _ = _answer_span(tokenizer, _render(tokenizer, probe), probe, len(probe) - 1)
        return _render(tokenizer, probe)[:start]
    except Exception:  # no prompt to diff against (nothing before the answer), or the template refuses
        return tokenizer.apply_chat_template([{"role": r, "content": c} for r, c in msgs], tokenize=False,
                                             add_generation_prompt=True)


def turn_prompt_ids(tokenizer: Any, record: AuditRecord, turn: int) -> list[int]:
    """`prompt_ids` for assistant turn ``turn`` of ``record`` (``-1``: the plain document)."""
    return prompt_ids(tokenizer, None if turn < 0 or record.messages is None else record.messages[:turn])


def probe_messages(record: AuditRecord) -> list[Message] | None:
    """The conversation up to (not including) the first assistant turn, if it has a user turn."""
    if record.messages is None:
        return None
    for i, (role, _) in enumerate(record.messages):
        if role == "assistant":
            before = record.messages[:i]
            return before if any(r == "user" for r, _ in before) else None
    return record.messages if any(r == "user" for r, _ in record.messages) else None
