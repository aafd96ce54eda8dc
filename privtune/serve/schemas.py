"""OpenAI request bodies (the fields the gateway honours) and OpenAI error objects."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from privtune.io.records import message_text


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "tool"]
    content: str = Field(max_length=1_000_000)

    @field_validator("role", mode="before")
    @classmethod
    def _developer_is_system(cls, v: Any) -> Any:
        # OpenAI's newer clients send "developer" for what older ones call "system".
        return "system" if v == "developer" else v

    @field_validator("content", mode="before")
    @classmethod
    def _content_parts(cls, v: Any) -> Any:
        """Text, None (an assistant tool-call turn) or a list of text parts: `message_text`."""
        return message_text(v)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class _GenerationFields(BaseModel):
    model_config = ConfigDict(extra="ignore")  # OpenAI clients send fields we do not use (n=1, user, ...)

    model: str = Field(max_length=256)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float = Field(1.0, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    stop: str | list[str] | None = Field(None, description="Up to 4 stop strings (OpenAI's limit; a 5th was dropped silently).")
    seed: int | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(1, ge=1, le=1)
    ignore_eos: bool = Field(False, description="vLLM extension: generate max_tokens tokens even past end-of-sequence.")

    def stop_list(self) -> list[str]:
        if self.stop is None:
            return []
        return [self.stop] if isinstance(self.stop, str) else [s for s in self.stop if s]

    @field_validator("stop")
    @classmethod
    def _at_most_four(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and len(v) > 4:
            raise ValueError(f"at most 4 stop sequences (got {len(v)})")
        return v


class ChatCompletionRequest(_GenerationFields):
    messages: list[ChatMessage] = Field(min_length=1, max_length=1024)


class CompletionRequest(_GenerationFields):
    prompt: str = Field(max_length=1_000_000)

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
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    role: Literal["user", "auditor", "admin"] = "user"
    ttl_days: float | None = Field(None, gt=0)


class KeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_hours: float = Field(24.0, ge=0)
    ttl_days: float | None = Field(None, gt=0)


class WatermarkDetectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=1_000_000)
    # None: the server's watermark.entropy_threshold (None there too: key-only detection)
    entropy_threshold: float | None = Field(None, ge=0.0, le=100.0)
    # None: the server's watermark.entropy_weight_power (None there too: unweighted)
    entropy_weight_power: float | None = Field(None, ge=0.0, le=16.0)
    key_only: bool = False  # force key-only detection on a server whose default is entropy-aware


class JTIRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jti: str = Field(min_length=1, max_length=256)
    exp: float | None = None


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 405: "invalid_request_error", 413: "invalid_request_error",
               429: "rate_limit_exceeded", 500: "server_error", 502: "server_error", 503: "server_error",
               504: "server_error"}


def error_body(status: int, message: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": ERROR_TYPES.get(status, "invalid_request_error"),
                      "param": param, "code": code}}


def error_response(status: int, message: str, code: str | None = None, param: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, param), status_code=status, headers=headers)
