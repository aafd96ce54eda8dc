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


def test_a_street_block_crossed_by_a_model_span_merges_with_it_instead_of_being_dropped():
    """The English model's "Monteiro da Praia / SC" crosses the end of the postal pattern's block
    "12178-243 Monteiro da Praia": the block used to be dropped whole, leaving the postcode (and
    in other shapes the house number) in the text. Both paths of `resolve_overlaps` agree."""
    from privtune.scan import overlaps
    from privtune.scan.analyzer import Analyzer, resolve_overlaps
    from privtune.scan.entities import Span

    text = "Send it to 12178-243 Monteiro da Praia / SC now, or call 13812345678."
    block = Span(11, 38, "ADDRESS", 0.75, "postal_address_pattern")
    crossing = Span(21, 43, "ORGANIZATION", 0.9, "en_ner_model")
    phone = Span(57, 68, "PHONE", 0.9, "phone")
    expected = [(11, 43, "ADDRESS"), (57, 68, "PHONE")]
    assert [(s.start, s.end, s.type) for s in resolve_overlaps([crossing, block, phone], text)] == expected
    many = [Span(100 + 3 * i, 101 + 3 * i, "EMAIL", 0.9, "email") for i in range(overlaps._MANY)]
    got = [(s.start, s.end, s.type) for s in resolve_overlaps([crossing, block, phone, *many], text + " " * 300)]
    assert got[:2] == expected
    # A structured span across the edge still wins alone: the block is not merged into a number.
    card = Span(30, 45, "BANK_CARD", 0.9, "bank_card")
    assert [(s.start, s.end, s.type) for s in resolve_overlaps([card, block], text)] == [(30, 45, "BANK_CARD")]
    # Without postal evidence in the block (a year, a team name) the model's span is kept alone.
    team = "The 2007 Bowling Green Falcons football team"
    spans = [Span(4, 22, "ADDRESS", 0.8, "en_address_pattern"), Span(9, 30, "ORGANIZATION", 0.99, "en_ner_model")]
    assert [(s.start, s.end, s.type) for s in resolve_overlaps(spans, team)] == [(9, 30, "ORGANIZATION")]
    assert [(s.start, s.end) for s in Analyzer().analyze(team)] == [(9, 30)]

    text = "Please send it to Morro da Paz\nVila Aeroporto\n12178-243 Monteiro da Praia / SC by Friday."
    masked = {text[s.start:s.end] for s in Analyzer().analyze(text)}
    assert any("12178-243" in m for m in masked), masked
