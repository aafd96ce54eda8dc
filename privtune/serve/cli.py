"""Typer commands: `privtune serve` (+ `serve verify-log`), `privtune keys ...`, `privtune token issue`.

Mounted on the main app by privtune/cli.py. API keys are printed once, to stdout, and never
stored in clear; everything else goes to stderr.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from privtune.config import deep_merge, load_config, parse_set_overrides, read_config_file
from privtune.errors import ConfigError, PrivtuneError
from privtune.table_console import table_console

console = Console(stderr=True)
serve_app = typer.Typer(no_args_is_help=False, invoke_without_command=True, add_completion=False)
keys_app = typer.Typer(no_args_is_help=True, add_completion=False)
token_app = typer.Typer(no_args_is_help=True, add_completion=False)

StoreOpt = Annotated[Optional[str], typer.Option("--key-store", help="SQLite path or postgresql:// URL (default: the config's).")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="serve.yaml (ServeConfig keys).")]
LOGGERS = ("privtune", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "httpx", "httpcore", "starlette")


class LogVerifyFailed(PrivtuneError):
    exit_code = 5


MODEL, NET, ACCESS, LIMITS, GUARDS, LOG = ("Model", "Network and TLS", "Access and rate limits", "Request limits",
                                          "Output guards", "Audit log and logging")


def _opt(*names: str, help: str, panel: str) -> Any:  # noqa: A002 - typer's own keyword
    return typer.Option(*names, help=help, rich_help_panel=panel)


@serve_app.callback()
def serve(
    ctx: typer.Context,
    base: Annotated[Optional[Path], _opt("--base", help="Local base model directory.", panel=MODEL)] = None,
    adapter: Annotated[Optional[Path], _opt("--adapter", help="Adapter dir or training run dir.", panel=MODEL)] = None,
    upstream: Annotated[Optional[str], _opt("--upstream", help="OpenAI-compatible engine URL, http(s):// (vLLM...) instead of the embedded backend.", panel=MODEL)] = None,
    model_name: Annotated[Optional[str], _opt("--model-name", help="Model id clients use (default: the run dir name, i.e. the adapter dir's, or its parent's when it is adapter/; else the base dir's).", panel=MODEL)] = None,
    device: Annotated[Optional[str], _opt("--device", help="auto | cpu | cuda (default: auto).", panel=MODEL)] = None,
    host: Annotated[Optional[str], _opt("--host", help="Bind address (default: 127.0.0.1).", panel=NET)] = None,
    port: Annotated[Optional[int], _opt("--port", help="TCP port (default: 8000).", panel=NET)] = None,
    ssl_certfile: Annotated[Optional[Path], _opt("--ssl-certfile", help="TLS certificate (PEM).", panel=NET)] = None,
    ssl_keyfile: Annotated[Optional[Path], _opt("--ssl-keyfile", help="TLS private key (PEM).", panel=NET)] = None,
    insecure_http: Annotated[bool, _opt("--insecure-http", help="Allow plain HTTP on a non-loopback address.", panel=NET)] = False,
    key_store: Annotated[Optional[str], _opt("--key-store", "--auth-key-store", help="Key store: SQLite path or postgresql:// URL (default: privtune-keys.sqlite3).", panel=ACCESS)] = None,
    jwt_secret_file: Annotated[Optional[Path], _opt("--jwt-secret-file", "--auth-jwt-secret-file", help="HS256 secret for JWTs, a 0600 file (default: JWTs off).", panel=ACCESS)] = None,
    rate_limit_rpm: Annotated[Optional[int], _opt("--rate-limit-rpm", "--rate-limit-requests-per-min", help="Requests per key per minute, 0 unlimited (default: 600).", panel=ACCESS)] = None,
    rate_limit_tpm: Annotated[Optional[int], _opt("--rate-limit-tpm", "--rate-limit-tokens-per-min", help="Tokens per key per minute, 0 unlimited (default: 100000).", panel=ACCESS)] = None,
    redis_url: Annotated[Optional[str], _opt("--redis-url", "--rate-limit-redis-url", help="redis:// URL for counters shared by several instances.", panel=ACCESS)] = None,
    max_tokens_cap: Annotated[Optional[int], _opt("--max-tokens-cap", "--limits-max-tokens-cap", help="Largest max_tokens a request may ask for (default: 512).", panel=LIMITS)] = None,
    queue_size: Annotated[Optional[int], _opt("--queue-size", "--limits-queue-size", help="Requests running or waiting; more get 503 (default: 8).", panel=LIMITS)] = None,
    request_timeout_s: Annotated[Optional[float], _opt("--request-timeout-s", "--limits-request-timeout-s", help="Generation time limit per request, seconds (default: 120).", panel=LIMITS)] = None,
    pii_output: Annotated[Optional[str], _opt("--pii-output", help="PII in completions: redact | mask | pseudonymise | off (default: redact).", panel=GUARDS)] = None,
    watermark_key_file: Annotated[Optional[Path], _opt("--watermark-key-file", help="Watermark secret (0600 file); given: outputs are watermarked.", panel=GUARDS)] = None,
    audit_log: Annotated[Optional[Path], _opt("--audit-log", "--audit-log-path", help="Audit log file (JSON lines, no content) (default: privtune-serve-audit.jsonl).", panel=LOG)] = None,
    log_retention_days: Annotated[Optional[int], _opt("--log-retention-days", "--audit-log-retention-days", help="Audit-log retention in days (default: 90).", panel=LOG)] = None,
    client_address: Annotated[Optional[str], _opt("--client-address", "--audit-log-client-address", help="Client address in the audit log: full | truncated | off (default: truncated).", panel=LOG)] = None,
    log_level: Annotated[Optional[str], _opt("--log-level", help="debug | info | warning (every logger; content is never logged).", panel=LOG)] = None,
    config: ConfigOpt = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override any config key: key=value (e.g. pii.output=mask); see docs/config_reference.md.")] = None,
) -> None:
    """Serve the fine-tuned model behind an OpenAI-compatible gateway: keys/JWT, roles, rate limits, content-free audit log.

    See docs/serving.md. `privtune serve verify-log` checks the audit log's hash chain.
    Precedence: defaults < --config YAML < these options < --set.
    """
    if ctx.invoked_subcommand is not None:
        return
    flags = {"base": base, "adapter": adapter, "upstream": upstream, "model_name": model_name, "device": device,
             "host": host, "port": port, "ssl_certfile": ssl_certfile, "ssl_keyfile": ssl_keyfile,
             "insecure_http": insecure_http or None, "log_level": log_level,
             "auth": {"key_store": key_store, "jwt_secret_file": jwt_secret_file},
             "rate_limit": {"requests_per_min": rate_limit_rpm, "tokens_per_min": rate_limit_tpm, "redis_url": redis_url},
             "limits": {"max_tokens_cap": max_tokens_cap, "queue_size": queue_size,
                        "request_timeout_s": request_timeout_s},
             "pii": {"output": pii_output}, "watermark": {"key_file": watermark_key_file},
             "audit_log": {"path": audit_log, "retention_days": log_retention_days, "client_address": client_address}}
    run_server(_load(config, flags, set_))


def _given(flags: dict[str, Any]) -> dict[str, Any]:
    """The options actually given (nested sections kept only when one of their keys was), paths as text."""
    out: dict[str, Any] = {}
    for k, v in flags.items():
        if isinstance(v, dict):
            v = _given(v) or None
        if v is not None:
            out[k] = str(v) if isinstance(v, Path) else v
    return out


def _load(config: Path | None, flags: dict[str, Any], set_: list[str] | None):  # type: ignore[no-untyped-def]
    from privtune.serve.config import ServeConfig

    # The YAML goes to load_config as a file, so an error in it names the file, not a flag.
    return load_config(ServeConfig, config, deep_merge(_given(flags), parse_set_overrides(set_)))


def set_log_level(level: str) -> None:
    """Every logger the server touches to ``level`` (the canary test runs all of them at DEBUG)."""
    lvl = getattr(logging, level.upper(), None)
    if not isinstance(lvl, int):
        raise ConfigError(f"unknown log level {level!r}")
    logging.basicConfig(level=lvl, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in LOGGERS:
        logging.getLogger(name).setLevel(lvl)
    # httpx logs every upstream call at INFO with its URL (credentials or internal host names,
    # which /info keeps hidden): only at debug
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(lvl if lvl <= logging.DEBUG else max(lvl, logging.WARNING))


def server_implementations() -> tuple[str, str]:
    """uvicorn's (http, loop): the C parser and libuv loop of the `serve` extra when installed (they
    cut uvicorn's own per-request Python calls by about a third), else the pure-Python ones."""
    import importlib.util

    http_impl = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop_impl = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return http_impl, loop_impl


