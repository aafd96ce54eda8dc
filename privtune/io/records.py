"""Record shapes and text-field addressing.

Shapes (auto-detected per record unless fields are given):

- ``chat``: ``messages: [{role, content}]`` (OpenAI) or ``conversations: [{from, value}]`` (ShareGPT)
- ``alpaca``: ``instruction`` / ``input`` / ``output``
- ``text``: one or more plain string fields (default ``text``)

A field path is ``name``, ``name.sub`` or ``name[i].sub`` — e.g. ``messages[2].content``
(parsed and followed in `privtune.io.field_paths`; its names are re-exported here).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from privtune.errors import InputError
from privtune.io.field_paths import get_field, parse_path, path_key, path_parts, set_field
from privtune.io.nested_text import constant_fields, nested_long_strings, nested_text_paths

# The field-path names are re-exported: callers import them from here.
__all__ = ["ALPACA_FIELDS", "CONTENT_KEYS", "GUESS_SAMPLE", "LONG_TEXT_WIDTH", "PLAIN_FIELDS", "ROLE_KEYS",
           "TOOL_CALL_KEYS", "NonTextPart", "RecordShape", "chat_list_key", "content_fields",
           "conversation_tree_fields", "detect_shape", "get_field", "guess_text_fields", "is_event",
           "is_tool_call_turn", "message_keys", "message_text", "parse_path", "path_key",
           "path_parts", "set_field", "text_fields"]

ALPACA_FIELDS = ("instruction", "input", "output")
PLAIN_FIELDS = ("text", "content", "prompt", "completion", "question", "answer", "response")
# A string field this wide (CJK characters count double) is text by its content, whatever its
# name: "body", "description", "transcript" … in a user's export.
LONG_TEXT_WIDTH = 24
GUESS_SAMPLE = 200


class RecordShape(str, Enum):
    CHAT = "chat"
    SHAREGPT = "sharegpt"
    ALPACA = "alpaca"
    TEXT = "text"


def detect_shape(record: dict[str, Any]) -> RecordShape | None:
    msgs = record.get("messages")
    if isinstance(msgs, list) and msgs and all(isinstance(m, dict) and ("content" in m or is_tool_call_turn(m))
                                               for m in msgs):
        return RecordShape.CHAT
    conv = record.get("conversations")
    if isinstance(conv, list) and conv and all(isinstance(m, dict) and "value" in m for m in conv):
        return RecordShape.SHAREGPT
    if isinstance(record.get("instruction"), str) and "output" in record:
        return RecordShape.ALPACA
    if any(isinstance(record.get(f), str) for f in PLAIN_FIELDS):
        return RecordShape.TEXT
    return None


def text_fields(
    record: dict[str, Any], fields: list[str] | None = None, *, path: str | None = None, line: int | None = None
) -> list[tuple[str, str]]:
    """``(field_path, text)`` for every text field of the record, in a stable order.

    With ``fields`` given, exactly those paths (each must exist and be a string or null); a
    field name that names a chat list expands to its message contents.
    Raises `InputError` listing what the record has when nothing usable is found.
    """
    out: list[tuple[str, str]] = []
    if fields:
        for f in fields:
            try:
                value = get_field(record, f)
            except KeyError:
                raise InputError(
                    f"missing field {f!r}; the record has {sorted(record)}", path=path, line=line, field=f
                ) from None
            if isinstance(value, list):
                out.extend(_list_fields(f, value))
            elif isinstance(value, str):
                out.append((f, value))
            elif value is not None:
                raise InputError(f"field is {type(value).__name__}, expected text", path=path, line=line, field=f)
        return out
    shape = detect_shape(record)
    if shape is RecordShape.CHAT:
        return _list_fields("messages", record["messages"])
    if shape is RecordShape.SHAREGPT:
        return _list_fields("conversations", record["conversations"])
    if shape is RecordShape.ALPACA:
        return [(f, record[f]) for f in ALPACA_FIELDS if isinstance(record.get(f), str)]
    if shape is RecordShape.TEXT:
        return [(f, record[f]) for f in PLAIN_FIELDS if isinstance(record.get(f), str)]
    tree = conversation_tree_fields(record)
    if tree is not None:
        return tree
    by_content = content_fields(record)
    if by_content:
        return by_content
    named = [f for f in PLAIN_FIELDS if f in record]
    if named and all(record[f] is None for f in named):
        return []  # an export's empty message ("text": null): nothing to scan, nothing to learn
    for f in named:
        if record[f] is not None:
            raise InputError(f"field is {type(record[f]).__name__}, expected text", path=path, line=line, field=f,
                             hint="choose the text fields with --fields, e.g. --fields body,title")
    for key in ("messages", "conversations"):
        if key in record:  # a chat export's record, malformed: say which message, not "no text field"
            value = record[key]
            if isinstance(value, list) and not value:
                return []  # an empty conversation: nothing to scan, nothing to learn
            if not isinstance(value, list):
                raise InputError(f"{key!r} is {type(value).__name__}, expected a list of messages", path=path, line=line,
                                 field=key)
            for i, m in enumerate(value):
                if not isinstance(m, (dict, str)):
                    raise InputError(f"{key}[{i}] is {type(m).__name__}, expected a message object", path=path,
                                     line=line, field=f"{key}[{i}]")
                if isinstance(m, dict) and None in message_keys(m) and not is_tool_call_turn(m) and not is_event(m):
                    raise InputError(f"{key}[{i}] needs a role ({'/'.join(ROLE_KEYS)}) and a content "
                                     f"({'/'.join(CONTENT_KEYS)}) key", path=path, line=line, field=f"{key}[{i}]")
    nested = nested_long_strings(record, LONG_TEXT_WIDTH, _width, path_key)
    if nested:  # all of the words below the top level: a CRM ticket, an issue tracker's issue
        return nested
    hint = "choose the text fields with --fields, e.g. --fields body,title"
    wrapped = [k for k, v in record.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
    if wrapped:  # an API export: {"data": [{...}, ...], "count": 2}
        k = wrapped[0]
        hint = (f"{k!r} holds a list of {len(record[k])} objects; if those are the records, extract them "
                f"first, e.g. jq -c '.{k}[]' FILE > records.jsonl; or " + hint)
    raise InputError(f"no text field found; the record has {sorted(record)}", path=path, line=line, hint=hint)


# Keys of one message in chat exports: OpenAI role/content, ShareGPT from/value, and what
# support-desk and messenger exports use (speaker/text, author/message, sender/body).
ROLE_KEYS = ("role", "from", "speaker", "author", "sender")
CONTENT_KEYS = ("content", "value", "text", "message", "body")


def message_keys(message: dict[str, Any]) -> tuple[str | None, str | None]:
    """The (role key, content key) a message dict uses, each None when it has none. A key whose
    value is an object (ChatGPT's ``author: {role: ...}``) is no role; ``text``, ``message`` and
    ``body`` are a message's content only beside a role (alone, ``[{"text": ...}]`` is a list
    of records, an API export's ``data``, not one conversation)."""
    if isinstance(message.get("role"), str) and "content" in message:
        return "role", "content"  # the usual message: the first key of each list, no generators
    role = next((k for k in ROLE_KEYS if isinstance(message.get(k), str)), None)
    if role is None:
        # A sender left null: Telegram writes "from": null for a deleted account. The message is
        # still one (and its text still training text); the role is unknown, not absent.
        role = next((k for k in ("from", "sender") if k in message and message[k] is None), None)
    content = next((k for k in CONTENT_KEYS if k in message and (role is not None or k in ("content", "value"))),
                   None)
    return role, content


# An assistant turn that only calls tools: OpenAI's format leaves out "content" (or sets it to
# null) and puts the call in "tool_calls" (older exports: "function_call"). Its arguments are
# still scanned, as every other field is.
TOOL_CALL_KEYS = ("tool_calls", "function_call")


def is_tool_call_turn(message: dict[str, Any]) -> bool:
    """A message with a role, no content key, and a tool call instead."""
    role, content = message_keys(message)
    return role is not None and content is None and any(k in message for k in TOOL_CALL_KEYS)


def is_event(message: Any) -> bool:
    """An item of a message list that is no message: no role, no content key, and no text in
    any content-like key. Messenger exports put such events among the messages (Telegram's
    ``{"type": "service", "actor": …, "action": "phone_call", "text": ""}``, a member joining);
    they hold nothing to learn, and their other strings are scanned as every side field is."""
    if not isinstance(message, dict) or message_keys(message) != (None, None):
        return False
    return all(message.get(k) in (None, "", []) for k in CONTENT_KEYS)


def chat_list_key(record: dict[str, Any]) -> str | None:
    """The top-level key of a list of messages that all carry a role and a content key
    (``conversation: [{speaker, text}]``; events among them allowed, `is_event`), else None."""
    for key, value in record.items():
        if (isinstance(value, list) and value and all(isinstance(m, dict) for m in value)
                and all(None not in message_keys(m) or is_tool_call_turn(m) or is_event(m) for m in value)
                and not all(is_event(m) for m in value)):
            return key
    return None


def _list_fields(name: str, items: list[Any]) -> list[tuple[str, str]]:
    out = []
    for i, m in enumerate(items):
        if isinstance(m, dict):
            key = message_keys(m)[1]
            if key and isinstance(m[key], str):
                out.append((f"{name}[{i}].{key}", m[key]))
            elif key and isinstance(m[key], list):  # OpenAI content parts: each text part
                out.extend(_text_parts(f"{name}[{i}].{key}", m[key]))
        elif isinstance(m, str):
            out.append((f"{name}[{i}]", m))
    return out


def _is_text_part(part: Any) -> bool:
    """A content part that is text: OpenAI's ``{"type": "text", "text": …}``, or any part that
    carries its text under ``text`` (Telegram writes a message with a link, a phone number or
    bold words as ``["call ", {"type": "phone", "text": "+86 138…"}]``). Images, audio and
    files carry no ``text``."""
    return isinstance(part, dict) and isinstance(part.get("text"), str)


def _text_parts(name: str, parts: list[Any]) -> list[tuple[str, str]]:
    """The text parts of a message's content list ``[{"type": "text", "text": …}, "…", …]``, each
    its own field; other parts (images, audio) are left to the scan of other fields."""
    out = []
    for j, part in enumerate(parts):
        if isinstance(part, str):
            out.append((f"{name}[{j}]", part))
        elif _is_text_part(part):
            out.append((f"{name}[{j}].text", part["text"]))
    return out


def _width(text: str) -> int:
    return len(text) + sum(1 for c in text if "\u2e80" <= c <= "\u9fff")


def _is_message_list(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    messages = 0
    for m in value:
        if not isinstance(m, dict):
            return False
        if message_keys(m)[1] is not None:
            messages += 1
        elif not is_event(m):
            return False
    return messages > 0


def content_fields(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Text fields recognised by content when the record has no known shape: any top-level
    list of messages (``conversation: [{role, content}]``), else every long string field."""
    for key, value in record.items():
        if _is_message_list(value):
            return _list_fields(path_key(key), value)
    return [(path_key(k), v) for k, v in record.items() if isinstance(v, str) and _width(v) >= LONG_TEXT_WIDTH]


def conversation_tree_fields(record: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The message texts of a ChatGPT export's conversation (``conversations.json``: one object
    per conversation, its messages in ``mapping: {node id: {message: {author, content: {parts:
    [...]}}}}``), each part its own field in the mapping's order; None for any other record.
    Guessed by content, the text was the conversation's ``title``: two conversations both
    called "New chat" were exact duplicates, and the second was dropped."""
    mapping = record.get("mapping")
    if not isinstance(mapping, dict) or not mapping:
        return None
    out: list[tuple[str, str]] = []
    messages = 0
    for node_id, node in mapping.items():
        message = node.get("message") if isinstance(node, dict) else None
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if not isinstance(content, dict):
            continue
        messages += 1
        base = f"mapping.{path_key(node_id)}.message.content"
        parts = content.get("parts")
        if isinstance(parts, list):
            out.extend((f"{base}.parts[{j}]", p) for j, p in enumerate(parts) if isinstance(p, str))
        elif isinstance(content.get("text"), str):  # code and tool output: {"content_type": "code", "text": ...}
            out.append((f"{base}.text", content["text"]))
    return out if messages else None


def guess_text_fields(records: list[dict[str, Any]]) -> list[str] | None:
    """Text fields for a whole file whose records have no known shape, from a sample: message
    lists, else the string fields whose mean width is long (or, when none is, the widest one
    if it holds words rather than codes). None when the sample has a known shape or no text
    (a ChatGPT conversation tree's fields are found record by record)."""
    if not records or any(detect_shape(r) is not None or conversation_tree_fields(r) is not None for r in records):
        return None
    lists = sorted({path_key(k) for r in records for k, v in r.items() if _is_message_list(v)})
    if lists:
        return lists
    widths: dict[str, list[int]] = {}
    for r in records:
        for k, v in r.items():
            if isinstance(v, str):
                widths.setdefault(k, []).append(_width(v))
    mean = {k: sum(w) / len(records) for k, w in widths.items()}
    long_keys = [k for k, m in mean.items() if m >= LONG_TEXT_WIDTH]
    long = [path_key(k) for k in long_keys]
    if long_keys and set(long_keys) <= constant_fields(records, long_keys):
        # Only a template at the top level (a fixed title or subject): the words are nested
        # (`io.nested_text`); without them every record would be a duplicate of the first.
        long += nested_text_paths(records, LONG_TEXT_WIDTH, _width, path_key)
    if long:
        return long  # as field paths: a key holding "." or "[" escaped
    wordy = [k for k in mean if any(isinstance(r.get(k), str) and _looks_like_words(r[k]) for r in records)]
    return [path_key(max(wordy, key=mean.__getitem__))] if wordy else None


def _looks_like_words(text: str) -> bool:
    """Prose rather than a code or id: CJK characters, or two or more alphabetic words."""
    if any("\u4e00" <= c <= "\u9fff" for c in text):
        return sum(1 for c in text if "\u4e00" <= c <= "\u9fff") >= 4
    return sum(1 for w in text.split() if w.isalpha()) >= 2


class NonTextPart(ValueError):
    """A message content part a text model cannot read (image, audio, file)."""

    def __init__(self, index: int, kind: object) -> None:
        # a text part whose "text" is missing or not a string was "part of type 'text' is not text"
        super().__init__(f"content part {index} of type 'text' has no string 'text'" if kind == "text" else
                         f"content part of type {kind!r} is not text: a text model reads text parts only")
        self.index = index


def message_text(content: Any) -> Any:
    """A chat message's content as text, for the shapes OpenAI's SDKs write: text as is, None
    (an assistant tool-call turn) as "", a list of parts ([{"type": "text", "text": …}, …]) as
    its text parts joined. Anything else is returned unchanged for the caller to refuse;
    a non-text part raises `NonTextPart`."""
    if content is None:
        return ""
    if not isinstance(content, list):
        return content
    texts: list[str] = []
    for j, part in enumerate(content):
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and part.get("type", "text") == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        else:
            raise NonTextPart(j, part.get("type") if isinstance(part, dict) else type(part).__name__)
    return "".join(texts)
