"""`ServeConfig`: every `privtune serve` setting, loadable from YAML and overridable by flags."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from privtune.config import yaml_off
from privtune.errors import ConfigError

ClientAddress = Literal["full", "truncated", "off"]


_off = yaml_off  # a bare `off` in serve.yaml or `--set pii.output=off` means "off"


class AuthConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_store: str = Field("privtune-keys.sqlite3", description="Key store: an SQLite file path, or a postgresql:// URL.")
    jwt_secret_file: Path | None = Field(None, description="HS256 server secret for JWTs (0600 file); none: HS256 off.")
    jwt_public_keys: list[Path] = Field(default_factory=list, description="PEM public keys (RS256/EdDSA) of an external identity provider.")
    jwt_issuer: str | None = Field(None, description="Required `iss` claim, if set.")
    jwt_audience: str | None = Field(None, description="Required `aud` claim, if set.")
    jwt_max_lifetime_s: int = Field(3600, ge=1, description="Longest accepted exp - iat, seconds.")


class RateLimitConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requests_per_min: int = Field(600, ge=0, description="Requests per key per minute (0: unlimited).")
    tokens_per_min: int = Field(100_000, ge=0, description="Prompt + completion tokens per key per minute (0: unlimited).")
    auth_failures_per_min: int = Field(60, ge=0, description="Failed authentications per client address per minute before 429 (0: unlimited).")
    redis_url: str | None = Field(None, description="redis:// URL for counters shared by several instances; none: in-process.")


class AuditLogConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: Path = Field(Path("privtune-serve-audit.jsonl"), description="Hash-chained audit log (JSON lines, no content).")
    client_address: ClientAddress = Field("truncated", description="full | truncated (IPv4 /24, IPv6 /48) | off.")
    retention_days: int = Field(90, ge=1, description="Records older than this are purged at start-up and daily.")

    @field_validator("client_address", mode="before")
    @classmethod
    def _yaml_off(cls, v: object) -> object:
        return _off(v)


class LimitsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest accepted request body (413 beyond).")
    max_tokens_cap: int = Field(512, ge=1, description="Largest max_tokens a request may ask for (400 beyond).")
    default_max_tokens: int = Field(64, ge=1, description="max_tokens when a request gives none.")
    request_timeout_s: float = Field(120.0, gt=0, description="Generation time limit per request.")
    queue_size: int = Field(8, ge=1, description="Requests running or waiting for the backend; more get 503 + Retry-After.")


PIIModeName = Literal["redact", "mask", "pseudonymise", "off"]


class PIIConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    output: PIIModeName = Field("redact", description="PII in completions: redact | mask | pseudonymise | off (same detectors as privtune scan).")
    output_by_role: dict[str, PIIModeName] = Field(default_factory=dict, description="Output mode per role (user, auditor, admin), over `output`.")
    output_by_key: dict[str, PIIModeName] = Field(default_factory=dict, description="Output mode per key id (an API key id, or jwt:<sub>), over the role's.")
    input: PIIModeName = Field("off", description="PII in prompts before they reach the backend (upstream engine): redact | mask | pseudonymise | off.")
    types: list[str] | None = Field(None, description="Entity types to detect [default: all privtune scan types].")
    min_score: float = Field(0.5, ge=0.0, le=1.0, description="Detections scoring below this are left alone.")
    allow: list[str] = Field(default_factory=list, description="Values never redacted (your organisation, product names).")
    max_holdback_chars: int = Field(256, ge=16, description="Longest text a stream holds back while an entity may still be growing (bounds added time to first token).")
    key_file: Path | None = Field(None, description="Secret for stable pseudonyms across restarts (0600 file); none: fresh per process.")

    @field_validator("output", "input", mode="before")
    @classmethod
    def _yaml_off(cls, v: object) -> object:
        return _off(v)

    @field_validator("output_by_role", "output_by_key", mode="before")
    @classmethod
    def _yaml_off_values(cls, v: object) -> object:
        return {k: _off(x) for k, x in v.items()} if isinstance(v, dict) else v



class WatermarkConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_file: Path | None = Field(None, description="Server secret of the green-list watermark (0600 file, 16+ bytes); set: embedded outputs are watermarked. No default key exists.")
    gamma: float = Field(0.25, gt=0.0, lt=1.0, description="Green fraction of the vocabulary (Kirchenbauer et al. 2023).")
    delta: float = Field(2.0, ge=0.0, description="Logit bias added to green tokens.")
    context_width: int = Field(4, ge=1, le=16, description="Previous tokens in the self-hash seed.")
    z_threshold: float = Field(4.0, gt=0.0, description="z-score above which detection reports `watermarked`.")
    canonical_splits: bool = Field(True, description="Watermarked generation samples only canonical token splits (every adjacent pair re-encodes to itself, valid UTF-8), so a detector re-encoding the text sees the generated tokens; see docs/serving.md.")
    entropy_threshold: float | None = Field(None, ge=0.0, description="Entropy-aware detection (SWEET) on /v1/watermark/detect by default: score only tokens whose entropy (nats) under the served model exceeds this. None: key-only; a request may set its own.")
    entropy_weight_power: float | None = Field(0.5, ge=0.0, le=16.0, description="Entropy-weighted detection (EWD) on /v1/watermark/detect by default: each scored token weighs (its entropy in nats under the served model) ** this (0.5: the square root, the measured default). None: unweighted (key-only, no model run); a request may set its own (or key_only). Combines with entropy_threshold. Read by weighted, linear (its weighted part), combined and joint; the default detector, posterior, and lr do not use it.")
    entropy_distribution: Literal["visible", "visible-canonical", "model"] = Field("visible", description="Entropy-aware/weighted detection: the next-token distribution whose entropy is taken. visible: special tokens (end of turn, chat markers; never in decoded text) removed and the rest renormalised; visible-canonical: also the canonical-split mask; model: the full distribution (the detector before).")
    detector: Literal["weighted", "lr", "combined", "joint", "linear", "posterior"] = Field("posterior", description="Default detector of /v1/watermark/detect (a request may name its own; posterior is the default: TPR at z > 4 after redaction 0.952 pooled over 5 fresh keys against linear's 0.913, FP 0 of 5,365 key-text pairs, benchmarks/RESULTS.md, 'five fresh keys'; linear was the default before). weighted: green count, key-only or with entropy_threshold / entropy_weight_power; lr: likelihood ratio over the served model's top lr_top_k candidates (entropy_distribution's distribution); combined: both, p = 2·min(p_weighted, p_lr) (Bonferroni: the null bound of one test); joint: both as one z, (z_w + z_lr) / sqrt(2 + 2ρ) with ρ their null correlation computed per text; linear: the green excess over the top lr_top_k candidates' green mass, Σ(g_x − G), at every scored position, plus the weighted count (entropy_weight_power, else 0.5), as one linear statistic of the green bits with an exact key null. posterior: Σ(πᵦ − γ)(bᵦ − γ) over the distinct green bits of the top lr_top_k candidates and the written tokens, πᵦ the bit's posterior under the watermark given the model and delta (a repeated bit is at most one coin; 0.923 vs linear 0.877 pooled over 3 keys, 0.952 vs 0.913 over 5 more). lr, combined, joint, linear and posterior run the model (one pass per text). weighted, linear and posterior report p_value as the exact key-null tail (z_exact its z-score), lr and joint the Gaussian tail of z, an approximation (each answer's p_value_method says which); z_score, which z_threshold reads, is the standardised statistic.")
    lr_top_k: int = Field(10, ge=1, le=14, description="lr / combined / joint / linear / posterior detectors: candidates whose green bits enter the likelihood ratio (linear: the green mass G) exactly (2^k masks per position; the rest counts as its null expectation).")


class ServeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base: Path | None = Field(None, description="Local base model directory (embedded backend; with upstream, for /info and the token counts of guarded answers).")
    adapter: Path | None = Field(None, description="Adapter dir (or training run dir with adapter/).")
    adapter_key_file: Path | None = Field(None, description="Key file for an encrypted adapter.")
    upstream: str | None = Field(None, description="OpenAI-compatible engine URL, http(s):// (e.g. vLLM at http://127.0.0.1:8001) instead of the embedded backend.")
    upstream_api_key_file: Path | None = Field(None, description="File holding the upstream engine's API key.")
    upstream_model: str | None = Field(None, description="Model name to ask the upstream for [default: its first model].")
    model_name: str | None = Field(None, description="Model id clients use [default: the run directory's name: the adapter directory's, or its parent's when it is adapter/; else the base model directory's; upstream: upstream_model or \"upstream\"].")
    privacy: Path | None = Field(None, description="privacy.json to publish in /info [default: beside the adapter].")
    audit_report: Path | None = Field(None, description="Audit report.json whose verdict /info publishes [default: the run's audit/report.json when it audited this run].")
    device: str = Field("auto", description="auto | cpu | cuda.")
    host: str = Field("127.0.0.1", description="Bind address; non-loopback needs TLS or --insecure-http.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port.")
    ssl_certfile: Path | None = Field(None, description="TLS certificate (PEM).")
    ssl_keyfile: Path | None = Field(None, description="TLS private key (PEM).")
    insecure_http: bool = Field(False, description="Allow plain HTTP on a non-loopback address.")
    # No "trace": uvicorn's trace level logs raw ASGI messages, request and response bodies included.
    log_level: Literal["debug", "info", "warning", "error", "critical"] = Field(
        "info", description="Log level of every logger (debug never logs content; trace is not offered).")
    auth: AuthConfig = Field(default_factory=AuthConfig)
    rate_limit: RateLimitConfig = Field(default_factory=RateLimitConfig)
    audit_log: AuditLogConfig = Field(default_factory=AuditLogConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    pii: PIIConfig = Field(default_factory=PIIConfig)
    watermark: WatermarkConfig = Field(default_factory=WatermarkConfig)

    @field_validator("upstream")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        # httpx takes `localhost:8001` and fails each request (502) only once the gateway is up.
        if v is None:
            return v
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            bare = v.strip().split("://", 1)[-1] or "127.0.0.1:8001"
            raise ValueError(f"{v!r} is not an http(s) URL; e.g. http://{bare}")
        return v.strip()

    @model_validator(mode="after")
    def _check(self) -> "ServeConfig":
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("ssl_certfile and ssl_keyfile go together")
        if self.upstream is None and self.base is None:
            raise ValueError("give base (embedded backend) or upstream")
        return self

    @property
    def tls(self) -> bool:
        return self.ssl_certfile is not None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def check_transport(cfg: ServeConfig) -> None:
    """Refuse to expose plain HTTP beyond this machine: keys and prompts would cross the network in clear."""
    if not is_loopback(cfg.host) and not cfg.tls and not cfg.insecure_http:
        raise ConfigError(f"host {cfg.host!r} is not a loopback address and no TLS is configured; give "
                          "--ssl-certfile/--ssl-keyfile, or --insecure-http if a TLS proxy sits in front")
    for p in (cfg.ssl_certfile, cfg.ssl_keyfile):
        if p is not None and not p.is_file():
            raise ConfigError(f"TLS file not found: {p}")