def startup_notes(cfg: Any, gw: Any) -> list[str]:
    """What a first start should say: the guards in force and, with no usable key, that every
    request will be refused and how to make a key (a fresh server answered only 401s, silently)."""
    modes = {"*": cfg.pii.output, **cfg.pii.output_by_role}
    pii = ", ".join(f"{role} {mode}" if role != "*" else mode for role, mode in modes.items())
    marked = getattr(gw.backend, "watermark", None) is not None
    notes = [f"guards: output PII {pii}; input PII {cfg.pii.input}; watermark "
             + ("on" if marked else "off" + (" (upstream backend: no logits)" if cfg.upstream else ""))]
    if cfg.upstream:
        from privtune.serve.app import upstream_api_key
        from privtune.serve.backends.upstream import probe

        line = probe(cfg.upstream, upstream_api_key(cfg))
        notes.append(line if line.startswith("upstream: reachable") else f"[yellow]warning:[/yellow] {line}")
    for note in getattr(gw, "notes", []):  # e.g. which audit report /info publishes
        notes.append(f"[yellow]warning:[/yellow] {escape(note.removeprefix('warning: '))}"
                     if note.startswith("warning: ") else escape(note))
    now = time.time()
    store = re.sub(r"//[^/@]*@", "//", cfg.auth.key_store)  # a postgresql:// URL's password stays off the console
    if not any(k.active(now) for k in gw.store.list()) and cfg.auth.jwt_secret_file is None and not cfg.auth.jwt_public_keys:
        notes.append(f"[yellow]warning:[/yellow] no active API key in {store}: every request will be "
                     f"refused (401); create one with `privtune keys create --name NAME --key-store {store}`")
    return notes


