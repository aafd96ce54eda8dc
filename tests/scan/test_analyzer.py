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


def test_plan_follows_reassigned_settings_and_survives_pickling():
    import pickle

    from privtune.scan.analyzer import Analyzer

    a = Analyzer(types=["PHONE", "EMAIL"])
    text = "手机13812345678，邮箱是a@b.com"
    assert {s.type for s in a.analyze(text)} == {"PHONE", "EMAIL"}
    a.min_score_by_type = {"PHONE": 1.01}  # the thresholds are rebuilt on the next call
    assert {s.type for s in a.analyze(text)} == {"EMAIL"}
    a.recognizers = [r for r in a.recognizers if r.name == "phone"]
    assert a.analyze(text) == []
    a.min_score_by_type = {}
    assert [s.type for s in pickle.loads(pickle.dumps(a)).analyze(text)] == ["PHONE"]


def test_resolve_overlaps_prefers_structured_then_score_then_length():
    from privtune.scan.analyzer import resolve_overlaps
    from privtune.scan.entities import Span

    model = Span(0, 10, "ADDRESS", 0.99, "zh_address_model")
    phone = Span(2, 13, "PHONE", 0.6, "phone")
    short = Span(20, 22, "PERSON", 0.8, "a")
    long_ = Span(20, 24, "PERSON", 0.8, "b")
    later = Span(30, 31, "EMAIL", 0.9, "email")
    assert resolve_overlaps([later, model, short, phone, long_]) == [phone, long_, later]


def test_a_name_found_whole_by_one_detector_is_not_cut_to_the_part_another_is_surer_of():
    """"Diana" (a lexicon rule, 0.7) inside the English model's "Diana Good" (0.69): masking
    only "Diana" would leave the surname in the text."""
    from privtune.scan.analyzer import resolve_overlaps
    from privtune.scan.entities import Span

    spans = [Span(0, 5, "PERSON", 0.7, "en_person_dict"), Span(0, 10, "PERSON", 0.69, "en_ner_model"),
             Span(12, 20, "PHONE", 0.9, "phone")]
    assert [(s.start, s.end, s.type) for s in resolve_overlaps(spans)] == [(0, 10, "PERSON"), (12, 20, "PHONE")]
    # A wider name that would swallow another kept span does not replace anything.
    spans = [Span(0, 5, "PERSON", 0.7, "a"), Span(6, 9, "ADDRESS", 0.9, "b"), Span(0, 9, "PERSON", 0.6, "c")]
    assert [(s.start, s.end) for s in resolve_overlaps(spans)] == [(0, 5), (6, 9)]


def test_a_widened_name_is_not_narrowed_again_by_a_smaller_candidate():
    """"Miss Natasha Weaver" (title rule) around the model's surer "Natasha Weaver", and the cue
    rule's "Natasha Weaver" as well: the title stays in the span (it used to be cut off again)."""
    from privtune.scan.analyzer import resolve_overlaps
    from privtune.scan.entities import Span

    spans = [Span(3, 22, "PERSON", 0.95, "en_person_title"), Span(8, 22, "PERSON", 0.8, "en_person_cue"),
             Span(8, 22, "PERSON", 0.98, "en_ner_model")]
    assert [(s.start, s.end) for s in resolve_overlaps(spans)] == [(3, 22)]
