"""Request fields the gateway does not serve, and the values of them that ask for nothing.

A client that sets one of these expects an answer of another kind (audio, JSON that parses, the
log-probabilities of its prompt, a stored conversation); ignored, it would get plain text and
believe something untrue about it. So a value that asks for something is a 400 naming the field;
the neutral values clients send by default pass. `schemas._GenerationFields` declares the fields.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic_core import PydanticCustomError

_LOGPROBS = ("token log-probabilities are not served: they make membership-inference and extraction attacks on "
             "the fine-tuned model easier (docs/serving.md)")
_STRUCTURED = ("structured output (json_object, json_schema, guided decoding) is not supported; ask for JSON in "
               "the prompt or leave the field out")

UNSERVED = {
    "logprobs": _LOGPROBS,
    "logit_bias": "logit_bias is not supported",
    "tools": "tool and function calling is not supported: tool-call arguments would bypass the output PII guard",
    "response_format": _STRUCTURED,
    "echo": "echo is not supported",
    "suffix": "suffix (insertion) is not supported",
    "best_of": "best_of > 1 is not supported",
    "n": "n > 1 is not supported: one choice per request (send n requests, with seeds if they must differ)",
}

# name -> (values that ask for nothing, why any other value is refused). OpenAI's newer fields
# and vLLM's extensions that change what comes back; fields that only tune delivery or
# bookkeeping (user, metadata, service_tier, prediction, parallel_tool_calls) pass unread.
EXTENSIONS: dict[str, tuple[tuple[Any, ...], str]] = {
    "modalities": ((None, [], ["text"]), "only text output is served"),
    "audio": ((None,), "audio output is not served"),
    "web_search_options": ((None,), "web search is not available: the model answers from its weights alone"),
    "store": ((None, False), "this gateway keeps no conversation (store must be false): nothing can be "
                             "retrieved or used for evals later"),
    "prompt_logprobs": ((None,), _LOGPROBS),  # 0 asks for each prompt token's own log-probability
    "guided_json": ((None,), _STRUCTURED),
    "guided_regex": ((None,), _STRUCTURED),
    "guided_choice": ((None, []), _STRUCTURED),
    "guided_grammar": ((None,), _STRUCTURED),
    "structured_outputs": ((None,), _STRUCTURED),
    "use_beam_search": ((None, False), "beam search is not supported"),
    "min_tokens": ((None, 0), "min_tokens is not supported (ignore_eos generates max_tokens tokens)"),
    "stop_token_ids": ((None, []), "stop_token_ids is not supported: give stop strings"),
    "bad_words": ((None, []), "bad_words is not supported"),
    "allowed_token_ids": ((None,), "allowed_token_ids is not supported"),
    "truncate_prompt_tokens": ((None,), "prompts are never truncated: one over the context window is "
                                        "context_length_exceeded"),
    "continue_final_message": ((None, False), "continue_final_message is not supported"),
    "add_generation_prompt": ((None, True), "the chat template's generation prompt is always added"),
    "chat_template": ((None,), "the served model's own chat template is used (a request cannot replace it)"),
    "include_stop_str_in_output": ((None, False), "include_stop_str_in_output is not supported"),
    "skip_special_tokens": ((None, True), "special tokens are never returned"),
}


def is_neutral(name: str, value: Any) -> bool:
    """Whether ``value`` of extension field ``name`` asks for nothing (bools compared as bools)."""
    neutral, _ = EXTENSIONS[name]
    return any(value == n and isinstance(value, bool) == isinstance(n, bool) for n in neutral)


# Other APIs' names for fields this one spells differently (Hugging Face, TGI, llama.cpp, Anthropic):
# ignored as unknown, the request ran with the default (64 tokens for a "max_new_tokens": 500).
FOREIGN_NAMES = {"max_new_tokens": "max_tokens", "max_length": "max_tokens", "max_tokens_to_sample": "max_tokens",
                 "stop_sequences": "stop", "num_return_sequences": "n", "repeat_penalty": "repetition_penalty"}


def misspelt_field(name: str, known: Any) -> PydanticCustomError | None:
    """The 400 for an unknown field that is another API's name for a known one, or a near-miss of
    one (``max_token``, ``temprature``): almost surely meant, and ignoring it would run the request
    with the default instead. Other unknown fields pass unread, as vLLM lets them (clients send
    vendor fields). The message names the key only: it is close to a known name, so holds no content."""
    if name in known:
        return None
    meant = FOREIGN_NAMES.get(name) or next(iter(difflib.get_close_matches(name, list(known), n=1, cutoff=0.85)), None)
    if meant is None:
        return None
    return PydanticCustomError("unknown_field", "unknown field; this API calls it {meant}",
                               {"field": name, "meant": meant})
