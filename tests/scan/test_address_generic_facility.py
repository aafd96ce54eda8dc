"""A facility named only by its function is not an address; with a place name in front it is."""

from privtune.scan.analyzer import Analyzer


def test_bare_generic_facility_is_not_an_address():
    a = Analyzer(types=["ADDRESS"])
    assert a.analyze("您的包裹在转运中心滞留，预计明天送达。") == []
    text = "包裹在上海转运中心滞留"
    assert [text[s.start:s.end] for s in a.analyze(text)] == ["上海转运中心"]
