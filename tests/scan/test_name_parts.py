"""Issue 11.2: partial mentions of a detected person ("Thanks John", "Sure Bob" for Robert,
小明您好 and 王先生 after 王小明 / 王建国) are replaced with the surrogate's matching part."""

import json

import pytest

from privtune.scan.config import ScanConfig
from privtune.scan.entities import Span
from privtune.scan.name_parts import name_parts
from privtune.scan.pipeline import run_scan
from privtune.scan.propagate import propagate, propagate_with_aliases

from scan_helpers import KEY
from scan_helpers import write_lines as _write


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _chat(*turns):
    return {"messages": [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]}


def _scan(tmp_path, records):
    src = _write(tmp_path / "in.jsonl", records)
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", dedup="off"))
    return [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]


def test_given_names_nicknames_and_honorifics_follow_the_full_names_surrogate(tmp_path):
    out = _scan(tmp_path, [
        _chat("Hi, I'm Robert Jones, my card is blocked.", "Sure Bob, and thanks Robert."),
        _chat("我叫王小明，卡被锁了", "小明您好，王先生请稍等"),
        {"text": "客户来电咨询账单，王先生说要退款", "customer_name": "王建国"},
    ])
    first = out[0]["messages"][0]["content"].split("I'm ")[1].split(",")[0]  # "Robert Jones" -> "A B"
    fake_first, fake_last = first.split()
    assert "Robert" not in json.dumps(out[0]) and "Bob" not in json.dumps(out[0])
    assert out[0]["messages"][1]["content"] == f"Sure {fake_first}, and thanks {fake_first}."
    assert fake_last != "Jones"

    fake = out[1]["messages"][0]["content"][2:5]  # 我叫XXX，
    reply = out[1]["messages"][1]["content"]
    assert "小明" not in reply and "王先生" not in reply
    assert reply == f"{fake[1:]}您好，{fake[0]}先生请稍等"

    side = out[2]["customer_name"]
    assert out[2]["text"] == f"客户来电咨询账单，{side[0]}先生说要退款" and side != "王建国"


def test_a_compound_surname_alone_takes_the_full_names_surrogate_surname(tmp_path):
    # "欧阳女士" after "欧阳娜娜" (found by the honorific cue as "欧阳", or propagated as
    # "欧阳女士"): the surname was mapped as 欧 + given name 阳, an unrelated two-character name.
    out = _scan(tmp_path, [{"text": "联系人欧阳娜娜。欧阳女士请留意。"},
                           {"text": "我叫司马建国，电话13812345678。司马先生您好。"}])
    fake = out[0]["text"][3:7]
    assert fake[:2] != "欧阳" and out[0]["text"] == f"联系人{fake}。{fake[:2]}女士请留意。"
    fake = out[1]["text"][2:6]
    assert fake[:2] != "司马" and out[1]["text"].endswith(f"{fake[:2]}先生您好。")


def test_surnames_need_an_honorific_and_short_parts_are_left_alone():
    texts = ["Hi, I'm John Smith.", "Smith & Wesson; Mr Smith called; Johnson and John."]
    found = [[Span(8, 18, "PERSON", 0.9, "en_person_dict")], []]
    spans = propagate(texts, found)[1]
    marked = {texts[1][s.start:s.end] for s in spans}
    assert marked == {"Mr Smith", "John"}  # not the bare surname, not "Johnson"
    assert {p.needle for p in name_parts("王芳")} == {"王" + h for h in ("先生", "女士", "小姐", "太太", "老师",
                                                                       "经理", "主任", "医生", "律师", "总")}
    assert name_parts("王先生") == () and name_parts("小王") == () and name_parts("王") == ()


def test_aliases_point_at_what_the_part_stands_for():
    texts = ["我叫王小明", "小明您好"]
    spans, aliases = propagate_with_aliases(texts, [[Span(2, 5, "PERSON", 0.9, "zh_person_model")], []])
    assert [(s.start, s.end, s.detector) for s in spans[1]] == [(0, 2, "propagated:given_name")]
    assert aliases[1] == {0: ("zh_given", "小明")}
    _, aliases = propagate_with_aliases(["Liz Brown", "Hi Elizabeth"], [[Span(0, 9, "PERSON", 0.9, "x")], []])
    assert aliases[1] == {3: ("en_first", "Elizabeth")}


def test_parts_do_not_leave_their_record(tmp_path):
    out = _scan(tmp_path, [_chat("我叫王建国", "好的"), {"text": "建国以来，王先生的故事"}])
    assert out[1]["text"] == "建国以来，王先生的故事"
