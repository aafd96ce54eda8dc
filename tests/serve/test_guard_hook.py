"""The output-guard extension point (issue 15 builds on it): every delta passes the guard, streamed or not,
held-back text is flushed by finish(), counts land in the audit record and /info lists the guard."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from serve_helpers import bearer, role_keys


class HoldLastChar:
    """A real (if small) guard: replaces 'e' by '3' and always holds back one character until it knows the next."""

    name = "hold_last_char"

    def describe(self):
        return {"name": self.name, "holdback_chars": 1}

    def start(self, ctx):
        guard = self

        class Session:
            def __init__(self):
                self.held, self.replaced, self.fed = "", 0, 0

            def feed(self, delta):
                self.fed += 1
                text = self.held + delta
                self.held, out = text[-1:], text[:-1]
                self.replaced += out.count("e")
                return out.replace("e", "3")

            def finish(self):
                out, self.held = self.held, ""
                self.replaced += out.count("e")
                return out.replace("e", "3")

            def audit_fields(self):
                return {guard.name: {"replaced": self.replaced}}

        return Session()


def test_guard_sees_streamed_and_whole_text_alike(make_gateway, tmp_path):
    plain = make_gateway(audit_log={"path": str(tmp_path / "plain.jsonl")})
    guarded = make_gateway(guards=[HoldLastChar()], audit_log={"path": str(tmp_path / "guarded.jsonl")})
    req = {"model": "tiny", "prompt": "Dear customer", "max_tokens": 30, "temperature": 0, "ignore_eos": True}
    with TestClient(plain.app) as c:
        raw = c.post("/v1/completions", headers=bearer(role_keys(plain)["user"]), json=req).json()["choices"][0]["text"]
    keys = role_keys(guarded)
    with TestClient(guarded.app) as c:
        whole = c.post("/v1/completions", headers=bearer(keys["user"]), json=req).json()["choices"][0]["text"]
        r = c.post("/v1/completions", headers=bearer(keys["user"]), json={**req, "stream": True})
        streamed = "".join(json.loads(line[6:])["choices"][0]["text"] for line in r.text.splitlines()
                           if line.startswith("data: {"))
        info = c.get("/info", headers=bearer(keys["user"])).json()
    assert whole == raw.replace("e", "3") == streamed
    assert info["output_guards"] == [{"name": "hold_last_char", "holdback_chars": 1}]
    records = [json.loads(x) for x in (tmp_path / "guarded.jsonl").read_text().splitlines()]
    gen = [rec for rec in records if rec["route"] == "/v1/completions"]
    # a guard that changes the text: usage counts the returned text (test_usage_and_window)
    assert [rec["guards"] for rec in gen] == [{"hold_last_char": {"replaced": raw.count("e")}, "watermarked": False,
                                               "usage_completion_tokens": min(guarded.backend.count_tokens(whole), 30)}] * 2
