"""Round 8, a first hour with the official client: fields that changed the answer but were silently
ignored (audio, web search, store, vLLM's guided decoding, prompt log-probabilities, a legacy
``logprobs: 0``) are refused by name; the neutral values clients send by default still pass."""

from __future__ import annotations

import openai
import pytest
from fastapi.testclient import TestClient

from privtune.serve.unserved import EXTENSIONS
from serve_helpers import bearer, role_keys

CHAT = {"model": "tiny", "messages": [{"role": "user", "content": "hi 😀"}], "max_tokens": 4, "temperature": 0}
PROMPT = {"model": "tiny", "prompt": "Order 12", "max_tokens": 4, "temperature": 0}

ASKING = {"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}, "web_search_options": {},
          "store": True, "prompt_logprobs": 0, "guided_json": {"type": "object"}, "guided_regex": "[0-9]+",
          "guided_choice": ["yes", "no"], "guided_grammar": "root ::= 'a'", "structured_outputs": {"json": {}},
          "use_beam_search": True, "min_tokens": 3, "stop_token_ids": [2], "bad_words": ["x"],
          "allowed_token_ids": [5, 6], "truncate_prompt_tokens": 100, "continue_final_message": True,
          "add_generation_prompt": False, "chat_template": "{{ messages }}", "include_stop_str_in_output": True,
          "skip_special_tokens": False}


def test_every_extension_has_an_asking_value_here():
    assert set(ASKING) == set(EXTENSIONS)


@pytest.mark.parametrize("field", sorted(ASKING))
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions"])
def test_an_extension_that_asks_for_something_is_refused_by_name(make_gateway, field, path):
    gw = make_gateway()
    with TestClient(gw.app) as c:
        r = c.post(path, headers=bearer(role_keys(gw)["user"]),
                   json={**(CHAT if "chat" in path else PROMPT), field: ASKING[field]})
    err = r.json()["error"]
    assert r.status_code == 400 and err["param"] == field and err["type"] == "invalid_request_error", r.text
    assert EXTENSIONS[field][1] in err["message"]


@pytest.mark.parametrize(("path", "extra"), [
    ("/v1/completions", {"logprobs": 0}),  # legacy completions: 0 asks for the sampled tokens' log-probabilities
    ("/v1/chat/completions", {"echo": True}),  # vLLM: the last message echoed
])
def test_logprobs_zero_and_chat_echo_are_refused(make_gateway, path, extra):
    gw = make_gateway()
    with TestClient(gw.app) as c:
        r = c.post(path, headers=bearer(role_keys(gw)["user"]), json={**(CHAT if "chat" in path else PROMPT), **extra})
    assert r.status_code == 400 and r.json()["error"]["param"] in extra, r.text


def test_neutral_extension_values_pass(make_gateway):
    neutral = {"modalities": ["text"], "audio": None, "store": False, "min_tokens": 0, "stop_token_ids": [],
               "bad_words": [], "add_generation_prompt": True, "skip_special_tokens": True, "use_beam_search": False,
               "include_stop_str_in_output": False, "continue_final_message": False, "guided_choice": None,
               "metadata": {"a": "b"}, "service_tier": "auto", "prediction": {"type": "content", "content": "x"}}
    gw = make_gateway()
    with TestClient(gw.app) as c:
        a = c.post("/v1/chat/completions", headers=bearer(role_keys(gw)["user"]), json=CHAT)
        b = c.post("/v1/chat/completions", headers=bearer(role_keys(gw)["user"]), json={**CHAT, **neutral})
        p = c.post("/v1/completions", headers=bearer(role_keys(gw)["user"]), json={**PROMPT, "logprobs": None})
    assert a.status_code == b.status_code == p.status_code == 200, b.text
    assert a.json()["choices"][0]["message"] == b.json()["choices"][0]["message"]


def test_the_sdk_sees_a_bad_request_for_store_and_audio(make_gateway):
    gw = make_gateway()
    with TestClient(gw.app) as c:
        sdk = openai.OpenAI(base_url="http://testserver/v1", api_key=role_keys(gw)["user"], http_client=c,
                            max_retries=0)
        for extra in ({"store": True}, {"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}}):
            with pytest.raises(openai.BadRequestError) as err:
                sdk.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "hi"}], max_tokens=3,
                                            **extra)
            assert err.value.code == "invalid_request" and err.value.param in extra


def test_a_guarded_usage_never_exceeds_max_tokens(make_gateway):
    # the tiny model writes broken UTF-8 (U+FFFD), which re-encodes to 3 byte tokens each: usage said 15
    # completion tokens for max_tokens 5
    gw = make_gateway(pii={"output": "redact"})
    with TestClient(gw.app) as c:
        for seed in range(4):
            r = c.post("/v1/completions", headers=bearer(role_keys(gw)["user"]),
                       json={**PROMPT, "max_tokens": 5, "temperature": 1.0, "seed": seed, "ignore_eos": True})
            assert r.status_code == 200 and r.json()["usage"]["completion_tokens"] <= 5, r.text


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1])
def test_a_seed_beyond_int64_is_a_400_naming_seed(make_gateway, seed):
    # was 500 "internal error": torch.manual_seed overflowed on the generation worker
    gw = make_gateway()
    with TestClient(gw.app) as c:
        r = c.post("/v1/chat/completions", headers=bearer(role_keys(gw)["user"]), json={**CHAT, "seed": seed})
        ok = c.post("/v1/chat/completions", headers=bearer(role_keys(gw)["user"]), json={**CHAT, "seed": 2**63 - 1})
    assert r.status_code == 400 and r.json()["error"]["param"] == "seed", r.text
    assert ok.status_code == 200


@pytest.mark.parametrize(("stop", "param"), [(["a", None], "stop"), (7, "stop")])
def test_a_union_field_error_names_the_field_not_the_union_branch(make_gateway, stop, param):
    # was param "stop.str": pydantic's union branch in the location
    gw = make_gateway()
    with TestClient(gw.app) as c:
        r = c.post("/v1/chat/completions", headers=bearer(role_keys(gw)["user"]), json={**CHAT, "stop": stop})
    assert r.status_code == 400 and r.json()["error"]["param"] == param, r.text
    assert r.json()["error"]["message"].startswith(f"{param}: ")


@pytest.mark.parametrize(("path", "field", "meant"), [
    ("/v1/chat/completions", "max_token", "max_tokens"), ("/v1/chat/completions", "temprature", "temperature"),
    ("/v1/completions", "max_new_tokens", "max_tokens"), ("/v1/chat/completions", "stop_sequences", "stop"),
])
def test_a_misspelt_or_foreign_field_name_is_a_400_not_the_default(make_gateway, path, field, meant):
    # was a 200 with the default: "max_new_tokens": 2 ran 64 tokens
    gw = make_gateway()
    with TestClient(gw.app) as c:
        r = c.post(path, headers=bearer(role_keys(gw)["user"]),
                   json={**(CHAT if "chat" in path else PROMPT), field: 2})
    err = r.json()["error"]
    assert r.status_code == 400 and err["param"] == field, r.text
    assert err["message"] == f"{field}: unknown field; this API calls it {meant}"


def test_vendor_fields_far_from_known_names_pass_unread(make_gateway):
    gw = make_gateway()
    with TestClient(gw.app) as c:
        r = c.post("/v1/chat/completions", headers=bearer(role_keys(gw)["user"]),
                   json={**CHAT, "top_a": 0.1, "safety_identifier": "x", "prompt_cache_key": "k", "verbosity": "low"})
    assert r.status_code == 200, r.text
