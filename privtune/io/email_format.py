"""E-mail exports: one ``.eml`` message, or an ``.mbox`` mailbox (Thunderbird, Gmail Takeout,
Apple Mail's export), read as one record per message.

Read as plain text, a mail leaks: bodies in Chinese (and most with attachments) are
base64 or quoted-printable, and header names are RFC 2047 encoded (``=?utf-8?b?...?=``), so
the scan saw no phone number, no name, and copied them out as it found them. Here each
message is decoded with the standard library's parser: its body (the plain-text part, else
the HTML one) becomes the record's ``text`` (quoted replies and signatures included: they are
text the scan must see), the headers that name people (``from``, ``to``, ``cc``, ``reply_to``),
``subject`` and ``date`` side fields, and each attachment is listed by name and type, with its
text when it is text (a forwarded message, a .txt); other attachments' bytes are not kept.

An mbox is split on its ``From `` separator lines (a line starting "From " after a blank line,
or the file's first line), one message in memory at a time.
"""

from __future__ import annotations

import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from privtune.io.sources import open_binary

_PARSER = BytesParser(policy=email.policy.default)
_PEOPLE_HEADERS = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("reply_to", "Reply-To"))
MAX_RAW = 10000  # characters of an unreadable message kept for the rejects file


def iter_messages(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(first line number, raw bytes)`` of each message: the whole file for one .eml, each
    ``From ``-separated message of an mbox (its separator line left out)."""
    with open_binary(path) as fh:
        first = fh.readline()
        if not first.startswith(b"From "):  # one message (.eml): no mbox separator
            yield 1, first + fh.read()
            return
        start, lines, blank = 2, [], False
        for line_no, line in enumerate(fh, start=2):
            if blank and line.startswith(b"From "):
                yield start, b"".join(lines)
                start, lines = line_no + 1, []
            else:
                lines.append(line)
            blank = not line.strip()
        if lines or start == 2:
            yield start, b"".join(lines)


def iter_email_records(path: Path, record: Any, rejected: Any, blank: bytes) -> Iterator[Any]:
    """One ``record(index, line, data)`` per message, ``line`` where it starts; a message the
    parser cannot read is ``rejected(index, line, reason, raw)``, its reason naming no data.
    Text encodings are the messages' own."""
    index = 0
    for line_no, raw in iter_messages(path):
        if not raw.strip(blank):
            continue
        try:
            data = message_record(raw)
        except Exception as exc:  # noqa: BLE001 - the parser raises many types
            yield rejected(index, line_no, f"unreadable e-mail message ({type(exc).__name__})",
                           raw[: MAX_RAW * 4].decode("utf-8", errors="replace")[:MAX_RAW])
        else:
            yield record(index, line_no, data)
        index += 1


def _unescape_from(raw: bytes) -> bytes:
    """mboxrd/mboxo quote body lines that start with "From " as ">From "; undo one level."""
    if b"\n>From " not in raw:
        return raw
    return raw.replace(b"\n>From ", b"\nFrom ")


def _text_of(part: EmailMessage) -> str:
    try:
        # No charset named (an attached .csv, a text part from a script): the parser would read
        # it as ASCII and put U+FFFD for every Chinese byte; read it as UTF-8, else GB18030.
        content = part.get_content() if part.get_content_charset() else _bytes_as_text(part)
    except LookupError:  # a charset Python does not know ("x-unknown"): best effort, never dropped
        content = part.get_payload(decode=True) or b""
    if isinstance(content, bytes):
        text = clean_text(content.decode("utf-8", errors="surrogateescape"))
    else:
        text = clean_text(content if isinstance(content, str) else str(content))
    if part.get_content_type() == "text/plain" and str(part.get_param("format", "")).lower() == "flowed":
        text = unflowed(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return text


def _bytes_as_text(part: EmailMessage) -> str:
    return _utf8_or_gb18030(part.get_payload(decode=True) or b"")


def _utf8_or_gb18030(raw: bytes) -> str:
    """``raw`` decoded as UTF-8, else GB18030 (Chinese mail clients' charset when none is named),
    else UTF-8 with replacement characters."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _quote_depth(line: str) -> int:
    return len(line) - len(line.lstrip(">"))


def unflowed(text: str, delsp: bool = False) -> str:
    """A ``format=flowed`` body (RFC 3676; Thunderbird and Apple Mail send them) with its soft
    line breaks undone: a line ending in a space continues on the next line of the same quote
    depth. Left wrapped, a phone number or an address broken at the 72nd column reached the
    detectors in two pieces ("call me on 0471 22" / "93 15") and neither was found."""
    out: list[str] = []
    joining = False
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = _quote_depth(line)
        body = line[depth:]
        if body.startswith(" "):  # space-stuffing (and the blank after ">")
            body = body[1:]
        if joining and out and depth == _quote_depth(out[-1]):
            out[-1] += body
        else:
            out.append(">" * depth + (" " if depth and body else "") + body)
        soft = body.endswith(" ") and body != "-- "
        if soft and delsp:
            out[-1] = out[-1][:-1]
        joining = soft
    return "\n".join(out)


def _body(msg: EmailMessage) -> tuple[str, EmailMessage | None]:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", None
    return _text_of(part), part  # type: ignore[arg-type]


def _attachments(msg: EmailMessage, body: EmailMessage | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in msg.iter_attachments():
        if part is body:
            continue
        item: dict[str, Any] = {"filename": part.get_filename() or "", "content_type": part.get_content_type()}
        if part.get_content_type() == "message/rfc822":
            inner = part.get_content()
            if isinstance(inner, EmailMessage):  # a forwarded message: its words are mail too
                item["text"] = "\n".join(filter(None, (_header(inner, h) for _, h in _PEOPLE_HEADERS + (("", "Subject"),))))
                item["text"] += "\n\n" + _body(inner)[0]
        elif part.get_content_maintype() == "text":
            item["text"] = _text_of(part)
        out.append(item)
    return out


def _header(msg: EmailMessage, name: str) -> str:
    for key, raw in msg.raw_items():
        if key.lower() == name.lower() and _has_raw_bytes(raw):
            # 8-bit bytes in a header: the parsed value holds U+FFFD for each; decode them here.
            return clean_text(" ".join(raw.split()))
    value = msg.get(name)
    return "" if value is None else str(value)


def _has_raw_bytes(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def clean_text(text: str) -> str:
    """Raw 8-bit bytes in a header (old clients write GBK or UTF-8 unencoded) come back from
    the parser as lone surrogates, which no output can hold: decoded as UTF-8, else GB18030."""
    if not _has_raw_bytes(text):
        return text
    return _utf8_or_gb18030(text.encode("utf-8", "surrogateescape"))


def message_record(raw: bytes) -> dict[str, Any]:
    """One message as a record: headers that name people, subject, date, ``text`` (the body)
    and ``attachments`` (when there are any). Raises on a message the parser cannot read."""
    msg = _PARSER.parsebytes(_unescape_from(raw))
    record: dict[str, Any] = {}
    for key, header in _PEOPLE_HEADERS:
        value = _header(msg, header)
        if value:
            record[key] = value
    for key, header in (("subject", "Subject"), ("date", "Date")):
        record[key] = _header(msg, header)
    text, body = _body(msg)  # type: ignore[arg-type]
    record["text"] = text
    attachments = _attachments(msg, body)  # type: ignore[arg-type]
    if attachments:
        record["attachments"] = attachments
    if not text and not attachments and msg.get_content_maintype() != "multipart" and not msg.keys():
        raise ValueError("no e-mail headers and no body")
    return record


_HEADER_START = (b"return-path:", b"received:", b"delivered-to:", b"from:", b"mime-version:", b"message-id:",
                 b"date:", b"to:", b"subject:", b"x-")


def looks_like_mail(path: Path) -> bool:
    """A file without a suffix that holds one message (a Maildir's) or a mailbox: its first line
    is a mail header or an mbox "From " line."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(256).lower()
    except OSError:
        return False
    return first.startswith(b"from ") or first.startswith(_HEADER_START)

