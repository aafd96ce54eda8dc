"""Deterministic bilingual (zh + en) customer-service chats with realistic PII.

Scenarios: bank, telecom, e-commerce, clinic. Every record is a chat
(``messages: [{role, content}]``) and carries a ``customer_id`` (usable as the privacy unit).
PII is generated with valid checksums (ID cards, bank cards) so detectors see realistic data;
order and tracking numbers are present on purpose and are *not* PII. A few customers carry a
rare identity-revealing fact, and some records are near-duplicates, as real logs are.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from faker import Faker

from privtune.scan.checksums import cn_id_check_char, luhn_check_digit

SCENARIOS = ("bank", "telecom", "ecommerce", "clinic")
_REGIONS = ("110105", "310104", "440305", "330106", "510107", "420111", "320102", "370202")
_RARE_FACTS_ZH = ("我是去年全市马拉松冠军", "我是小区里唯一养羊驼的人", "我在市一医院做过心脏移植", "我是本地电视台的天气预报主持人")
_RARE_FACTS_EN = ("I was last year's city marathon champion", "I'm the only person on my street with a pet alpaca",
                  "I had a heart transplant at City General last spring", "I present the local TV weather forecast")


def cn_id(rng: random.Random) -> str:
    year = rng.randint(1955, 2004)
    first17 = f"{rng.choice(_REGIONS)}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first17 + cn_id_check_char(first17)


def bank_card(rng: random.Random) -> str:
    prefix = rng.choice(("622202", "621700", "622848", "4367", "5187"))
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(18 - len(prefix)))
    return body + luhn_check_digit(body)


def cn_mobile(rng: random.Random) -> str:
    return rng.choice(("138", "139", "186", "150", "177", "199")) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def us_phone(rng: random.Random) -> str:
    return f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def order_no(rng: random.Random) -> str:
    return f"{rng.randint(2023, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(10**7, 10**8 - 1)}"


class _Customer:
    def __init__(self, cid: int, lang: str, rng: random.Random, fake: Faker) -> None:
        self.id = f"C{cid:05d}"
        self.lang = lang
        self.name = fake.name()
        self.phone = cn_mobile(rng) if lang == "zh" else us_phone(rng)
        self.id_card = cn_id(rng)
        self.card = bank_card(rng)
        self.address = fake.address().replace("\n", ", ")
        self.email = f"{fake.user_name()}{rng.randint(1, 99)}@{rng.choice(('example.com', 'mail.cn', 'corp.example'))}"
        self.rare_fact = (rng.choice(_RARE_FACTS_ZH) if lang == "zh" else rng.choice(_RARE_FACTS_EN)) if rng.random() < 0.05 else None


_GENERIC = {
    "zh": {"phone": "您预留的手机号", "id_card": "您的证件号", "card": "您的银行卡",
           "address": "您的收货地址", "email": "您的邮箱"},
    "en": {"phone": "your registered number", "id_card": "your ID", "card": "your card",
           "address": "your delivery address", "email": "your email"},
}


class _GenericCustomer(_Customer):
    """Same dialogs with every identifier replaced by a generic phrase: what a base model has seen.

    The (fictitious) name stays: a web-trained model has read countless "王芳您好" and "Hi Amy",
    and greets by name; it has not read anyone's phone or ID number in that slot."""

    def __init__(self, cid: int, lang: str, rng: random.Random, fake: Faker) -> None:
        super().__init__(cid, lang, rng, fake)
        g = _GENERIC[lang]
        self.phone, self.id_card = g["phone"], g["id_card"]
        self.card, self.address, self.email = "", g["address"], g["email"]
        self.rare_fact = None


def _zh_dialog(c: _Customer, scenario: str, rng: random.Random) -> list[tuple[str, str]]:
    o = order_no(rng)
    fact = f"，{c.rare_fact}" if c.rare_fact else ""
    if scenario == "bank":
        return [("user", f"你好，我是{c.name}{fact}。我的银行卡{c.card}昨天被锁了，能帮我看看吗？"),
                ("assistant", f"{c.name}您好，已为您核实身份证号{c.id_card}对应的账户，卡片因多次输错密码被临时冻结，解冻短信会发到{c.phone}。"),
                ("user", "好的，谢谢。"),
                ("assistant", "不客气，解冻后请及时修改密码。")]
    if scenario == "telecom":
        return [("user", f"我的手机号{c.phone}这个月话费怎么多扣了30元？机主是{c.name}{fact}。"),
                ("assistant", f"您好{c.name}，查询到您本月开通了视频会员包，工单号{o}，我们已为您退订并退还费用。"),
                ("user", f"账单寄到{c.address}就行。"),
                ("assistant", "好的，纸质账单将在三个工作日内寄出。")]
    if scenario == "ecommerce":
        return [("user", f"订单{o}还没到，收货人{c.name}，电话{c.phone}{fact}。"),
                ("assistant", f"您好，订单{o}的包裹在转运中心滞留，预计明天送达{c.address}。"),
                ("user", "能退运费吗？"),
                ("assistant", f"可以，运费将退回尾号{c.card[-4:]}的银行卡。" if c.card else "可以，运费将原路退回您的银行卡。")]
    return [("user", f"医生你好，我叫{c.name}{fact}，身份证{c.id_card}，想预约下周的复诊。"),
            ("assistant", f"{c.name}您好，已为您预约下周三上午九点的复诊，短信提醒会发到{c.phone}。"),
            ("user", "需要带什么材料吗？"),
            ("assistant", "请携带身份证和上次的检查报告。")]


