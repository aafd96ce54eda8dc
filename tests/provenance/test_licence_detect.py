"""Golden table: each licence from its text, from its tag, both, in conflict, and with aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from privtune.errors import InputError
from privtune.provenance.licence_catalog import LICENCES, tag_to_id
from privtune.provenance.licence_detect import detect_licence, hub_id, match_text
from provenance_helpers import licence_text, model_dir

ALL_IDS = [lic.id for lic in LICENCES]

# (case, LICENSE fixture, README front matter, expected licence, expected source, conflict?)
GOLDEN = [
    *[(f"{i}-text", i, None, i, "text", False) for i in ALL_IDS],
    ("llama3-tag", None, "license: llama3", "llama3", "tag", False),
    ("llama3.1-tag", None, "license: llama3.1", "llama3.1", "tag", False),
    ("llama3.2-tag", None, "license: llama3.2", "llama3.2", "tag", False),
    ("llama3.3-tag", None, "license: llama3.3", "llama3.3", "tag", False),
    ("qwen-tag", None, "license: other\nlicense_name: qwen", "qwen", "tag", False),
    ("qwen-research-tag", None, "license: other\nlicense_name: qwen-research", "qwen-research", "tag", False),
    ("gemma-tag", None, "license: gemma", "gemma", "tag", False),
    ("deepseek-tag", None, "license: other\nlicense_name: deepseek", "deepseek", "tag", False),
    ("mrl-tag", None, "license: other\nlicense_name: mrl", "mrl", "tag", False),
    ("apache-tag", None, "license: apache-2.0", "apache-2.0", "tag", False),
    ("mit-tag", None, "license: mit", "mit", "tag", False),
    ("alias-apache", None, "license: Apache 2.0", "apache-2.0", "tag", False),
    ("alias-llama3_1", None, "license: llama3_1", "llama3.1", "tag", False),
    ("alias-tongyi", None, "license: other\nlicense_name: tongyi-qianwen", "qwen", "tag", False),
    ("alias-deepseek-license", None, "license: other\nlicense_name: deepseek-license", "deepseek", "tag", False),
    ("alias-list", None, "license:\n- other\n- MIT", "mit", "tag", False),
    ("text+tag-agree", "qwen-research", "license: other\nlicense_name: qwen-research", "qwen-research",
     "text+tag", False),
    ("conflict-llama3-text-apache-tag", "llama3", "license: apache-2.0", "llama3", "text", True),
    ("conflict-3.1-text-3-tag", "llama3.1", "license: llama3", "llama3.1", "text", True),
    ("conflict-qwen-research-text-qwen-tag", "qwen-research", "license: other\nlicense_name: qwen", "qwen-research",
     "text", True),
    ("unknown-tag", None, "license: cc-by-nc-4.0", None, "none", False),
    ("nothing", None, None, None, "none", False),
]


@pytest.mark.parametrize(("case", "text", "front", "expected", "source", "conflict"), GOLDEN,
                         ids=[g[0] for g in GOLDEN])
def test_golden_licence_table(tmp_path: Path, case: str, text: str | None, front: str | None,
                              expected: str | None, source: str, conflict: bool) -> None:
    found = detect_licence(model_dir(tmp_path / "m", licence=text, front_matter=front))
    assert (found.licence, found.source, found.conflict is not None) == (expected, source, conflict)
    if text:
        assert list(found.files) == ["LICENSE"] and found.files["LICENSE"].startswith("sha256:")


def _rewrap(text: str) -> str:
    """The same words re-wrapped to one per line, curly quotes straightened, upper-cased."""
    return "\n   ".join(text.replace("“", '"').replace("”", '"').replace("’", "'").upper().split())


@pytest.mark.parametrize("licence", ALL_IDS)
def test_matching_ignores_whitespace_case_and_quotes(licence: str) -> None:
    assert match_text(_rewrap(licence_text(licence)))[0] == licence


def test_llama3_and_31_told_apart_without_titles() -> None:
    """§1.b.v and "Built with Meta Llama 3" mark Llama 3; "Built with Llama" marks 3.1+."""

    def body(licence: str) -> str:  # drop the title and release-date lines, which name the version
        return "\n".join(licence_text(licence).splitlines()[2:]).replace("3.1", "x")

    assert match_text(body("llama3"))[0] == "llama3"
    found, _, notes = match_text(body("llama3.1"))
    assert found == "llama3.1" and notes  # version unstated: assumed 3.1, and said so


def test_llama_use_policy_file_and_hash_recorded(tmp_path: Path) -> None:
    base = model_dir(tmp_path / "m", licence="llama3.2", licence_file="LICENSE.txt")
    (base / "USE_POLICY.md").write_text("Llama 3.2 Acceptable Use Policy", encoding="utf-8")
    found = detect_licence(base)
    assert found.licence == "llama3.2" and set(found.files) == {"LICENSE.txt", "USE_POLICY.md"}
    before = found.files["LICENSE.txt"]
    (base / "LICENSE.txt").write_text(licence_text("llama3.2") + " ", encoding="utf-8")
    assert detect_licence(base).files["LICENSE.txt"] != before


def test_unrecognised_licence_text_is_noted(tmp_path: Path) -> None:
    base = model_dir(tmp_path / "m", front_matter="license: mit")
    (base / "LICENSE").write_text("All rights reserved. No use permitted.", encoding="utf-8")
    found = detect_licence(base)
    assert found.licence == "mit" and found.source == "tag"
    assert any("matching no known licence" in n for n in found.notes)


def test_aliases_resolve() -> None:
    assert tag_to_id("Apache License 2.0") == "apache-2.0"
    assert tag_to_id("LLAMA-3.3") == "llama3.3"
    assert tag_to_id("qwen_research") == "qwen-research"
    assert tag_to_id("cc-by-4.0") is None


def test_missing_directory_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        detect_licence(tmp_path / "absent")


def test_hub_id_from_cache_path_or_config_never_a_local_path(tmp_path: Path) -> None:
    cached = model_dir(tmp_path / "models--Qwen--Qwen2.5-0.5B" / "snapshots" / "abc")
    assert hub_id(cached) == "Qwen/Qwen2.5-0.5B"
    named = model_dir(tmp_path / "m1", config='{"_name_or_path": "meta-llama/Llama-3.2-1B"}')
    assert hub_id(named) == "meta-llama/Llama-3.2-1B"
    local = model_dir(tmp_path / "m2", config=f'{{"_name_or_path": "{tmp_path / "m1"}"}}')
    assert hub_id(local) is None
    assert hub_id(local, "org/explicit") == "org/explicit"


def test_network_is_blocked_in_these_tests() -> None:
    """The autouse fixture is not a no-op: an outbound connection fails at once."""
    import socket

    from provenance_helpers import NetworkBlocked

    with pytest.raises(NetworkBlocked):
        socket.create_connection(("huggingface.co", 443), timeout=1)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(NetworkBlocked):
        s.connect(("127.0.0.1", 9))
