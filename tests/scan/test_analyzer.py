"""The analyzer on one string and on a record's several strings."""


def test_analyze_many_maps_spans_back_to_each_text():
    from privtune.scan.analyzer import Analyzer

    a = Analyzer(types=["PHONE", "EMAIL"])
    texts = ["手机13812345678。", "", "邮箱是a@b.com谢谢", "none"]
    many = a.analyze_many(texts)
    assert [[(s.start, s.end, s.type) for s in spans] for spans in many] == [
        [(2, 13, "PHONE")], [], [(3, 10, "EMAIL")], []]
    assert [[(s.start, s.end) for s in spans] for spans in many] == [
        [(s.start, s.end) for s in a.analyze(t)] for t in texts]
