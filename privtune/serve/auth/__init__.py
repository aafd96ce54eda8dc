"""Credentials: API keys (auth.keys) and JWTs (auth.jwt), resolved to a `Principal` (auth.principal)."""
