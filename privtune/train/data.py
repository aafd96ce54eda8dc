"""Training records -> token ids + labels, with the loss on the answer only by default.

Every shape `iter_records` yields is first normalised to a list of ``(role, content)``
messages (roles ``system`` / ``user`` / ``assistant`` / ``tool``):

- chat (``messages[].role/content``) as is; ShareGPT (``conversations[].from/value``) with
  ``human``->user, ``gpt``->assistant, ``system``->system (more aliases in `ROLE_ALIASES`);
- Alpaca ``instruction`` / ``input`` / ``output`` (optional ``system``) -> user message
  ``instruction + "\\n\\n" + input`` and assistant message ``output``; the pairs
  ``prompt/completion``, ``prompt/response``, ``question/answer`` and Dolly's
  ``instruction/context/response`` are treated the same way;
- plain text (``text`` ...): a single document, the loss on every token.

Supervised tokens (``loss_on="answer"``): each assistant turn's content plus its end-of-turn
token, so the model learns to stop.

Encoding (chat template or plain format, control tokens, truncation): `privtune.train.encoding`.

Bad records. Unparseable input items are counted in ``rejected``. A parsed record whose
structure is wrong (missing field, wrong type, unknown role) raises `InputError` naming file,
line and field (or, with ``on_invalid="skip"``, counts as ``invalid_record``). A well-formed
record that yields nothing to learn is skipped and counted by reason: ``no_assistant_turn``,
``empty_answer``, ``empty_text``, ``control_token_in_text``, ``chat_template_error``,
``template_not_prefix_stable``, ``no_supervised_tokens``.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from privtune.errors import ConfigError, InputError
from privtune.io.readers import Rejected, iter_records
from privtune.io.records import (
    CONTENT_KEYS,
    ROLE_KEYS,
    NonTextPart,
    RecordShape,
    chat_list_key,
    detect_shape,
    get_field,
    is_tool_call_turn,
    message_keys,
    message_text,
    text_fields,
)
from privtune.train.encoding import (IGNORE_INDEX, LossOn, Message, _Skip, chat_messages, control_token_pattern,
                                     encode_record)

__all__ = ["IGNORE_INDEX", "Example", "LoadedData", "Message", "collate", "encode_record", "fingerprint_text",
           "load_examples", "record_fingerprint_text"]

ROLE_ALIASES: dict[str, str] = {
    "system": "system", "developer": "system",  # OpenAI's newer name for the system turn (serve accepts it too)
    "user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant",
    "model": "assistant", "bot": "assistant", "chatgpt": "assistant", "ai": "assistant", "tool": "tool",
    "function": "tool", "observation": "tool", "ipython": "tool",
    # support-desk exports: the customer asks, the agent answers (the model learns the agent's side)
    "customer": "user", "client": "user", "客户": "user", "顾客": "user", "用户": "user",
    "agent": "assistant", "客服": "assistant", "助手": "assistant",
}
PAIRS: tuple[tuple[str, str, str | None], ...] = (
    ("prompt", "completion", None), ("prompt", "response", None), ("question", "answer", None),
    ("instruction", "response", "context"),
)
FIELD_KEYS = frozenset({"messages", "prompt", "answer", "system", "text"})
# What to do when every record was skipped for one reason (the commonest one is named).
_SKIP_HINTS: dict[str, str] = {
    "chat_template_error": "the model's chat template refused these conversations (Mistral's wants user and "
                           "assistant turns alternating): merge consecutive turns of one role, or drop tool turns",
    "template_not_prefix_stable": "the chat template renders an earlier answer differently once later turns "
                                  "follow; train with a template that does not (or loss_on: all)",
    "no_assistant_turn": "no record has an assistant turn to learn; with plain text set loss_on: all",
    "control_token_in_text": "the texts spell the tokenizer's special tokens (e.g. <|im_end|>): remove them",
}

@dataclass(slots=True)
class Example:
    """One training sequence; ``labels`` is ``IGNORE_INDEX`` where no loss is taken."""

    input_ids: list[int]
    labels: list[int]
    record_index: int
    user_id: str | None = None


@dataclass
class LoadedData:
    """Result of `load_examples`.

    ``texts_for_fingerprint`` has one normalised text (`fingerprint_text`) per well-formed
    record in input order, whether or not it became an example, so a dataset fingerprint
    depends on the data (and ``fields``) alone — not on the tokenizer, ``max_length`` or
    ``loss_on``; otherwise changing those could pass the same data off as a new dataset.
    ``records`` counts parsed records; ``truncated`` counts examples cut to ``max_length``.
    """

    examples: list[Example]
    skipped: dict[str, int]
    rejected: int
    texts_for_fingerprint: list[str]
    truncated: int = 0
    records: int = 0
    rejected_lines: list[int] = field(default_factory=list)  # the first few, for the console
    system_folded: int = 0  # examples whose system turn opens the first user turn (`chat_messages`)


# --------------------------------------------------------------------------- normalisation


def _text(value: Any, fld: str, loc: dict[str, Any], *, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise InputError(f"expected text, got {type(value).__name__}", field=fld, **loc)
    return value


def _content_text(value: Any, fld: str, loc: dict[str, Any]) -> str:
    """A message's content (see `message_text`: text, None, or OpenAI text parts)."""
    try:
        return _text(message_text(value), fld, loc, optional=True)
    except NonTextPart as exc:
        raise InputError(str(exc), field=f"{fld}[{exc.index}]", **loc,
                         hint="drop the record or the part (images, audio, files)") from None


