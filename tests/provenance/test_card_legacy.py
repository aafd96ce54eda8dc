"""The model card of a run directory written before provenance.json existed."""

from __future__ import annotations

import json
from pathlib import Path

from huggingface_hub import ModelCard

from privtune.provenance.card import write_card
from provenance_helpers import model_dir


def test_card_for_a_run_without_provenance_json(tmp_path: Path) -> None:
    """Such runs still get a card, the licence read from their recorded base directory."""
    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / "adapter" / "README.md").write_text("---\nbase_model: /local/path\n---\n")  # what PEFT writes
    base = model_dir(tmp_path / "base", licence="mit")
    (run_dir / "privacy.json").write_text(json.dumps({"dp": False, "base_model": str(base)}))
    meta = ModelCard.load(write_card(run_dir)).data.to_dict()
    assert meta["license"] == "mit" and "base_model" not in meta  # a local path is never written
    assert "WITHOUT differential privacy" in (run_dir / "adapter" / "README.md").read_text()


def test_run_files_of_another_shape_are_named_errors(tmp_path: Path) -> None:
    """Valid JSON that is not the expected object (edited by hand, or a foreign file) was an
    AttributeError traceback from card and bom; now an InputError naming the file."""
    import pytest

    from privtune.errors import InputError
    from privtune.provenance.bom import build_bom

    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / "privacy.json").write_text(json.dumps({"dp": False}))
    both, bom_only = (write_card, build_bom), (build_bom,)  # the card does not read train_report's config
    for name, text, match, builders in [("provenance.json", "[]", "'chain' is a list", both),
                                        ("provenance.json", '{"chain": [1]}', r"chain\[0\]", both),
                                        ("train_report.json", "[]", "expected a JSON object", both),
                                        ("train_report.json", '{"config": [1]}', "field 'config'", bom_only),
                                        ("train_report.json", '{"config": {"lora": "r8"}}', "field 'config.lora'",
                                         bom_only)]:
        (run_dir / name).write_text(text)
        for build in builders:
            with pytest.raises(InputError, match=match) as err:
                build(run_dir)
            assert name in str(err.value)
        (run_dir / name).unlink()


def test_a_privacy_json_field_of_another_type_is_named_by_card_and_bom(tmp_path: Path) -> None:
    """card and bom read privacy.json through the check `privacy explain` uses: "dp": "false" was
    published as DP-trained, "epsilon": "8" and "outside_guarantee": "text" went into the card as
    given (the latter one character per line)."""
    import subprocess
    import sys

    from typer.testing import CliRunner

    from privtune.cli import app
    from privtune.errors import InputError

    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    for privacy, field in [({"dp": "false"}, "dp"), ({"dp": True, "epsilon": "8"}, "epsilon"),
                           ({"dp": True, "delta": [1e-5]}, "delta"), ({"dp": True, "steps": 10.5}, "steps"),
                           ({"dp": True, "outside_guarantee": "the loss curve"}, "outside_guarantee"),
                           ({"dp": True, "resumed_from_steps": "12"}, "resumed_from_steps")]:
        (run_dir / "privacy.json").write_text(json.dumps(privacy))
        for command in (["card", str(run_dir)], ["bom", str(run_dir)]):
            err = CliRunner().invoke(app, command).exception
            assert isinstance(err, InputError), (command, privacy, err)
            assert err.field == field and err.path == str(run_dir / "privacy.json")
    assert not (run_dir / "adapter" / "README.md").exists() and not (run_dir / "bom.cdx.json").exists()
    # what the user sees: one line naming file and field, exit code 2, no traceback
    shown = subprocess.run([sys.executable, "-c", "from privtune.cli import main; main()", "bom", str(run_dir)],
                           capture_output=True, text=True)
    assert shown.returncode == 2 and "Traceback" not in shown.stderr
    assert "privacy.json, field 'resumed_from_steps': expected a list of whole numbers" in shown.stderr, shown.stderr


def test_card_audit_report_of_another_run_or_not_a_report_is_refused(tmp_path: Path) -> None:
    """`privtune card RUN --audit-report R` linked any report: the audit of another adapter showed as
    this one's PASS in the card and BOM; a report that was not JSON was a JSONDecodeError traceback."""
    import pytest

    from privtune.errors import InputError
    from privtune.provenance.lineage import read_provenance
    from privtune.provenance.refresh import link_audit

    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / "privacy.json").write_text(json.dumps({"dp": True, "epsilon": 8.0, "delta": 1e-5, "steps": 10}))
    report = tmp_path / "report.json"
    other = {"verdict": {"pass": True, "summary": "no leak", "checks": ["odd"]},
             "privacy": {"dp": True, "epsilon": 2.0, "delta": 1e-5, "steps": 10}}
    for text, field, match in [(json.dumps(other), "privacy.epsilon", "another training run"),
                               ("{not json", None, "not JSON"), ("[1]", None, "not a JSON object")]:
        report.write_text(text)
        with pytest.raises(InputError, match=match) as err:
            link_audit(run_dir, report)
        assert err.value.field == field and err.value.path == str(report)
    assert read_provenance(run_dir).get("chain", []) == []
    report.write_text(json.dumps({**other, "privacy": {**other["privacy"], "epsilon": 8.0}}))
    entry = link_audit(run_dir, report)
    assert entry["pass"] is True and entry["checks"] == []


