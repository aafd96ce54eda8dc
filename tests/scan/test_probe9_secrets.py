"""Leak probe, round 9 (first draw of the set): a password a help desk says it set."""

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def an():
    return Analyzer()


@pytest.mark.parametrize("text,value", [
    ("Temporary password set to Qw3rty#88, please rotate.", "Qw3rty#88"),
    ("password reset to Summer2024!", "Summer2024!"),
    ("your password was changed to Hunter2go", "Hunter2go"),
    ("PIN reset to 4821", "4821"),
])
def test_a_password_set_to_a_value(an, text, value):
    assert [text[s.start:s.end] for s in an.analyze(text) if s.type == "SECRET"] == [value]


@pytest.mark.parametrize("text", ["password set to expire in 90 days", "the token was set to refresh hourly"])
def test_a_setting_is_no_password(an, text):
    assert not any(s.type == "SECRET" for s in an.analyze(text))
