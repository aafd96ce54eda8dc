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


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_names_are_written_compressed_and_read_back(tmp_path, suffix) -> None:
    # Before, `--out x.jsonl.gz` wrote plain text under a .gz name: the next stage (and the
    # dataset fingerprint the scan prints) died with a bare BadGzipFile traceback.
    from privtune.io import SourceRecord, iter_records

    path = tmp_path / f"x{suffix}"
    objs = [{"text": "张三 13800000000"}, {"text": "x" * 5000}]
    with JsonlWriter(path) as w:
        for o in objs:
            w.write(o)
    magic = path.read_bytes()[:4]
    assert magic[:2] == b"\x1f\x8b" if suffix.endswith(".gz") else magic == b"\x28\xb5\x2f\xfd"
    got = [it.data for it in iter_records(path) if isinstance(it, SourceRecord)]
    assert got == objs
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left


def test_gzip_output_depends_on_content_only(tmp_path) -> None:
    a, b = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    for p in (a, b):
        with JsonlWriter(p) as w:
            w.write({"k": 1})
    assert a.read_bytes() == b.read_bytes()  # no mtime or file name in the header


def test_interrupted_compressed_write_leaves_nothing(tmp_path) -> None:
    p = tmp_path / "out.jsonl.gz"
    with pytest.raises(RuntimeError):
        with JsonlWriter(p) as w:
            w.write({"a": 1})
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name,ok", [("a.jsonl", True), ("a.ndjson", True), ("a.json", True), ("a.JSONL.GZ", True),
                                     ("a.jsonl.zst", True), ("a", False), ("a.csv", False),
                                     ("a.parquet", False), ("a.csv.gz", False), ("a.txt", False)])
def test_jsonl_output_names(name, ok) -> None:
    from privtune.io.writers import jsonl_output_problem

    assert (jsonl_output_problem(name) is None) == ok


def test_an_output_path_that_is_a_directory_or_under_a_file_is_a_clear_error(tmp_path) -> None:
    # `privtune ledger export --out runs/` (and every --out): an IsADirectoryError traceback after the
    # output was written to the temp file; under a file, a FileExistsError traceback.
    from privtune.errors import ConfigError

    (tmp_path / "a_file").write_text("keep")
    for target, words in ((tmp_path, "is a directory"), (tmp_path / "a_file" / "r.json", "is a file")):
        with pytest.raises(ConfigError, match=words):
            atomic_write_json(target, {"k": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"] and (tmp_path / "a_file").read_text() == "keep"


def test_ledger_export_to_a_directory_exits_with_one_line(tmp_path) -> None:
    import subprocess
    import sys

    from privtune.privacy.ledger import Ledger

    ledger = tmp_path / "l.sqlite"
    with Ledger.open(str(ledger)) as led:
        led.set_budget("sha256:" + "a" * 64, 8.0, 1e-5)
    r = subprocess.run([sys.executable, "-m", "privtune.cli", "ledger", "export", "--ledger", str(ledger),
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr + r.stdout, r.stderr
    assert "is a directory" in r.stdout + r.stderr
