"""scan (with a dataset manifest) -> train on a tiny model -> provenance.json, model card and ML-BOM."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from privtune.demo.corpus import generate
from privtune.errors import GateFailed, InputError, LicenceBlocked
from privtune.provenance.bom import build_bom, dump_bom
from privtune.provenance.bom_check import lint, schema_errors
from privtune.provenance.card import card_data, write_card
from privtune.provenance.lineage import directory_digest, file_sha256, read_provenance, write_provenance
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import gate_error, run_scan
from privtune.train.config import TrainConfig
from privtune.train.loop import train
from provenance_helpers import licence_text

MANIFEST = {
    "name": "support chats 2025", "source": "CRM export (ticket system)", "owner": "Customer Care, Example GmbH",
    "collection_period": {"start": "2025-01-01", "end": "2025-06-30"}, "legal_basis": "legitimate interest",
    "license": "proprietary", "retention": "delete raw data after 24 months", "allowed_uses": ["fine-tuning", "evaluation"],
}


@pytest.fixture(scope="module")
def base_dir(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Llama with an Apache-2.0 LICENSE and a Hub id in its config, as a downloaded model would have."""
    base = tmp_path_factory.mktemp("base") / "models--example-org--tiny-llama" / "snapshots" / "0123abc"
    shutil.copytree(tiny_llama_dir, base)
    (base / "LICENSE").write_text(licence_text("apache-2.0"), encoding="utf-8")
    return base


@pytest.fixture(scope="module")
def run(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("flow")
    raw = d / "raw.jsonl"
    raw.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in generate(40, seed=5)), encoding="utf-8")
    (d / "dataset.yaml").write_text(yaml.safe_dump(MANIFEST), encoding="utf-8")
    (d / "data").mkdir()
    clean = d / "data" / "clean.jsonl"
    run_scan(ScanConfig(input=raw, out=clean, report=d / "data" / "scan_report.json", policy="redact",
                        source=d / "dataset.yaml", require_source=True))
    out = d / "run"
    train(TrainConfig(model=base_dir, data=clean, output_dir=out, steps=2, batch_size=8, micro_batch_size=4,
                      max_length=64, target_epsilon=8.0, ledger=str(d / "ledger.sqlite"), dp_seed=1,
                      intended_use={"use": "commercial", "distribution": "weights"}), log=lambda m: None)
    return {"dir": d, "raw": raw, "clean": clean, "out": out}


def test_scan_records_manifest_and_require_source_gates(run: dict[str, Path], tmp_path: Path) -> None:
    report = json.loads((run["dir"] / "data" / "scan_report.json").read_text(encoding="utf-8"))
    assert report["source"]["manifest"]["legal_basis"] == "legitimate_interest"
    assert report["source"]["manifest"]["license"] == "proprietary"
    assert report["source"]["file"]["sha256"] == file_sha256(run["dir"] / "dataset.yaml")
    assert report["gate"]["passed"]
    result = run_scan(ScanConfig(input=run["raw"], out=tmp_path / "o.jsonl", policy="redact", require_source=True))
    assert not result.gate_passed and "require_source" in str(gate_error(result))
    assert isinstance(gate_error(result), GateFailed)


def test_bad_manifest_names_file_and_field(run: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**MANIFEST, "legal_basis": "because"}), encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml.*legal_basis"):
        run_scan(ScanConfig(input=run["raw"], out=tmp_path / "o.jsonl", policy="redact", source=bad))
    assert not (tmp_path / "o.jsonl").exists()  # refused before any work


def test_provenance_chain_links_scan_and_train(run: dict[str, Path]) -> None:
    prov = read_provenance(run["out"])
    scan, trained = prov["chain"]
    assert scan["found"] and scan["data_is_scan_output"]
    assert scan["input_sha256"] == file_sha256(run["raw"]) and scan["output_sha256"] == file_sha256(run["clean"])
    assert scan["report_sha256"] == file_sha256(run["dir"] / "data" / "scan_report.json")
    assert trained["data_sha256"] == scan["output_sha256"]
    assert trained["privacy_json_sha256"] == file_sha256(run["out"] / "privacy.json")
    assert trained["base_model"]["hub_id"] == "example-org/tiny-llama"
    # The adapter digest covers weights and config, so rewriting the card keeps it valid.
    adapter = directory_digest(run["out"] / "adapter", exclude=frozenset({"README.md"}))
    assert trained["adapter_sha256"] == adapter["sha256"] and "adapter_model.safetensors" in adapter["files"]
    assert prov["licence"]["licence"] == "apache-2.0" and prov["licence"]["decision"] == "allow"