def check_port_free(host: str, port: int) -> None:
    """`ConfigError` when ``host:port`` cannot be bound. uvicorn found out only after the model had
    loaded (minutes for a real one), then logged the errno and exited 3."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"--host {host!r} does not resolve to an address ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as exc:
            why = ("is already in use (another server?)" if exc.errno == errno.EADDRINUSE
                   else f"cannot be bound ({exc.strerror})")
            raise ConfigError(f"port {port} on {host} {why}; pass another --port") from None


def run_server(cfg) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from privtune.serve.app import build_gateway, create_app
    from privtune.serve.config import check_transport, is_loopback

    check_transport(cfg)
    check_port_free(cfg.host, cfg.port)  # before the model loads
    if not cfg.tls and not is_loopback(cfg.host):
        console.print(f"[yellow]warning:[/yellow] plain HTTP on {cfg.host} (--insecure-http): keys and prompts "
                      "cross the network in clear unless a TLS proxy terminates in front")
    set_log_level(cfg.log_level)
    app = create_app(build_gateway(cfg))
    scheme = "https" if cfg.tls else "http"
    http_impl, loop_impl = server_implementations()
    console.print(f"privtune serve: {scheme}://{cfg.host}:{cfg.port} (model {app.state.gateway.backend.model_id}; "
                  f"uvicorn http={http_impl} loop={loop_impl})")
    for line in startup_notes(cfg, app.state.gateway):
        console.print(line)
    # access_log off: it would log full client addresses regardless of audit_log.client_address;
    # the audit log is the access log. log_config None keeps our logging setup.
    uvicorn.run(app, host=cfg.host, port=cfg.port, ssl_certfile=str(cfg.ssl_certfile) if cfg.ssl_certfile else None,
                ssl_keyfile=str(cfg.ssl_keyfile) if cfg.ssl_keyfile else None, access_log=False, log_config=None,
                log_level=cfg.log_level, http=http_impl, loop=loop_impl, timeout_keep_alive=5, timeout_graceful_shutdown=10,
                limit_concurrency=cfg.limits.queue_size * 16, server_header=False)


@serve_app.command("verify-log")
def verify_log_cmd(log: Annotated[Path, typer.Argument(help="The audit log (JSON lines) to check.")]) -> None:
    """Check the audit log's hash chain: exit 0 if intact, 5 naming the first bad line if not."""
    from privtune.serve.auditlog import verify_log

    if not log.exists():
        raise ConfigError(f"audit log not found: {log}")
    res = verify_log(log)
    if not res.ok:
        where = f"{log}: line {res.line}: " if res.line else f"{log}: "
        raise LogVerifyFailed(where + (res.problem or "invalid"))
    console.print(f"{escape(str(log))}: {res.records} record(s), chain intact")


