import pytest

from privtune.errors import ConfigError
from privtune.scan import gate

COUNTS = {"risk": {"low": 5, "medium": 3, "high": 1}, "entities": {"PHONE": 4, "ID_CARD": 0},
          "rejected": 2, "flagged": 0, "duplicates": 1}


def test_bare_level_means_any_record_at_or_above():
    assert not gate.evaluate(gate.parse_rules(["high"]), COUNTS)["passed"]
    res = gate.evaluate(gate.parse_rules(["medium>4"]), COUNTS)  # medium+high = 4
    assert res["passed"]
    assert not gate.evaluate(gate.parse_rules(["medium>=4"]), COUNTS)["passed"]


def test_type_and_counter_rules_and_comma_lists():
    res = gate.evaluate(gate.parse_rules(["ID_CARD>0,phone>3", "rejected>5", "flagged"]), COUNTS)
    assert res["violations"] == [{"rule": "PHONE>3", "value": 4}]
    assert gate.evaluate(gate.parse_rules([]), COUNTS) == {"rules": [], "passed": True, "violations": []}


@pytest.mark.parametrize("bad", ["critical", "ID_CARD>x", "PHONE<3", ">0"])
def test_bad_rules_are_clear_errors(bad):
    with pytest.raises(ConfigError, match="fail-on"):
        gate.parse_rules([bad])



# Issue 11.5: gates on what the policy leaves (residual) as well as on what the input held.
SCOPED = {**COUNTS, "residual": {"risk": {"low": 9, "medium": 0, "high": 0}, "entities": {"PHONE": 1}}}


def test_residual_and_input_scopes():
    assert gate.evaluate(gate.parse_rules(["residual:high"]), SCOPED)["passed"]
    assert not gate.evaluate(gate.parse_rules(["input:high"]), SCOPED)["passed"]
    assert not gate.evaluate(gate.parse_rules(["high"]), SCOPED)["passed"]  # bare = input, as before
    res = gate.evaluate(gate.parse_rules(["residual:phone>0", "residual:ID_CARD>0"]), SCOPED)
    assert res["violations"] == [{"rule": "residual:PHONE>0", "value": 1}]
    assert [str(r) for r in gate.parse_rules(["Residual:medium>=2, high"])] == ["residual:medium>=2", "high>0"]
    with pytest.raises(ConfigError, match="no input/residual scope"):
        gate.parse_rules(["residual:rejected>0"])
