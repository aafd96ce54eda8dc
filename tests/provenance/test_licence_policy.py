"""Licence policy: intended uses against each licence's terms; the CLI's output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from privtune.errors import LicenceBlocked
from privtune.provenance.licence_check import enforce, licence_record
from privtune.provenance.licence_policy import IntendedUse
from provenance_helpers import model_dir


def verdict(tmp_path: Path, licence: str | None, config: str | None = None, **use: object) -> dict:
    base = model_dir(tmp_path / f"m-{licence}", licence=licence, config=config)
    return licence_record(base, IntendedUse(**use))


def kinds(record: dict) -> set[str]:
    return {o["kind"] for o in record["obligations"]}


@pytest.mark.parametrize(("licence", "use", "decision"), [
    ("qwen-research", "commercial", "block"),
    ("qwen-research", "research", "allow"),
    ("mrl", "commercial", "block"),
    ("mrl", "research", "allow"),
    ("qwen", "commercial", "allow"),
    ("llama3", "commercial", "allow"),
    ("apache-2.0", "commercial", "allow"),
    ("mit", "commercial", "allow"),
    ("gemma", "commercial", "allow"),
    ("deepseek", "commercial", "allow"),
])
def test_commercial_use(tmp_path: Path, licence: str, use: str, decision: str) -> None:
    assert verdict(tmp_path, licence, use=use)["decision"] == decision


def test_mau_ceilings(tmp_path: Path) -> None:
    assert verdict(tmp_path, "qwen", use="commercial", mau=100_000_001)["decision"] == "block"
    assert verdict(tmp_path, "qwen", use="commercial", mau=99_000_000)["decision"] == "allow"
    assert verdict(tmp_path, "llama3.1", use="commercial", mau=700_000_001)["decision"] == "block"
    assert verdict(tmp_path, "apache-2.0", use="commercial", mau=10**10)["decision"] == "allow"


def test_llama_naming_and_attribution(tmp_path: Path) -> None:
    r3 = verdict(tmp_path, "llama3", distribution="weights", name="SupportBot")
    assert r3["decision"] == "block" and "Llama 3" in r3["reasons"][0]
    ok = verdict(tmp_path, "llama3", distribution="weights", name="Llama 3 SupportBot")
    assert ok["decision"] == "allow" and {"attribution", "naming", "pass_on", "restriction"} <= kinds(ok)
    assert any("Built with Meta Llama 3" in o["text"] for o in ok["obligations"])
    r31 = verdict(tmp_path, "llama3.1", distribution="api", name="Llama-SupportBot")
    assert r31["decision"] == "allow" and any("Built with Llama" in o["text"] for o in r31["obligations"])
    assert not any("§1.b.v" in o["text"] for o in r31["obligations"])  # removed in 3.1
    internal = verdict(tmp_path, "llama3", distribution="none", name="SupportBot")
    assert internal["decision"] == "allow" and "naming" not in kinds(internal)


def test_gemma_api_is_distribution_apache_api_is_not(tmp_path: Path) -> None:
    gemma = verdict(tmp_path, "gemma", distribution="api")
    assert "pass_on" in kinds(gemma) and any("§3.2" in o["text"] for o in gemma["obligations"])
    assert "pass_on" not in kinds(verdict(tmp_path, "apache-2.0", distribution="api"))
    assert "pass_on" in kinds(verdict(tmp_path, "apache-2.0", distribution="weights"))


def test_deepseek_restriction_on_personal_information(tmp_path: Path) -> None:
    r = verdict(tmp_path, "deepseek")
    assert any("personal identifiable information" in o["text"] for o in r["obligations"])


def test_llama32_multimodal_eu(tmp_path: Path) -> None:
    vision = '{"model_type": "mllama", "vision_config": {}}'
    assert verdict(tmp_path, "llama3.2", config=vision, region="DE,US")["decision"] == "block"
    assert verdict(tmp_path, "llama3.2", config=vision, region="US")["decision"] == "allow"
    assert verdict(tmp_path, "llama3.2", region="EU")["decision"] == "allow"  # text-only model


def test_unknown_licence(tmp_path: Path) -> None:
    assert verdict(tmp_path, None)["decision"] == "unknown"


def test_enforce_refuses_block_unless_a_reason_is_recorded(tmp_path: Path) -> None:
    record = verdict(tmp_path, "qwen-research", use="commercial")
    with pytest.raises(LicenceBlocked, match="does not allow commercial use"):
        enforce(record, None)
    with pytest.raises(LicenceBlocked):
        enforce(record, "   ")
    assert enforce(record, "separate commercial licence signed 2026-01-05")["override"]["reason"].startswith("separate")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privtune.cli", "license", "check", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_json_and_exit_codes(tmp_path: Path) -> None:
    research = model_dir(tmp_path / "qr", licence="qwen-research")
    blocked = _cli("--base", str(research), "--use", "commercial", "--json")
    assert blocked.returncode == 5 and json.loads(blocked.stdout)["decision"] == "block"
    allowed = _cli("--base", str(research), "--use", "research")
    assert allowed.returncode == 0 and "ALLOW" in allowed.stderr
    unknown = _cli("--base", str(model_dir(tmp_path / "none")))
    assert unknown.returncode == 6
    bad = _cli("--base", str(research), "--use", "fun")
    assert bad.returncode == 2 and "use" in bad.stderr and "Traceback" not in bad.stderr