def test_card_front_matter_round_trips_and_holds_no_values(run: dict[str, Path]) -> None:
    from huggingface_hub import ModelCard

    card_path = run["out"] / "adapter" / "README.md"
    card = ModelCard.load(card_path)
    meta = card.data.to_dict()
    assert meta["base_model"] == "example-org/tiny-llama" and meta["base_model_relation"] == "adapter"
    assert meta["library_name"] == "peft" and meta["license"] == "apache-2.0"
    assert "differential-privacy" in meta["tags"]
    text = card_path.read_text(encoding="utf-8")
    assert str(run["dir"]) not in text  # no local paths
    assert "legitimate_interest" in text and "ε = " in text and "Not audited yet" in text
    raw_records = [json.loads(line) for line in run["raw"].read_text(encoding="utf-8").splitlines()]
    for rec in raw_records[:10]:
        for msg in rec["messages"]:
            assert msg["content"][:25] not in text
    assert write_card(run["out"]).read_text(encoding="utf-8") == text  # deterministic rewrite


def test_card_states_the_claim_scope_sampling_resumption_and_what_it_does_not_cover(
        run: dict[str, Path], tmp_path: Path) -> None:
    # The card said "runs composed: 1" for every run (a key train never writes), also for a second
    # run on the same data, whose epsilon is that run's alone; sampling, resumption and the
    # outside-guarantee notes were missing.
    copy = tmp_path / "run"
    shutil.copytree(run["out"], copy)
    text = write_card(copy).read_text(encoding="utf-8")
    assert "runs composed" not in text
    assert "Poisson sampling at rate 0.2" in text and "This ε is this run's alone (ledger run 1)" in text
    privacy = json.loads((copy / "privacy.json").read_text(encoding="utf-8"))
    privacy |= {"resumed_from_steps": [1], "outside_guarantee": ["The training-loss curve is not covered."]}
    (copy / "privacy.json").write_text(json.dumps(privacy), encoding="utf-8")
    # as a resumed run writes it: privacy.json and its hash in provenance.json together (the card
    # refuses a privacy.json edited after training)
    prov = read_provenance(copy)
    next(s for s in prov["chain"] if s["stage"] == "train")["privacy_json_sha256"] = file_sha256(copy / "privacy.json")
    write_provenance(copy, prov)
    text = write_card(copy).read_text(encoding="utf-8")
    assert "resumed from checkpoint(s) at step 1; ε covers every step" in text
    assert "Not covered by ε: The training-loss curve is not covered." in text
    props = {p["name"]: p["value"] for p in build_bom(copy, reproducible=True)["components"][0]["properties"]}
    assert props["privtune:dp:sampling"] == "poisson" and props["privtune:dp:scope"] == "this run"


def test_bom_validates_against_the_schema_and_lints_clean(run: dict[str, Path]) -> None:
    text = (run["out"] / "bom.cdx.json").read_text(encoding="utf-8")
    bom = json.loads(text)
    assert schema_errors(text) == [] and lint(bom) == []
    adapter = bom["components"][0]
    assert adapter["type"] == "machine-learning-model" and adapter["modelCard"]["modelParameters"]["datasets"] == [
        {"ref": "dataset-train"}]
    ancestor = adapter["pedigree"]["ancestors"][0]
    assert ancestor["licenses"] == [{"license": {"id": "Apache-2.0"}}] and ancestor["hashes"][0]["alg"] == "SHA-256"
    data = bom["components"][1]
    assert data["type"] == "data" and data["data"][0]["governance"]["owners"][0]["organization"]["name"].startswith(
        "Customer Care")
    v17 = dump_bom(build_bom(run["out"], spec_version="1.7"))
    assert schema_errors(v17) == []


