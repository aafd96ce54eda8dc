"""A Chinese social-media PERSON set in the shapes of Weibo posts, built here (not a held-out set).

    python benchmarks/social_zh_data.py --n 5          # print a few records as JSON lines

Records are short posts, nearly all with a mark of a post (@handles, // reposts, #topics#, [emoticons],
tripled characters, t.cn links) and names in the shapes the Weibo corpus has and the news sets
have few of: a handle that is a name (//@张伟:), staff handles that put an organisation before
the person's name (@鑫博腾飞李娜@鑫博腾飞王芳), names beside emoticons and hashtags, two names
written together in a topic (#王芳李娜合体#), a name before 老师 / 姐姐 (the title is not part
of it, as Weibo labels it), nicknames made with 小 / 阿 + one given character (labelled: Weibo
labels them; the scan finds few), and posts without a name whose words begin with a surname
character or whose handles are organisations, places or brands (they measure false positives:
@上海发布, @鑫博腾飞官方微博, 黄金周, 马上). Names are Faker's zh_CN / zh_TW names, places and
company prefixes; every template is written for this file (none is a sentence of a corpus).
Each record: ``{"text", "spans": [[start, end, "PERSON"], ...], "locale"}``.
``benchmarks/ner_eval.py`` scores it as ``social_zh`` (PERSON only; reported on its own, not
summed into the "zh" totals).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from benchmarks.templated_posts import by_locale, fill  # noqa: E402

LOCALES = ("zh_CN", "zh_TW")
# {full}/{full2}: names; {nick}: 小/阿 + one given character (a name too); {org}: a company
# prefix, {place}: a city (never PERSON).
TEMPLATES: tuple[str, ...] = (
    "//@{full}:哈哈哈哈哈太真实了",
    "转发微博//@{full}:支持一下[赞]",
    "感谢两位的辛苦付出[鼓掌]@{org}{full}@{org}{full2}",
    "//@{org}{full}:活动还有三天截止，大家抓紧报名哦",
    "今天和{full}一起去{place}吃火锅[哈哈][哈哈]",
    "{full}老师讲得太好了，终于听懂了#考研加油#",
    "前排围观！{full}姐姐的声音好甜[爱你]",
    "#{full}{full2}合体#好期待好期待好期待",
    "{full}，生日快乐！[蛋糕][蛋糕]要一直开心哦",
    "恭喜{full}拿到冠军！！！//@{org}官方微博:恭喜恭喜",
    "和{full}在{place}偶遇了，激动激动激动",
    "{nick}今天又迟到了哈哈哈哈",
    "好想{nick}啊，什么时候回来[泪]",
    "@{full} 你上次说的那家店在哪里？",
    "谢谢{full}的礼物[心][心]我在:http://t.cn/zQk8Ln",
    "{full}和{full2}都来了，就差你了@{full3}",
    # No name: handles of organisations, places and brands; words that begin with a surname.
    "//@{place}发布:今天{place}有雨，出门记得带伞",
    "@{org}官方微博 新品什么时候上市？",
    "@{org}客服 我的订单还没发货[怒]",
    "#{org}新品发布会#期待期待期待",
    "黄金周去哪儿玩？{place}的人太多了[汗]",
    "马上就要放假了，高铁票都抢光了",
    "王者荣耀又输了，心累累累",
    "周末在家看电影，顺便吃了一碗米粉",
    "{place}的天气太好了，适合出去玩[太阳]",
    "我是{org}的老用户了，支持！//@{org}:感谢支持",
)


def _record(fk: Faker, rng: random.Random, locale: str) -> dict:
    given = fk.first_name()
    fields = {
        "full": fk.name(), "full2": fk.name(), "full3": fk.name(),
        "nick": rng.choice("小阿") + given[-1],
    }  # fmt: skip
    other = {"org": re.sub(r"[^\u4e00-\u9fff]", "", fk.company_prefix()) or "华远", "place": fk.city_name()}
    tpl = rng.choice(TEMPLATES)
    text, spans = fill(tpl, fields, other)
    return {"text": text, "spans": spans, "locale": locale}


def generate(n: int, seed: int) -> list[dict]:
    """``n`` records, locales in turn, deterministic for a given seed."""
    return by_locale(n, seed, LOCALES, _record)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    for rec in generate(args.n, args.seed):
        print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main()
