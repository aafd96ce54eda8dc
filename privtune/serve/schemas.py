"""OpenAI request bodies (the fields the gateway honours) and OpenAI error objects."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from privtune.io.records import message_text
from privtune.serve.unserved import EXTENSIONS, UNSERVED, is_neutral, misspelt_field


# Request bodies are validated strictly (JSON's own types): in pydantic's default lax mode
# "max_tokens": "12", "temperature": true, "stream": "false" and "n": 1.0 were accepted as 12, 1.0,
# False and 1, where OpenAI answers 400 naming the field; a client that sends a string for a
# number has a bug it should hear about. A JSON integer still passes for a float field.
_STRICT = ConfigDict(extra="ignore", strict=True)


class ChatMessage(BaseModel):
    model_config = _STRICT

    role: Literal["system", "user", "assistant", "tool"]
    # Declared before content, which reads them: an assistant turn that calls a tool may leave
    # content null or out (OpenAI's rule). The call itself is not shown to the model, since the
    # gateway serves no tools; such a turn reads as empty text.
    tool_calls: list[Any] | None = None
    function_call: Any = None
    refusal: str | None = None  # an OpenAI answer that refused: content null, what it said here
    content: str = Field(None, max_length=1_000_000, validate_default=True)  # type: ignore[assignment]

    @field_validator("role", mode="before")
    @classmethod
    def _developer_is_system(cls, v: Any) -> Any:
        # OpenAI's newer clients send "developer" for what older ones call "system"; "function"
        # is the tool result of the deprecated function-calling API.
        return {"developer": "system", "function": "tool"}.get(v, v) if isinstance(v, str) else v

    @field_validator("content", mode="before")
    @classmethod
    def _content_parts(cls, v: Any, info: ValidationInfo) -> Any:
        """Text or a list of text parts (`message_text`); null or absent only on an assistant
        tool-call turn. It was accepted as empty text on every turn, so a client bug that lost a
        user's message ran the request on a blank turn instead of saying so."""
        if v is None:
            if info.data.get("role") == "assistant" and info.data.get("refusal"):
                return info.data["refusal"]  # the turn as OpenAI's model wrote it (a client echoes history back)
            if info.data.get("role") == "assistant" and (info.data.get("tool_calls") or info.data.get("function_call")):
                return ""
            raise ValueError("content is required: text or a list of text parts (null or absent only on an "
                             "assistant turn with tool_calls or a refusal)")
        return message_text(v)


class StreamOptions(BaseModel):
    model_config = _STRICT

    include_usage: bool = False


