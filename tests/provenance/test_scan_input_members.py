"""The demo audits each arm with the raw records as members; for the scanned arms the audit
called that "not the data this adapter was trained on ... membership results may be
meaningless". The run's provenance says the raw file is the scan's input: no warning then."""

from __future__ import annotations

import json

from privtune.provenance.lineage import file_sha256, write_provenance
from privtune.provenance.refresh import is_scan_input_of_run


def _run_dir(tmp_path, raw_sha: str | None, found: bool = True):
    run = tmp_path / "run"
    (run / "adapter").mkdir(parents=True)
    (run / "privacy.json").write_text(json.dumps({"dp": True}), encoding="utf-8")
    chain = [{"stage": "scan", "found": found, "input_sha256": raw_sha}, {"stage": "train", "data_sha256": "x"}]
    write_provenance(run, {"chain": chain})
    return run


def test_the_scans_raw_input_is_recognised_and_nothing_else(tmp_path):
    raw = tmp_path / "raw.jsonl"
    raw.write_text('{"text": "我是王小明"}\n', encoding="utf-8")
    other = tmp_path / "other.jsonl"
    other.write_text('{"text": "something else"}\n', encoding="utf-8")
    run = _run_dir(tmp_path, file_sha256(raw))
    assert is_scan_input_of_run(run, raw)
    assert not is_scan_input_of_run(run, other)
    assert not is_scan_input_of_run(run / "adapter", raw)  # a bare adapter directory has no chain
    (tmp_path / "b").mkdir()
    assert not is_scan_input_of_run(_run_dir(tmp_path / "b", file_sha256(raw), found=False), raw)
    (run / "provenance.json").write_text("{not json", encoding="utf-8")
    assert not is_scan_input_of_run(run, raw)
