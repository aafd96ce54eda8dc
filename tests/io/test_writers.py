import json

import pytest

from privtune.io.writers import AtomicWriter, JsonlWriter, atomic_write_json


def test_atomic_writer_leaves_old_file_on_error(tmp_path):
    p = tmp_path / "out.jsonl"
    p.write_text("old\n")
    with pytest.raises(RuntimeError):
        with JsonlWriter(p) as w:
            w.write({"a": 1})
            raise RuntimeError("interrupted")
    assert p.read_text() == "old\n"
    assert [x.name for x in tmp_path.iterdir()] == ["out.jsonl"]  # no temp file left


def test_atomic_writer_replaces_on_success(tmp_path):
    p = tmp_path / "sub" / "r.json"
    atomic_write_json(p, {"k": "值"})
    assert json.loads(p.read_text(encoding="utf-8")) == {"k": "值"}
    with AtomicWriter(p) as fh:
        fh.write("x")
    assert p.read_text() == "x"
