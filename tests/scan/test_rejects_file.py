"""Issue 11.4: the rejects side file holds where, why and a hash — raw content (personal data)
only with --rejects-raw, then 0600 and announced loudly."""

import json
import os
import stat
import subprocess
import sys

import pytest

from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY

EMAIL = "bob@example.com"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(f'{{"text": "mail {EMAIL} now"}}\n{{"text": "mail {EMAIL}\n{{"body": "{EMAIL}"}}\n', encoding="utf-8")
    return src


def test_rejects_file_holds_no_raw_content_by_default(tmp_path):
    res = run_scan(ScanConfig(input=_input(tmp_path), out=tmp_path / "o.jsonl", fields=["text"], max_rejected="100%"))
    text = (tmp_path / "o.rejects.jsonl").read_text(encoding="utf-8")
    assert EMAIL not in text and res.report["counts"]["rejected"] == 2
    entries = [json.loads(x) for x in text.splitlines()]
    assert [sorted(e) for e in entries] == [["hmac_key", "line", "line_hmac", "reason", "record"]] * 2
    assert [e["line"] for e in entries] == [2, 3] and all(e["line_hmac"].startswith("hmac-sha256:") for e in entries)
    assert not any(n.startswith("WARNING") for n in res.notices)


def test_rejects_raw_is_opt_in_private_and_loud(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "privtune.cli", "scan", str(_input(tmp_path)), "--out", str(tmp_path / "o.jsonl"),
         "--fields", "text", "--max-rejected", "2", "--rejects-raw", "-q"],
        capture_output=True, text=True, env={**os.environ, "PRIVTUNE_SCAN_KEY": KEY})
    assert run.returncode == 0, run.stderr
    assert "WARNING" in run.stderr and "RAW content" in run.stderr
    path = tmp_path / "o.rejects.jsonl"
    entries = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert EMAIL in entries[0]["raw"] and entries[1]["data"] == {"body": EMAIL}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


PHONE_LINE = "13812345678"  # a bare phone number: an unkeyed digest of it falls to brute force in seconds


def _phone_input(tmp_path):
    src = tmp_path / "phones.jsonl"
    src.write_text(f'{{"text": "ok"}}\n{PHONE_LINE}\n{PHONE_LINE}\n', encoding="utf-8")
    return src


def test_rejects_line_hash_is_keyed_under_the_scan_key(tmp_path):
    """A short rejected line (a phone number) must not be recoverable from the rejects file by
    hashing candidates: the token is an HMAC under (a key derived from) the scan key."""
    import base64
    import hashlib

    from privtune.keys import SecretKey
    from privtune.scan.outcome import line_hmac, rejects_key

    res = run_scan(ScanConfig(input=_phone_input(tmp_path), out=tmp_path / "o.jsonl", fields=["text"],
                              max_rejected="100%"))
    entries = [json.loads(x) for x in (tmp_path / "o.rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    text = json.dumps(entries)
    assert hashlib.sha256(PHONE_LINE.encode()).hexdigest() not in text and '"sha256"' not in text
    scan_key = base64.b64decode(KEY)
    key_id = SecretKey(scan_key).key_id
    assert [e["line_hmac"] for e in entries] == [line_hmac(rejects_key(scan_key), PHONE_LINE)] * 2
    assert {e["hmac_key"] for e in entries} == {key_id}
    assert res.report["rejects"]["line_hmac_key"] == key_id


def test_rejects_without_a_scan_key_use_a_discarded_per_scan_key(tmp_path, monkeypatch):
    """A scan that needs no key (redact) still hashes rejected lines with a key: a random one,
    never stored, so equal lines match within one file but no file can be reversed or linked."""
    monkeypatch.delenv("PRIVTUNE_SCAN_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    tokens = []
    for run in ("a", "b"):
        res = run_scan(ScanConfig(input=_phone_input(tmp_path), out=tmp_path / f"{run}.jsonl", fields=["text"],
                                  policy="redact", max_rejected="100%"))
        entries = [json.loads(x) for x in (tmp_path / f"{run}.rejects.jsonl").read_text().splitlines()]
        assert entries[0]["line_hmac"] == entries[1]["line_hmac"]  # equal lines still tell apart
        assert {e["hmac_key"] for e in entries} == {"per-scan"}
        assert res.report["rejects"]["line_hmac_key"] == "per-scan"
        tokens.append(entries[0]["line_hmac"])
    assert tokens[0] != tokens[1] and not (tmp_path / "cfg").exists()  # no key was made or kept
