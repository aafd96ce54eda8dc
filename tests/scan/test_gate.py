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