def _messages_from_list(items: Any, name: str, loc: dict[str, Any]) -> list[Message]:
    if not isinstance(items, list) or not items:
        raise InputError("expected a non-empty list of messages", field=name, **loc)
    out: list[Message] = []
    for i, m in enumerate(items):
        if not isinstance(m, dict):
            raise InputError(f"message is {type(m).__name__}, expected an object", field=f"{name}[{i}]", **loc)
        role_key, content_key = message_keys(m)
        if role_key is not None and is_tool_call_turn(m):
            content_key = None  # a tool-call turn without content: empty, as content=None is
        elif role_key is None or content_key is None:
            raise InputError(f"message needs a role ({'/'.join(ROLE_KEYS)}) and a content "
                             f"({'/'.join(CONTENT_KEYS)}) key", field=f"{name}[{i}]", **loc)
        raw_role = m[role_key]
        role = ROLE_ALIASES.get(raw_role.strip().lower()) if isinstance(raw_role, str) else None
        if role is None:
            # The role value itself is not echoed: it is part of the (possibly sensitive) data.
            raise InputError("unknown role", field=f"{name}[{i}].{role_key}", **loc,
                             hint=f"supported roles: {', '.join(sorted(ROLE_ALIASES))}; rename the others "
                                  "(e.g. with jq) to user or assistant")
        # content=None (or no content beside tool_calls) is how OpenAI exports assistant
        # tool-call turns: treat it as empty.
        content = m[content_key] if content_key is not None else None
        out.append((role, _content_text(content, f"{name}[{i}].{content_key or 'content'}", loc)))
    return out


def _pair(prompt: str, answer: str, system: str = "") -> list[Message]:
    msgs: list[Message] = [("system", system)] if system.strip() else []
    return msgs + [("user", prompt), ("assistant", answer)]


def _join(parts: Sequence[str]) -> str:
    return "\n\n".join(p for p in parts if p.strip())