def test_reproducible_bom_is_byte_identical(run: dict[str, Path]) -> None:
    a = dump_bom(build_bom(run["out"], reproducible=True))
    b = dump_bom(build_bom(run["out"], reproducible=True))
    assert a == b and "timestamp" not in json.loads(a)["metadata"]
    assert dump_bom(build_bom(run["out"])) != dump_bom(build_bom(run["out"]))  # fresh serial each time


def test_lint_catches_what_the_schema_misses(run: dict[str, Path]) -> None:
    bom = json.loads((run["out"] / "bom.cdx.json").read_text(encoding="utf-8"))
    bom["components"][0]["modelCard"]["modelParameters"]["datasets"] = [{"ref": "nowhere"}]
    bom["components"][1]["modelCard"] = {}
    bom["components"][0]["pedigree"]["ancestors"][0]["licenses"] = [{"license": {"id": "llama3"}}]
    problems = lint(bom)
    assert len(problems) == 3
    assert any("names no data component" in p for p in problems)
    assert any("modelCard on a 'data'" in p for p in problems)
    assert any("not an SPDX" in p for p in problems)
    bom["components"][0]["pedigree"]["ancestors"][0]["licenses"] = [{"license": {"id": "Apache-2.0"}}]
    assert schema_errors(json.dumps(bom)) == []  # the schema alone accepts the other two mistakes


def test_card_data_for_serve(run: dict[str, Path]) -> None:
    data = card_data(run["out"])
    assert data["privacy"]["dp"] is True and data["licence"]["id"] == "apache-2.0"
    assert data["data"]["scan"]["counts"]["records_in"] == 40
    from privtune.provenance.status import run_info

    info = run_info(run["out"])
    assert info["card"] == data and info["signature"]["state"] == "unsigned"
    json.dumps(info)  # JSON-ready for /info


def test_train_refuses_a_blocked_use_unless_overridden(base_dir: Path, run: dict[str, Path], tmp_path: Path) -> None:
    research = tmp_path / "qr"
    shutil.copytree(base_dir, research)
    (research / "LICENSE").write_text(licence_text("qwen-research"), encoding="utf-8")
    kw = dict(model=research, data=run["clean"], output_dir=tmp_path / "out", steps=1, batch_size=8,
              micro_batch_size=4, max_length=64, target_epsilon=8.0, ledger=str(tmp_path / "l.sqlite"), dp_seed=1)
    with pytest.raises(LicenceBlocked, match="commercial"):
        train(TrainConfig(**kw, intended_use={"use": "commercial"}), log=lambda m: None)
    assert not (tmp_path / "out" / "adapter").exists()
    train(TrainConfig(**kw, intended_use={"use": "commercial"}, license_override_reason="commercial licence #42"),
          log=lambda m: None)
    prov = read_provenance(tmp_path / "out")
    assert prov["licence"]["decision"] == "block" and prov["licence"]["override"]["reason"] == "commercial licence #42"
    assert "licence check overridden: commercial licence #42" in (tmp_path / "out" / "adapter" / "README.md").read_text()


