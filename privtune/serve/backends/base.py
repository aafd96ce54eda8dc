"""What the gateway asks of a backend, whichever engine runs the model."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass
class GenProgress:
    """Tokens so far, kept up to date by the backend while it generates: what a request cut
    short (the client went away, the stream failed) cost, for the rate limit and the audit log."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class GenRequest:
    """One generation: a chat (``messages``) or a plain completion (``prompt``)."""

    kind: Literal["chat", "completion"]
    max_tokens: int
    # The client set max_tokens (or max_completion_tokens): over the context window that is a 400,
    # as OpenAI and vLLM answer; the server's default is shortened to fit instead (as vLLM does).
    max_tokens_explicit: bool = False
    messages: list[dict[str, str]] | None = None
    prompt: str | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    timeout_s: float = 120.0
    ignore_eos: bool = False
    presence_penalty: float = 0.0  # OpenAI: minus this from the logit of every token already generated
    frequency_penalty: float = 0.0  # OpenAI: minus this x the number of times it was generated
    top_k: int = 0  # vLLM extensions: 0 (or -1) top_k, 0 min_p and 1 repetition_penalty are off
    min_p: float = 0.0
    repetition_penalty: float = 1.0
    # Set by the gateway to end generation at the next token (a stop string found in the guarded
    # text, `stops.VisibleStop`); the result then says "length". A backend may ignore it (the
    # gateway discards what follows either way): the upstream one does.
    halt: threading.Event | None = None
    progress: GenProgress = field(default_factory=GenProgress)


@dataclass
class GenResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" | "length"


class BackendBusy(Exception):
    """The bounded queue is full: 503 with Retry-After."""

    def __init__(self, retry_after_s: int = 1) -> None:
        super().__init__("backend queue full")
        self.retry_after_s = retry_after_s


class BackendError(Exception):
    """The backend failed for a reason the client can be told (``status``, short ``message``, no content)."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


class BadPrompt(Exception):
    """The request cannot be rendered for this model (400)."""


class ContextTooLong(BadPrompt):
    """The prompt, or the prompt plus the client's ``max_tokens``, does not fit the model's context
    window: OpenAI's ``context_length_exceeded`` (400), the code clients look for to shorten the
    conversation and retry. The message gives the numbers, as OpenAI's and vLLM's do."""

    def __init__(self, prompt_tokens: int | None = None, window: int | None = None,
                 max_tokens: int | None = None) -> None:
        if window is None:
            message = "the prompt exceeds this model's maximum context length (leave room for the answer)"
        elif max_tokens is None:
            message = (f"This model's maximum context length is {window} tokens; the prompt has "
                       f"{prompt_tokens} tokens (leave room for the answer)")
        else:
            message = (f"This model's maximum context length is {window} tokens; this request asks for "
                       f"{(prompt_tokens or 0) + max_tokens} ({prompt_tokens} in the prompt, {max_tokens} for "
                       f"the completion). Shorten the prompt or lower max_tokens to at most "
                       f"{max(window - (prompt_tokens or 0), 0)}")
        super().__init__(message)
        self.prompt_tokens, self.window, self.max_tokens = prompt_tokens, window, max_tokens


def check_window(prompt_tokens: int, window: int | None, req: GenRequest) -> int:
    """The number of tokens to generate at most: ``req.max_tokens``, shortened to the window when
    the server chose it; `ContextTooLong` when the prompt fills the window or the client's own
    ``max_tokens`` does not fit beside it (never silently shortened: the client planned for it)."""
    if window is None:
        return req.max_tokens
    if prompt_tokens >= window:
        raise ContextTooLong(prompt_tokens, window)
    if req.max_tokens_explicit and prompt_tokens + req.max_tokens > window:
        raise ContextTooLong(prompt_tokens, window, req.max_tokens)
    return min(req.max_tokens, window - prompt_tokens)


def estimate_tokens(text: str) -> int:
    """A token count for ``text`` where no tokenizer is at hand (an upstream engine and no ``base``):
    one per 4 UTF-8 bytes, rounded up (BPE vocabularies average about that on English). It reads
    only the text, so it says nothing about text the client did not get."""
    return -(-len(text.encode("utf-8")) // 4)


def count_visible_tokens(backend: Any, text: str) -> int:
    """Tokens of ``text`` with the backend's tokenizer (``count_tokens``), else `estimate_tokens`."""
    count = getattr(backend, "count_tokens", None)
    return int(count(text)) if count is not None else estimate_tokens(text)


class Backend(Protocol):
    model_id: str

    async def generate(self, req: GenRequest) -> GenResult: ...

    def stream(self, req: GenRequest) -> AsyncIterator[str | GenResult]:
        """Text deltas, then one final `GenResult` (its ``text`` is the whole output)."""
        ...

    def describe(self) -> dict[str, Any]: ...

    async def close(self) -> None: ...


def apply_stop(text: str, stop: list[str]) -> tuple[str, bool]:
    """``text`` cut before the first stop string, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
