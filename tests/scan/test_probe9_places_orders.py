"""Leak probe, round 9: units before or after a street block, a Chinese office tower and room,
and an order number after a bare "order"."""

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def an():
    return Analyzer()


def _values(an, text, etype):
    return [text[s.start:s.end] for s in an.analyze(text) if s.type == etype]


@pytest.mark.parametrize("text,value", [
    ("Unit 5, 12 Queen St, Auckland", "Unit 5, 12 Queen St, Auckland"),
    ("She lives at Unit 5, 12 Queen St, Auckland.", "Unit 5, 12 Queen St, Auckland"),
    ("Apt 4B, 350 W 42nd St, New York, NY 10036", "Apt 4B, 350 W 42nd St, New York, NY 10036"),
    ("Bill to:Hannah Becker,4417 Rua das Flores 88, Apt. 12", "4417 Rua das Flores 88, Apt. 12"),
    ("Ship to 12 Queen St, Auckland, unit B please", "12 Queen St, Auckland, unit B"),
    ("地址：北京市朝阳区望京SOHO T3 1802", "北京市朝阳区望京SOHO T3 1802"),
    ("快递寄到北京市朝阳区望京SOHO T3 1802对吗？", "北京市朝阳区望京SOHO T3 1802"),
])
def test_units_and_towers_join_the_address(an, text, value):
    assert _values(an, text, "ADDRESS") == [value]


def test_a_year_before_a_block_is_no_unit(an):
    assert _values(an, "In 2019, 12 Queen St, Auckland was sold", "ADDRESS") == ["12 Queen St, Auckland"]


def test_a_terminal_is_no_tower_room(an):
    assert not any("T3" in v for v in _values(an, "北京首都机场T3 航站楼", "ADDRESS"))


@pytest.mark.parametrize("text,value", [
    ("Order 2023-10-58812 has not arrived.", "2023-10-58812"),
    ("My name is Hannah Becker and my order 240-0242192-0007364 never arrived.", "240-0242192-0007364"),
    ("Please pay into the account below. Ref: order 2023-41-04800.", "2023-41-04800"),
])
def test_an_order_number_after_a_bare_order(an, text, value):
    assert _values(an, text, "RECORD_ID") == [value]


@pytest.mark.parametrize("text", ["Please order 1000 pieces", "order 2024-12-07 delivery", "in order 2 weeks"])
def test_a_quantity_or_date_after_order_is_none(an, text):
    assert _values(an, text, "RECORD_ID") == []