def _store(key_store: str | None, config: Path | None, create: bool = False):  # type: ignore[no-untyped-def]
    from privtune.serve.auth.keys import open_store

    if key_store is None:
        data = read_config_file(config) if config else {}
        key_store = (data.get("auth") or {}).get("key_store", "privtune-keys.sqlite3")
    return open_store(str(key_store), create=create)


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Option(help="Who or what the key is for.")],
                role: Annotated[str, typer.Option(help="user | auditor | admin.")] = "user",
                ttl_days: Annotated[Optional[float], typer.Option(help="Expire after this many days.")] = None,
                key_store: StoreOpt = None, config: ConfigOpt = None) -> None:
    """Create an API key; it is printed once (stdout) and only its hash is stored."""
    from privtune.serve.roles import Role

    try:
        r = Role.parse(role)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    from privtune.serve.auth.keys import span_seconds

    rec, secret = _store(key_store, config, create=True).create(name, r, span_seconds(ttl_days, "--ttl-days", "days"))
    console.print(f"key {rec.key_id} ({rec.role.value}) created; store it now, it is not shown again:")
    print(secret)


@keys_app.command("list")
def keys_list(key_store: StoreOpt = None, config: ConfigOpt = None,
              as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False) -> None:
    """Key ids, names, roles, expiry and revocation (never secrets)."""
    recs = _store(key_store, config).list()
    if as_json:
        for r in recs:
            print(json.dumps(r.public()))
        return
    t = Table("key id", "name", "role", "created", "expires", "state")
    now = time.time()

    def fmt(ts: float | None) -> str:
        try:  # a store written before ttl checks may hold an expiry beyond time_t (ttl 1e300 days)
            return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts)) if ts else "-"
        except (OverflowError, OSError, ValueError):
            return f"{ts!r} (out of range)"

    for r in recs:
        state = "revoked" if r.revoked else "expired" if not r.active(now) else "active"
        # a name is anyone's text (POST /admin/keys too): "[/x]" in one was a MarkupError traceback
        t.add_row(escape(r.key_id), escape(r.name), r.role.value, fmt(r.created), fmt(r.expires), state)
    table_console().print(t)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key id (not the key).")], key_store: StoreOpt = None,
                config: ConfigOpt = None) -> None:
    """Revoke a key: refused from the next request on, and so are JWTs issued under it."""
    _store(key_store, config).revoke(key_id)
    console.print(f"key {key_id} revoked")


