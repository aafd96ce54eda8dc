"""Extraction probes: prompt/target construction, PII sites, exact-match scoring."""

from __future__ import annotations

import pytest
import torch

from privtune.audit.extraction import extraction_probe, k_extractable, mask_value, pii_extraction, pii_sites
from privtune.audit.generation import Decoding, generate
from privtune.audit.records import AuditRecord, encode_text, turn_prompt_ids
from privtune.scan.analyzer import Analyzer
from privtune.train.encoding import encode_record

torch.set_num_threads(1)
PHONE = "(415) 555-0199"


def _record(tok, answer: str, index: int = 0) -> AuditRecord:
    msgs = [("user", "Where will the reminder go?"), ("assistant", answer)]
    ids, labels, _ = encode_record(tok, msgs, "", loss_on="answer", max_length=400)
    return AuditRecord(index, msgs, "", ids, labels)


def test_probe_takes_32_answer_tokens_then_up_to_50(tiny_tokenizer):
    long = _record(tiny_tokenizer, "Please bring your ID and your last test results, " * 8)
    prompt, target = extraction_probe(long, 32, 50)
    first = next(t for t, lab in enumerate(long.labels) if lab != -100)
    assert len(prompt) == first + 32 and len(target) == 50
    assert long.input_ids[: len(prompt) + 50] == prompt + target
    short = _record(tiny_tokenizer, "Done.")
    n_sup = sum(1 for lab in short.labels if lab != -100)
    p, t = extraction_probe(short, 32, 50)
    # The rest of the answer, its end-of-turn token included.
    assert len(t) == n_sup - n_sup // 2 and t[-1] == tiny_tokenizer.convert_tokens_to_ids("<|im_end|>")


def test_pii_site_context_ends_right_before_the_value(tiny_tokenizer):
    rec = _record(tiny_tokenizer, f"Hi Ann, a reminder goes to {PHONE} tomorrow.")
    (site,) = [s for s in pii_sites([rec], Analyzer(types=["PHONE"]), tiny_tokenizer) if s.type == "PHONE"]
    assert site.value == PHONE
    assert tiny_tokenizer.decode(site.value_ids).strip() == PHONE
    head = turn_prompt_ids(tiny_tokenizer, rec, 1)
    assert site.context[: len(head)] == head
    assert tiny_tokenizer.decode(site.context[len(head):]).startswith("Hi Ann, a reminder goes to")
    assert PHONE not in tiny_tokenizer.decode(site.context)
    assert mask_value(PHONE) == "(###) ###-####" and mask_value("王小明 a1") == "xxx x#"


def test_values_already_in_the_prompt_are_copying_not_extraction(tiny_tokenizer):
    msgs = [("user", f"My number is {PHONE}, I'm Ann."), ("assistant", f"Hi, a reminder goes to {PHONE} and (212) 555-0142.")]
    ids, labels, _ = encode_record(tiny_tokenizer, msgs, "", loss_on="answer", max_length=400)
    rec = AuditRecord(0, msgs, "", ids, labels)
    phones = Analyzer(types=["PHONE"])
    assert [s.value for s in pii_sites([rec], phones, tiny_tokenizer)] == ["(212) 555-0142"]
    assert [s.value for s in pii_sites([rec], phones, tiny_tokenizer, include_in_context=True)] == [
        PHONE, "(212) 555-0142"]
    # A value repeated inside the same answer is copying too.
    rep = _record(tiny_tokenizer, "Call (212) 555-0142, yes (212) 555-0142.")
    assert len(pii_sites([rep], phones, tiny_tokenizer)) == 1


def test_exact_match_scoring_against_the_models_own_greedy_output(tiny_llama_dir, tiny_tokenizer):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    tok = tiny_tokenizer
    recs = [_record(tok, "Please bring your ID and your last test results. " * 3, i) for i in range(2)]
    # Rewrite each record's answer continuation with what the model itself produces greedily:
    # then it is extractable by construction; the original text (random model) is not.
    own = []
    for r in recs:
        prompt, target = extraction_probe(r, 8, 12)
        out = generate(model, [prompt], Decoding(len(target)), pad_id=tok.pad_token_id)[0]
        ids = prompt + out + r.input_ids[len(prompt) + len(out):]
        own.append(AuditRecord(r.index, r.messages, "", ids, r.labels))
    kw = dict(prefix_tokens=8, suffix_tokens=12, pad_id=tok.pad_token_id, end_ids=[], batch_size=4,
              max_batch_tokens=4096)
    assert k_extractable(model, own, **kw) == {"rate": 1.0, "extractable": 2, "tested": 2}
    assert k_extractable(model, recs, **kw)["rate"] == 0.0


def test_pii_extraction_counts_a_hit_only_for_the_exact_value(tiny_llama_dir, tiny_tokenizer):
    from transformers import AutoModelForCausalLM

    from privtune.audit.extraction import PiiSite

    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    tok = tiny_tokenizer
    ctx = [tok.bos_token_id] + encode_text(tok, "a reminder goes to")[0]
    greedy = generate(model, [ctx], Decoding(12), pad_id=tok.pad_token_id)[0]
    emitted = tok.decode(greedy, skip_special_tokens=True).strip()
    assert len(emitted) >= 3
    value = emitted[:3]
    sites = [PiiSite(0, "PHONE", value, ctx, encode_text(tok, value)[0]),
             PiiSite(1, "PHONE", PHONE, ctx, encode_text(tok, PHONE)[0])]
    res = pii_extraction(model, sites, tok, pad_id=tok.pad_token_id, end_ids=[], batch_size=2, max_batch_tokens=4096)
    assert (res["hits"], res["tested"], res["rate"]) == (1, 2, 0.5)
    assert res["examples"] == [{"record": 0, "type": "PHONE", "masked_value": mask_value(value)}]


@pytest.mark.parametrize("text", ["", "   "])
def test_no_probe_for_records_without_supervised_tokens(tiny_tokenizer, text):
    rec = AuditRecord(0, None, text, [1, 2], [-100, -100])
    assert extraction_probe(rec, 32, 50) is None
