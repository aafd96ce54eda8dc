"""Chinese values hard-wrapped by a fixed-width export (PDF to text): the scan reads the wrap
as absent and the span covers it (`privtune.scan.line_wraps`, `views.decoded_view`)."""

from __future__ import annotations

import hashlib

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.anonymize import AnonymizationPolicy, Anonymizer, derive_key
from privtune.scan.line_wraps import may_wrap, wrap_breaks
from privtune.scan.views import decoded_view, needs_view, raw_bounds

KEY = derive_key(hashlib.sha256(b"privtune-line-wraps-test").digest())


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.type) for s in analyzer.analyze(text)]


LEASE = ("房屋租赁合同\n\n出租方（甲方）：北京华信达贸易有限公司\n承租方（乙方）：梁\n雪\n"
         "身份证号：310104199812272904\n联系电话：020-29624957\n"
         "房屋坐落：江苏省南京市鼓楼区长江路53\n5号A座1001\n\n第 1 页 共 3 页")


@pytest.mark.parametrize(("text", "value", "kind"), [
    (LEASE, "梁\n雪", "PERSON"),
    (LEASE, "江苏省南京市鼓楼区长江路53\n5号A座1001", "ADDRESS"),
    ("收件地址：四川省成\n都市武侯区人民南路四段12号\n联系人：梁\n雪", "四川省成\n都市武侯区人民南路四段12号", "ADDRESS"),
    ("收件地址：四川省成\n都市武侯区人民南路四段12号\n联系人：梁\n雪", "梁\n雪", "PERSON"),
    ("现住址：福建省厦门市思\r\n明区滨江大道195号融创玖樾府20幢206\r\n特此证明。",
     "福建省厦门市思\r\n明区滨江大道195号融创玖樾府20幢206", "ADDRESS"),
    ("承租方（乙方）：林\n俊賢\n身份证号：510107200006185939", "林\n俊賢", "PERSON"),
])
def test_wrapped_zh_value_is_found_whole(analyzer: Analyzer, text: str, value: str, kind: str) -> None:
    assert (value, kind) in found(analyzer, text)


def test_redaction_takes_the_break_with_the_value(analyzer: Analyzer) -> None:
    text = "联系人：梁\n雪\n电话：13812345678"
    spans = analyzer.analyze(text)
    out = Anonymizer(AnonymizationPolicy(default="redact"), KEY).apply(text, spans)
    assert "梁" not in out and "雪" not in out and out.count("\n") == 1, out
    pseudo = Anonymizer(AnonymizationPolicy(default="pseudonymise"), KEY)
    assert pseudo.replacement("PERSON", "梁\n雪") == pseudo.replacement("PERSON", "梁雪")  # as read


@pytest.mark.parametrize(("text", "names"), [
    ("张三\n李四", ["张三", "李四"]),                      # two lines, each a whole name
    ("姓名：张三\n李四", ["张三", "李四"]),                 # a field's whole value, then a name
    ("人事部 李桂珍\n第1页", ["李桂珍"]),                   # a short line of its own
    ("2024-03-12 20:25:09 蒋欣然\n我的身份证440305198103253331，帮我登记一下", ["蒋欣然"]),
])
def test_complete_short_lines_are_not_joined(analyzer: Analyzer, text: str, names: list[str]) -> None:
    assert [v for v, k in found(analyzer, text) if k == "PERSON"] == names
    assert not wrap_breaks(text)


@pytest.mark.parametrize("text", [
    "寄件人：张彬\n南京市鼓楼区长江路631号A座2419",              # a new place: the name was whole
    "发件人：蒋欣然\n请联系我的助理冯子豪，电话+86-10-6552-8899。",  # prose after a field
    "联系人,手机号,身份证号,收货地址,备注\n韩雪梅,+86 188-1234-5678",  # a CSV row
    "姓名：魏东\n手机号码 ：+86 188-1234-5678",                   # the next field (blank before ：)
    "我家地址 江苏省南京市建邺区长江路252号9楼1106室\n祁杰 14:23:40",  # a speaker line
    "出租方：北京华信达贸易有限公司\n一、租赁房屋",                  # a list item
    "地址：香港九龍觀塘道7號雅蘭中心12樓15室\n手机号码9871 6908",    # a whole address, a field
    "地址：台北市中山區忠孝東路四段44巷18弄18號8樓\n打这个号010-20990264",
    "姓名：张三丰\n电话号码13812345678",                           # a field without a colon
    "张三\n\n李四",                                                # a blank line
    "地址：四川省成都市。\n武侯区",                                  # after punctuation
])
def test_breaks_that_are_not_wraps(text: str) -> None:
    assert not wrap_breaks(text) and not needs_view(text)


def test_view_maps_back_and_field_seams_are_kept(analyzer: Analyzer) -> None:
    raw = "住址：上海市静&#23433;\n区长江路673号"
    view, starts, ends = decoded_view(raw)
    assert view == "住址：上海市静安区长江路673号"
    assert raw[slice(*raw_bounds(starts, ends, 3, len(view)))] == "上海市静&#23433;\n区长江路673号"
    text = "现住址：四川省成\n都市锦江区和平街429号B座1208"
    assert wrap_breaks(text) == [8] and wrap_breaks(text, frozenset({8})) == []
    # Two fields of one record are joined by "\n" for detection; that line break is no wrap.
    fields = ["现住址：四川省成", "都市锦江区和平街429号B座1208"]
    assert analyzer.analyze_many(fields) == analyzer.analyze_records([fields])[0]
    assert all(s.end <= len(f) for f, ss in zip(fields, analyzer.analyze_many(fields)) for s in ss)
    assert decoded_view(text, frozenset({8}))[0] == text


def test_the_cheap_test_skips_text_without_a_break_between_chinese_characters() -> None:
    assert not may_wrap("Line one\nline two") and not may_wrap("地址：四川省成都市") \
        and not may_wrap("电话：138\n0013 8000") and may_wrap("成\n都")
