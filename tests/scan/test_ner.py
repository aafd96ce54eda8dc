"""PERSON / ADDRESS / ORGANIZATION recognizers (zh CRF + en rules) and their building blocks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from privtune.errors import ConfigError, InputError
from privtune.scan.analyzer import Analyzer
from privtune.scan.ner import decode, features
from privtune.scan.ner.cluener import gold_spans, load_cluener, prf
from privtune.scan.ner.decode import SpanDecoder
from privtune.scan.ner.model import MODEL_PATH, TAGS, TYPES, ZhTagger, get_tagger, tag_zh
from privtune.scan.recognizers.address import EnAddressRecognizer, ZhAddressRecognizer
from privtune.scan.recognizers.organization import EnOrganizationRecognizer, ZhOrganizationRecognizer
from privtune.scan.recognizers.person import EnPersonRecognizer, ZhPersonRecognizer

NER_TYPES = ("PERSON", "ADDRESS", "ORGANIZATION")
CLUENER_DEV = Path("/work/shared/data/cluener/dev.json")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(types=NER_TYPES)


def found(analyzer: Analyzer, text: str) -> set[tuple[str, str]]:
    return {(text[s.start : s.end], s.type) for s in analyzer.analyze(text)}


# ---- model file --------------------------------------------------------------------------


def test_model_ships_in_package_small_and_matching_features():
    data = [p for p in MODEL_PATH.parent.iterdir() if p.suffix in (".npz", ".json")]
    assert MODEL_PATH in data
    assert sum(p.stat().st_size for p in data) <= 5_000_000
    tagger = get_tagger()
    assert tagger is get_tagger()  # one load per process
    assert tagger.meta["tags"] == list(TAGS)
    assert set(tagger.meta["calibration"]) == set(TYPES)
    assert "CLUENER" in tagger.meta["training"]["data"]


def test_model_with_other_features_is_refused(tmp_path):
    with np.load(MODEL_PATH) as z:
        parts = {k: z[k] for k in z.files}
    meta = json.loads(str(parts["meta"]))
    meta["features"] = "0" * 16
    parts["meta"] = np.array(json.dumps(meta))
    bad = tmp_path / "zh_crf.npz"
    np.savez(bad, **parts)
    with pytest.raises(ConfigError, match="different features"):
        ZhTagger(bad)
    with pytest.raises(ConfigError, match="cannot load"):
        ZhTagger(tmp_path / "missing.npz")


# ---- Chinese -----------------------------------------------------------------------------

# Hand-labelled: every PERSON / ADDRESS / ORGANIZATION in each text (CLUENER conventions).
ZH_LABELLED = [
    ("我叫张伟，电话13812345678，想查一下订单。", {("张伟", "PERSON")}),
    ("联系人：王小明13800138000", {("王小明", "PERSON")}),
    ("您好，我是李娜，身份证号码110105195802248602。", {("李娜", "PERSON")}),
    ("收件人欧阳娜娜，地址是上海市浦东新区世纪大道100号。",
     {("欧阳娜娜", "PERSON"), ("上海市浦东新区世纪大道100号", "ADDRESS")}),
    ("请把发票寄到广东省深圳市南山区科技园南路18号3栋502室。", {("广东省深圳市南山区科技园南路18号3栋502室", "ADDRESS")}),
    ("周东权先生表示，公司将继续投资。", {("周东权", "PERSON")}),
    ("麻烦转告黄晓明老师，明天下午3点开会。", {("黄晓明", "PERSON")}),
    ("阿里巴巴集团和腾讯公司都在杭州设有办公室。",
     {("阿里巴巴集团", "ORGANIZATION"), ("腾讯公司", "ORGANIZATION"), ("杭州", "ADDRESS")}),
    ("客户反映他在中国工商银行的卡被冻结了。", {("中国工商银行", "ORGANIZATION")}),
    ("用户名：林黛玉；手机：15012345678；地址：江苏省南京市鼓楼区中山路1号。",
     {("林黛玉", "PERSON"), ("江苏省南京市鼓楼区中山路1号", "ADDRESS")}),
    ("联系人:张伟,tel 13800138000", {("张伟", "PERSON")}),
    ("VIP客户赵丽颖2023年在北京注册", {("赵丽颖", "PERSON"), ("北京", "ADDRESS")}),
    ("（经办人：孙建国）", {("孙建国", "PERSON")}),
    ("“王芳”说她明天来", {("王芳", "PERSON")}),
    ("我叫欧阳修文，住在湖南省长沙市岳麓区麓山南路932号", {("欧阳修文", "PERSON"), ("湖南省长沙市岳麓区麓山南路932号", "ADDRESS")}),
    ("患者马云，男，56岁，主诉头痛三天。", {("马云", "PERSON")}),
    ("今天天气很好，我们去公园散步吧。", set()),
    ("需要带什么材料吗？请携带身份证和上次的检查报告。", set()),
    ("王先生您好，您的快递已经发出。", set()),  # surname + title: no name in CLUENER's convention
    ("好的，已经为您办理退款，请注意查收。", set()),
]


def test_chinese_labelled_set_precision_and_recall(analyzer):
    gold, pred = [], []
    for i, (text, expected) in enumerate(ZH_LABELLED):
        gold += [(i, surface, t) for surface, t in expected]
        pred += [(i, text[s.start : s.end], s.type) for s in analyzer.analyze(text)]
    res = prf(gold, pred, NER_TYPES)
    for t in NER_TYPES:
        assert res[t]["precision"] >= 0.9, (t, res[t], sorted(set(pred) - set(gold)))
        assert res[t]["recall"] >= 0.85, (t, res[t], sorted(set(gold) - set(pred)))


@pytest.mark.parametrize("text,name", [
    ("联系人：王小明13800138000", "王小明"),  # right before digits
    ("联系人:张伟,tel 13800138000", "张伟"),  # between ASCII punctuation, Latin after
    ("VIP客户赵丽颖2023年在北京注册", "赵丽颖"),  # Latin before, digits after
    ("（经办人：孙建国）", "孙建国"),  # full-width brackets
    ("周东权先生表示，公司将继续投资。", "周东权"),  # the title stays outside
    ("收件人欧阳娜娜，地址是上海市。", "欧阳娜娜"),  # compound surname
])
def test_chinese_name_boundaries(analyzer, text, name):
    assert (name, "PERSON") in found(analyzer, text)


def test_chinese_spans_never_cross_whitespace_or_swallow_english(analyzer):
    text = "Customer 李雷 from 深圳华为技术有限公司 called about invoice 8832."
    spans = analyzer.analyze(text)
    assert ("深圳华为技术有限公司", "ORGANIZATION") in {(text[s.start : s.end], s.type) for s in spans}
    assert all(" " not in text[s.start : s.end] for s in spans if s.detector.startswith("zh_"))


def test_compound_surname_and_honorific_bounds():
    # The bounds fix-up works on the model's span whatever the model's own boundary was.
    from privtune.scan.ner.zh_person_bounds import person_bounds as _person_bounds

    text = "请联系欧阳娜娜女士"
    assert _person_bounds(text, 4, 9) == (3, 7)  # 阳娜娜女士 -> 欧阳娜娜
    assert _person_bounds("周东权先生", 0, 5) == (0, 3)
    assert _person_bounds("王先生", 0, 3) is None  # a bare surname + title is no name in CLUENER
    assert _person_bounds("李总说", 0, 2) is None
    assert _person_bounds("叶老桂博士", 0, 3) == (0, 3)


def test_zh_recognizers_share_one_run_and_split_by_type():
    text = "收件人欧阳娜娜，地址是上海市浦东新区世纪大道100号。阿里巴巴集团和腾讯公司都在杭州。"
    recognizers = (ZhPersonRecognizer(), ZhAddressRecognizer(), ZhOrganizationRecognizer())
    per, addr, org = (r.analyze(text) for r in recognizers)
    assert {s.type for s in per} == {"PERSON"} and {s.detector for s in per} == {"zh_person_model"}
    assert {s.type for s in addr} == {"ADDRESS"} and {s.detector for s in addr} == {"zh_address_model"}
    assert {s.type for s in org} == {"ORGANIZATION"} and {s.detector for s in org} == {"zh_organization_model"}
    assert tag_zh(text) is tag_zh(text)  # the one-entry cache


def test_output_is_deterministic_and_scores_are_probabilities():
    text = "患者马云，男，56岁，住在浙江省杭州市西湖区文三路90号，在阿里巴巴集团工作。"
    first = ZhTagger().tag(text)
    again = ZhTagger().tag(text)
    assert first == again and first
    assert all(0.0 <= s.score <= 1.0 for s in first)


def test_calibration_puts_half_at_the_threshold():
    cal = get_tagger().calibration["PERSON"]
    assert cal.score(cal.threshold) == pytest.approx(0.5)
    assert cal.score(cal.threshold + 1) > 0.5 > cal.score(cal.threshold - 1)


# ---- English -----------------------------------------------------------------------------

# Hand-labelled: (text, {(surface, type)}) -- every PERSON/ADDRESS/ORGANIZATION in the text.
EN_LABELLED = [
    ("Hello doctor, my name is Levi Durham and I'd like to book a follow-up.", {("Levi Durham", "PERSON")}),
    ("Hi Nicholas Padilla, your ticket was closed.", {("Nicholas Padilla", "PERSON")}),
    ("Dear Mr. Zhang, thank you for your patience.", {("Mr. Zhang", "PERSON")}),
    ("I spoke with Dr. Emily Carter at St. Mary Hospital yesterday.",
     {("Dr. Emily Carter", "PERSON"), ("St. Mary Hospital", "ORGANIZATION")}),
    ("Customer Wang Wei called about the refund.", {("Wang Wei", "PERSON")}),
    ("The account holder is Priya Raghunathan.", {("Priya Raghunathan", "PERSON")}),
    ("Please send it to 1600 Pennsylvania Avenue NW, Washington, DC 20500.",
     {("1600 Pennsylvania Avenue NW, Washington, DC 20500", "ADDRESS")}),  # the whole postal line
    ("Mail the bill to 28711 Golden Overpass, West Andreaville, OH 44115.",
     {("28711 Golden Overpass, West Andreaville, OH 44115", "ADDRESS")}),
    ("Ship to 42 Baker St., Apt 3B, Springfield, IL 62704 before Friday.",
     {("42 Baker St., Apt 3B, Springfield, IL 62704", "ADDRESS")}),
    ("Our P.O. Box 1234 receives the forms.", {("P.O. Box 1234", "ADDRESS")}),
    ("She works at Acme Holdings Inc. and banks with Bank of America.",
     {("Acme Holdings Inc.", "ORGANIZATION"), ("Bank of America", "ORGANIZATION")}),
    ("Contoso Ltd and Fabrikam LLC signed the contract.",
     {("Contoso Ltd", "ORGANIZATION"), ("Fabrikam LLC", "ORGANIZATION")}),
    ("He studied at the University of Michigan.", {("University of Michigan", "ORGANIZATION")}),
    ("Regards, Maria Gonzalez", {("Maria Gonzalez", "PERSON")}),
    ("Thanks for calling. Please hold while I check your order.", set()),
    ("Why was my line charged an extra $30? It happened on Monday.", set()),
    ("We will call you tomorrow, and the package should arrive in May.", set()),
    ("Please bring your ID and your last test results.", set()),
    ("The New York office is closed.", set()),
    ("Grace period ends soon; Mark the date.", set()),
    ("Contact: Sarah O'Connor, extension 4410.", {("Sarah O'Connor", "PERSON")}),
    ("Jean-Luc Picard approved the claim.", {("Jean-Luc Picard", "PERSON")}),  # no cue, unknown names
    ("Li Na and her husband visited the Shanghai Pudong Development Bank branch.",
     {("Li Na", "PERSON"), ("Shanghai Pudong Development Bank", "ORGANIZATION")}),
    ("Forward the papers to Ms. Okafor at 77 Massachusetts Ave, Cambridge, MA 02139.",
     {("Ms. Okafor", "PERSON"), ("77 Massachusetts Ave, Cambridge, MA 02139", "ADDRESS")}),
    ("Our Customer Service team at Northwind Traders Ltd. will reply.", {("Northwind Traders Ltd.", "ORGANIZATION")}),
    ("Please review the Terms of Service before you Sign Up.", set()),
    ("Kindly update the address on file.", set()),
    ("He moved from 5th Avenue to Lake Street last year.", set()),  # street names alone: no number
]


def test_english_labelled_set_precision_and_recall():
    recs = [EnPersonRecognizer(), EnAddressRecognizer(), EnOrganizationRecognizer()]
    gold, pred = [], []
    for i, (text, expected) in enumerate(EN_LABELLED):
        gold += [(i, surface, t) for surface, t in expected]
        an = Analyzer(types=NER_TYPES, recognizers=recs)
        pred += [(i, text[s.start : s.end], s.type) for s in an.analyze(text)]
    res = prf(gold, pred, NER_TYPES)
    for t in NER_TYPES:
        assert res[t]["precision"] >= 0.9, (t, res[t], sorted(set(pred) - set(gold)))
        assert res[t]["recall"] >= 0.85, (t, res[t], sorted(set(gold) - set(pred)))


def test_english_lone_first_name_needs_context():
    rec = EnPersonRecognizer()
    lone = [s for s in rec.analyze("Send it to Jessica tomorrow.") if s.score >= 0.5]
    cued = [s for s in rec.analyze("Hi, this is Jessica from billing.") if s.score >= 0.5]
    assert lone == [] and len(cued) == 1


def test_english_names_inside_chinese_text():
    text = "客户John Smith的订单已发货"
    spans = EnPersonRecognizer().analyze(text)
    assert [(text[s.start : s.end], s.detector) for s in spans] == [("John Smith", "en_person_dict")]


# ---- decoder -----------------------------------------------------------------------------


def _viterbi_spans(emissions: np.ndarray, trans: np.ndarray) -> tuple[set[tuple[int, int, int]], bool]:
    """Reference: textbook Viterbi; the BIOES spans of the best path, and whether every non-O
    tag of the path lies in one of them (no dangling I/E at the start, no unclosed B ...)."""
    n, n_tags = emissions.shape
    score, back = emissions[0].astype(np.float64), np.zeros((n, n_tags), dtype=int)
    for i in range(1, n):
        cand = score[:, None] + trans
        back[i], score = cand.argmax(0), cand.max(0) + emissions[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    path.reverse()
    out, open_at = set(), None
    for i, tag in enumerate(path):
        kind, typ = (tag - 1) % 4, (tag - 1) // 4
        if tag == 0:
            open_at = None
        elif kind == 3:
            out.add((i, i + 1, typ))
        elif kind == 0:
            open_at = (i, typ)
        elif kind == 2 and open_at is not None and open_at[1] == typ:
            out.add((open_at[0], i + 1, typ))
            open_at = None
    covered = sum(e - s for s, e, _ in out)
    return out, covered == sum(1 for t in path if t != 0)


def test_span_decoder_matches_full_viterbi_on_the_model():
    tagger = get_tagger()
    texts = [t for t, _ in ZH_LABELLED] + [
        "浙商银行企业信贷部叶老桂博士则从另一个角度对五道门槛进行了解读。" * 4,  # > _GRID_MAX: pruned path
        "温格的球队终于又踢了一场经典的比赛，2比1战胜曼联之后枪手仍然留在了夺冠集团之内，",
    ]
    trans = tagger.transitions
    for text in texts:
        gains = tagger.gains(text)
        emissions = np.hstack([np.zeros((len(text), 1)), gains])
        got = {(s, e, t) for s, e, t, _ in tagger.decoder.spans(emissions)}
        assert got == _viterbi_spans(emissions, trans)[0], text


def test_span_decoder_matches_viterbi_on_random_scores():
    rng = np.random.default_rng(0)
    k = 2
    n_tags = 1 + 4 * k
    # Valid BIOES moves get 0, invalid ones -20, O -> O a small bonus: paths are sparse, as in text.
    trans = np.full((n_tags, n_tags), -20.0)
    for a in range(n_tags):
        for b in range(n_tags):
            ka, ta, kb, tb = (a - 1) % 4, (a - 1) // 4, (b - 1) % 4, (b - 1) // 4
            a_closed = a == 0 or ka in (2, 3)
            b_opens = b == 0 or kb in (0, 3)
            if (a_closed and b_opens) or (not a_closed and kb in (1, 2) and ta == tb):
                trans[a, b] = 0.0
    trans[0, 0] = 1.0
    dec = SpanDecoder(trans, k, max_len=12)
    compared = {"grid": 0, "pruned": 0}
    for _ in range(400):
        n = int(rng.integers(1, 2 * decode._GRID_MAX))
        em = rng.normal(0, 1.5, size=(n, n_tags))
        em[:, 0] += 2.5
        ref, well_formed = _viterbi_spans(em, trans)
        got = {(s, e, t) for s, e, t, _ in dec.spans(em)}
        touching = any(a[1] == b[0] for a in ref for b in ref)
        too_long = any(e - s > 12 for s, e, _ in ref)
        # The documented exceptions; plus paths that start mid-entity (a CRF has no start
        # transition, so an E at position 0 is legal for Viterbi but is no span).
        if well_formed and not (touching or too_long):
            assert got == ref
            compared["grid" if n <= decode._GRID_MAX else "pruned"] += 1
    assert min(compared.values()) >= 30, compared  # both code paths were exercised


def test_joined_strings_decode_as_if_alone():
    # gains_many + decoding with string bounds (one pass for a record's lines) gives each line
    # the spans it gets alone, whichever decoding path (grid or pruned) each one takes.
    tagger = get_tagger()
    chunks = ["收件人欧阳娜娜，地址是上海市浦东新区世纪大道100号。", "好的，谢谢。", "阿里巴巴集团和腾讯公司都在杭州。" * 4,
              "客户 李雷 from 华为", "王小明\x00住在北京市朝阳区"]  # a NUL of its own: explicit pads
    for parts in (chunks, chunks[:4]):
        gains, offsets = tagger.gains_many(parts)
        for c, o in zip(parts, offsets):
            assert np.array_equal(gains[o : o + len(c)], tagger.gains(c))
        own = [i for c, o in zip(parts, offsets) for i in range(o, o + len(c))]
        assert (np.delete(gains, own, axis=0) == -1e4).all()  # the pads
        ends = [o + len(c) for c, o in zip(parts, offsets)]
        joined = tagger.decoder.spans_from_gains(gains, offsets, ends)
        alone = [(s + o, e + o, t) for c, o in zip(parts, offsets)
                 for s, e, t, _ in tagger.decoder.spans_from_gains(tagger.gains(c))]
        assert sorted((s, e, t) for s, e, t, _ in joined) == sorted(alone)


# ---- features ----------------------------------------------------------------------------


def test_feature_ids_shape_range_and_locality():
    text = "我叫张伟，Tel 13812345678。"
    ids = features.feature_ids(text, 18)
    assert ids.shape == (len(features.TEMPLATES), len(text))
    assert ids.min() >= 0 and ids.max() < 2**18
    assert np.array_equal(ids, features.feature_ids(text, 18))
    # A feature only sees RADIUS (+ pattern width) characters: appending text changes only the
    # last few columns (the longer string also uses other cached gather indices).
    longer = features.feature_ids(text + "好的谢谢" * 20, 18)
    reach = features.RADIUS
    assert np.array_equal(ids[:, : len(text) - reach], longer[:, : len(text) - reach])
    assert features.feature_ids("", 18).shape == (len(features.TEMPLATES), 0)


def test_fullwidth_and_case_share_features():
    # Same normalised characters and the same classes -> same ids: fullwidth Ａ１ == A1.
    assert np.array_equal(features.feature_ids("王ＡＢＣ１２", 18), features.feature_ids("王ABC12", 18))
    assert not np.array_equal(features.feature_ids("王ABC", 18), features.feature_ids("王abc", 18))  # case is a class
    # Digits are one symbol: 138 and 139 give the same features.
    assert np.array_equal(features.feature_ids("电话138", 18), features.feature_ids("电话139", 18))


# ---- CLUENER reading ---------------------------------------------------------------------


def test_load_cluener_both_layouts_and_inclusive_ends(tmp_path):
    rec = {"text": "叶老桂在浙商银行", "label": {"name": {"叶老桂": [[0, 2]]}, "company": {"浙商银行": [[4, 7]]},
                                            "position": {"x": [[3, 3]]}}}
    lines = tmp_path / "train.json"
    lines.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(rec, ensure_ascii=False) + "\n", "utf-8")
    pretty = tmp_path / "dev.json"
    pretty.write_text(json.dumps(rec, ensure_ascii=False, indent=4) * 2, "utf-8")
    for path in (lines, pretty):
        records = load_cluener(path)
        assert len(records) == 2
        assert sorted(gold_spans(records[0])) == [(0, 3, "PERSON"), (4, 8, "ORGANIZATION")]


def test_load_cluener_reports_where_it_breaks(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"text": "好", "label": {}}\n{"text": oops}\n', "utf-8")
    with pytest.raises(InputError) as err:
        load_cluener(bad)
    assert err.value.line == 2 and err.value.path == str(bad)


# ---- accuracy on CLUENER dev (slow) ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not CLUENER_DEV.exists(), reason="CLUENER dev set not available")
def test_cluener_dev_person_f1():
    bench = _load_script("benchmarks/cluener_eval.py")
    res = bench.evaluate_cluener(str(CLUENER_DEV), Analyzer(types=NER_TYPES))
    assert res["PERSON"]["f1"] >= 0.75
    assert res["ORGANIZATION"]["f1"] >= 0.7
    assert res["ADDRESS"]["f1"] >= 0.4


# ---- training tool -----------------------------------------------------------------------


def _load_script(relative: str):
    """Import a repository script (tools/, benchmarks/) by path: they are not installed."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def train_tool():
    return _load_script("tools/train_ner.py")


