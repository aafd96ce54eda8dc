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
    for name, text, match in [("provenance.json", "[]", "'chain' is a list"),
                              ("provenance.json", '{"chain": [1]}', r"chain\[0\]"),
                              ("train_report.json", "[]", "expected a JSON object")]:
        (run_dir / name).write_text(text)
        for build in (write_card, build_bom):
            with pytest.raises(InputError, match=match) as err:
                build(run_dir)
            assert name in str(err.value)
        (run_dir / name).unlink()
