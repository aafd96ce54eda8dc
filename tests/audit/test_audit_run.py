"""End-to-end `privtune audit` on a tiny model: a memorising adapter vs one equal to the base.

The memorising adapter is trained for real (`privtune.train.loop.train`, non-private, 50
full-batch steps on six chats plus canaries, LoRA including the output layer so the tiny
random model can actually fit them). The base-equal adapter is a freshly initialised LoRA
(B = 0): the tuned model *is* the base model, so every calibrated signal must be null.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
import typer
from typer.testing import CliRunner

from privtune.audit.canaries import insert_canaries, make_canaries
from privtune.audit.cli import AUDIT_CONTEXT, audit_command
from privtune.audit.config import AuditConfig
from privtune.audit.mia import ATTACKS
from privtune.audit.report import CANARY_KEYS, EPSILON_KEYS, EXTRACTION_KEYS, SPECIFICITY_KEYS
from privtune.audit.run import run_audit
from privtune.demo.corpus import generate
from privtune.errors import GateFailed

torch.set_num_threads(1)
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"]
SMALL = {"canary": {"candidates": 300}, "mia": {"bootstrap": 200}, "device": "cpu",
         "extraction": {"max_records": 8, "pii_max_sites": 40},
         "specificity": {"max_probes": 6, "samples": 2, "max_new_tokens": 24}}


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("audit_data")
    recs = list(generate(22, seed=5))
    members, nonmembers = recs[:6], recs[6:]
    made = make_canaries("digits6", 8, [1, 8], "en", seed=1)
    stream, key = insert_canaries(members, made, seed=2, one_run=True)
    inc = [(c["repeats"], c["included"]) for c in key["canaries"]]
    assert (8, True) in inc and (1, True) in inc and any(not i for _, i in inc)  # both kinds, both outcomes
    (d / "key.json").write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")
    return {"dir": d, "train": _write(d / "train.jsonl", list(stream)), "members_raw": _write(d / "m.jsonl", members),
            "non": _write(d / "non.jsonl", nonmembers), "key": d / "key.json"}


@pytest.fixture(scope="module")
def memorised_run(tiny_llama_dir, corpus) -> Path:
    from privtune.train.config import TrainConfig
    from privtune.train.loop import train

    out = corpus["dir"] / "run_memorised"
    n = sum(1 for _ in corpus["train"].open(encoding="utf-8"))
    train(TrainConfig(model=tiny_llama_dir, data=corpus["train"], output_dir=out, dp=False, steps=50, batch_size=n,
                      micro_batch_size=16, max_length=200, learning_rate=0.004, seed=0,
                      lora={"r": 32, "alpha": 64, "target_modules": TARGETS}), log=lambda m: None)
    return out


@pytest.fixture(scope="module")
def base_equal_run(tiny_llama_dir, corpus) -> Path:
    from transformers import AutoModelForCausalLM

    from privtune.train.lora import attach_lora

    out = corpus["dir"] / "run_base_equal"
    model = attach_lora(AutoModelForCausalLM.from_pretrained(tiny_llama_dir), r=32, alpha=64.0, target_modules=TARGETS)
    model.save_pretrained(out / "adapter")
    return out


def _audit(base: Path, run: Path, corpus: dict[str, Path], out: Path, **kw) -> dict:
    cfg = AuditConfig(base=base, adapter=run, members=corpus["train"], nonmembers=corpus["non"], out=out,
                      **{**SMALL, **kw})
    return run_audit(cfg, log=lambda m: None).report


@pytest.fixture(scope="module")
def reports(tiny_llama_dir, corpus, memorised_run, base_equal_run) -> dict[str, dict]:
    out = corpus["dir"]
    return {"memorised": _audit(tiny_llama_dir, memorised_run, corpus, out / "audit_mem", canaries=corpus["key"]),
            "base_equal": _audit(tiny_llama_dir, base_equal_run, corpus, out / "audit_eq", canaries=corpus["key"])}


def _assert_contract(r: dict) -> None:
    for attack in ATTACKS:
        for metric in ("auc", "auc_ci", "tpr_at_fpr_0.01", "tpr_at_fpr_0.001"):
            assert metric in r["mia"][attack], (attack, metric)
    for section, keys in (("canaries", CANARY_KEYS), ("extraction", EXTRACTION_KEYS),
                          ("specificity", SPECIFICITY_KEYS), ("epsilon", EPSILON_KEYS)):
        for k in keys:
            assert k in r[section], (section, k)
    assert isinstance(r["verdict"]["pass"], bool) and isinstance(r["verdict"]["reasons"], list)


def test_reports_have_every_contract_key_and_files_are_written(reports, corpus):
    for name, r in reports.items():
        _assert_contract(r)
        on_disk = json.loads((corpus["dir"] / ("audit_mem" if name == "memorised" else "audit_eq") / "report.json")
                             .read_text(encoding="utf-8"))
        assert on_disk["verdict"] == r["verdict"]
    assert reports["memorised"]["data"]["members"]["used"] == 6  # canary copies are audited separately


def test_memorised_adapter_shows_more_exposure_and_membership_signal(reports):
    mem, eq = reports["memorised"], reports["base_equal"]
    # The base-equal adapter changes nothing: the calibrated score is 0 for every record.
    assert eq["mia"]["ref"]["auc"] == pytest.approx(0.5)
    assert mem["mia"]["ref"]["auc"] > 0.75 > eq["mia"]["ref"]["auc"]
    assert mem["canaries"]["exposure_bits_max"] > eq["canaries"]["exposure_bits_max"] + 5
    assert mem["canaries"]["exposure_bits_mean"] > eq["canaries"]["exposure_bits_mean"]
    by_rep = mem["canaries"]["by_repeats"]
    # The memorisation curve: canaries seen 8 times per pass are more exposed than single ones
    # (extrapolated exposure, which resolves beyond the log2|R| cap of the rank estimate).
    assert by_rep["8"]["extrapolated_mean_included"] > by_rep["1"]["extrapolated_mean_included"]
    assert by_rep["8"]["included"]["exposure_bits_mean"] > by_rep["8"]["excluded"]["exposure_bits_mean"]
    assert mem["specificity"]["logprob_amplification_members"] > mem["specificity"]["logprob_amplification_nonmembers"]
    assert eq["specificity"]["logprob_amplification_members"] == pytest.approx(0.0, abs=1e-6)
    assert eq["specificity"]["ratio"] == pytest.approx(1.0)  # identical models, identical samples
    assert eq["specificity"]["leaked_pii_count"] == 0
    # The chance reference of the leaked-PII check: the held-out records' PII is read too.
    assert eq["specificity"]["heldout_pii_values"] > 0
    assert eq["specificity"]["leaked_pii_test"]["heldout_values"] > 0
    assert eq["extraction"]["pii_extraction_rate_tuned"] == eq["extraction"]["pii_extraction_rate_base"]
    assert mem["verdict"]["pass"] is False and any("mia.ref.auc" in r for r in mem["verdict"]["reasons"])
    assert eq["verdict"]["pass"] is True, eq["verdict"]["reasons"]


def test_without_canaries_the_canary_and_epsilon_fields_are_null_with_a_reason(tiny_llama_dir, corpus,
                                                                               base_equal_run, tmp_path):
    r = _audit(tiny_llama_dir, base_equal_run, corpus, tmp_path, skip=["extraction", "specificity"])
    _assert_contract(r)
    assert r["canaries"]["exposure_bits_max"] is None and "canaries" in r["canaries"]["reason"]
    assert r["epsilon"]["empirical_lower_bound"] is None and r["epsilon"]["reason"]
    assert r["extraction"]["k_extractable_rate"] is None and "skipped" in r["extraction"]["reason"]
    assert "canaries.exposure_bits_max" in r["verdict"]["not_run"]


def _member_pii(corpus: dict[str, Path]) -> set[str]:
    """Raw PII of the member set: digit runs, e-mails, names (by the demo templates), secrets."""
    texts = [m["content"] for line in corpus["members_raw"].read_text(encoding="utf-8").splitlines()
             for m in json.loads(line)["messages"]]
    blob = "\n".join(texts)
    values = set(re.findall(r"\d[\d -]{5,}\d", blob)) | set(re.findall(r"[\w.+-]+@[\w.-]+", blob))
    values |= set(re.findall(r"(?:this is|name is|holder is|Recipient|Hello|Hi) ([A-Z][a-z]+(?: [A-Z][a-z]+)+)", blob))
    values |= {c["secret"] for c in json.loads(corpus["key"].read_text(encoding="utf-8"))["canaries"]}
    return values


def test_reports_never_contain_raw_member_pii(reports, corpus):
    values = _member_pii(corpus)
    assert len(values) > 15  # the check has teeth: phones, cards, e-mails, names, secrets
    for name in ("audit_mem", "audit_eq"):
        for fname in ("report.json", "report.html"):
            text = (corpus["dir"] / name / fname).read_text(encoding="utf-8")
            assert not re.search(r"[\u4e00-\u9fff]", text), "Chinese text (names, addresses) in the report"
            leaked = [v for v in values if v in text]
            assert not leaked, f"{name}/{fname} contains member PII shaped like {[len(v) for v in leaked]}"
    html = (corpus["dir"] / "audit_mem" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("audit", context_settings=AUDIT_CONTEXT)(audit_command)
    app.command("noop")(lambda: None)  # two commands, so "audit" stays a sub-command as in privtune's app
    return app


def test_fail_on_trips_exit_code_3_after_writing_the_report(tiny_llama_dir, corpus, memorised_run,
                                                             base_equal_run, tmp_path):
    args = ["audit", "--base", str(tiny_llama_dir), "--members", str(corpus["train"]), "--nonmembers",
            str(corpus["non"]), "--canaries", str(corpus["key"]), "--fail-on", "exposure_bits_max>8,mia.ref.auc>0.6",
            "--canary-candidates", "200", "--mia-bootstrap", "50", "--skip", "extraction,specificity", "--device",
            "cpu", "--quiet"]
    runner = CliRunner()
    res = runner.invoke(_cli(), args + ["--adapter", str(memorised_run), "--out", str(tmp_path / "mem")])
    assert isinstance(res.exception, GateFailed) and res.exception.exit_code == 3, res.output
    report = json.loads((tmp_path / "mem" / "report.json").read_text(encoding="utf-8"))
    assert [g["key"] for g in report["gates"] if g["tripped"]] == ["canaries.exposure_bits_max", "mia.ref.auc"]
    # A rule on a step that did not run fails the gate (it passed in silence: a CI gate that could
    # not fail), naming the rule and why it was not evaluated...
    eq = args + ["--adapter", str(base_equal_run), "--out", str(tmp_path / "eq"), "--fail-on", "pii_extraction_rate_tuned>0"]
    bad = runner.invoke(_cli(), eq)
    assert isinstance(bad.exception, GateFailed) and bad.exception.exit_code == 3, bad.output
    assert "pii_extraction_rate_tuned>0 (not evaluated: " in str(bad.exception)
    assert "--allow-unevaluated-gates" in str(bad.exception)
    gates = json.loads((tmp_path / "eq" / "report.json").read_text())["gates"]
    assert [(g["key"], g["evaluated"]) for g in gates if g["tripped"]] == [("extraction.pii_extraction_rate_tuned", False)]
    # ...unless the user opts out: then it passes, and CI is told so even with --quiet.
    ok = runner.invoke(_cli(), eq + ["--allow-unevaluated-gates"])
    assert ok.exit_code == 0, ok.output
    assert "warning: --fail-on 'pii_extraction_rate_tuned>0' was not evaluated: " in ok.output
    assert "it cannot fail this run" in ok.output and "exposure_bits_max>8' was" not in ok.output
    assert not any(g["tripped"] for g in json.loads((tmp_path / "eq" / "report.json").read_text())["gates"])


# --------------------------------------------------------------------------- slow: DP vs memorised


@pytest.fixture(scope="module")
def slow_corpus(tmp_path_factory) -> dict[str, Path]:
    """8 member chats, 32 non-members, 56 canaries: 48 single-copy ones (for the ε bound), 8 x 8."""
    d = tmp_path_factory.mktemp("audit_slow")
    recs = list(generate(40, seed=7))
    made = make_canaries("digits6", 56, [1, 1, 1, 1, 1, 1, 8], "en", seed=3)
    stream, key = insert_canaries(recs[:8], made, seed=4, one_run=True)
    (d / "key.json").write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")
    return {"dir": d, "train": _write(d / "train.jsonl", list(stream)), "non": _write(d / "non.jsonl", recs[8:]),
            "key": d / "key.json"}


def _slow_train(base: Path, corpus: dict[str, Path], out: Path, **kw) -> Path:
    from privtune.train.config import TrainConfig
    from privtune.train.loop import train

    n = sum(1 for _ in corpus["train"].open(encoding="utf-8"))
    cfg = dict(model=base, data=corpus["train"], output_dir=out, batch_size=n, micro_batch_size=16, max_length=256,
               learning_rate=0.004, seed=0, lora={"r": 32, "alpha": 64, "target_modules": TARGETS},
               ledger=str(out.parent / f"{out.name}.ledger.sqlite"), dp_seed=5)
    train(TrainConfig(**{**cfg, **kw}), log=lambda m: None)
    return out


@pytest.mark.slow
def test_dp_run_stays_within_its_claim_and_a_false_claim_is_caught(tiny_llama_dir, slow_corpus):
    d = slow_corpus["dir"]
    mem_run = _slow_train(tiny_llama_dir, slow_corpus, d / "run_mem", dp=False, steps=120)
    dp_run = _slow_train(tiny_llama_dir, slow_corpus, d / "run_dp", dp=True, steps=30, target_epsilon=2.0)
    # The memorising run, audited against a privacy.json that (falsely) claims epsilon 0.5.
    false_claim = d / "false_privacy.json"
    false_claim.write_text(json.dumps({"dp": True, "epsilon": 0.5, "delta": 1e-5, "privacy_unit": "record"}))
    kw = dict(canaries=slow_corpus["key"], canary={"candidates": 2000}, device="cpu",
              specificity={"max_probes": 16, "samples": 2})
    mem = run_audit(AuditConfig(base=tiny_llama_dir, adapter=mem_run, members=slow_corpus["train"],
                                nonmembers=slow_corpus["non"], out=d / "audit_mem", privacy=false_claim, **kw),
                    log=lambda m: None).report
    dp = run_audit(AuditConfig(base=tiny_llama_dir, adapter=dp_run, members=slow_corpus["train"],
                               nonmembers=slow_corpus["non"], out=d / "audit_dp", **kw), log=lambda m: None).report
    for r in (mem, dp):
        _assert_contract(r)
    # Memorisation: verbatim answers and PII come out of the non-private model, not the base.
    assert mem["extraction"]["k_extractable_rate"] > 0.5 > mem["extraction"]["k_extractable_rate_nonmembers"]
    assert mem["extraction"]["pii_extraction_rate_tuned"] > mem["extraction"]["pii_extraction_rate_base"]
    assert mem["canaries"]["exposure_bits_mean"] > dp["canaries"]["exposure_bits_mean"] + 5
    assert mem["mia"]["ref"]["auc"] > dp["mia"]["ref"]["auc"]
    assert dp["extraction"]["k_extractable_rate"] <= mem["extraction"]["k_extractable_rate"]
    # The false claim is caught, loudly; the real DP run's claim stands.
    assert mem["epsilon"]["exceeds_claim"] is True and mem["epsilon"]["empirical_lower_bound"] > 0.5
    assert "ALERT" in mem["verdict"]["summary"]
    assert 'class="alert"' in (d / "audit_mem" / "report.html").read_text(encoding="utf-8")
    assert dp["epsilon"]["claimed"] == pytest.approx(json.loads((dp_run / "privacy.json").read_text())["epsilon"])
    assert dp["epsilon"]["empirical_lower_bound"] <= dp["epsilon"]["claimed"]
    assert dp["epsilon"]["exceeds_claim"] is False and dp["data"]["members_match_training_fingerprint"] is True


def test_training_data_as_non_members_is_refused_and_shared_records_are_dropped(tiny_llama_dir, corpus,
                                                                                 base_equal_run, tmp_path):
    # Members passed again as non-members gave MIA AUC 0.5 and a PASS that compared the data with itself.
    from privtune.errors import InputError

    cfg = dict(base=tiny_llama_dir, adapter=base_equal_run, members=corpus["train"], device="cpu",
               skip=["extraction", "specificity", "canaries"], mia={"bootstrap": 20})
    with pytest.raises(InputError, match="non-member records are also in the members file"):
        run_audit(AuditConfig(**cfg, nonmembers=corpus["members_raw"], out=tmp_path / "a"), log=lambda m: None)
    # one member record among the non-members (its line shuffled to the end): left out, counted, warned
    mixed = corpus["non"].read_text(encoding="utf-8") + corpus["members_raw"].read_text(encoding="utf-8").splitlines()[2]
    logs: list[str] = []
    r = run_audit(AuditConfig(**cfg, nonmembers=_write(tmp_path / "mixed.jsonl", [json.loads(x) for x in
                                                                                    mixed.splitlines()]),
                              out=tmp_path / "b"), log=logs.append).report
    assert r["data"]["nonmembers"]["dropped_as_members"] == 1 and r["data"]["nonmembers"]["used"] == 16
    assert any("1 non-member record(s) also in the members file" in m for m in logs)


@pytest.mark.parametrize("privacy, field", [({"dp": True, "epsilon": "8", "delta": 1e-5}, "epsilon"),
                                            ({"dp": "false"}, "dp"), ({"dp": True, "delta": 1e-5}, "epsilon")])
def test_audit_checks_the_privacy_json_as_serve_and_card_do(tiny_llama_dir, corpus, save_random_adapter,
                                                            tmp_path, privacy, field):
    # The audit read privacy.json without the shared type check: "epsilon": "8" was compared with the
    # empirical bound as text, and "dp": true without epsilon went into report.json as a DP claim.
    from privtune.errors import InputError

    run = tmp_path / "run"
    save_random_adapter(tiny_llama_dir, run / "adapter", 1)
    (run / "privacy.json").write_text(json.dumps(privacy))
    with pytest.raises(InputError) as err:
        run_audit(AuditConfig.model_validate({"base": tiny_llama_dir, "adapter": run / "adapter",
                                              "members": corpus["members_raw"], "nonmembers": corpus["non"],
                                              "out": tmp_path / "audit", **SMALL}), log=lambda m: None)
    assert err.value.field == field and err.value.path == str(run / "privacy.json")
    assert not (tmp_path / "audit").exists()


def test_report_names_no_path_of_the_machine(reports, corpus, memorised_run, tiny_llama_dir):
    # report.json kept the CLI paths as given: "/home/alice/clients/acme/run/adapter" went into a
    # report made to be shared. Now names (and the adapter's SHA-256, as provenance.json records it).
    from privtune.provenance.lineage import read_provenance

    on_disk = (corpus["dir"] / "audit_mem" / "report.json").read_text(encoding="utf-8")
    for absolute in (str(corpus["dir"]), str(tiny_llama_dir), str(tiny_llama_dir.parent)):
        assert absolute not in on_disk
    mem = reports["memorised"]
    assert mem["models"]["adapter"] == "run_memorised" and mem["models"]["base"] == tiny_llama_dir.name
    train_stage = next(s for s in read_provenance(memorised_run)["chain"] if s["stage"] == "train")
    assert mem["models"]["adapter_sha256"] == train_stage["adapter_sha256"]
    assert mem["config"]["members"] == corpus["train"].name and mem["config"]["canaries"] == "key.json"