def test_card_states_the_warnings_train_wrote_about_the_claim(tmp_path: Path) -> None:
    # the card gave (ε, δ) without train's caveats ("delta is close to 1/N"), which privacy.json and
    # `privacy explain` carry: a reader of the card alone took the claim at face value
    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    warning = "only 20 records: delta=0.06 is close to 1/N=0.05; prefer delta <= 5.0e-03 or more records"
    (run_dir / "privacy.json").write_text(json.dumps({"dp": True, "epsilon": 8.0, "delta": 0.06, "privacy_unit": "record",
                                                      "privacy_units": 20, "warnings": [warning]}))
    assert f"Caveat: {warning}" in write_card(run_dir).read_text()
    from privtune.provenance.bom import build_bom

    limits = build_bom(run_dir)["components"][0]["modelCard"]["considerations"]["technicalLimitations"]
    assert f"Caveat: {warning}" in limits


def test_card_and_bom_refuse_a_privacy_json_edited_after_training(tmp_path: Path) -> None:
    # the card printed the edited figures beside the hash of the file train wrote: a claim nobody computed
    import pytest

    from privtune.errors import InputError
    from privtune.provenance.bom import build_bom
    from privtune.provenance.lineage import file_sha256, write_provenance

    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / "privacy.json").write_text(json.dumps({"dp": True, "epsilon": 80.0, "delta": 1e-5}))
    write_provenance(run_dir, {"chain": [{"stage": "train", "privacy_json_sha256": file_sha256(run_dir / "privacy.json")}]})
    assert "ε = 80" in write_card(run_dir).read_text()
    (run_dir / "privacy.json").write_text(json.dumps({"dp": True, "epsilon": 8.0, "delta": 1e-5}))
    for build in (write_card, build_bom):
        with pytest.raises(InputError, match="not the privacy.json the training run wrote") as err:
            build(run_dir)
        assert err.value.path == str(run_dir / "privacy.json")


def test_card_states_the_audit_verdict_once(tmp_path: Path) -> None:
    # The audit's summary opens with its verdict ("PASS: none of the 6 checks ..."), and the card put
    # its own in front of it: "PASS: PASS: none of ...", "FAIL: FAIL: 2 of 6 checks ...".
    from privtune.audit.config import Thresholds
    from privtune.audit.verdict import build_verdict
    from privtune.provenance.refresh import link_audit

    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    privacy = {"dp": True, "epsilon": 8.0, "delta": 1e-5, "steps": 10}
    (run_dir / "privacy.json").write_text(json.dumps(privacy))
    report = tmp_path / "report.json"
    for auc, word in ((0.5, "PASS"), (0.99, "FAIL")):
        mia = {"ref": {"auc": auc, "auc_ci": [auc - 0.01, auc + 0.01]}}
        v = build_verdict({"mia": mia, "privacy": privacy}, Thresholds())
        assert v["summary"].startswith(word + ":")
        report.write_text(json.dumps({"mia": mia, "verdict": v, "privacy": privacy}))
        link_audit(run_dir, report)
        card = write_card(run_dir).read_text()
        assert f"{word}: {word}:" not in card and f"\n{v['summary']} (report sha256:" in card


def test_card_says_blocked_only_for_a_blocked_use(tmp_path: Path) -> None:
    # A base model with no licence file gets the verdict "unknown" (training goes on); the card
    # printed its reason as "- blocked: no known licence found ...", as if the use were refused.
    from privtune.provenance.card import card_data, render_card

    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / "privacy.json").write_text(json.dumps({"dp": False}))
    data = card_data(run_dir)
    reason = "no known licence found in the base model directory (text or README tag)"
    data["intended_use"] = {"use": "research", "decision": "unknown", "reasons": [reason]}
    card = render_card(data)
    assert f"- licence unknown: {reason}" in card and "blocked" not in card
    data["intended_use"] = {"use": "commercial", "decision": "block", "reasons": ["Qwen Research does not allow "
                                                                                  "commercial use"]}
    assert "- blocked: Qwen Research does not allow commercial use" in render_card(data)
