"""An output cut short by ``max_tokens`` under a PII guard (round 7): the client picks where the
model's text ends, so it could end it inside a value, whose prefix no detector recognises
("电话1380013" and "Card 4111 1111 1111" went out as they were). A trailing run that may be a
value cut short is now withheld, streamed or not, and counted in the audit record.

`CuttingEcho` answers with its prompt cut at ``max_tokens`` characters (one token each), with
``finish_reason`` "length" when it cut, as every backend reports a cut.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from privtune.serve.backends.base import GenRequest, GenResult
from privtune.serve.guards.pii import partial_value_start
from serve_helpers import bearer, role_keys

PII_TEXT = "我叫张伟，电话13800138000。 Mail john.smith@example.com now. Card 4111 1111 1111 1111 ok"


class CuttingEcho:
    model_id = "tiny"

    def _cut(self, req: GenRequest) -> GenResult:
        text = req.prompt if req.prompt is not None else (req.messages or [{}])[-1].get("content", "")
        out = text[:req.max_tokens]
        return GenResult(out, 5, len(out), "length" if len(text) > req.max_tokens else "stop")

    async def generate(self, req: GenRequest) -> GenResult:
        return self._cut(req)

    async def stream(self, req: GenRequest) -> Any:
        result = self._cut(req)
        for i in range(0, len(result.text), 2):
            yield result.text[i:i + 2]
        yield result

    def describe(self) -> dict[str, Any]:
        return {"kind": "cutting-echo"}

    async def close(self) -> None:
        return None


def _text(r: Any, stream: bool) -> str:
    if not stream:
        return r.json()["choices"][0]["text"]
    return "".join(json.loads(line[6:])["choices"][0]["text"] for line in r.text.splitlines()
                   if line.startswith("data: {"))


@pytest.mark.parametrize("stream", [False, True])
def test_a_value_cut_by_max_tokens_is_withheld_not_sent_as_a_prefix(make_gateway, tmp_path, stream):
    log = tmp_path / "cut.jsonl"
    gw = make_gateway(backend=CuttingEcho(), audit_log={"path": str(log)}, pii={"output": "redact"})
    key = role_keys(gw)["user"]
    cuts = {PII_TEXT.index("38000"): "我叫[PERSON]，电话",  # was "我叫[PERSON]，电话138001"
            # A cut mobile of 7+ digits after its cue is itself a PHONE (scan's cut-mobile rule).
            PII_TEXT.index("8000"): "我叫[PERSON]，电话[PHONE]",
            PII_TEXT.index(" 1111 ok"): "我叫[PERSON]，电话[PHONE]。 Mail [EMAIL] now. Card ",  # was "... Card 4111 1111 1111"
            PII_TEXT.index("ample"): "我叫[PERSON]，电话[PHONE]。 Mail [PERSON]",  # was "... Mail [PERSON]@ex"
            PII_TEXT.index(" now"): "我叫[PERSON]，电话[PHONE]。 Mail [EMAIL]",  # a whole value: its placeholder stays
            len(PII_TEXT): "我叫[PERSON]，电话[PHONE]。 Mail [EMAIL] now. Card [BANK_CARD] ok"}  # not cut
    with TestClient(gw.app) as c:
        for max_tokens, expected in cuts.items():
            r = c.post("/v1/completions", headers=bearer(key),
                       json={"model": "tiny", "prompt": PII_TEXT, "max_tokens": max_tokens, "stream": stream})
            assert _text(r, stream) == expected, max_tokens
    records = [json.loads(x) for x in log.read_text().splitlines() if '"/v1/completions"' in x]
    assert [rec["guards"]["pii_output"].get("withheld_cut_values", 0) for rec in records] == [1, 0, 1, 1, 0, 0]
    assert "1380013" not in log.read_text() and "138001" not in log.read_text()


def test_without_a_guard_a_cut_output_is_sent_whole(make_gateway):
    gw = make_gateway(backend=CuttingEcho(), pii={"output": "off"})
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers=bearer(key), json={"model": "tiny", "prompt": "Order 1234 5", "max_tokens": 9})
    assert r.json()["choices"][0] == {"index": 0, "text": "Order 123", "finish_reason": "length", "logprobs": None}


@pytest.mark.parametrize(("text", "kept"), [
    ("Call me at 0471 22", "Call me at "), ("电话1380013", "电话"), ("Card 4111 1111 ", "Card "),
    ("Mail john.smith@exa", "Mail "), ("SSN 078-05", "SSN "), ("Call [PHONE]", None), ("Hello world", None),
    ("Order 12 shipped to 0471 22", "Order 12 shipped to "), ("Kept *******5678", "Kept *******"), ("", None),
    ("身份证号1101051949", "身份证号"), ("key sk-abc123def4", "key "), ("地址：[ADDRESS]", None),
])
def test_partial_value_start(text, kept):
    start = partial_value_start(text)
    assert (None if start is None else text[:start]) == kept