def _en_dialog(c: _Customer, scenario: str, rng: random.Random) -> list[tuple[str, str]]:
    o = order_no(rng)
    fact = f" {c.rare_fact}." if c.rare_fact else ""
    if scenario == "bank":
        return [("user", f"Hi, this is {c.name}.{fact} My card {c.card or 'ending 1234'} was blocked yesterday."),
                ("assistant", f"Hello {c.name}, I verified the account linked to {c.email}. The card was frozen after several wrong PINs; an unlock code goes to {c.phone}."),
                ("user", "Thanks."),
                ("assistant", "You're welcome. Please change your PIN once it is unlocked.")]
    if scenario == "telecom":
        return [("user", f"Why was my line {c.phone} charged an extra $30? The account holder is {c.name}.{fact}"),
                ("assistant", f"Hi {c.name}, ticket {o}: a video add-on was activated. I have cancelled it and refunded the charge."),
                ("user", f"Please mail the bill to {c.address}."),
                ("assistant", "Done, the paper bill will arrive in three business days.")]
    if scenario == "ecommerce":
        return [("user", f"Order {o} hasn't arrived. Recipient {c.name}, phone {c.phone}.{fact}"),
                ("assistant", f"Hello, the parcel for order {o} is held at the sorting centre and should reach {c.address} tomorrow."),
                ("user", "Can I get the shipping fee back?"),
                ("assistant", f"Yes, it will be refunded to the card ending {c.card[-4:]}." if c.card
                 else "Yes, it will be refunded to your card.")]
    return [("user", f"Hello doctor, my name is {c.name}.{fact} I'd like to book a follow-up, my email is {c.email}."),
            ("assistant", f"Hi {c.name}, you're booked for next Wednesday 9am; a reminder goes to {c.phone}."),
            ("user", "What should I bring?"),
            ("assistant", "Please bring your ID and your last test results.")]


# The company's own way of closing a case: policy lines its agents always add. A base model
# cannot know them; every fine-tuned arm can learn them, because every record carries them.
_HOUSE_STYLE = {
    "zh": {"bank": "如仍无法使用，请点智能客服转人工。", "telecom": "退款将返还到您的话费余额。",
           "ecommerce": "超过两天未更新可申请延误补偿。", "clinic": "如需改期请提前一天在小程序操作。"},
    "en": {"bank": "If it still fails, tap Smart Help in the app.", "telecom": "The refund shows on your next bill.",
           "ecommerce": "No update in two days? Claim delay compensation.", "clinic": "To reschedule, use the app a day ahead."},
}


def generate(
    n: int, seed: int = 0, zh_share: float = 0.5, near_dup_rate: float = 0.03, generic: bool = False,
    house_style: float = 0.0,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` chat records, deterministically from ``seed``.

    ``generic=True`` gives the same kinds of dialog with no identifiers (numbers, addresses and
    e-mails replaced by generic phrases; names are fictitious people's): the demo pre-trains
    its base model on these.
    ``house_style`` is the share of records whose first answer ends with the company's policy
    line: content records share, which fine-tuning should learn (and DP can), unlike any one
    customer's data. The demo's chats all carry it; its base model saw it in some dialogs.
    """
    rng = random.Random(seed)
    fakes = {"zh": Faker("zh_CN"), "en": Faker("en_US")}
    for f in fakes.values():
        f.seed_instance(seed)
    previous: list[dict[str, Any]] = []
    for i in range(n):
        if previous and rng.random() < near_dup_rate:
            src = rng.choice(previous)
            msgs = [dict(m) for m in src["messages"]]
            msgs[-1]["content"] = msgs[-1]["content"].rstrip("。.") + ("！" if "。" in msgs[-1]["content"] else "!")
            yield {"customer_id": src["customer_id"], "scenario": src["scenario"], "lang": src["lang"],
                   "messages": msgs}
            continue
        lang = "zh" if rng.random() < zh_share else "en"
        cust = (_GenericCustomer if generic else _Customer)(i, lang, rng, fakes[lang])
        scenario = rng.choice(SCENARIOS)
        turns = (_zh_dialog if lang == "zh" else _en_dialog)(cust, scenario, rng)
        if house_style and rng.random() < house_style:
            sep = "" if lang == "zh" else " "
            turns[1] = (turns[1][0], turns[1][1] + sep + _HOUSE_STYLE[lang][scenario])
        rec = {"customer_id": cust.id, "scenario": scenario, "lang": lang,
               "messages": [{"role": r, "content": t} for r, t in turns]}
        if len(previous) < 256:
            previous.append(rec)
        yield rec


def split_heldout(records: list[dict[str, Any]], n_heldout: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Training and held-out chats with the same language x scenario mix and no shared customer.

    A plain head/tail split of a few hundred chats can give, say, 51% Chinese members against
    40% Chinese non-members; fine-tuning gains more on one language, and a membership attack
    then "detects" the language. Each stratum gives its share (largest remainders) of the
    held-out chats from its end; a training chat whose customer also appears in the held-out
    set (a near-duplicate) is dropped, so the two sets stay disjoint by customer.
    """
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        strata[(r["lang"], r["scenario"])].append(i)
    quota = {k: len(v) * n_heldout / len(records) for k, v in strata.items()}
    take = {k: int(q) for k, q in quota.items()}
    for k in sorted(quota, key=lambda k: take[k] - quota[k])[: n_heldout - sum(take.values())]:
        take[k] += 1
    held_idx = {i for k, v in strata.items() for i in v[len(v) - take[k] :]}
    heldout = [r for i, r in enumerate(records) if i in held_idx]
    held_ids = {r["customer_id"] for r in heldout}
    train = [r for i, r in enumerate(records) if i not in held_idx and r["customer_id"] not in held_ids]
    return train, heldout
