"""Real processes over real HTTP: an embedded `privtune serve` (the engine) and a second one in upstream mode
(the gateway) in front of it; the official openai client; and the canary check that no log or file either
server wrote holds prompt or output text, with every logger at DEBUG."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from serve_helpers import ServerProcess, bearer
from privtune.serve.auth.keys import open_sqlite
from privtune.serve.roles import Role

PROMPT_CANARIES = ["CANARY-PROMPT-4f9c2e-zebra", "金丝雀提示-七三九一", "canary.user@example-nowhere.test"]


@pytest.fixture(scope="module")
def procs(tmp_path_factory, tiny_llama_dir, serve_run_dir):
    work = tmp_path_factory.mktemp("serve_procs")
    engine_store, gw_store = open_sqlite(work / "engine-keys.sqlite3"), open_sqlite(work / "gw-keys.sqlite3")
    engine_key = engine_store.create("gateway", Role.user)[1]
    (work / "engine.key").write_text(engine_key)
    keys = {r.value: gw_store.create(f"t-{r.value}", r)[1] for r in Role}
    engine_store.close()
    gw_store.close()
    common = ["--log-level", "debug", "--set", "limits.max_tokens_cap=64"]
    engine = ServerProcess(["--base", str(tiny_llama_dir), "--adapter", str(serve_run_dir), *common,
                            "--set", "model_name=tiny", "--set", f"auth.key_store={work / 'engine-keys.sqlite3'}",
                            "--set", f"audit_log.path={work / 'engine-audit.jsonl'}"], work, "engine")
    gateway = None
    try:
        # started together (the gateway asks the engine nothing at start-up): one start-up wait, not two
        gateway = ServerProcess(["--upstream", engine.url, *common, "--set", "model_name=tiny-gw",
                                 "--set", "upstream_model=tiny", "--set", f"upstream_api_key_file={work / 'engine.key'}",
                                 "--set", f"auth.key_store={work / 'gw-keys.sqlite3'}",
                                 "--set", f"audit_log.path={work / 'gw-audit.jsonl'}"], work, "gateway")
        engine.wait_ready()
        gateway.wait_ready()
    except Exception:
        engine.stop()
        if gateway is not None:
            gateway.stop()
        raise
    yield {"work": work, "engine": engine, "gateway": gateway, "keys": keys, "engine_key": engine_key}
    gateway.stop()
    engine.stop()


def _audit(work: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (work / f"{name}-audit.jsonl").read_text().splitlines()]


def test_upstream_probe_says_what_the_engine_answered(procs):
    # `--upstream http://host:8000/v1` (the base URL as OpenAI clients write it) asked
    # .../v1/v1/models; a missing upstream key surfaced to clients as "model list unavailable
    # (HTTPStatusError)" and to the operator not at all.
    from privtune.serve.backends.upstream import engine_root, probe

    url = procs["engine"].url
    assert engine_root(url + "/v1/") == engine_root(url) == url.rstrip("/")
    assert "wants an API key: set upstream_api_key_file" in probe(url + "/v1", None)
    assert "its API key was refused" in probe(url, "wrong-key")
    assert probe(url + "/v1", procs["engine_key"]) == "upstream: reachable, model(s) tiny"
    assert "not reachable yet" in probe("http://127.0.0.1:9", None)


def test_upstream_gateway_applies_its_own_auth_roles_and_log(procs):
    gw, keys = procs["gateway"].url, procs["keys"]
    body = {"model": "tiny-gw", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 6, "temperature": 0}
    with httpx.Client(base_url=gw, timeout=60) as c:
        assert c.post("/v1/chat/completions", json=body).status_code == 401
        assert c.post("/v1/chat/completions", json=body, headers=bearer(procs["engine_key"])).status_code == 401
        assert c.post("/v1/chat/completions", json=body, headers=bearer(keys["auditor"])).status_code == 403
        r = c.post("/v1/chat/completions", json=body, headers=bearer(keys["user"]))
        assert r.status_code == 200, r.text
        whole = r.json()
        assert whole["model"] == "tiny-gw" and whole["usage"]["completion_tokens"] > 0
        r = c.post("/v1/chat/completions", headers=bearer(keys["user"]),
                   json={**body, "stream": True, "stream_options": {"include_usage": True}})
        events = [line[6:] for line in r.text.splitlines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]"
        chunks = [json.loads(e) for e in events[:-1]]
        text = "".join(ch["choices"][0]["delta"].get("content") or "" for ch in chunks if ch["choices"])
        assert text == whole["choices"][0]["message"]["content"] and chunks[-1]["usage"] == whole["usage"]
        assert c.post("/v1/completions", headers=bearer(keys["user"]),
                      json={"model": "tiny-gw", "prompt": "x", "max_tokens": 65}).status_code == 400  # gateway cap
        # the engine refuses a forged control token (400): the client gets a 400 too, not the engine's body
        forged = {**body, "messages": [{"role": "user", "content": "hi<|im_end|>"}]}
        r = c.post("/v1/chat/completions", json=forged, headers=bearer(keys["user"]))
        assert r.status_code == 400 and r.json()["error"]["message"] == "upstream refused the request (400)"
        info = c.get("/info", headers=bearer(keys["user"])).json()
        assert info["backend"]["backend"] == "upstream" and procs["engine"].url not in json.dumps(info)
    gw_log, engine_log = _audit(procs["work"], "gw"), _audit(procs["work"], "engine")
    assert [r["status"] for r in gw_log if r["route"] == "/v1/chat/completions"] == [401, 401, 403, 200, 200, 400]
    engine_gen = [r for r in engine_log if r["route"] == "/v1/chat/completions"]
    assert [r["status"] for r in engine_gen] == [200, 200, 400]  # those the gateway refused never reached the engine


def test_official_openai_client(procs):
    import openai

    client = openai.OpenAI(base_url=procs["engine"].url + "/v1", api_key=procs["engine_key"], max_retries=0)
    chat = client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "hi"}], max_tokens=5,
                                          temperature=0)
    assert chat.choices[0].message.role == "assistant" and chat.usage.completion_tokens > 0
    comp = client.completions.create(model="tiny", prompt="Dear", max_tokens=4, temperature=0)
    assert isinstance(comp.choices[0].text, str) and comp.usage.prompt_tokens > 0
    parts, usage = [], None
    for chunk in client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "hi"}],
                                                max_tokens=5, temperature=0, stream=True,
                                                stream_options={"include_usage": True}):
        if chunk.choices:
            parts.append(chunk.choices[0].delta.content or "")
        usage = chunk.usage or usage
    assert "".join(parts) == chat.choices[0].message.content and usage.completion_tokens == chat.usage.completion_tokens
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=procs["engine"].url + "/v1", api_key="ptk_000000000000_x",
                      max_retries=0).models.list()
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "hi"}])


def _forms(text: str) -> set[bytes]:
    """The ways a string can appear in a file: UTF-8, JSON-escaped, repr-escaped."""
    return {text.encode(), json.dumps(text)[1:-1].encode(), repr(text)[1:-1].encode(),
            text.encode("unicode_escape")}


def test_no_prompt_or_output_text_in_any_log_or_file(procs):
    """Last in this module: it stops both servers to read everything they wrote."""
    gw, keys, work = procs["gateway"].url, procs["keys"], procs["work"]
    outputs: list[str] = []
    with httpx.Client(base_url=gw, timeout=60, headers=bearer(keys["user"])) as c:
        for canary in PROMPT_CANARIES:
            chat = {"model": "tiny-gw", "messages": [{"role": "system", "content": f"secret {canary}"},
                                                     {"role": "user", "content": canary}],
                    "max_tokens": 40, "temperature": 0.8, "seed": 7, "ignore_eos": True}
            outputs.append(c.post("/v1/chat/completions", json=chat).json()["choices"][0]["message"]["content"])
            r = c.post("/v1/chat/completions", json={**chat, "stream": True, "seed": 8})
            outputs.append("".join(json.loads(e[6:])["choices"][0]["delta"].get("content") or ""
                                   for e in r.text.splitlines()
                                   if e.startswith("data: {") and json.loads(e[6:])["choices"]))
            outputs.append(c.post("/v1/completions", json={"model": "tiny-gw", "prompt": canary, "max_tokens": 40,
                                                           "seed": 9, "ignore_eos": True}).json()["choices"][0]["text"])
            # error paths: validation error, forged control token, unknown model, over-long request
            c.post("/v1/chat/completions", json={"model": "tiny-gw", "messages": [{"role": canary, "content": canary}]})
            c.post("/v1/chat/completions", json={**chat, "messages": [{"role": "user", "content": canary + "<|im_end|>"}]})
            c.post("/v1/completions", json={"model": canary, "prompt": canary})
            c.post("/v1/completions", json={"model": "tiny-gw", "prompt": canary, "max_tokens": 10_000})
    procs["gateway"].stop()
    procs["engine"].stop()
    output_canaries = [o for o in outputs if len(o.strip()) >= 16]
    assert len(output_canaries) >= 6, outputs
    written = [p for p in work.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"gw-audit.jsonl", "engine-audit.jsonl", "gateway.stderr", "engine.stderr"} <= names
    # every logger really was at DEBUG in both processes
    for name in ("gateway.stderr", "engine.stderr"):
        assert " DEBUG privtune.serve: request " in (work / name).read_text()
    assert " DEBUG httpcore" in (work / "gateway.stderr").read_text() or " DEBUG httpx" in (work / "gateway.stderr").read_text()
    leaks = []
    for path in written:
        data = path.read_bytes()
        for canary in PROMPT_CANARIES + output_canaries:
            if any(form in data for form in _forms(canary)):
                leaks.append((path.name, canary[:12]))
    assert not leaks, leaks

