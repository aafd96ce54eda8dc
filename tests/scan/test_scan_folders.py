"""`privtune scan DIR`: a folder of data files (shards, export folders) is scanned as one dataset,
the same records as the files concatenated, every reject naming its file, and the report's input
describing the folder (each file, one sha256 over them) so the provenance chain still holds."""

import gzip
import hashlib
import json
import subprocess
import sys

import pytest

from privtune.errors import InputError
from privtune.provenance.lineage import scan_link
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import rejects_error, run_scan

from scan_helpers import KEY

SHARD_A = [{"text": "请拨打13812345678联系张伟"}, {"text": "mail jane.doe@example.com about the invoice"}]
SHARD_B = [{"text": "hello world, nothing here"}, {"text": "call 555-123-4567 tomorrow"}, {"text": "the end"}]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _jsonl(records: list) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def _shards(tmp_path, b_records=SHARD_B):
    """data/ with a plain shard, a gzipped one in a sub-folder, a hidden file and a README without data suffix."""
    folder = tmp_path / "data"
    (folder / "part-1").mkdir(parents=True)
    (folder / "part-0.jsonl").write_text(_jsonl(SHARD_A), encoding="utf-8")
    (folder / "part-1" / "b.jsonl.gz").write_bytes(gzip.compress(_jsonl(b_records).encode()))
    (folder / ".DS_Store").write_bytes(b"\0\1")
    (folder / "LICENSE").write_text("CC-BY", encoding="utf-8")
    return folder


