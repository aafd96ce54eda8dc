"""A Chinese address without the request before it or the door spot after it (recognizers/address.py)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _addresses(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "ADDRESS"]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("请将材料寄至湖北省武汉市洪山区黄浦路600号2栋2单元303室，谢谢", "湖北省武汉市洪山区黄浦路600号2栋2单元303室"),
        ("快递放上海市浦东新区黄浦路972号8栋1单元1603室门口就行", "上海市浦东新区黄浦路972号8栋1单元1603室"),
        ("请将材料寄至台北市大安區和平東路二段32巷14弄7號9樓，谢谢", "台北市大安區和平東路二段32巷14弄7號9樓"),
    ],
)
def test_request_and_door_spot_are_outside_the_address(text: str, address: str) -> None:
    assert _addresses(text) == [address]


def test_a_street_named_with_a_request_verb_keeps_its_start() -> None:
    assert _addresses("我住在解放路12号，谢谢") == ["解放路12号"]
