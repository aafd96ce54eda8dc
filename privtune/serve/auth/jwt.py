"""JWT bearer tokens (PyJWT) with pinned algorithms.

Two trust roots, never mixed: the server's own HS256 secret (tokens from `privtune token
issue`), and PEM public keys of an external identity provider (RS256 or EdDSA). The token's
header picks the root, and each root is verified with *its* algorithms only, so an HS256 token
"signed" with a public key (the HS/RS confusion attack) and ``alg: none`` are both refused.
``exp``, ``iat``, ``sub`` and ``jti`` are required and ``exp - iat`` may not exceed the
configured lifetime (1 h by default); a revoked ``jti`` or a revoked key (claim ``kid`` naming
an API key) fails from the next request on.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from privtune.errors import ConfigError
from privtune.serve.auth.keys import KeyStore
from privtune.serve.auth.principal import AuthFailed, Principal
from privtune.serve.roles import Role

HS_ALGS = ("HS256",)
PK_ALGS = {"RS256": rsa.RSAPublicKey, "EdDSA": ed25519.Ed25519PublicKey}
REQUIRED = ["exp", "iat", "sub", "jti"]
LEEWAY_S = 5  # clock skew allowed on exp and iat


def revocation_horizon(max_lifetime_s: float, exp: float | None = None) -> float:
    """Until when a revoked jti must stay in the store: a token accepted now was issued at most
    ``LEEWAY_S`` ahead (iat) and lives at most ``max_lifetime_s`` past that (+ the leeway on exp),
    so no revoked token outlives this. A client-given ``exp`` may only extend it: taken as is, a
    past or mistyped one was purged by the next revocation and the token was accepted again."""
    return max(time.time() + max_lifetime_s + 2 * LEEWAY_S, exp or 0.0)


def read_secret(path: Path) -> bytes:
    """The HS256 secret from a file; refuses a file others can read, and one too short for HS256."""
    try:
        st = path.stat()
        data = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read JWT secret {path}: {exc.strerror}") from None
    if os.name == "posix" and st.st_mode & 0o077:
        raise ConfigError(f"JWT secret {path} is readable by others; chmod 600 it")
    if len(data) < 32:
        raise ConfigError(f"JWT secret {path} holds {len(data)} bytes; HS256 needs at least 32")
    return data


def write_secret(path: Path) -> None:
    """A new random HS256 secret, created 0600 (refuses to overwrite)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48) + "\n")


@dataclass
class JWTVerifier:
    secret: bytes | None
    public_keys: list[Any] = field(default_factory=list)
    issuer: str | None = None
    audience: str | None = None
    max_lifetime_s: int = 3600
    leeway_s: int = LEEWAY_S

    @classmethod
    def from_files(cls, secret_file: Path | None, public_key_files: list[Path], **kw: Any) -> "JWTVerifier":
        keys = []
        for p in public_key_files:
            try:
                key = load_pem_public_key(p.read_bytes())
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{p}: not a PEM public key ({type(exc).__name__})") from None
            if not isinstance(key, tuple(PK_ALGS.values())):
                raise ConfigError(f"{p}: only RSA (RS256) and Ed25519 (EdDSA) public keys are accepted")
            keys.append(key)
        return cls(read_secret(secret_file) if secret_file else None, keys, **kw)

    @property
    def enabled(self) -> bool:
        return self.secret is not None or bool(self.public_keys)

    def _decode(self, token: str, key: Any, alg: str) -> dict[str, Any]:
        opts = {"require": REQUIRED + (["iss"] if self.issuer else []) + (["aud"] if self.audience else [])}
        return jwt.decode(token, key, algorithms=[alg], options=opts, issuer=self.issuer, audience=self.audience,
                          leeway=self.leeway_s)

    def verify(self, token: str, store: KeyStore) -> Principal:
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError:
            raise AuthFailed("malformed token") from None
        if not isinstance(alg, str):  # `"alg": ["HS256"]` was a TypeError (unhashable): a 500 before any signature check
            raise AuthFailed("malformed token")
        claims: dict[str, Any] | None = None
        try:
            if alg in HS_ALGS and self.secret is not None:
                claims = self._decode(token, self.secret, alg)
            elif alg in PK_ALGS:
                for key in self.public_keys:
                    if not isinstance(key, PK_ALGS[alg]):
                        continue
                    try:
                        claims = self._decode(token, key, alg)
                        break
                    except jwt.InvalidSignatureError:
                        continue
            if claims is None:
                raise AuthFailed("token algorithm or signature not accepted")
        except jwt.ExpiredSignatureError:
            raise AuthFailed("token expired") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthFailed(f"token lacks the {exc.claim!r} claim") from None
        except jwt.PyJWTError:
            raise AuthFailed("token invalid") from None
        if not all(isinstance(claims.get(c), (int, float)) for c in ("exp", "iat")):
            raise AuthFailed("token exp/iat must be numbers")
        if claims["exp"] - claims["iat"] > self.max_lifetime_s:
            raise AuthFailed(f"token lifetime exceeds {self.max_lifetime_s} s")
        if claims["iat"] > time.time() + self.leeway_s:
            raise AuthFailed("token issued in the future")
        jti, sub = str(claims["jti"]), str(claims["sub"])
        if "\x00" in jti + sub + str(claims.get("kid", "")):  # PostgreSQL cannot compare a NUL: it was a 500
            raise AuthFailed("token claims hold a NUL character")
        if store.jti_revoked(jti):
            raise AuthFailed("token revoked")
        kid = claims.get("kid")
        if kid is not None:
            rec = store.get(str(kid))
            if rec is None or not rec.active(time.time()):
                raise AuthFailed("token's key revoked or expired")
        try:
            role = Role.parse(str(claims.get("role", "user")))
        except ValueError:
            raise AuthFailed("token role unknown") from None
        return Principal(key_id=f"jwt:{sub}"[:80], role=role, method="jwt", jti=jti)


def issue_token(secret: bytes, sub: str, role: Role, lifetime_s: int = 3600, kid: str | None = None,
                issuer: str | None = None, audience: str | None = None) -> tuple[str, dict[str, Any]]:
    """An HS256 token with exp/iat/sub/jti (and kid, iss, aud when given); returns (token, claims)."""
    # A lifetime of 0 or less printed a token that was already expired (exit 0); an empty subject
    # a token whose requests no log or quota can attribute.
    if isinstance(lifetime_s, bool) or not isinstance(lifetime_s, int) or lifetime_s < 1:
        raise ConfigError(f"lifetime_s must be a whole number of seconds >= 1, got {lifetime_s!r}")
    if not isinstance(sub, str) or not sub.strip():
        raise ConfigError("sub (who the token is for) must not be empty")
    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "role": Role(role).value, "iat": now, "exp": now + lifetime_s,
                              "jti": uuid.uuid4().hex}
    if kid:
        claims["kid"] = kid
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256"), claims