def _read(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_folder_gives_the_records_of_the_concatenated_files(tmp_path):
    folder = _shards(tmp_path)
    joined = tmp_path / "joined.jsonl"
    joined.write_text(_jsonl(SHARD_A + SHARD_B), encoding="utf-8")
    res_dir = run_scan(ScanConfig(input=folder, out=tmp_path / "dir.jsonl"))
    res_cat = run_scan(ScanConfig(input=joined, out=tmp_path / "cat.jsonl"))
    assert _read(tmp_path / "dir.jsonl") == _read(tmp_path / "cat.jsonl")
    assert res_dir.report["counts"] == res_cat.report["counts"]
    assert res_dir.report["counts"]["records_in"] == 5 and res_dir.report["counts"]["records_with_pii"] >= 3
    assert any(".DS_Store" in n and "LICENSE" in n for n in res_dir.notices)


def test_report_input_lists_each_file_and_one_digest(tmp_path):
    folder = _shards(tmp_path)
    res = run_scan(ScanConfig(input=folder, out=tmp_path / "o.jsonl"))
    section = res.report["input"]
    assert section["kind"] == "folder" and section["path"] == str(folder) and section["format"] == "jsonl"
    files = section["files"]
    assert [f["path"] for f in files] == ["part-0.jsonl", "part-1/b.jsonl.gz"]
    assert [(f["first_record"], f["records"]) for f in files] == [(0, 2), (2, 3)]
    assert section["skipped"] == [".DS_Store", "LICENSE"]
    sums = {rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest() for rel in ("part-0.jsonl", "part-1/b.jsonl.gz")}
    assert [f["sha256"] for f in files] == ["sha256:" + h for h in sums.values()]
    assert section["bytes"] == sum((folder / rel).stat().st_size for rel in sums)
    # The documented digest: sha256 over the `sha256sum` listing of the files, in order.
    listing = "".join(f"{h}  {rel}\n" for rel, h in sums.items())
    assert section["sha256"] == "sha256:" + hashlib.sha256(listing.encode()).hexdigest()
    # A changed shard changes the folder's digest.
    (folder / "part-0.jsonl").write_text(_jsonl(SHARD_A[:1]), encoding="utf-8")
    again = run_scan(ScanConfig(input=folder, out=tmp_path / "o2.jsonl"))
    assert again.report["input"]["sha256"] != section["sha256"]


def test_rejects_name_their_file_and_line(tmp_path):
    folder = _shards(tmp_path, b_records=[SHARD_B[0], "{not json", SHARD_B[1]])
    res = run_scan(ScanConfig(input=folder, out=tmp_path / "o.jsonl", max_rejected="0"))
    assert not res.rejects_passed
    (entry,) = _read(tmp_path / "o.rejects.jsonl")
    assert (entry["record"], entry["file"], entry["line"]) == (3, "part-1/b.jsonl.gz", 2)
    assert res.report["rejects"]["first"][0]["file"] == "part-1/b.jsonl.gz"
    assert "part-1/b.jsonl.gz line 2: invalid JSON" in rejects_error(res).message


def test_mixed_formats_are_refused_naming_two_files(tmp_path):
    folder = _shards(tmp_path)
    (folder / "extra.csv").write_text("text\nhi\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        run_scan(ScanConfig(input=folder, out=tmp_path / "o.jsonl"))
    assert "extra.csv is csv" in err.value.message and "part-0.jsonl is jsonl" in err.value.message
    assert "--format" in (err.value.hint or "")
    # --format picks one family; the others are skipped and said so.
    res = run_scan(ScanConfig(input=folder, out=tmp_path / "o.jsonl", format="jsonl"))
    assert res.report["counts"]["records_in"] == 5 and "extra.csv" in res.report["input"]["skipped"]


def test_empty_folder_is_an_input_error(tmp_path):
    (tmp_path / "empty" / ".git").mkdir(parents=True)
    (tmp_path / "empty" / "notes").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="holds no data files") as err:
        run_scan(ScanConfig(input=tmp_path / "empty", out=tmp_path / "o.jsonl"))
    assert "notes" in (err.value.hint or "")


def test_output_inside_the_input_folder_is_refused(tmp_path):
    folder = _shards(tmp_path)
    with pytest.raises(ValueError, match="inside the input folder"):
        ScanConfig(input=folder, out=folder / "clean.jsonl")


def test_json_array_files_and_encoding_per_file(tmp_path):
    """A Slack-style export: per-day JSON arrays, one of them in GB18030; read as one, JSONL out."""
    folder = tmp_path / "export" / "general"
    folder.mkdir(parents=True)
    (folder / "2024-01-01.json").write_text(json.dumps([{"text": "早上好"}, {"text": "hi"}]), encoding="utf-8")
    (folder / "2024-01-02.json").write_bytes(json.dumps([{"text": "我的手机是13812345678"}],
                                                        ensure_ascii=False).encode("gb18030"))
    res = run_scan(ScanConfig(input=tmp_path / "export", out=tmp_path / "o.jsonl"))
    out = _read(tmp_path / "o.jsonl")
    assert [r["text"][:2] for r in out] == ["早上", "hi", "我的"] and "13812345678" not in out[2]["text"]
    assert [f["encoding"] for f in res.report["input"]["files"]] == ["utf-8", "gb18030"]
    assert any("general/2024-01-02.json" in n and "gb18030" in n for n in res.notices)


def test_a_slack_exports_workspace_files_are_skipped_and_listed_not_rejected(tmp_path):
    """users.json and channels.json at the top of a Slack export hold profiles, not messages: the
    scan rejected them, so the default run failed on every Slack export (and the rejects file
    held the members' e-mails and phones in clear)."""
    export = tmp_path / "export"
    (export / "general").mkdir(parents=True)
    (export / "users.json").write_text(json.dumps([{"id": "U1", "real_name": "Anna Berg",
                                                    "profile": {"email": "anna@acme.example"}}]), encoding="utf-8")
    (export / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general"}]), encoding="utf-8")
    (export / "general" / "2024-01-02.json").write_text(
        json.dumps([{"type": "message", "user": "U1", "text": "call 555-123-4567 tomorrow"}]), encoding="utf-8")
    res = run_scan(ScanConfig(input=export, out=tmp_path / "o.jsonl"))
    assert res.rejects_passed and res.report["counts"]["records_in"] == 1
    assert not (tmp_path / "o.rejects.jsonl").exists()
    assert res.report["input"]["slack_metadata_skipped"] == ["channels.json", "users.json"]
    assert any("Slack export" in n and "users.json" in n for n in res.notices)
    # The same names in a folder without per-day message files are ordinary data files.
    other = tmp_path / "plain"
    other.mkdir()
    (other / "users.json").write_text(json.dumps([{"text": "hello"}]), encoding="utf-8")
    assert run_scan(ScanConfig(input=other, out=tmp_path / "p.jsonl")).report["counts"]["records_in"] == 1


def test_train_reads_the_scan_output_and_finds_the_report(tmp_path, tiny_tokenizer):
    from privtune.train.data import load_examples

    folder = _shards(tmp_path)
    res = run_scan(ScanConfig(input=folder, out=tmp_path / "clean.jsonl"))
    loaded = load_examples(tmp_path / "clean.jsonl", tiny_tokenizer)
    assert len(loaded.examples) == 5
    link = scan_link(tmp_path / "clean.jsonl")
    assert link["found"] and link["data_is_scan_output"]
    assert link["input_sha256"] == res.report["input"]["sha256"]


def test_cli_scans_a_folder_with_workers(tmp_path):
    folder = _shards(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "privtune.cli", "scan", str(folder), "--out", str(tmp_path / "o.jsonl"),
                           "--workers", "2", "-q"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "skipped 2" in proc.stderr and len(_read(tmp_path / "o.jsonl")) == 5


def test_parquet_shards_beside_a_readme(tmp_path):
    """A dataset snapshot: train-0000N-of-00002.parquet and a README.md. The README makes the
    folder mixed (it is text); --format parquet takes the shards only."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "snapshot" / "data"
    folder.mkdir(parents=True)
    for n, rows in enumerate((SHARD_A, SHARD_B)):
        pq.write_table(pa.Table.from_pylist(rows), folder / f"train-0000{n}-of-00002.parquet")
    (tmp_path / "snapshot" / "README.md").write_text("# card\n", encoding="utf-8")
    with pytest.raises(InputError, match="README.md is text"):
        run_scan(ScanConfig(input=tmp_path / "snapshot", out=tmp_path / "o.jsonl"))
    res = run_scan(ScanConfig(input=tmp_path / "snapshot", out=tmp_path / "o.jsonl", format="parquet"))
    assert res.report["input"]["format"] == "parquet" and res.report["input"]["skipped"] == ["README.md"]
    out = _read(tmp_path / "o.jsonl")
    assert len(out) == 5 and out[2]["text"] == SHARD_B[0]["text"]  # shard 0's two rows, then shard 1's


def test_csv_files_with_other_columns_are_refused_for_a_csv_output(tmp_path):
    """Was a bare ValueError from the CSV writer at the second file's first row."""
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "a.csv").write_text("text,note\nJane Doe called,hi\n", encoding="utf-8")
    (folder / "b.csv").write_text("text,other\nBob Smith wrote,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"different columns: a.csv has \['text', 'note'\], b.csv has"):
        run_scan(ScanConfig(input=folder, out=tmp_path / "o.csv"))
    (folder / "b.csv").write_text("text;note\nBob Smith wrote;x\n", encoding="utf-8")  # same columns, ";"
    run_scan(ScanConfig(input=folder, out=tmp_path / "o.csv"))
    rows = (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "text,note" and len(rows) == 3 and "Bob Smith" not in rows[2]
