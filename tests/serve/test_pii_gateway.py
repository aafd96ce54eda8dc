"""The PII guard inside the gateway: per-role modes, stream == whole over HTTP, the input hook,
counts (never values) in the audit record, /info listing the guards.

`EchoBackend` answers with its prompt (the last chat turn), cut into small deltas: a backend whose
output the test controls, so the text the guard sees is known. It implements the real `Backend`
protocol; the model is not what is under test here (test_guard_hook runs the tiny model).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from privtune.serve.backends.base import GenRequest, GenResult
from serve_helpers import bearer, role_keys

PII_TEXT = "我叫张伟，电话13800138000。 Mail john.smith@example.com now. Card 4111 1111 1111 1111 ok"


class EchoBackend:
    model_id = "tiny"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _text(self, req: GenRequest) -> str:
        text = req.prompt if req.prompt is not None else (req.messages or [{}])[-1].get("content", "")
        self.seen.append(text)
        return text

    async def generate(self, req: GenRequest) -> GenResult:
        text = self._text(req)
        return GenResult(text, len(text), len(text), "stop")

    async def stream(self, req: GenRequest) -> Any:
        text = self._text(req)
        for i in range(0, len(text), 3):
            yield text[i:i + 3]
        yield GenResult(text, len(text), len(text), "stop")

    def describe(self) -> dict[str, Any]:
        return {"kind": "echo"}

    async def close(self) -> None:
        return None


def _streamed(r: Any) -> str:
    return "".join(json.loads(line[6:])["choices"][0]["text"] for line in r.text.splitlines()
                   if line.startswith("data: {"))


def test_output_redacted_per_role_streamed_equals_whole(make_gateway, tmp_path):
    log = tmp_path / "pii.jsonl"
    gw = make_gateway(backend=EchoBackend(), audit_log={"path": str(log)},
                      pii={"output": "off", "output_by_role": {"user": "redact"}})
    keys = role_keys(gw)
    req = {"model": "tiny", "prompt": PII_TEXT, "max_tokens": 50}
    with TestClient(gw.app) as c:
        whole = c.post("/v1/completions", headers=bearer(keys["user"]), json=req).json()["choices"][0]["text"]
        streamed = _streamed(c.post("/v1/completions", headers=bearer(keys["user"]), json={**req, "stream": True}))
        info = c.get("/info", headers=bearer(keys["user"])).json()
    assert whole == streamed == "我叫[PERSON]，电话[PHONE]。 Mail [EMAIL] now. Card [BANK_CARD] ok"
    assert info["output_guards"][0]["name"] == "pii" and info["output_guards"][0]["by_role"] == {"user": "redact"}
    text = log.read_text()
    assert "13800138000" not in text and "john.smith" not in text and "张伟" not in text
    recs = [json.loads(x) for x in text.splitlines() if '"/v1/completions"' in x and '"guards"' in x]
    counts = {"BANK_CARD": 1, "EMAIL": 1, "PERSON": 1, "PHONE": 1}
    assert [r["guards"]["pii_output"] for r in recs[:2]] == [{"mode": "redact", "redacted": counts}] * 2


def test_per_key_mode_overrides_role(make_gateway):
    gw = make_gateway(backend=EchoBackend(), pii={"output": "redact"})
    user = role_keys(gw)["user"]
    gw.guards[0].by_key[gw.store.verify(user).key_id] = "mask"
    with TestClient(gw.app) as c:
        out = c.post("/v1/chat/completions", headers=bearer(user), json={
            "model": "tiny", "messages": [{"role": "user", "content": "Mail john.smith@example.com now."}]}).json()
    text = out["choices"][0]["message"]["content"]
    assert "john.smith@example.com" not in text and "[EMAIL]" not in text and "*" in text


def test_input_hook_keeps_pii_from_the_backend(make_gateway, tmp_path):
    echo = EchoBackend()
    log = tmp_path / "in.jsonl"
    gw = make_gateway(backend=echo, audit_log={"path": str(log)}, pii={"output": "off", "input": "redact"})
    user = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        c.post("/v1/chat/completions", headers=bearer(user), json={
            "model": "tiny", "messages": [{"role": "user", "content": PII_TEXT}]})
        info = c.get("/info", headers=bearer(user)).json()
    assert echo.seen == ["我叫[PERSON]，电话[PHONE]。 Mail [EMAIL] now. Card [BANK_CARD] ok"]
    assert info["input_guards"] == [{"name": "pii_input", "mode": "redact"}]
    rec = [json.loads(x) for x in log.read_text().splitlines() if "chat/completions" in x][-1]
    assert rec["guards"]["pii_input"]["redacted"] == {"BANK_CARD": 1, "EMAIL": 1, "PERSON": 1, "PHONE": 1}


def test_tiny_model_stream_equals_whole_under_redaction(make_gateway):
    gw = make_gateway(pii={"output": "redact", "max_holdback_chars": 16})
    user = role_keys(gw)["user"]
    req = {"model": "tiny", "prompt": "Call me", "max_tokens": 40, "temperature": 0, "ignore_eos": True}
    with TestClient(gw.app) as c:
        whole = c.post("/v1/completions", headers=bearer(user), json=req).json()["choices"][0]["text"]
        streamed = _streamed(c.post("/v1/completions", headers=bearer(user), json={**req, "stream": True}))
    assert whole == streamed and whole