def test_training_tags_are_bioes_over_mapped_types(train_tool):
    rec = {"text": "叶老桂在浙商银行上班", "label": {"name": {"叶老桂": [[0, 2]]}, "company": {"浙商银行": [[4, 7]]},
                                              "position": {"班": [[9, 9]]}}}
    assert train_tool.tag_sequence(rec) == [
        "B-PERSON", "I-PERSON", "E-PERSON", "O",
        "B-ORGANIZATION", "I-ORGANIZATION", "I-ORGANIZATION", "E-ORGANIZATION", "O", "O",
    ]


def test_calibration_slope_recovers_a_known_logistic(train_tool):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 20, 2000)
    y = (rng.random(2000) < 1 / (1 + np.exp(-(0.3 * x - 1)))).astype(float)
    assert train_tool._logistic_slope(x, y) == pytest.approx(0.3, abs=0.05)


def test_feature_ids_nul_pads_equal_explicit_pads():
    parts = ["我叫张伟", "Tel 13812345678。", "好"]
    joined = "\x00\x00\x00".join(parts)
    pads = np.array([i for i, c in enumerate(joined) if c == "\x00"], dtype=np.intp)
    assert np.array_equal(features.feature_ids(joined, 18, pads), features.feature_ids(joined, 18, nul_pads=True))


def test_titles_are_suffix_free():
    # _person_bounds looks titles up by length: correct only while no title ends with another.
    from privtune.scan.ner.lexicon import ZH_TITLES

    assert not [(a, b) for a in ZH_TITLES for b in ZH_TITLES if a != b and a.endswith(b)]


def test_calibration_split_repeats_a_set_only_in_the_fitted_part(train_tool):
    train = [{"text": f"句{i}", "spans": [], **({"source": "cluener"} if i % 2 else {})} for i in range(40)]
    fit, held = train_tool.calibration_split(train, 0.25, seed=13, repeat={"cluener": 3})
    held_ids = {id(r) for r in held}
    assert len(held) == 10 and not [r for r in fit if id(r) in held_ids]
    once = [r for r in train if id(r) not in held_ids]
    n_cluener = sum(1 for r in once if r.get("source") == "cluener")
    assert len(fit) == len(once) + 2 * n_cluener  # each fitted CLUENER record three times
    assert train_tool.calibration_split(train, 0.25, seed=13)[1] == held  # seeded: the same held-out part
