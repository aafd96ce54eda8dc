"""`privtune demo --quick` end to end: three arms trained and audited from a locally built base."""

import json
import subprocess
import sys


def test_quick_demo_end_to_end(tmp_path):
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = tmp_path / "demo_out"
    res = subprocess.run([sys.executable, "-m", "privtune.cli", "demo", "--quick", "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    rows = summary["rows"]
    assert list(rows) == ["base", "naive", "scan", "privtune"]
    assert rows["base"]["val_loss"] is not None and rows["base"]["entity_ratio"] == 1.0
    arms = {a: r for a, r in rows.items() if a != "base"}
    for arm, row in arms.items():
        assert row["val_loss"] is not None and row["mia_ref_auc"] is not None, arm
        assert row["exposure_bits_max"] is not None, arm
    assert rows["naive"]["epsilon_claimed"] is None and 0 < rows["privtune"]["epsilon_claimed"] <= 8.0
    assert rows["privtune"]["epsilon_lb"] <= rows["privtune"]["epsilon_claimed"]
    page = (out / "report.html").read_text()
    for arm in arms:
        assert f"{arm}/audit/report.html" in page and (out / arm / "audit" / "report.html").exists()
    assert "privtune demo" in res.stdout + res.stderr
