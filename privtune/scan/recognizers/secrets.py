"""Secrets: vendor API keys, JWTs, PEM private keys, ``password=…`` values, keyed random strings."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import halfwidth, keyword_pattern, match_at_hints, strip_tail
from privtune.scan.registry import Recognizer, register

_EDGE_B = r"(?<![0-9A-Za-z_-])"
_EDGE_A = r"(?![0-9A-Za-z_-])"


@register
class ApiKeyRecognizer(Recognizer):
    """Tokens whose vendor prefix makes them unambiguous (AWS, GitHub, Slack, OpenAI, …)."""

    name = "api_key"
    entity_types = ("SECRET",)
    # Every key below starts with one of these literals or has "_" at most 6 chars in.
    trigger = _HINT = re.compile(r"_|sk-|xox|AKIA|ASIA|AIza|glpat-")
    _re = re.compile(
        _EDGE_B + r"(?:(?:AKIA|ASIA)[0-9A-Z]{16}"
        r"|gh[pousr]_[A-Za-z0-9]{36,251}"
        r"|github_pat_[A-Za-z0-9_]{50,244}"
        r"|xox[abposr]-[A-Za-z0-9-]{10,250}"
        r"|AIza[0-9A-Za-z_-]{35}"
        r"|[sr]k_(?:live|test)_[0-9A-Za-z]{16,247}"
        r"|glpat-[0-9A-Za-z_-]{20}"
        r"|hf_[A-Za-z0-9]{30,}"
        r"|npm_[A-Za-z0-9]{36}"
        r"|(?P<openai>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}))" + _EDGE_A
    )

    def analyze(self, text: str) -> list[Span]:
        spans = []
        for m in match_at_hints(self._re, text, self._HINT, back=6):
            key = m.group()
            # "sk-" also starts hyphenated words ("sk-learn-compatible-…"): demand key-like mixing.
            if m.group("openai") and not _mixed_classes(key[3:], need=3):
                continue
            spans.append(Span(m.start(), m.end(), "SECRET", 0.95, self.name))
        return spans


@register
class JwtRecognizer(Recognizer):
    """JSON Web Tokens: three base64url parts whose header decodes to JSON naming an ``alg``."""

    name = "jwt"
    entity_types = ("SECRET",)
    trigger = _HINT = re.compile("eyJ")  # base64url of '{"'
    _re = re.compile(_EDGE_B + r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*" + _EDGE_A)

    def analyze(self, text: str) -> list[Span]:
        spans = []
        for m in match_at_hints(self._re, text, self._HINT):
            header = m.group().split(".", 1)[0]
            try:
                decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
            except (binascii.Error, ValueError, UnicodeDecodeError):
                continue
            if isinstance(decoded, dict) and "alg" in decoded:
                spans.append(Span(m.start(), m.end(), "SECRET", 0.95, self.name))
        return spans


@register
class PemPrivateKeyRecognizer(Recognizer):
    """A whole PEM/OpenSSH/PGP private-key block, or its body up to where the text cuts it off."""

    name = "pem_private_key"
    entity_types = ("SECRET",)
    trigger = re.compile("-----BEGIN ")
    _re = re.compile(
        r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----"
        r"(?:[\s\S]*?-----END (?P=kind)-----|[A-Za-z0-9+/=\s:,.-]*[A-Za-z0-9+/=])"
    )

    def analyze(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), "SECRET", 0.99, self.name) for m in self._re.finditer(text)]


_PIN_KEYS = ("password", "passwd", "pwd", "pin", "密码", "口令")
_PROSE_PASSWORD_TAIL = re.compile(r"(?:(?:[&<>]|[,;](?=[^\s\"'`]))[^\s\"'`,;\u0080-\U0010ffff]*)*")


@register
class CredentialRecognizer(Recognizer):
    """The value in ``password=…``, ``token: …``, ``密码是…`` (the key itself is not reported)."""

    name = "credential"
    entity_types = ("SECRET",)
    trigger = _HINT = keyword_pattern("pass", "pwd", "secret", "token", "key", "pin", "密码", "口令", "密钥", "令牌")
    _re = re.compile(
        # Only the key is case-insensitive: under IGNORECASE the value's non-ASCII exclusion
        # would also exclude "k" and "s" (they case-fold with U+212A and U+017F).
        r"(?<![A-Za-z])(?P<key>(?i:password|passwd|passphrase|pwd|pin(?:[ _-]?code)?"
        r"|secret(?:[ _-]?access)?(?:[ _-]?key)?|(?:api|access|private|auth|client|app)[ _-]?(?:key|secret|token)"
        r"|(?:refresh[ _-]?|bearer[ _-]?)?token)(?![A-Za-z])|密码|口令|密钥|令牌)"
        # "支付密码123456": Chinese writers often put the value straight after 密码/口令.
        # "Temporary password set to …", "password reset to …": a help desk's note of what it set.
        r"[\"']?(?P<sep>(?:\s{0,3}(?i:是|为|(?:is|was)(?![A-Za-z0-9])|(?:re)?set\s+to(?![A-Za-z0-9])"
        r"|changed\s+to(?![A-Za-z0-9])|=>|[:=：])){1,2}|(?<=密码|口令))\s{0,3}[\"'`]?"
        r"(?P<val>[^\s\"'`,;&<>\u0080-\U0010ffff]{4,200})"
    )

    # "temp password Xa7!uT9z", "new password: …" is the main pattern's: a password a desk set
    # or a user chose is written after a blank alone; only a mixed value counts (`_credential_score`).
    _set_password = re.compile(r"(?<![A-Za-z])(?i:temp(?:orary)?|new|initial|one[ -]time|default)[ _-]"
                               r"(?i:password|passcode|pwd)[ \t]{1,3}(?P<val>[^\s\"'`,;&<>\u0080-\U0010ffff]{4,200})")

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        # A key holds a hint word and starts at most 8 chars before it ("client_secret").
        for m in (self._set_password.finditer(t) if "ass" in t or "ASS" in t or "wd" in t or "WD" in t else ()):
            val = strip_tail(m.group("val"), ".")
            if _credential_score("password", "", val) > 0:
                spans.append(Span(m.start("val"), m.start("val") + len(val), "SECRET", 0.85, self.name))
        for m in match_at_hints(self._re, t, self._HINT, back=8):
            start, key = m.start("val"), m.group("key").lower()
            val = m.group("val")
            if key.startswith(_PIN_KEYS) and "=" not in m.group("sep"):
                # In prose ("my password is Tr0ub4dor&3") "&" and "<>" are the password's, not a
                # query string's; "," and ";" are too when no space follows them.
                val += _PROSE_PASSWORD_TAIL.match(t, m.end("val")).group()
            # A full-width "！" or "，" folded to ASCII ends the value: IMEs type those, not passwords.
            val = next((val[: i - start] for i in range(start, m.end()) if text[i] != t[i]), val)
            val = strip_tail(val, _tail_punct(key, val))
            score = _credential_score(key, m.group("sep"), val)
            if score > 0:
                spans.append(Span(start, start + len(val), "SECRET", score, self.name))
        return spans


_PLACEHOLDER = re.compile(
    r"(?i)^(?:\*+|x+|\.+|#+|<.*>|\$\{.*\}|\{\{.*\}\}|%.*%|null|none|true|false|undefined|redacted|hidden)$"
)


def _tail_punct(key: str, val: str) -> str:
    """Trailing characters taken as the sentence's rather than the value's.

    Tokens are base64/hex/url-safe and PINs are digits, so a "!" after them is punctuation.
    After a password it is ambiguous ("my password is Abc123!"); it stays in the span, since
    masking one punctuation mark too many costs less than leaving a password character.
    """
    return "." if key.startswith(_PIN_KEYS) and not val.rstrip("!?.").isdigit() else ".!?:"


def _credential_score(key: str, sep: str, val: str) -> float:
    """How much ``val`` looks like a real credential rather than prose or a placeholder."""
    if len(val) < 4 or _PLACEHOLDER.match(val):
        return 0.0
    if val.isdigit():
        # PINs and numeric passwords are real; a number after "token" is a count.
        return 0.8 if key.startswith(_PIN_KEYS) else 0.0
    if _mixed_classes(val, need=2) or (any(c.islower() for c in val[1:]) and any(c.isupper() for c in val[1:])):
        return 0.85
    # Plain words: "password=letmein" in config syntax is a credential, "password is required" is not.
    return 0.6 if "=" in sep and len(val) >= 6 else 0.0


_HEX = frozenset("0123456789abcdefABCDEF")


def _mixed_classes(s: str, need: int) -> bool:
    classes = (any(c.isdigit() for c in s), any(c.islower() for c in s), any(c.isupper() for c in s),
               any(not c.isalnum() for c in s))  # fmt: skip
    return sum(classes) >= need


def shannon_entropy(s: str) -> float:
    """Bits per character of ``s`` under its own character distribution."""
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values()) if n else 0.0


@register
class KeyedRandomStringRecognizer(Recognizer):
    """A long high-entropy string reported only near key/secret/token words."""

    name = "keyed_random_string"
    entity_types = ("SECRET",)
    trigger = _KEY_HINT = keyword_pattern("key", "secret", "token", "credential", "bearer", "密钥", "令牌", "凭证", "秘钥")
    _candidate = re.compile(r"[A-Za-z0-9+/_-](?<![A-Za-z0-9+/_=-].)[A-Za-z0-9+/_-]{19,}={0,2}(?![A-Za-z0-9+/_=-])")
    _REACH = 32  # how far after the key word the string may start

    def analyze(self, text: str) -> list[Span]:
        spans: list[Span] = []
        done = 0
        for hit in self._KEY_HINT.finditer(text):
            pos = max(done, hit.end())
            # Bounded window: a candidate starts within _REACH chars and is at most ~300 long.
            while (m := self._candidate.search(text, pos, min(len(text), hit.end() + 300))) is not None:
                if m.start() > hit.end() + self._REACH:
                    break
                pos = done = m.end()
                s = m.group()
                # Hex has at most 4 bits/char, so random hex sits near 3.7 and needs a lower bar.
                if _mixed_classes(s, need=2) and shannon_entropy(s) >= (3.0 if set(s) <= _HEX else 3.5):
                    spans.append(Span(m.start(), m.end(), "SECRET", 0.7, self.name))
        return spans
