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


def test_jsonl_lines_are_what_json_dumps_writes(tmp_path) -> None:
    # The writer reuses one encoder instead of json.dumps(...) per line: same bytes, also for
    # non-ASCII, control characters, floats, NaN and nesting.
    import json as _json

    from privtune.io.writers import JsonlWriter

    objs = [{"a": "张三 \u2028 \x1f \n", "b": [1, 2.5, 1e-07, 1e16, None, True], "c": {"d": float("nan")}},
            "plain", 3, [{"é": "x"}], {"score": 0.9955, "n": 10**30}]
    path = tmp_path / "x.jsonl"
    with JsonlWriter(path) as w:
        for o in objs:
            w.write(o)
    want = "".join(_json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in objs)
    assert path.read_bytes() == want.encode("utf-8")
