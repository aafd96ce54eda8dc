"""Run files travel with the model (round 8): no absolute path of the trainer's machine in
privacy.json, provenance.json, train_report.json or adapter_config.json, and a moved run dir
still verifies, audits, serves and gets its card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from privtune.demo.corpus import generate
from privtune.provenance.card import card_data, write_card
from privtune.provenance.lineage import read_provenance
from privtune.provenance.signing import generate_key, sign, verify
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan
from privtune.train.config import TrainConfig
from privtune.train.loop import train

RUN_FILES = ("privacy.json", "provenance.json", "train_report.json", "adapter/adapter_config.json")


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def moved(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny DP run trained under .../home/alice/work (scan report and ledger beside the data),
    signed there, then moved to .../srv/models/support."""
    root = tmp_path_factory.mktemp("portable")
    work = root / "home" / "alice" / "work"
    base = work / "models" / "tiny-llama"
    shutil.copytree(tiny_llama_dir, base)
    (work / "data").mkdir()
    raw = _jsonl(work / "raw.jsonl", generate(40, seed=5))
    clean = work / "data" / "clean.jsonl"
    run_scan(ScanConfig(input=raw, out=clean, report=work / "data" / "scan_report.json", policy="redact"))
    out = work / "runs" / "support"
    train(TrainConfig(model=base, data=clean, output_dir=out, steps=2, batch_size=8, micro_batch_size=4,
                      max_length=64, target_epsilon=8.0, ledger=str(work / "ledger.sqlite"), dp_seed=1),
          log=lambda m: None)
    key = generate_key(root / "keys" / "signing.pem")
    sign(out, key)
    dest = root / "srv" / "models" / "support"
    dest.parent.mkdir(parents=True)
    shutil.move(str(out), str(dest))
    return {"root": root, "work": work, "base": base, "clean": clean, "run": dest, "key": root / "keys" / "signing.pem",
            "ledger": work / "ledger.sqlite"}


def test_run_files_hold_no_path_of_the_training_machine(moved: dict[str, Path]) -> None:
    # was "/.../home/alice/work/models/tiny-llama" (privacy.json, adapter_config.json), the data,
    # output_dir and ledger paths (train_report.json) and the scan report's path (provenance.json)
    for name in RUN_FILES:
        text = (moved["run"] / name).read_text(encoding="utf-8")
        assert "alice" not in text and str(moved["root"]) not in text, name
    privacy = json.loads((moved["run"] / "privacy.json").read_text(encoding="utf-8"))
    assert privacy["base_model"] == "tiny-llama"
    adapter_cfg = json.loads((moved["run"] / "adapter" / "adapter_config.json").read_text(encoding="utf-8"))
    assert adapter_cfg["base_model_name_or_path"] == "tiny-llama"
    config = json.loads((moved["run"] / "train_report.json").read_text(encoding="utf-8"))["config"]
    assert (config["model"], config["data"], config["output_dir"], config["ledger"]) == (
        "tiny-llama", "clean.jsonl", ".", "../../ledger.sqlite")  # the ledger beside the runs, as trained
    prov = read_provenance(moved["run"])
    scan, trained = prov["chain"][0], prov["chain"][1]
    assert scan["report"] == "scan_report.json" and scan["report_sha256"].startswith("sha256:")
    assert trained["base_model"]["sha256"].startswith("sha256:")  # the base: its name plus this hash


def test_the_ledger_records_the_run_dataset_size(moved: dict[str, Path]) -> None:
    from privtune.privacy.explain import explain
    from privtune.privacy.ledger import Ledger

    # moved away from its ledger: explain says to pass --ledger, and finds the run with it
    assert "pass --ledger" in explain(moved["run"])["dataset"]["note"]
    assert explain(moved["run"], str(moved["ledger"]))["dataset"]["this_run"]["committed_steps"] == 2

    privacy = json.loads((moved["run"] / "privacy.json").read_text(encoding="utf-8"))
    with Ledger.open(str(moved["ledger"]), create=False) as led:
        assert led.dataset(privacy["dataset_fingerprint"]).privacy_units == privacy["privacy_units"]