@keys_app.command("rotate")
def keys_rotate(key_id: Annotated[str, typer.Argument(help="The key id to replace.")],
                grace_hours: Annotated[float, typer.Option(help="Hours the old key stays valid.")] = 24.0,
                ttl_days: Annotated[Optional[float], typer.Option(help="Expiry of the new key, days.")] = None,
                key_store: StoreOpt = None, config: ConfigOpt = None) -> None:
    """A new key with the same name and role (printed once); the old one expires after the grace period."""
    from privtune.serve.auth.keys import span_seconds

    grace_s = span_seconds(grace_hours, "--grace-hours", "hours", zero_ok=True)
    assert grace_s is not None
    rec, secret = _store(key_store, config).rotate(key_id, grace_s, span_seconds(ttl_days, "--ttl-days", "days"))
    console.print(f"key {rec.key_id} replaces {key_id} (valid {grace_hours:g} h more); store it now:")
    print(secret)


@token_app.command("issue")
def token_issue(sub: Annotated[str, typer.Option(help="Subject (who the token is for).")],
                secret_file: Annotated[Path, typer.Option(help="The server's HS256 secret (auth.jwt_secret_file).")],
                role: Annotated[str, typer.Option(help="user | auditor | admin.")] = "user",
                lifetime_s: Annotated[int, typer.Option(help="Seconds until exp (at most the server's max lifetime).")] = 3600,
                kid: Annotated[Optional[str], typer.Option(help="API key id the token hangs off (revoking it revokes the token).")] = None,
                create_secret: Annotated[bool, typer.Option("--create-secret", help="Create SECRET_FILE (0600) if absent.")] = False,
                config: ConfigOpt = None) -> None:
    """Issue an HS256 JWT (exp, iat, sub, jti) signed with the server secret; printed to stdout.

    --lifetime-s may not exceed the server's auth.jwt_max_lifetime_s (read from --config; 3600 without).
    """
    from privtune.serve.auth.jwt import issue_token, read_secret, write_secret
    from privtune.serve.roles import Role

    # The role and lifetime checks before the secret is created: a bad one makes nothing.
    try:
        r = Role.parse(role)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    max_lifetime = _jwt_max_lifetime(config)
    if lifetime_s > max_lifetime:  # the server would answer every request with this token 401
        raise ConfigError(f"--lifetime-s {lifetime_s} exceeds the server's auth.jwt_max_lifetime_s ({max_lifetime:g}"
                          f"{'' if config else ', the default: pass the server config with --config'}); its "
                          "requests would all be refused")
    if not secret_file.exists():
        if not create_secret:
            raise ConfigError(f"no JWT secret at {secret_file}: check --secret-file, or pass --create-secret to "
                              "make one (then give it to the server as auth.jwt_secret_file)")
        write_secret(secret_file)
    token, claims = issue_token(read_secret(secret_file), sub, r, lifetime_s, kid)
    console.print(f"jti {claims['jti']}, expires {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(claims['exp']))} UTC")
    print(token)


def _jwt_max_lifetime(config: Path | None) -> float:
    """The server's auth.jwt_max_lifetime_s, from its config file (3600, the default, without one)."""
    lifetime = ((read_config_file(config) if config else {}).get("auth") or {}).get("jwt_max_lifetime_s", 3600)
    return lifetime if isinstance(lifetime, (int, float)) else 3600  # the server refuses any other value


@token_app.command("revoke")
def token_revoke(jti: Annotated[str, typer.Argument(help="The token's jti claim.")],
                 key_store: StoreOpt = None, config: ConfigOpt = None) -> None:
    """Revoke a JWT by its jti: refused from the next request on (kept until it would have expired anyway).

    Kept for the server's auth.jwt_max_lifetime_s (read from --config) plus clock leeway, at least 24 h.
    """
    from privtune.serve.auth.jwt import revocation_horizon

    lifetime = _jwt_max_lifetime(config)
    _store(key_store, config).revoke_jti(jti, max(revocation_horizon(lifetime), time.time() + 24 * 3600))
    console.print(f"token {escape(jti)} revoked")
