"""Chat templates as vendors ship them, and assistant turns with nothing to learn.

Phi-3/Phi-4 close a conversation with the EOS token and Qwen3 gives only the final answer an
empty think block, so the conversation rendered up to an earlier answer is not a prefix of the
whole one: every multi-turn record was skipped as ``template_not_prefix_stable``. DeepSeek-R1
distills prompt with an open think block that no rendered answer has: every record skipped. An empty
assistant turn (an exported tool call) was supervised as a bare end-of-turn token."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from privtune.train.data import load_examples
from privtune.train.encoding import IGNORE_INDEX, _encode_chat

# Phi-3's shape (ChatML tokens of the test tokenizer): EOS after the last turn unless prompting.
PHI3_LIKE = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
             "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% else %}{{ eos_token }}"
             "{% endif %}")
# Qwen3's shape: answers after the last user turn carry an (empty) think block, earlier ones do not.
QWEN3_LIKE = ("{%- set ns = namespace(last=-1) %}{%- for m in messages %}{%- if m['role'] == 'user' %}"
              "{%- set ns.last = loop.index0 %}{%- endif %}{%- endfor %}"
              "{%- for m in messages %}{%- if m['role'] == 'assistant' and loop.index0 > ns.last %}"
              "{{- '<|im_start|>assistant\\n<think>\\n\\n</think>\\n\\n' + m['content'] + '<|im_end|>\\n' }}"
              "{%- else %}{{- '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{%- endif %}"
              "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}")
# DeepSeek-R1 distills' shape: the generation prompt opens a think block a rendered answer lacks.
R1_LIKE = ("{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}"
           "{% elif m['role'] == 'user' %}{{ '<|im_start|>user\\n' + m['content'] }}"
           "{% else %}{{ '<|im_start|>assistant\\n' + m['content'] + eos_token }}{% endif %}{% endfor %}"
           "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n<think>\\n' }}{% endif %}")
TWO_TURNS = [("system", "Be brief."), ("user", "Where is my parcel?"), ("assistant", "It left the depot."),
             ("user", "谢谢"), ("assistant", "不客气。")]


def _tok(tiny_tokenizer, template: str):
    tok = copy.deepcopy(tiny_tokenizer)
    tok.chat_template = template
    return tok


def _runs(tok, ids: list[int], mask: list[bool]) -> list[str]:
    out, cur = [], []
    for t, m in zip(ids, mask):
        if m:
            cur.append(t)
        elif cur:
            out.append(tok.decode(cur))
            cur = []
    return out + ([tok.decode(cur)] if cur else [])


@pytest.mark.parametrize("use_offsets", [True, False])
@pytest.mark.parametrize(("template", "expected"), [
    (PHI3_LIKE, ["It left the depot.<|im_end|>", "不客气。<|im_end|>\n</s>"]),
    (QWEN3_LIKE, ["It left the depot.<|im_end|>", "<think>\n\n</think>\n\n不客气。<|im_end|>"]),
    (R1_LIKE, ["It left the depot.</s>", "不客气。</s>"]),
])
def test_every_answer_of_a_multi_turn_chat_is_supervised(tiny_tokenizer, template, expected, use_offsets) -> None:
    tok = _tok(tiny_tokenizer, template)
    ids, mask = _encode_chat(tok, TWO_TURNS, use_generation_tags=False, use_offsets=use_offsets)
    assert tok.decode(ids) == tok.apply_chat_template([{"role": r, "content": c} for r, c in TWO_TURNS],
                                                      tokenize=False)
    assert _runs(tok, ids, mask) == expected


def test_vendor_templates_keep_multi_turn_records(tiny_tokenizer, tmp_path: Path) -> None:
    path = tmp_path / "chats.jsonl"
    chats = [{"messages": [{"role": r, "content": c} for r, c in TWO_TURNS]}] * 3
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in chats), encoding="utf-8")
    for template in (PHI3_LIKE, QWEN3_LIKE, R1_LIKE):
        data = load_examples(path, _tok(tiny_tokenizer, template))
        assert len(data.examples) == 3 and data.skipped == {}


def test_a_turn_that_is_not_where_the_template_puts_it_is_still_skipped(tiny_tokenizer) -> None:
    # Rewrites an earlier answer once more follows: the answer's text is not after its prompt.
    template = PHI3_LIKE.replace("m['content'] + '<|im_end|>", "(m['content'] if loop.last else 'x') + '<|im_end|>")
    from privtune.train.encoding import _Skip

    with pytest.raises(_Skip, match="template_not_prefix_stable"):
        _encode_chat(_tok(tiny_tokenizer, template), TWO_TURNS, use_generation_tags=False)


@pytest.mark.parametrize("template", ["tags", "prefix", "plain"])
def test_empty_assistant_turns_stay_context(tiny_tokenizer, tmp_path: Path, template: str) -> None:
    tok = copy.deepcopy(tiny_tokenizer)  # its template has {% generation %} tags
    if template == "prefix":
        tok.chat_template = PHI3_LIKE
    elif template == "plain":
        tok.chat_template = None
    record = {"messages": [
        {"role": "user", "content": "Look up order 5"},
        {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {"name": "lookup"}}]},
        {"role": "tool", "content": "shipped"},
        {"role": "assistant", "content": "It shipped."},
        {"role": "user", "content": "And order 6?"},
        {"role": "assistant", "content": ""}]}
    path = tmp_path / "tool.jsonl"
    path.write_text(json.dumps(record), encoding="utf-8")
    (ex,) = load_examples(path, tok).examples
    supervised = tok.decode([t for t, lab in zip(ex.input_ids, ex.labels) if lab != IGNORE_INDEX])
    assert supervised.startswith("It shipped.") and supervised.count("It shipped.") == 1
    end = {"tags": "<|im_end|>", "prefix": "<|im_end|>", "plain": "</s>"}[template]
    assert supervised == "It shipped." + end, supervised  # neither empty turn's end-of-turn token


def test_openai_developer_role_is_the_system_turn(tiny_tokenizer, tmp_path: Path) -> None:
    # What `privtune serve` accepts (and newer OpenAI clients send) trains too; it was "unknown role".
    rows = [{"messages": [{"role": role, "content": "Be brief."}, {"role": "user", "content": "Where is it?"},
                          {"role": "assistant", "content": "At the depot."}]} for role in ("developer", "system")]
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    a, b = load_examples(path, tiny_tokenizer).examples
    assert (a.input_ids, a.labels) == (b.input_ids, b.labels)


def test_every_record_refused_by_the_template_says_what_to_change(tiny_tokenizer, tmp_path: Path) -> None:
    from privtune.errors import InputError

    # Mistral's template raises unless user and assistant alternate: two user turns in a row
    # skipped every record, and the error only counted "chat_template_error".
    tok = _tok(tiny_tokenizer, "{% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}"
                               "{{ raise_exception('Conversation roles must alternate') }}{% endif %}{% endfor %}"
                               + PHI3_LIKE)
    path = tmp_path / "two_users.jsonl"
    turns = [("user", "Hi"), ("user", "Where is my parcel?"), ("assistant", "At the depot.")]
    path.write_text(json.dumps({"messages": [{"role": r, "content": c} for r, c in turns]}), encoding="utf-8")
    with pytest.raises(InputError, match="chat_template_error") as info:
        load_examples(path, tok)
    assert "merge consecutive turns of one role" in str(info.value)


GEMMA_LIKE = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
              "{% endif %}{% for m in messages %}{% set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
              "{{ '<|im_start|>' + role + '\\n' + m['content'] | trim + '<|im_end|>\\n' }}{% endfor %}"
              "{% if add_generation_prompt %}{{ '<|im_start|>model\\n' }}{% endif %}")


def test_a_template_without_system_role_gets_the_system_text_in_the_first_user_turn(tiny_tokenizer,
                                                                                    tmp_path: Path) -> None:
    # Gemma 1 and 2 raise on a system turn: every chat with a system prompt was skipped.
    from privtune.audit.records import prompt_ids
    from privtune.train.setup import describe_data

    tok = _tok(tiny_tokenizer, GEMMA_LIKE)
    path = tmp_path / "sys.jsonl"
    path.write_text("\n".join(json.dumps({"messages": [{"role": r, "content": c} for r, c in TWO_TURNS]})
                              for _ in range(2)), encoding="utf-8")
    data = load_examples(path, tok)
    assert len(data.examples) == 2 and data.skipped == {} and data.system_folded == 2
    ex = data.examples[0]
    assert tok.decode(ex.input_ids).startswith("<s><|im_start|>user\nBe brief.\n\nWhere is my parcel?<|im_end|>")
    assert tok.decode([t for t, lab in zip(ex.input_ids, ex.labels) if lab != IGNORE_INDEX]) == \
        "It left the depot.<|im_end|>不客气。<|im_end|>"
    assert "2 system turn(s) put at the start of the first user turn" in describe_data(data, 512)[0]
    # The audit's prompts fold it the same way (they raised on the template before).
    head = prompt_ids(tok, TWO_TURNS[:2])
    assert ex.input_ids[: len(head)] == head


@pytest.mark.parametrize("template", [PHI3_LIKE, QWEN3_LIKE, R1_LIKE])
def test_audit_prompts_end_where_training_supervision_starts(tiny_tokenizer, tmp_path: Path, template) -> None:
    # The audit scores canaries and PII after `prompt_ids`: under R1's template that held an open
    # think block the training sequence never had, so exposure was measured in another context.
    from privtune.audit.records import prompt_ids

    tok = _tok(tiny_tokenizer, template)
    ids, mask = _encode_chat(tok, TWO_TURNS)
    first = mask.index(True)
    assert prompt_ids(tok, TWO_TURNS[:2]) == ids[:first]
