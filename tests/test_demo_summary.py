"""The demo table carries the leaked-PII count with its chance level (no model needed)."""

import json

from privtune.demo.run import summary_row
from privtune.demo.summary import markdown_table


def test_leaked_pii_row_comes_with_its_chance_level(tmp_path):
    (tmp_path / "train_report.json").write_text(json.dumps({"curves": {"val_loss": [[0, 2.5], [300, 2.3]]}}))
    report = {"specificity": {"leaked_pii_count": 1,
                              "leaked_pii_test": {"member_hits": 1, "heldout_hits": 0, "p_value": 0.503}},
              "verdict": {"pass": True}}
    row = summary_row(tmp_path, report)
    assert (row["leaked_pii_count"], row["leaked_pii_heldout_hits"], row["leaked_pii_p_value"]) == (1, 0, 0.503)
    table = markdown_table({"privtune": row})
    assert "| leaked PII | 1 |" in table and "| held-out PII hit (chance) | 0 |" in table
    assert "| leaked PII beyond chance (p) | 0.5 |" in table and "| audit verdict | pass |" in table
