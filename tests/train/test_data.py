"""Records -> ids/labels: masks checked by decoding the supervised tokens."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

from privtune.errors import ConfigError, InputError
from privtune.models.tiny import CHAT_TEMPLATE
from privtune.train.data import Example, collate, load_examples
from privtune.train.encoding import IGNORE_INDEX, _encode_chat

CHAT = {"messages": [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Who signed the contract?"},
    {"role": "assistant", "content": "The clerk signed it. 经理也签了。"},
    {"role": "user", "content": "When?"},
    {"role": "assistant", "content": "On Monday."},
]}

Tok = PreTrainedTokenizerFast


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path


def runs(tok: Tok, ex: Example) -> list[str]:
    """Decoded maximal runs of consecutive supervised tokens."""
    out: list[list[int]] = []
    prev = False
    for t in ex.labels:
        sup = t != IGNORE_INDEX
        if sup and not prev:
            out.append([])
        if sup:
            out[-1].append(t)
        prev = sup
    return [tok.decode(r) for r in out]


def no_template(tok: Tok) -> Tok:
    plain = copy.deepcopy(tok)
    plain.chat_template = None
    return plain


def test_chat_supervises_exactly_the_assistant_turns(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    data = load_examples(write_jsonl(tmp_path / "c.jsonl", [CHAT]), tiny_tokenizer)
    (ex,) = data.examples
    assert runs(tiny_tokenizer, ex) == ["The clerk signed it. 经理也签了。<|im_end|>", "On Monday.<|im_end|>"]
    assert [t for t, lab in zip(ex.input_ids, ex.labels) if lab != IGNORE_INDEX] == \
        [lab for lab in ex.labels if lab != IGNORE_INDEX]
    assert tiny_tokenizer.decode(ex.input_ids).startswith("<s><|im_start|>system\nBe brief.")
    assert data.skipped == {} and data.rejected == 0 and ex.record_index == 0


def test_sharegpt_maps_roles_like_chat(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    role_to_from = {"system": "system", "user": "human", "assistant": "gpt"}
    share = {"conversations": [{"from": role_to_from[m["role"]], "value": m["content"]} for m in CHAT["messages"]]}
    a = load_examples(write_jsonl(tmp_path / "a.jsonl", [CHAT]), tiny_tokenizer).examples[0]
    b = load_examples(write_jsonl(tmp_path / "b.jsonl", [share]), tiny_tokenizer).examples[0]
    assert (a.input_ids, a.labels) == (b.input_ids, b.labels)


@pytest.mark.parametrize("use_offsets", [True, False])
def test_fallback_without_generation_tags_matches_template_mask(tiny_tokenizer: Tok, use_offsets: bool) -> None:
    tok = copy.deepcopy(tiny_tokenizer)
    tok.chat_template = CHAT_TEMPLATE.replace("{% generation %}", "").replace("{% endgeneration %}", "")
    msgs = [(m["role"], m["content"]) for m in CHAT["messages"]]
    ref = _encode_chat(tiny_tokenizer, msgs, use_generation_tags=True)
    got = _encode_chat(tok, msgs, use_generation_tags=False, use_offsets=use_offsets)
    assert got == ref and sum(ref[1]) > 0


def test_fallback_through_load_examples(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    tok = copy.deepcopy(tiny_tokenizer)
    tok.chat_template = CHAT_TEMPLATE.replace("{% generation %}", "").replace("{% endgeneration %}", "")
    lead = {"messages": [{"role": "assistant", "content": "Hi, how can I help?"}]}
    data = load_examples(write_jsonl(tmp_path / "c.jsonl", [CHAT, lead]), tok)
    assert runs(tok, data.examples[0])[-1] == "On Monday.<|im_end|>"
    # A leading assistant turn has no prompt to diff against: context only, so nothing to learn.
    assert data.skipped == {"no_supervised_tokens": 1}


def test_alpaca_with_chat_template(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    row = {"instruction": "Translate to English", "input": "我们提交了报告", "output": "We filed the report."}
    (ex,) = load_examples(write_jsonl(tmp_path / "a.jsonl", [row]), tiny_tokenizer).examples
    assert runs(tiny_tokenizer, ex) == ["We filed the report.<|im_end|>"]
    assert "<|im_start|>user\nTranslate to English\n\n我们提交了报告<|im_end|>" in tiny_tokenizer.decode(ex.input_ids)


def test_alpaca_plain_format_without_template(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    tok = no_template(tiny_tokenizer)
    rows = [{"instruction": "Say hi", "input": "", "output": "hi <|im_end|> there"},
            {"instruction": "Sum", "input": "1+1", "output": "2", "system": "You add."}]
    a, b = load_examples(write_jsonl(tmp_path / "a.jsonl", rows), tok).examples
    assert tok.decode(a.input_ids) == "<s>### User:\nSay hi\n\n### Assistant:\nhi <|im_end|> there</s>"
    assert runs(tok, a) == ["hi <|im_end|> there</s>"]
    # Data spelling a control token stays ordinary text in the plain format.
    assert tok.convert_tokens_to_ids("<|im_end|>") not in a.input_ids
    assert tok.decode(b.input_ids).startswith("<s>### System:\nYou add.\n\n### User:\nSum\n\n1+1\n\n")
    assert runs(tok, b) == ["2</s>"]


def test_text_supervises_everything_and_escapes_control_tokens(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    row = {"text": "Our team archived the invoice <|im_end|> yesterday."}
    (ex,) = load_examples(write_jsonl(tmp_path / "t.jsonl", [row]), tiny_tokenizer).examples
    assert ex.labels[0] == IGNORE_INDEX and ex.labels[1:] == ex.input_ids[1:]
    assert tiny_tokenizer.decode(ex.input_ids) == "<s>" + row["text"] + "</s>"
    assert tiny_tokenizer.convert_tokens_to_ids("<|im_end|>") not in ex.input_ids


def test_loss_on_all_for_chat(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    (ex,) = load_examples(write_jsonl(tmp_path / "c.jsonl", [CHAT]), tiny_tokenizer, loss_on="all").examples
    assert ex.labels[0] == IGNORE_INDEX and ex.labels[1:] == ex.input_ids[1:]


def test_long_prompt_is_cut_from_the_left(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    prompt = " ".join(f"w{i}" for i in range(200))
    row = {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": "The answer."}]}
    data = load_examples(write_jsonl(tmp_path / "c.jsonl", [row]), tiny_tokenizer, max_length=40)
    (ex,) = data.examples
    assert len(ex.input_ids) == 40 and data.truncated == 1
    assert ex.input_ids[0] == tiny_tokenizer.bos_token_id
    assert runs(tiny_tokenizer, ex) == ["The answer.<|im_end|>"]
    text = tiny_tokenizer.decode(ex.input_ids)
    assert "w199" in text and "w0 " not in text  # the end of the prompt, nearest the answer, survives


def test_long_answer_keeps_prompt_quarter_and_answer_head(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    prompt = " ".join(f"p{i}" for i in range(100))
    answer = " ".join(f"a{i}" for i in range(300))
    row = {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}
    (ex,) = load_examples(write_jsonl(tmp_path / "c.jsonl", [row]), tiny_tokenizer, max_length=64).examples
    assert len(ex.input_ids) == 64
    first_sup = next(i for i, lab in enumerate(ex.labels) if lab != IGNORE_INDEX)
    assert first_sup - 1 == (64 - 1) // 4  # BOS + a quarter of the window of prompt
    (run,) = runs(tiny_tokenizer, ex)
    assert run.startswith("a0 a1 a2") and "<|im_end|>" not in run


def test_skips_are_counted_by_reason(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    rows = [
        CHAT,
        {"messages": [{"role": "user", "content": "no reply"}]},
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "   "}]},
        {"messages": [{"role": "user", "content": "forge <|im_start|>assistant"},
                      {"role": "assistant", "content": "x"}]},
        "{not json",
        "[1, 2]",
        {"text": "   "},
    ]
    data = load_examples(write_jsonl(tmp_path / "s.jsonl", rows), tiny_tokenizer)
    assert data.skipped == {"no_assistant_turn": 1, "empty_answer": 1, "control_token_in_text": 1, "empty_text": 1}
    assert data.rejected == 2 and data.records == 5 and len(data.examples) == 1


def test_template_exceptions_are_counted(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    tok = copy.deepcopy(tiny_tokenizer)
    # (A template without a system role no longer raises here: the system text opens the first
    # user turn, see test_vendor_templates.py. Any other refusal is counted.)
    tok.chat_template = ("{% if messages | length > 2 %}{{ raise_exception('one exchange only') }}{% endif %}"
                         + CHAT_TEMPLATE)
    ok = {"messages": CHAT["messages"][1:3]}
    data = load_examples(write_jsonl(tmp_path / "c.jsonl", [CHAT, ok]), tok)
    assert data.skipped == {"chat_template_error": 1} and len(data.examples) == 1


def test_user_ids_and_record_indices(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    rows = [{"text": "a b", "meta": {"user": 17}}, "oops", {"text": "c d", "meta": {"user": "alice"}}]
    data = load_examples(write_jsonl(tmp_path / "u.jsonl", rows), tiny_tokenizer, user_id_field="meta.user")
    assert [(e.record_index, e.user_id) for e in data.examples] == [(0, "17"), (2, "alice")]


@pytest.mark.parametrize("row", [{"text": "a"}, {"text": "a", "uid": None}, {"text": "a", "uid": " "},
                                 {"text": "a", "uid": True}])
def test_bad_user_id_names_line_and_field(tiny_tokenizer: Tok, tmp_path: Path, row: dict) -> None:
    path = write_jsonl(tmp_path / "u.jsonl", [{"text": "fine", "uid": "u1"}, row])
    with pytest.raises(InputError) as err:
        load_examples(path, tiny_tokenizer, user_id_field="uid")
    assert (err.value.line, err.value.field, err.value.path) == (2, "uid", str(path))


def test_structural_errors_raise_or_skip(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    bad = {"conversations": [{"from": "human", "value": "hi"}, {"from": "narrator", "value": "secret words"}]}
    path = write_jsonl(tmp_path / "b.jsonl", [CHAT, bad])
    with pytest.raises(InputError) as err:
        load_examples(path, tiny_tokenizer)
    assert (err.value.line, err.value.field) == (2, "conversations[1].from")
    assert "narrator" not in str(err.value) and "secret" not in str(err.value)
    data = load_examples(path, tiny_tokenizer, on_invalid="skip")
    assert data.skipped == {"invalid_record": 1} and len(data.examples) == 1
    with pytest.raises(InputError, match="expected text") as err2:
        load_examples(write_jsonl(tmp_path / "n.jsonl", [{"instruction": "x", "output": 5}]), tiny_tokenizer)
    assert err2.value.field == "output"


def test_openai_content_parts_train_like_plain_content(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    # Newer OpenAI exports write content as a list of parts; before, every such record was
    # refused ("expected text, got list") although `privtune scan` had scanned it.
    parts = {"messages": [dict(m, content=[{"type": "text", "text": m["content"][:4]}, {"type": "text", "text": m["content"][4:]}])
                          for m in CHAT["messages"]]}
    a = load_examples(write_jsonl(tmp_path / "a.jsonl", [CHAT]), tiny_tokenizer).examples[0]
    b = load_examples(write_jsonl(tmp_path / "b.jsonl", [parts]), tiny_tokenizer).examples[0]
    assert (a.input_ids, a.labels) == (b.input_ids, b.labels)
    image = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]},
                          {"role": "assistant", "content": "ok"}]}
    with pytest.raises(InputError, match="'image_url' is not text") as err:
        load_examples(write_jsonl(tmp_path / "i.jsonl", [image]), tiny_tokenizer)
    assert (err.value.line, err.value.field) == (1, "messages[0].content[0]")


def test_tool_call_turns_without_content_train_as_empty_turns(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    # OpenAI's function-calling format leaves "content" out of a tool-call turn: every such record
    # was refused ("message needs a role ... and a content key"), after `privtune scan` passed it.
    def chat(call: dict[str, Any]) -> dict[str, Any]:
        return {"messages": [{"role": "user", "content": "Where is my parcel?"}, call,
                             {"role": "tool", "tool_call_id": "c1", "content": "late"},
                             {"role": "assistant", "content": "It is a day late."}]}

    tool_calls = [{"id": "c1", "type": "function", "function": {"name": "track", "arguments": "{}"}}]
    a = load_examples(write_jsonl(tmp_path / "a.jsonl", [chat({"role": "assistant", "content": None,
                                                              "tool_calls": tool_calls})]), tiny_tokenizer)
    b = load_examples(write_jsonl(tmp_path / "b.jsonl", [chat({"role": "assistant", "tool_calls": tool_calls})]),
                      tiny_tokenizer)
    assert len(b.examples) == 1 and (a.examples[0].input_ids, a.examples[0].labels) == (b.examples[0].input_ids,
                                                                                          b.examples[0].labels)
    with pytest.raises(InputError, match="needs a role"):  # no tool call: still a malformed message
        load_examples(write_jsonl(tmp_path / "c.jsonl", [chat({"role": "assistant"})]), tiny_tokenizer)


def test_csv_pairs_and_explicit_fields(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["question", "answer", "ctx"])
        w.writerow(["What was shipped?", "Two parcels.", "Logistics"])
    (auto,) = load_examples(path, tiny_tokenizer).examples
    assert runs(tiny_tokenizer, auto) == ["Two parcels.<|im_end|>"]
    (mapped,) = load_examples(path, tiny_tokenizer, fields={"prompt": ["ctx", "question"], "answer": "answer"}).examples
    assert "user\nLogistics\n\nWhat was shipped?<|im_end|>" in tiny_tokenizer.decode(mapped.input_ids)
    (text,) = load_examples(path, tiny_tokenizer, fields=["ctx", "answer"]).examples
    assert tiny_tokenizer.decode(text.input_ids) == "<s>Logistics\n\nTwo parcels.</s>"


def test_single_field_naming_a_message_list_is_chat(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    row = {"dialog": CHAT["messages"]}
    (ex,) = load_examples(write_jsonl(tmp_path / "d.jsonl", [row]), tiny_tokenizer, fields=["dialog"]).examples
    assert runs(tiny_tokenizer, ex)[-1] == "On Monday.<|im_end|>"


def test_fingerprint_texts_depend_on_data_only(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    rows = [{"instruction": "Sum", "input": "1+1", "output": "2"},
            {"messages": [{"role": "user", "content": "Sum\n\n1+1"}, {"role": "assistant", "content": "2"}]},
            {"messages": [{"role": "user", "content": "unanswered"}]},
            {"text": "Cafe\u0301 \r\nline"}]
    path = write_jsonl(tmp_path / "f.jsonl", rows)
    a = load_examples(path, tiny_tokenizer)
    b = load_examples(path, no_template(tiny_tokenizer), loss_on="all", max_length=8)
    assert a.texts_for_fingerprint == b.texts_for_fingerprint
    assert a.texts_for_fingerprint[0] == a.texts_for_fingerprint[1] == "user: Sum\n\n1+1\nassistant: 2"
    assert len(a.texts_for_fingerprint) == 4 and a.texts_for_fingerprint[3] == "Caf\u00e9 \nline"


def test_no_usable_examples_raises(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "e.jsonl", [{"messages": [{"role": "user", "content": "q"}]}])
    with pytest.raises(InputError, match="no usable training examples"):
        load_examples(path, tiny_tokenizer)


@pytest.mark.parametrize("kwargs", [{"loss_on": "prompt"}, {"max_length": 1}, {"fields": {"body": "x"}},
                                    {"fields": "text"}, {"on_invalid": "ignore"}])
def test_bad_options(tiny_tokenizer: Tok, tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        load_examples(write_jsonl(tmp_path / "x.jsonl", [CHAT]), tiny_tokenizer, **kwargs)


def test_collate_right_pads_and_masks(tiny_tokenizer: Tok, tiny_llama_dir: Path, tmp_path: Path) -> None:
    rows = [CHAT, {"text": "The nurse checked the invoice."}]
    examples = load_examples(write_jsonl(tmp_path / "c.jsonl", rows), tiny_tokenizer).examples
    pad = tiny_tokenizer.pad_token_id
    batch = collate(examples, pad)
    long, short = len(examples[0].input_ids), len(examples[1].input_ids)
    assert batch["input_ids"].shape == (2, long) and batch["input_ids"].dtype == torch.long
    assert batch["input_ids"][1, short:].eq(pad).all()
    assert batch["input_ids"][1, :short].tolist() == examples[1].input_ids
    assert batch["attention_mask"].sum(1).tolist() == [long, short]
    assert batch["labels"][1, short:].eq(IGNORE_INDEX).all()
    # The model's loss must average over supervised tokens only: compare with a manual sum.
    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama_dir))
    with torch.no_grad():
        out = model(**batch)
        logp = out.logits[:, :-1].log_softmax(-1)
        tgt = batch["labels"][:, 1:]
        keep = tgt != IGNORE_INDEX
        manual = -logp.gather(-1, tgt.clamp(min=0).unsqueeze(-1)).squeeze(-1)[keep].mean()
    assert torch.allclose(out.loss, manual, atol=1e-5)
    with pytest.raises(ValueError):
        collate([], pad)


def test_fallback_with_default_system_prompt_template(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    # Many real templates inject a default system turn and have no {% generation %} blocks.
    tok = copy.deepcopy(tiny_tokenizer)
    tok.chat_template = (
        "{%- if messages[0]['role'] != 'system' %}{{- '<|im_start|>system\\nYou are helpful.<|im_end|>\\n' }}"
        "{%- endif %}"
        "{%- for m in messages %}{{- '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
        "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
    )
    row = {"messages": CHAT["messages"][1:]}
    (ex,) = load_examples(write_jsonl(tmp_path / "c.jsonl", [row]), tok).examples
    assert tok.decode(ex.input_ids).startswith("<|im_start|>system\nYou are helpful.")
    assert runs(tok, ex) == ["The clerk signed it. 经理也签了。<|im_end|>", "On Monday.<|im_end|>"]


def test_record_fingerprint_text_matches_loader(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    from privtune.train.data import record_fingerprint_text

    rows = [CHAT, {"question": "q?", "answer": "a."}, {"text": " doc "}]
    data = load_examples(write_jsonl(tmp_path / "f.jsonl", rows), tiny_tokenizer)
    assert [record_fingerprint_text(r) for r in rows] == data.texts_for_fingerprint


def test_a_message_list_under_any_name_is_a_chat_with_the_loss_on_the_answers(tiny_tokenizer: Tok,
                                                                               tmp_path: Path) -> None:
    # `conversation: [{role, content}]` trained as one document (the customer's turns supervised
    # too); `speaker/text` and `author/message` lists, and customer/agent roles, were errors.
    legacy = {"conversation": [{"role": m["role"], "content": m["content"]} for m in CHAT["messages"]]}
    support = {"dialogue": [{"speaker": "客户", "text": "Who signed the contract?"},
                            {"speaker": "客服", "text": "The clerk signed it. 经理也签了。"},
                            {"speaker": "Customer", "text": "When?"}, {"speaker": "AGENT", "text": "On Monday."}]}
    export = {"chat": [{"author": "customer", "message": "Who signed the contract?"},
                       {"author": "agent", "message": "The clerk signed it. 经理也签了。"},
                       {"author": "client", "message": "When?"}, {"author": "ai", "message": "On Monday."}]}
    data = load_examples(write_jsonl(tmp_path / "g.jsonl", [legacy, support, export]), tiny_tokenizer)
    for ex in data.examples:
        assert runs(tiny_tokenizer, ex)[-2:] == ["The clerk signed it. 经理也签了。<|im_end|>", "On Monday.<|im_end|>"]
    # the fingerprint of the record that trained before stays the one the ledger already holds
    assert data.texts_for_fingerprint[0] == "\n\n".join(m["content"] for m in CHAT["messages"])


def test_a_message_list_under_any_name_fingerprints_alike_in_scan_and_train(tiny_tokenizer: Tok,
                                                                            tmp_path: Path) -> None:
    from privtune.provenance.data_file import data_file_fingerprint
    from privtune.provenance.fingerprint import dataset_fingerprint

    rows = [{"conversation": [{"speaker": "用户", "text": f"订单{i}在哪"}, {"speaker": "客服", "text": "今天发货"}]}
            for i in range(3)]
    path = write_jsonl(tmp_path / "s.jsonl", rows)
    data = load_examples(path, tiny_tokenizer)
    assert data_file_fingerprint(path) == dataset_fingerprint(data.texts_for_fingerprint)


def test_train_reads_the_encodings_scan_reads(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    # A GB18030 CSV (Chinese Excel's export) was "not valid utf-8 ... pass --encoding", and train
    # had no --encoding; it is now sniffed as scan sniffs it, or given.
    from privtune.train.config import TrainConfig
    from privtune.train.setup import load_data

    rows = "question,answer\n" + "".join(f"订单{i}在哪里,今天下午发货\n" for i in range(4))
    gb = tmp_path / "gb.csv"
    gb.write_bytes(rows.encode("gb18030"))
    utf = tmp_path / "utf.csv"
    utf.write_text(rows, encoding="utf-8")
    cfg = TrainConfig(model=tmp_path, data=gb, validation=utf)
    train, val, fp = load_data(cfg, tiny_tokenizer)
    assert train.texts_for_fingerprint == val.texts_for_fingerprint and len(train.examples) == 4
    assert "user: 订单0在哪里" in train.texts_for_fingerprint[0]
    with pytest.raises(InputError, match="not valid utf-8"):
        load_data(cfg.model_copy(update={"encoding": "utf-8"}), tiny_tokenizer)


def test_validation_records_shared_with_training_are_counted(tiny_tokenizer: Tok, tmp_path: Path) -> None:
    from privtune.train.setup import shared_records

    rows = [{"text": f"line {i}"} for i in range(5)]
    train = load_examples(write_jsonl(tmp_path / "t.jsonl", rows), tiny_tokenizer)
    val = load_examples(write_jsonl(tmp_path / "v.jsonl", [rows[3], {"text": "new"}, rows[0]]), tiny_tokenizer)
    assert shared_records(train, val) == 2 and shared_records(val, val) == 3


def test_an_empty_chat_is_skipped_and_a_malformed_one_named(tmp_path: Path, tiny_tokenizer: Tok) -> None:
    # {"messages": []} stopped training with "no text field found ... --fields body,title"
    from privtune.errors import InputError

    good = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
            for i in range(3)]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [*good, {"messages": []}]) + "\n", encoding="utf-8")
    data = load_examples(path, tiny_tokenizer)
    assert len(data.examples) == 3 and data.skipped == {"no_assistant_turn": 1}
    path.write_text("\n".join(json.dumps(r) for r in [*good, {"messages": "hi"}]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_examples(path, tiny_tokenizer)
    assert err.value.line == 4 and err.value.field == "messages"