def test_a_moved_run_verifies_audits_serves_and_gets_its_card(moved: dict[str, Path]) -> None:
    from privtune.audit.config import AuditConfig
    from privtune.audit.run import run_audit
    from privtune.provenance.signing import load_public_key
    from privtune.serve.app import build_gateway, create_app
    from privtune.serve.config import ServeConfig

    run = moved["run"]
    assert verify(run, load_public_key(moved["key"])).ok  # signed before the move
    nonmembers = _jsonl(moved["root"] / "non.jsonl", generate(20, seed=99))
    run_audit(AuditConfig(base=moved["base"], adapter=run, members=moved["clean"], nonmembers=nonmembers,
                          out=run / "audit", device="cpu", skip=["extraction", "specificity", "canaries"],
                          mia={"bootstrap": 20}), log=lambda m: None)
    audit = [s for s in read_provenance(run)["chain"] if s["stage"] == "audit"]
    assert [a["report"] for a in audit] == ["audit/report.json"]  # relative to the run dir
    assert "alice" not in (run / "provenance.json").read_text(encoding="utf-8")
    card = write_card(run).read_text(encoding="utf-8")
    assert "alice" not in card and card_data(run)["base_model"]["sha256"].startswith("sha256:")
    sign(run, generate_key(moved["root"] / "keys" / "second.pem"))
    assert verify(run, load_public_key(moved["root"] / "keys" / "second.pem")).ok
    cfg = ServeConfig(base=moved["base"], adapter=run, model_name="support",
                      auth={"key_store": str(moved["root"] / "keys.sqlite3")},
                      audit_log={"path": str(moved["root"] / "audit.jsonl")}, pii={"output": "off"},
                      audit_report=run / "audit" / "report.json", device="cpu")
    gw = build_gateway(cfg)
    create_app(gw)
    from privtune.serve.roles import Role

    key = gw.store.create("t", Role.user)[1]
    with TestClient(gw.app) as c:
        info = c.get("/info", headers={"Authorization": f"Bearer {key}"})
        done = c.post("/v1/completions", headers={"Authorization": f"Bearer {key}"},
                      json={"model": "support", "prompt": "Hello", "max_tokens": 3})
    assert info.status_code == 200 and "alice" not in info.text and str(moved["root"]) not in info.text
    assert done.status_code == 200 and done.json()["usage"]["completion_tokens"] > 0


def test_the_ledger_run_summary_and_export_hold_no_path_of_the_training_machine(moved: dict[str, Path]) -> None:
    # The ledger kept cfg.model_dump(): model, output_dir (and scan_report, key_file when set) as
    # absolute paths under /.../home/alice/work, and `ledger export` printed them with the ledger's own path.
    from typer.testing import CliRunner

    from privtune.privacy.cli import ledger_app
    from privtune.privacy.explain import _this_run
    from privtune.privacy.ledger import Ledger

    result = CliRunner().invoke(ledger_app, ["export", "--ledger", str(moved["ledger"])], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "alice" not in result.output and str(moved["root"]) not in result.output
    export = json.loads(result.output)
    assert export["ledger"] == "ledger.sqlite"
    (run,) = export["datasets"][0]["runs"]
    assert (run["config"]["model"], run["config"]["output_dir"]) == ("tiny-llama", "runs/support")  # from the ledger's dir
    # explain's fallback (a privacy.json without ledger_run) still finds the run where it was trained
    with Ledger.open(str(moved["ledger"]), create=False) as led:
        runs = led.history(export["datasets"][0]["fingerprint"])
    assert _this_run(runs, {}, moved["work"] / "runs" / "support", str(moved["ledger"])).id == run["id"]
    shown = CliRunner(env={"COLUMNS": "300"}).invoke(ledger_app, ["show", "--ledger", str(moved["ledger"])])
    assert str(moved["ledger"]) in shown.output.replace("\n", "")  # on the user's own screen: the whole path


def test_ledger_export_makes_the_paths_of_older_run_summaries_portable(tmp_path: Path) -> None:
    # rows written before the summary was portable hold absolute paths; the export hands them on
    from privtune.privacy.accountants import MechanismEvent
    from privtune.privacy.ledger import Ledger

    home = tmp_path / "home" / "alice"
    location = str(home / "ledgers" / "l.sqlite")
    old = {"model": str(home / "models" / "qwen"), "output_dir": str(home / "ledgers" / "runs" / "a"),
           "checkpoint": {"key_file": "~/.config/privtune/train.key", "every": 0}, "ledger": "postgresql://h/db",
           "targets": ["q_proj", "/abs/odd"]}
    with Ledger.open(location) as led:
        run = led.begin_run("sha256:" + "d" * 64, MechanismEvent(1.0, 0.1, 5), accountant="rdp", delta=1e-5, config=old)
        led.finish_run(run, "completed")
        config = led.export()["datasets"][0]["runs"][0]["config"]
    assert config == {"model": "qwen", "output_dir": "runs/a", "checkpoint": {"key_file": "train.key", "every": 0},
                      "ledger": "postgresql://h/db", "targets": ["q_proj", "odd"]}