def _privtune(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "privtune.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_bom_prints_validator_output_reproducibly(run: dict[str, Path], tmp_path: Path) -> None:
    ok = _privtune("bom", str(run["out"]), "--reproducible", "--out", str(tmp_path / "a.cdx.json"))
    assert ok.returncode == 0, ok.stderr
    assert "CycloneDX 1.6 schema: valid" in ok.stderr and "lint: clean" in ok.stderr
    again = _privtune("bom", str(run["out"]), "--reproducible", "--out", str(tmp_path / "b.cdx.json"))
    assert (tmp_path / "a.cdx.json").read_bytes() == (tmp_path / "b.cdx.json").read_bytes() and again.returncode == 0
    bad = _privtune("bom", str(tmp_path), "--spec-version", "1.5")
    assert bad.returncode == 2 and "spec_version" in bad.stderr and "1.7" in bad.stderr


def test_cli_bom_check_validates_a_bom_edited_by_hand(run: dict[str, Path], tmp_path: Path) -> None:
    # `privtune bom` always rewrote the BOM, so a hand-edited or received one could not be checked.
    text = (run["out"] / "bom.cdx.json").read_text(encoding="utf-8")
    good, bad, broken = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "broken.json"
    good.write_text(text, encoding="utf-8")
    bad.write_text(text.replace('"bomFormat": "CycloneDX"', '"bomFormat": "CycloneDx"'), encoding="utf-8")
    broken.write_text(text[:300], encoding="utf-8")
    ok = _privtune("bom", "--check", str(good))
    assert ok.returncode == 0 and "schema: valid" in ok.stderr and "lint: clean" in ok.stderr
    assert good.read_text(encoding="utf-8") == text  # checked, not rewritten
    failed = _privtune("bom", "--check", str(bad))
    assert failed.returncode == 8 and "bomFormat: 'CycloneDx' is not one of" in failed.stderr
    not_json = _privtune("bom", "--check", str(broken))
    assert not_json.returncode == 2 and "not JSON" in not_json.stderr and "line " in not_json.stderr
    assert "Traceback" not in not_json.stderr + failed.stderr


def test_audit_report_is_linked_into_chain_card_and_bom(run: dict[str, Path], tmp_path: Path) -> None:
    """What the audit does when given the run directory (privtune.audit.run calls after_audit)."""
    import shutil as sh

    from privtune.provenance.refresh import after_audit

    out = tmp_path / "run"
    sh.copytree(run["out"], out)
    report = tmp_path / "audit" / "report.json"
    report.parent.mkdir()
    report.write_text(json.dumps({"verdict": {"pass": True, "summary": "no leak detected", "checks": [
        {"check": "mia.ref.auc", "value": 0.51, "limit": 0.6, "failed": False}]}}), encoding="utf-8")
    assert not after_audit(out / "adapter", report)  # a bare adapter directory: nothing to refresh
    assert after_audit(out, report) and after_audit(out, report)  # twice: one entry, replaced
    audits = [s for s in read_provenance(out)["chain"] if s["stage"] == "audit"]
    assert len(audits) == 1 and audits[0]["report_sha256"] == file_sha256(report)
    card = (out / "adapter" / "README.md").read_text(encoding="utf-8")
    assert "PASS: no leak detected" in card and "| mia.ref.auc | 0.51 | 0.6 | pass |" in card
    bom = json.loads((out / "bom.cdx.json").read_text(encoding="utf-8"))
    metrics = bom["components"][0]["modelCard"]["quantitativeAnalysis"]["performanceMetrics"]
    assert metrics == [{"type": "mia.ref.auc", "value": "0.51", "slice": "limit 0.6"}]
    assert schema_errors(json.dumps(bom)) == [] and lint(bom) == []
    card_cli = _privtune("card", str(out))
    assert card_cli.returncode == 0 and card_cli.stdout.strip().endswith("README.md")


def test_demo_hook_links_derived_data_cards_boms_and_signs(run: dict[str, Path], tmp_path: Path) -> None:
    import shutil as sh

    from privtune.provenance.demo_hook import finish_arm
    from privtune.provenance.signing import load_public_key, verify

    out = tmp_path / "demo_out"
    run_dir = out / "privtune" / "train"
    sh.copytree(run["out"], run_dir)
    derived = out / "privtune" / "train_data.jsonl"  # the scan output plus a canary, as in the demo
    derived.write_text(run["clean"].read_text(encoding="utf-8") + '{"text": "canary 1234"}\n', encoding="utf-8")
    links = finish_arm(run_dir, derived, run["dir"] / "data" / "scan_report.json", out)
    assert links == {"model card": "privtune/train/adapter/README.md", "ML-BOM": "privtune/train/bom.cdx.json",
                     "signature": "privtune/train/signature.dsse.json"}
    scan = read_provenance(run_dir)["chain"][0]
    assert scan["found"] and not scan["data_is_scan_output"] and scan["data_sha256"] == file_sha256(derived)
    assert "derived from it" in (run_dir / "adapter" / "README.md").read_text(encoding="utf-8")
    assert verify(run_dir, load_public_key(out / "keys" / "signing.pem.pub")).ok
    assert not (run_dir / "keys").exists()  # the key lives outside the signed directory