def _normalise(record: dict[str, Any], fields: Sequence[str] | Mapping[str, Any] | None,
               loc: dict[str, Any]) -> tuple[list[Message] | None, str]:
    """``(messages, "")`` for conversational records, ``(None, document)`` for plain text."""

    def get(path: str) -> Any:
        try:
            return get_field(record, path)
        except KeyError:
            raise InputError(f"missing field; the record has {sorted(record)}", field=path, **loc) from None

    def texts(spec: str | Sequence[str]) -> str:
        paths = [spec] if isinstance(spec, str) else list(spec)
        return _join([_text(get(p), p, loc, optional=True) for p in paths])

    if isinstance(fields, Mapping):
        if "messages" in fields:
            return _messages_from_list(get(fields["messages"]), fields["messages"], loc), ""
        if "answer" in fields:
            system = texts(fields["system"]) if "system" in fields else ""
            return _pair(texts(fields.get("prompt", [])), texts(fields["answer"]), system), ""
        return None, texts(fields["text"])
    if fields:
        if len(fields) == 1 and isinstance(_safe_get(record, fields[0]), list):
            return _messages_from_list(get(fields[0]), fields[0], loc), ""
        return None, _join([t for _, t in text_fields(record, list(fields), **loc)])

    shape = detect_shape(record)
    if shape is RecordShape.CHAT:
        return _messages_from_list(record["messages"], "messages", loc), ""
    if shape is RecordShape.SHAREGPT:
        return _messages_from_list(record["conversations"], "conversations", loc), ""
    if shape is RecordShape.ALPACA:
        prompt = _join([record["instruction"], _text(record.get("input"), "input", loc, optional=True)])
        return _pair(prompt, _text(record["output"], "output", loc, optional=True),
                     _text(record.get("system"), "system", loc, optional=True)), ""
    for p, a, extra in PAIRS:
        if isinstance(record.get(p), str) and isinstance(record.get(a), str):
            ctx = _text(record.get(extra), extra, loc, optional=True) if extra else ""
            return _pair(_join([record[p], ctx]), record[a]), ""
    if shape is None:
        for key in ("messages", "conversations"):
            if key in record:
                # An export's empty conversation has nothing to learn (skipped as no_assistant_turn);
                # a malformed one is named message by message. Both fell through to "no text field
                # found; the record has ['messages']" with a hint about --fields.
                value = record[key]
                return ([] if isinstance(value, list) and not value else _messages_from_list(value, key, loc)), ""
    # text_fields raises the InputError (listing the record's keys) when nothing usable is there.
    document = _join([t for _, t in text_fields(record, None, **loc)])
    key = chat_list_key(record)
    if key is not None:
        # A message list under another name (conversation: [{speaker, text}]) is a chat, so the
        # loss stays on the answers; it trained as one document (the customer's turns
        # supervised too). The document still decides the fingerprint, as it did before.
        return _messages_from_list(record[key], key, loc), document
    return None, document


def _safe_get(record: dict[str, Any], path: str) -> Any:
    try:
        return get_field(record, path)
    except KeyError:
        return None


def fingerprint_text(messages: list[Message] | None, document: str) -> str:
    """Tokenizer-independent canonical text of one record (NFC, ``\\n`` line ends, trimmed)."""

    def norm(s: str) -> str:
        return unicodedata.normalize("NFC", s.replace("\r\n", "\n").replace("\r", "\n")).strip()

    if messages is None or document:  # a chat found by shape alone keeps its earlier, document fingerprint
        return norm(document)
    return "\n".join(f"{role}: {norm(content)}" for role, content in messages)


def record_fingerprint_text(record: dict[str, Any], fields: Sequence[str] | Mapping[str, Any] | None = None, *,
                            path: str | None = None, line: int | None = None) -> str:
    """`fingerprint_text` of a raw record: what `load_examples` puts in ``texts_for_fingerprint``."""
    messages, document = _normalise(record, fields, {"path": path, "line": line})
    return fingerprint_text(messages, document)


# --------------------------------------------------------------------------- public API


def _user_id(record: dict[str, Any], path: str, loc: dict[str, Any]) -> str:
    try:
        value = get_field(record, path)
    except KeyError:
        raise InputError("missing user id field (needed for user-level DP)", field=path, **loc) from None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, str) and not value.strip()):
        raise InputError("user id must be a non-empty string or an integer", field=path, **loc)
    return str(value).strip()