class _GenerationFields(BaseModel):
    model_config = _STRICT  # extra ignored: OpenAI clients send fields we do not use (user, metadata, ...)

    model: str = Field(max_length=256)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float = Field(1.0, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    stop: str | list[str] | None = Field(None, description="Up to 4 stop strings (OpenAI's limit; a 5th was dropped silently).")
    # OpenAI's range (int64); beyond it torch.manual_seed overflowed: a 500 "internal error"
    seed: int | None = Field(None, ge=-(2**63), le=2**63 - 1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(1, ge=1)
    presence_penalty: float = Field(0.0, ge=-2.0, le=2.0)
    frequency_penalty: float = Field(0.0, ge=-2.0, le=2.0)
    ignore_eos: bool = Field(False, description="vLLM extension: generate max_tokens tokens even past end-of-sequence.")
    top_k: int = Field(0, ge=-1, description="vLLM extension: sample from the k likeliest tokens; 0 or -1 = off.")
    min_p: float = Field(0.0, ge=0.0, le=1.0, description="vLLM extension: drop tokens below min_p x the likeliest one's probability.")
    repetition_penalty: float = Field(1.0, gt=0.0, le=10.0, description="vLLM extension (prompt and output tokens).")
    # OpenAI fields the gateway does not serve. Silently ignoring them would hand the client an
    # answer of another kind than it asked for, so a value that asks for something is a 400 naming
    # the field; the neutral values clients send by default (false, null, [], {"type": "text"}) pass.
    logprobs: bool | int | None = None
    top_logprobs: int | None = None
    logit_bias: dict[str, float] | None = None
    tools: list[Any] | None = None
    functions: list[Any] | None = None
    tool_choice: Any = None
    function_call: Any = None
    response_format: dict[str, Any] | None = None
    # OpenAI's newer fields and vLLM's extensions that change the answer (`unserved.EXTENSIONS`).
    modalities: Any = None
    audio: Any = None
    web_search_options: Any = None
    store: Any = None
    prompt_logprobs: Any = None
    guided_json: Any = None
    guided_regex: Any = None
    guided_choice: Any = None
    guided_grammar: Any = None
    structured_outputs: Any = None
    use_beam_search: Any = None
    min_tokens: Any = None
    stop_token_ids: Any = None
    bad_words: Any = None
    allowed_token_ids: Any = None
    truncate_prompt_tokens: Any = None
    continue_final_message: Any = None
    add_generation_prompt: Any = None
    chat_template: Any = None
    include_stop_str_in_output: Any = None
    skip_special_tokens: Any = None

    @field_validator(*EXTENSIONS)
    @classmethod
    def _extension_asks_nothing(cls, v: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        if not is_neutral(name, v):
            raise ValueError(EXTENSIONS[name][1])
        return v

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        """An explicit null means "the default" (OpenAI's reading: clients such as LiteLLM and
        the Vercel AI SDK send ``"temperature": null``); it was a 400 for every field whose
        default is not null."""
        if isinstance(data, dict):
            fields = cls.model_fields
            for key in data:
                if isinstance(key, str) and (wrong := misspelt_field(key, fields)) is not None:
                    raise wrong
            return {k: v for k, v in data.items()
                    if not (v is None and k in fields and fields[k].default is not None)}
        return data

    def stop_list(self) -> list[str]:
        if self.stop is None:
            return []
        return [self.stop] if isinstance(self.stop, str) else [s for s in self.stop if s]

    @field_validator("stream_options")
    @classmethod
    def _only_when_streaming(cls, v: StreamOptions | None, info: ValidationInfo) -> StreamOptions | None:
        # OpenAI and vLLM answer 400; ignoring it left a client that wanted usage in the last chunk
        # believing it had asked for a stream.
        if v is not None and info.data.get("stream") is not True:
            raise ValueError("stream_options is only allowed when stream is true")
        return v

    @field_validator("logprobs", "top_logprobs")
    @classmethod
    def _no_logprobs(cls, v: bool | int | None) -> bool | int | None:
        if v:  # True (chat) or a count > 0 (completions, top_logprobs)
            raise ValueError(UNSERVED["logprobs"])
        return v

    @field_validator("n")
    @classmethod
    def _one_choice(cls, v: int) -> int:
        if v > 1:  # was pydantic's bare "Input should be less than or equal to 1"
            raise ValueError(UNSERVED["n"])
        return v

    @field_validator("logit_bias")
    @classmethod
    def _no_logit_bias(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v:
            raise ValueError(UNSERVED["logit_bias"])
        return v

    @field_validator("tools", "functions")
    @classmethod
    def _no_tools(cls, v: list[Any] | None) -> list[Any] | None:
        if v:
            raise ValueError(UNSERVED["tools"])
        return v

    @field_validator("tool_choice", "function_call")
    @classmethod
    def _no_tool_choice(cls, v: Any) -> Any:
        if v not in (None, "none", "auto"):
            raise ValueError(UNSERVED["tools"])
        return v

    @field_validator("response_format")
    @classmethod
    def _text_only(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        if v and v.get("type", "text") != "text":
            raise ValueError(UNSERVED["response_format"])
        return v

    @field_validator("stop")
    @classmethod
    def _at_most_four(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and len(v) > 4:
            raise ValueError(f"at most 4 stop sequences (got {len(v)})")
        return v


class ChatCompletionRequest(_GenerationFields):
    messages: list[ChatMessage] = Field(min_length=1, max_length=1024)
    echo: bool = False  # vLLM: the last message echoed before the answer

    @field_validator("echo")
    @classmethod
    def _no_echo(cls, v: bool) -> bool:
        if v:
            raise ValueError(UNSERVED["echo"])
        return v


class CompletionRequest(_GenerationFields):
    prompt: str = Field(max_length=1_000_000)
    # Legacy completions: an integer, and 0 already asks for the sampled tokens' log-probabilities.
    logprobs: bool | int | None = None
    echo: bool = False
    suffix: str | None = None
    best_of: int | None = None

    @field_validator("logprobs")
    @classmethod
    def _no_completion_logprobs(cls, v: bool | int | None) -> bool | int | None:
        if v is not None and v is not False:
            raise ValueError(UNSERVED["logprobs"])
        return v

    @field_validator("echo", "suffix")
    @classmethod
    def _no_echo_or_suffix(cls, v: Any, info: ValidationInfo) -> Any:
        if v:
            raise ValueError(UNSERVED[info.field_name or "echo"])
        return v

    @field_validator("best_of")
    @classmethod
    def _no_best_of(cls, v: int | None) -> int | None:
        if v is not None and v > 1:
            raise ValueError(UNSERVED["best_of"])
        return v

    @field_validator("prompt", mode="before")
    @classmethod
    def _one_prompt(cls, v: Any) -> Any:
        """A list holding one string, as LangChain's OpenAI client sends it, is that string;
        several prompts or token-id arrays are refused by name rather than as a type error."""
        if not isinstance(v, list):
            return v
        if len(v) == 1 and isinstance(v[0], str):
            return v[0]
        if v and all(isinstance(x, int) for x in v):
            raise ValueError("token-id prompts are not supported: send the prompt as text")
        raise ValueError(f"one prompt per request (got a list of {len(v)}); send them as separate requests")


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1, max_length=128)
    role: Literal["user", "auditor", "admin"] = "user"
    ttl_days: float | None = Field(None, gt=0, le=36500)  # keys.MAX_TTL_DAYS


class KeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    grace_hours: float = Field(24.0, ge=0, le=36500 * 24)
    ttl_days: float | None = Field(None, gt=0, le=36500)  # keys.MAX_TTL_DAYS


class WatermarkDetectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(max_length=1_000_000)
    # None: the server's watermark.entropy_threshold (None there too: key-only detection)
    entropy_threshold: float | None = Field(None, ge=0.0, le=100.0)
    # None: the server's watermark.entropy_weight_power (None there too: unweighted)
    entropy_weight_power: float | None = Field(None, ge=0.0, le=16.0)
    key_only: bool = False  # force key-only detection on a server whose default is entropy-aware
    # None: the server's watermark.detector (weighted | lr | combined | joint | linear | posterior)
    detector: Literal["weighted", "lr", "combined", "joint", "linear", "posterior"] | None = None


class JTIRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    jti: str = Field(min_length=1, max_length=256)
    exp: float | None = Field(None, allow_inf_nan=False)  # the token's exp claim: can only lengthen the revocation


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 405: "invalid_request_error", 413: "invalid_request_error",
               429: "rate_limit_exceeded", 500: "server_error", 502: "server_error", 503: "server_error",
               504: "server_error"}


def error_body(status: int, message: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": ERROR_TYPES.get(status, "invalid_request_error"),
                      "param": param, "code": code}}


class ErrorResponse(JSONResponse):
    """An OpenAI error object that notes its ``code`` in the request's ``scope["privtune"]`` as it is
    sent, for the audit record's ``error`` (the middleware never reads response bodies)."""

    def __init__(self, content: Any, status_code: int, headers: dict[str, str] | None, code: str | None) -> None:
        super().__init__(content, status_code=status_code, headers=headers)
        self.code = code

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        ctx = scope.get("privtune")
        if ctx is not None and self.code:
            ctx["error"] = self.code
        await super().__call__(scope, receive, send)


def error_response(status: int, message: str, code: str | None = None, param: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return ErrorResponse(error_body(status, message, code, param), status, headers, code)
