import json

import pytest
from typer.testing import CliRunner

from privtune.audit.canary_cli import canary_app
from privtune.demo.corpus import generate
from privtune.errors import ConfigError, InputError

runner = CliRunner()


def _write_data(path, n=120):
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in generate(n, seed=4))


def _ok(args):
    res = runner.invoke(canary_app, args)
    assert res.exit_code == 0, (res.output, res.exception)
    return res


def test_make_then_insert_end_to_end(tmp_path):
    data, canaries, out = tmp_path / "d.jsonl", tmp_path / "c.json", tmp_path / "o.jsonl"
    _write_data(data)
    made = _ok(["make", "--format", "mixed", "--count", "20", "--repeats", "1,3", "--lang", "en",
                "--seed", "3", "--out", str(canaries)])
    inserted = _ok(["insert", str(data), "--canaries", str(canaries), "--out", str(out), "--seed", "4"])
    key = json.loads(canaries.read_text(encoding="utf-8"))
    ins = key["insertion"]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 120 + ins["inserted_records"] == ins["n_output_records"]
    assert ins["n_input_records"] == 120 and ins["one_run"] and ins["seed"] == 4 and ins["output"] == str(out)
    for e in key["canaries"]:
        for pos in e["positions"]:
            assert json.loads(lines[pos])["messages"][1]["content"] == e["prefix"] + e["secret"]
    for e in key["canaries"]:  # console output never shows a secret
        assert e["secret"] not in made.output and e["secret"] not in inserted.output


def test_second_insert_into_the_same_key_is_refused_then_key_out_and_all(tmp_path):
    data, canaries = tmp_path / "d.jsonl", tmp_path / "c.json"
    _write_data(data, 30)
    made = _ok(["make", "-f", "digits6", "-n", "10", "--out", str(canaries)])
    first_seed = json.loads(canaries.read_text())["seed"]
    assert isinstance(first_seed, int)  # fresh randomness, recorded
    # ... in the file only: the seed regenerates every secret, and the console line went into CI logs.
    assert str(first_seed) not in made.output and "recorded in the file only" in made.output
    _ok(["insert", str(data), "-c", str(canaries), "-o", str(tmp_path / "a.jsonl")])
    before = canaries.read_text()
    res = runner.invoke(canary_app, ["insert", str(data), "-c", str(canaries), "-o", str(tmp_path / "b.jsonl")])
    assert isinstance(res.exception, InputError) and "--key-out" in str(res.exception)
    assert canaries.read_text() == before and not (tmp_path / "b.jsonl").exists()
    key2 = tmp_path / "k2.json"
    _ok(["insert", str(data), "-c", str(canaries), "-o", str(tmp_path / "b.jsonl"), "--all", "--key-out", str(key2)])
    k2 = json.loads(key2.read_text())
    assert all(e["included"] for e in k2["canaries"]) and not k2["insertion"]["one_run"]
    assert canaries.read_text() == before


def test_insert_reports_unparseable_lines_with_their_line_number(tmp_path):
    data, canaries = tmp_path / "d.jsonl", tmp_path / "c.json"
    data.write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    _ok(["make", "-f", "digits6", "-n", "2", "--out", str(canaries)])
    res = runner.invoke(canary_app, ["insert", str(data), "-c", str(canaries), "-o", str(tmp_path / "o.jsonl")])
    assert isinstance(res.exception, InputError) and res.exception.line == 2
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize(
    ("args", "error", "text"),
    [
        (["make", "-f", "digits6", "--repeats", "1,x", "--out", "c.json"], ConfigError, "--repeats"),
        (["make", "-f", "ssn", "--out", "c.json"], ConfigError, "unknown canary format"),
        (["make", "-f", "digits6", "--lang", "fr", "--out", "c.json"], ConfigError, "--lang"),
    ],
)
def test_make_errors(tmp_path, monkeypatch, args, error, text):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(canary_app, args)
    assert isinstance(res.exception, error) and text in str(res.exception)
    assert not (tmp_path / "c.json").exists()


def test_insert_refuses_to_overwrite_its_input(tmp_path):
    data, canaries = tmp_path / "d.jsonl", tmp_path / "c.json"
    _write_data(data, 5)
    _ok(["make", "-f", "digits6", "-n", "2", "--out", str(canaries)])
    res = runner.invoke(canary_app, ["insert", str(data), "-c", str(canaries), "-o", str(data)])
    assert isinstance(res.exception, ConfigError) and "--out" in str(res.exception)


def test_help_texts():
    out = runner.invoke(canary_app, ["make", "--help"]).output
    for word in ("--format", "--count", "--repeats", "--lang", "--seed", "--out", "id_card", "mixed"):
        assert word in out
    out = runner.invoke(canary_app, ["insert", "--help"]).output
    for word in ("--canaries", "--one-run", "--all", "--key-out", "--unit-field", "(default:"):
        assert word in out


def test_the_key_records_the_data_fingerprints_before_and_after(tmp_path):
    # The demo audits each arm with the data before the canaries went in; the audit called that
    # "not the data this adapter was trained on ... meaningless". The key now says how the two relate.
    from privtune.audit.canary_audit import load_canary_key
    from privtune.provenance.data_file import data_file_fingerprint

    data, canaries, out = tmp_path / "d.jsonl", tmp_path / "c.json", tmp_path / "o.jsonl"
    _write_data(data, 40)
    _ok(["make", "-f", "digits6", "-n", "8", "--seed", "1", "--out", str(canaries)])
    _ok(["insert", str(data), "-c", str(canaries), "-o", str(out), "--seed", "2"])
    key = load_canary_key(canaries)
    assert key.input_fingerprint == data_file_fingerprint(data) != key.output_fingerprint
    assert key.output_fingerprint == data_file_fingerprint(out)
