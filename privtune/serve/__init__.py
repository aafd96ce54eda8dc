"""`privtune serve`: an OpenAI-compatible gateway with keys, roles, rate limits and a content-free audit log.

Modules: config (ServeConfig), app (FastAPI app and routes), middleware (auth, roles, limits,
audit per request), auth/ (API keys, JWTs), roles, ratelimit, auditlog, backends/ (embedded
transformers + PEFT, upstream OpenAI-compatible engine), info (/info), cli (typer commands).
"""