def _check_fields(fields: Sequence[str] | Mapping[str, Any] | None) -> None:
    if isinstance(fields, Mapping):
        unknown = set(fields) - FIELD_KEYS
        if unknown or not ({"messages", "answer", "text"} & set(fields)):
            raise ConfigError(f"fields mapping needs one of messages/answer/text (optional prompt, system); "
                              f"unknown keys: {sorted(unknown)}")
    elif isinstance(fields, str):
        raise ConfigError("fields must be a list of field paths or a mapping, not a single string")


def load_examples(
    path: str | os.PathLike[str],
    tokenizer: Any,
    *,
    fields: Sequence[str] | Mapping[str, Any] | None = None,
    loss_on: LossOn = "answer",
    max_length: int = 512,
    user_id_field: str | None = None,
    fmt: str | None = None,
    encoding: str = "utf-8",
    on_invalid: Literal["error", "skip"] = "error",
    purpose: str = "training",
) -> LoadedData:
    """Read ``path`` and encode every record (see the module docstring for all the rules).

    ``fields``: ``None`` auto-detects each record's shape; a list of paths selects text fields
    (one path naming a message list means chat); a mapping picks roles explicitly:
    ``{"messages": path}``, ``{"prompt": path|[paths], "answer": path, "system": path}`` or
    ``{"text": path|[paths]}``.
    Raises `InputError` when no record produced an example (``purpose`` names the file's role there).
    """
    if loss_on not in ("answer", "all"):
        raise ConfigError(f"loss_on must be 'answer' or 'all', got {loss_on!r}")
    if max_length < 2:
        raise ConfigError(f"max_length must be at least 2, got {max_length}")
    if on_invalid not in ("error", "skip"):
        raise ConfigError(f"on_invalid must be 'error' or 'skip', got {on_invalid!r}")
    _check_fields(fields)
    examples: list[Example] = []
    skipped: Counter[str] = Counter()
    texts: list[str] = []
    rejected = truncated = records = folded = 0
    rejected_lines: list[int] = []
    controls = control_token_pattern(tokenizer)
    for item in iter_records(path, fmt, encoding):
        if isinstance(item, Rejected):
            rejected += 1
            if len(rejected_lines) < 5:
                rejected_lines.append(item.line)
            continue
        records += 1
        loc = {"path": str(path), "line": item.line}
        try:
            messages, document = _normalise(item.data, fields, loc)
            uid = _user_id(item.data, user_id_field, loc) if user_id_field else None
        except InputError:
            if on_invalid == "error":
                raise
            skipped["invalid_record"] += 1
            continue
        texts.append(fingerprint_text(messages, document))
        try:
            ids, labels, cut = encode_record(tokenizer, messages, document, loss_on=loss_on, max_length=max_length,
                                               controls=controls)
        except _Skip as skip:
            skipped[skip.reason] += 1
            continue
        truncated += cut
        folded += messages is not None and bool(tokenizer.chat_template) and (
            chat_messages(tokenizer, messages) is not messages)
        examples.append(Example(ids, labels, item.index, uid))
    if not examples:
        raise InputError(f"no usable {purpose} examples ({records} records, {rejected} rejected, "
                         f"skipped: {dict(skipped) or 'none'})", path=str(path), hint=_SKIP_HINTS.get(
                             skipped.most_common(1)[0][0] if skipped else ""))
    return LoadedData(examples, dict(skipped), rejected, texts, truncated=truncated, records=records,
                      rejected_lines=rejected_lines, system_folded=folded)


def collate(examples: Sequence[Example], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad a batch: ``input_ids``, ``attention_mask`` and ``labels`` (``-100`` on padding)."""
    if not examples:
        raise ValueError("cannot collate an empty batch")
    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    attn = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids, dtype=torch.long)
        labels[row, :n] = torch.tensor(e.labels, dtype=torch.long)
        attn[row, :n] = 1
    return {"input_ids": ids, "attention_mask": attn, "labels": labels}
