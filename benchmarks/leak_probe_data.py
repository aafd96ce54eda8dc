"""A messy bilingual probe set of the exports users bring to `privtune scan`, with planted PII.

Shapes: help-desk CSV exports (a Zendesk/Freshdesk row pasted whole, quoted multi-line bodies),
WhatsApp and WeChat chat exports, e-mail threads with quoted replies and signatures, HTML and
Markdown fragments, JSON with nested fields, OCR text with broken spacing. Every record plants
values of the types the scan claims (README "Types"); `benchmarks/leak_probe.py` scans the set
and counts, per type, the values that survive.

Each line of the set is ``{"shape": str, "record": {...}, "pii": [[TYPE, value], ...]}``: the
record is what is scanned, each value occurs verbatim in one of its strings. Values with check
digits are computed (checksums.py), names are of many nationalities, and no value is a real
person's. Deterministic: ``build(seed)`` gives the same set every time.

    python -m benchmarks.leak_probe_data --out benchmarks/data/leak_probe9.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from typing import Any

from privtune.scan.checksums import cn_id_check_char, iban_check_digits, luhn_check_digit, uscc_check_char

Rng = random.Random

EN_NAMES = ["Chidi Okafor", "Yuki Tanaka", "Siobhán O'Neill", "Krisztina Vámos", "Mateo Fernández",
            "Priya Raghunathan", "Olusegun Adeyemi", "Anna Kowalczyk", "Tomasz Wiśniewski", "Fatima Al-Harbi",
            "Lars Halvorsen", "Grace Mwangi", "Diego Ramírez", "Emily Carter", "Hannah Becker", "Rafael Costa",
            "Aisha Bello", "Liam Murphy", "Nguyen Thi Lan", "Kofi Mensah"]
ZH_NAMES = ["王伟", "张丽", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄晓明", "周杰", "吴婷婷", "徐磊", "孙悦",
            "马超", "朱琳", "胡斌", "郭晶晶", "林志强", "何雪", "高峰", "罗敏"]
EN_ADDRESSES = ["221B Baker Street, London NW1 6XE", "Hauptstraße 12, 10115 Berlin", "Unit 5, 12 Queen St, Auckland",
                "45 Rue de Rivoli, 75001 Paris", "Flat 3, 17 Elm Grove, Manchester M14 5LT",
                "Apt 4B, 350 W 42nd St, New York, NY 10036", "88 Collins Street, Melbourne VIC 3000",
                "Calle Mayor 14, 3º B, 28013 Madrid", "12 Marina Road, Lekki, Lagos", "4417 Rua das Flores 88, Apt. 12"]
ZH_ADDRESSES = ["北京市朝阳区望京SOHO T3 1802", "上海市浦东新区世纪大道100号45楼", "深圳市南山区科技园南区R2-B栋3楼",
                "杭州市西湖区文三路478号华星时代广场A座1203室", "成都市武侯区天府大道北段1700号E1区", "南京市鼓楼区中山路18号8楼",
                "广州市天河区珠江新城花城大道85号2栋1104", "武汉市洪山区珞喻路1037号"]
EN_ORGS = ["Northwind Traders GmbH", "Halvorsen Shipping AS", "Bluewave Analytics Ltd", "Okapi Health Inc."]
ZH_ORGS = ["深圳市腾飞科技有限公司", "杭州云帆网络科技有限公司", "北京华信达贸易有限公司", "上海锦程物流有限公司"]
EN_PHONES = ["+44 7700 900123", "(415) 555-0142", "+1 212 555 0187", "07700 900456", "+61 412 345 678", "0412 345 678",
             "+49 30 1234567", "06 12 34 56 78", "+33 6 12 34 56 78", "+81 3-1234-5678", "+91 98765 43210",
             "+234 803 123 4567", "+966 50 123 4567", "03-1234-5678"]
ZH_PHONES = ["138 0013 8000", "139-1122-3344", "+86 136 1234 5678", "(010) 8765 4321", "021-6234 5678", "15800001111",
             "0755-86001234", "186 2233 4455"]
MASKED_PHONES = ["138****5678", "+44 7700 9**123", "139****2211", "07700 9***56", "186****0099"]
SECRETS = ["Tr0ub4dor&3", "Summer2024!", "hunter2go", "Qw3rty#88", "P@ssw0rd123"]
HANDLES_EN = ["chidi_okafor", "yuki.t_88", "mwangi.grace", "lars_h77", "dieg0rmz"]
HANDLES_ZH = ["wxid_8k2j9x", "zhangli88", "lina_1990", "wangwei_sz", "chenjing520"]


def _digits(rng: Rng, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _luhn(body: str) -> str:
    return body + luhn_check_digit(body)


def cn_id(rng: Rng) -> str:
    first = rng.choice(["110105", "310104", "440305", "330106", "510107"]) + f"{rng.randint(1960, 2001)}"
    first += f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + _digits(rng, 3)
    return first + cn_id_check_char(first)


def card(rng: Rng) -> str:
    body = rng.choice(["4", "51", "622202"]) + ""
    body += _digits(rng, 15 - len(body))
    n = body + luhn_check_digit(body)
    return " ".join(n[i:i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else n


def iban(rng: Rng) -> str:
    country, bban = rng.choice([("DE", _digits(rng, 18)), ("GB", "NWBK" + _digits(rng, 14)),
                                ("FR", _digits(rng, 10) + "ABC" + _digits(rng, 8) + _digits(rng, 2))])
    s = country + iban_check_digits(country, bban) + bban
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4)) if rng.random() < 0.5 else s


def uscc(rng: Rng) -> str:
    head = "91" + rng.choice(["110105", "440305", "330106"]) + "MA" + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(7))
    return head + uscc_check_char(head)


def ssn(rng: Rng) -> str:
    return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def ip(rng: Rng) -> str:
    return f"{rng.choice([81, 103, 185, 217])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"


def dob(rng: Rng, zh: bool) -> str:
    y, m, d = rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28)
    if zh:
        return rng.choice([f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}.{m}.{d}"])
    return rng.choice([f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d} March {y}", f"{m}/{d}/{y % 100:02d}"])


def plate(rng: Rng, zh: bool) -> str:
    if zh:
        return rng.choice("京沪粤浙川") + rng.choice("ABCDE") + rng.choice(["", "·"]) + _digits(rng, 1) + rng.choice("ABCDK") + _digits(rng, 3)
    return rng.choice(["KX19 ZTB", "YR68 KLM", "7ABC123", "B-MW 1234"])


def passport(rng: Rng, zh: bool) -> str:
    return "E" + _digits(rng, 8) if zh else rng.choice(["5" + _digits(rng, 8), "C" + _digits(rng, 8)])


def _email(name: str, rng: Rng) -> str:
    parts = [re.sub(r"[^a-z]", "", p.lower().translate(str.maketrans("áéíóúñśöèäü", "aeiounsoeau"))) for p in name.split()]
    dom = rng.choice(["gmail.com", "outlook.com", "firma.de", "example.co.uk", "yahoo.fr", "mail.ng"])
    return f"{parts[0]}.{parts[-1]}{rng.choice(['', '88', '7'])}@{dom}"


# A template is a text with {slot} markers; each slot names a value drawn per record (below). The
# rendered strings go into the record by the shape's builder; every slot used is planted PII of
# the slot's type ("raw" slots are not PII: ticket numbers of the desk itself, dates of the chat).
SLOT_TYPES = {"name": "PERSON", "name2": "PERSON", "zname": "PERSON", "zname2": "PERSON", "first": "PERSON",
              "zgiven": "PERSON", "addr": "ADDRESS", "zaddr": "ADDRESS", "org": "ORGANIZATION", "zorg": "ORGANIZATION",
              "email": "EMAIL", "email2": "EMAIL", "phone": "PHONE", "zphone": "PHONE", "mphone": "PHONE",
              "idcard": "ID_CARD", "card": "BANK_CARD", "ip": "IP_ADDRESS", "url": "URL", "uscc": "USCC",
              "passport": "PASSPORT", "plate": "LICENSE_PLATE", "iban": "IBAN", "ssn": "US_SSN", "dob": "DATE_OF_BIRTH",
              "handle": "USERNAME", "zhandle": "USERNAME", "order": "RECORD_ID", "mrn": "RECORD_ID",
              "secret": "SECRET", "iqama": "ID_CARD"}


def draw_slots(rng: Rng, zh: bool) -> dict[str, str]:
    name, name2 = rng.sample(EN_NAMES, 2)
    zname, zname2 = rng.sample(ZH_NAMES, 2)
    handle = rng.choice(HANDLES_ZH if zh else HANDLES_EN)
    return {
        "name": name, "name2": name2, "first": name.split()[0], "zname": zname, "zname2": zname2, "zgiven": zname[1:],
        "addr": rng.choice(EN_ADDRESSES), "zaddr": rng.choice(ZH_ADDRESSES), "org": rng.choice(EN_ORGS),
        "zorg": rng.choice(ZH_ORGS), "email": _email(name, rng), "email2": _email(name2, rng),
        "phone": rng.choice(EN_PHONES), "zphone": rng.choice(ZH_PHONES), "mphone": rng.choice(MASKED_PHONES),
        "idcard": cn_id(rng), "card": card(rng), "ip": ip(rng),
        "url": f"https://www.facebook.com/{handle.replace('_', '.')}", "uscc": uscc(rng),
        "passport": passport(rng, zh), "plate": plate(rng, zh), "iban": iban(rng), "ssn": ssn(rng), "dob": dob(rng, zh),
        "handle": handle, "zhandle": rng.choice(HANDLES_ZH),
        "order": rng.choice([f"2023-{_digits(rng, 2)}-{_digits(rng, 5)}", f"#{_digits(rng, 7)}",
                             f"{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}"]),
        "mrn": _digits(rng, 8), "secret": rng.choice(SECRETS), "iqama": _luhn("2" + _digits(rng, 8)),
        "ticket": _digits(rng, 5), "when": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024",
        "time": f"{rng.randint(8, 22)}:{rng.randint(0, 59):02d}",
    }


def render(template: str, slots: dict[str, str], pii: list[list[str]], types: dict[str, str] | None = None) -> str:
    """The template with its slots filled; each PII slot's ``[type, value]`` is added to ``pii``."""
    types = SLOT_TYPES if types is None else types

    def fill(m: re.Match[str]) -> str:
        key = m.group(1)
        value = slots[key]
        if key in types and [types[key], value] not in pii:
            pii.append([types[key], value])
        return value
    return re.sub(r"\{(\w+)\}", fill, template)


# --- shapes: each returns the record, given a render function for its strings ------------------

Render = Callable[[str], str]

EN_TICKET_BODIES = [
    "Hi,\n\nMy name is {name} and my order {order} never arrived. Please call me on {phone} or write to {email}.\n\nThanks,\n{first}",
    "Hello team,\nI was charged twice on card {card}. Billing address: {addr}.\nDOB {dob} for verification.\n-- {name}",
    "Customer {name} (account {email}) reports login failures from {ip}. Temporary password set to {secret}, please rotate.",
    "Please contact Ms. {name} at {phone} about the lease. She lives at {addr}.",
    "Refund to IBAN {iban}, account holder {name}. SSN on file: {ssn}.",
    "The courier left the parcel at {addr} but {name} says it's not there. Vehicle reg {plate}.",
]
ZH_TICKET_BODIES = [
    "您好，我是{zname}，订单号 {order} 一直没有发货，电话 {zphone}，麻烦尽快处理。",
    "客户{zname}（身份证号 {idcard}）申请退款，收货地址：{zaddr}，联系人手机 {zphone}。",
    "{zorg}（统一社会信用代码 {uscc}）的发票抬头有误，请联系财务{zname}，邮箱 {email}。",
    "用户反馈：{zname} 的银行卡 {card} 被重复扣款，护照号 {passport}，车牌 {plate}。",
    "请联系 {mphone} 的客户{zname}，她的微信号是 {zhandle}。",
]


def zendesk_csv(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    body = r(rng.choice(ZH_TICKET_BODIES if zh else EN_TICKET_BODIES))
    quoted = body.replace('"', '""')
    row = r('{ticket},"' + ("退款问题" if zh else "Re: refund") + '","{when}","' + quoted + '","{email}","Open"')
    return {"text": 'Ticket ID,Subject,Created,Description,Requester,Status\n' + row}


def freshdesk_json(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    body = r(rng.choice(ZH_TICKET_BODIES if zh else EN_TICKET_BODIES))
    return {"id": r("{ticket}"), "description_text": body,
            "requester": {"name": r("{zname}" if zh else "{name}"), "email": r("{email}"),
                          "phone": r("{zphone}" if zh else "{phone}")},
            "custom_fields": {"cf_order": r("{order}")}}


EN_CHAT_LINES = [
    "[{when}, {time}] {name}: hey it's {first}, new number is {phone}",
    "[{when}, {time}] {name2}: ok saved. can you send me your address?",
    "[{when}, {time}] {name}: {addr}",
    "[{when}, {time}] {name}: and my insta is @{handle} if you lose this",
    "[{when}, {time}] {name2}: btw the wifi password is {secret}",
    "[{when}, {time}] {name}: we took little {first} to the clinic, MRN {mrn}",
]
ZH_CHAT_LINES = [
    "[{when}, {time}] {zname}: 我换号了，新号码 {zphone}",
    "[{when}, {time}] {zname2}: 好的，地址发我一下",
    "[{when}, {time}] {zname}: {zaddr}",
    "[{when}, {time}] {zname}: 加我微信 {zhandle}",
    "[{when}, {time}] {zname2}: 身份证号发你了 {idcard}",
    "[{when}, {time}] {zname}: 我朋友{zname2} ({zhandle}) 也要一份",
]
WECHAT_LINES = [
    "{zname} 2024-03-12 {time}\n你好，我的手机是{zphone}",
    "{zname2} 2024-03-12 {time}\n收到。快递寄到{zaddr}对吗？",
    "{zname} 2024-03-12 {time}\n对，收件人写{zname}，生日{dob}",
    "{zname2} 2024-03-12 {time}\n银行卡号 {card} 已转账",
]


def whatsapp(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    lines = rng.sample(ZH_CHAT_LINES if zh else EN_CHAT_LINES, 4)
    return {"chat": "\n".join(r(x) for x in lines)}


def wechat(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": r(x)} for x in rng.sample(WECHAT_LINES, 3)]}


EN_MAILS = [
    "Hi {first},\n\nThanks for the update. I'll send the signed form tomorrow.\n\nOn Mon, 4 Mar 2024 at 10:12, {name2} <{email2}> wrote:\n> Dear {first}, please confirm your date of birth ({dob}) and passport number {passport}.\n> Regards\n\n--\n{name}\nSenior Buyer | {org}\nM: {phone}\n{addr}",
    "From: {name} <{email}>\nSent: Tuesday, March 5, 2024 9:14 AM\nTo: support\nSubject: RE: invoice\n\nPlease pay into {iban}. Ref: order {order}.\n\n> -----Original Message-----\n> From: {name2}\n> Could you send bank details?",
    "Dear Sir/Madam,\nplease contact Ms. {name} at {phone} about the claim. Her SSN is {ssn}.\nKind regards,\n{name2}\n{org}",
]
ZH_MAILS = [
    "{zname}您好：\n\n附件是合同。\n\n在 2024年3月4日 10:12，{zname2} <{email2}> 写道：\n> 请提供身份证号和开户行。\n\n--\n{zname}\n{zorg} 采购部\n手机：{zphone}\n地址：{zaddr}",
    "发件人：{zname2} <{email}>\n主题：回复：报销\n\n{zname}，你的银行卡号是不是 {card}？护照号 {passport} 也发我一下。",
]


def email_thread(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"subject": r("回复：合同" if zh else "RE: signed form"), "body": r(rng.choice(ZH_MAILS if zh else EN_MAILS))}


EN_HTML = [
    "<p>Dear <b>{name}</b>,</p><p>Your appointment is confirmed. Call <a href=\"tel:{phone}\">{phone}</a> to change it.</p><p>{addr}</p>",
    "<table><tr><td>Name</td><td>{name}</td></tr><tr><td>Email</td><td>{email}</td></tr><tr><td>DOB</td><td>{dob}</td></tr></table>",
    "| Field | Value |\n|---|---|\n| Customer | {name} |\n| Phone | {phone} |\n| IBAN | {iban} |\n| Login IP | {ip} |",
    "**Contact:** {name} — [{email}](mailto:{email})\n\n*Profile:* {url}",
]
ZH_HTML = [
    "<div class=\"addr\">收货人：{zname}<br>电话：{zphone}<br>地址：{zaddr}</div>",
    "| 字段 | 值 |\n|---|---|\n| 姓名 | {zname} |\n| 身份证 | {idcard} |\n| 手机 | {zphone} |\n| 车牌 | {plate} |",
    "<p>尊敬的{zname}先生：</p><p>您的订单 {order} 已发货，如有疑问请联系 {email}。</p>",
]


def markup(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"html": r(rng.choice(ZH_HTML if zh else EN_HTML))}


def nested_json(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    if zh:
        return {"user": {"profile": {"nick": r("{zname}"), "wechat": r("{zhandle}")},
                         "kyc": {"id_no": r("{idcard}"), "birth": r("{dob}")}},
                "events": [{"type": "login", "ip": r("{ip}")}, {"type": "note", "text": r("改地址到{zaddr}")}],
                "remark": r("客户{zname}要求改地址，已核实身份证 {idcard}。")}
    return {"customer": {"full_name": r("{name}"), "contact": {"mobile": r("{phone}"), "email": r("{email}")}},
            "payment": {"iban": r("{iban}"), "card_last_used": r("{card}")},
            "events": [{"type": "login", "ip": r("{ip}")}],
            "note": r("Spoke to {first}, she asked us to update the address to {addr}. Iqama number {iqama} verified.")}


EN_OCR = [
    "N a m e : {name}\nD a t e  of  B i r t h : {dob}\nP ass port  No : {passport}\nAddr ess: {addr}",
    "INVOICE\nBill to:{name},{addr}\nTel:{phone}  Email:{email}\nIBAN:{iban}",
    "PATIENT: {name}   MRN:{mrn}\nDOB:{dob}   SSN:{ssn}",
]
ZH_OCR = [
    "姓 名 {zname}\n性 别 女\n出 生 {dob}\n住 址 {zaddr}\n公民身份号码 {idcard}",
    "营业执照\n名 称 {zorg}\n统一社会信用代码 {uscc}\n法定代表人 {zname}",
    "收 货 人：{zname}  电 话：{zphone}\n地 址：{zaddr}",
]


def ocr(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"ocr_text": r(rng.choice(ZH_OCR if zh else EN_OCR))}


Shape = Callable[[Rng, Render, bool], dict[str, Any]]
SHAPES: dict[str, Shape] = {
    "zendesk_csv": zendesk_csv, "freshdesk_json": freshdesk_json, "whatsapp": whatsapp, "wechat": wechat,
    "email_thread": email_thread, "markup": markup, "nested_json": nested_json, "ocr": ocr,
}


def build(seed: int = 9, per_shape: int = 20, *, shapes: dict[str, Shape] | None = None,
          draw: Callable[[Rng, bool], dict[str, str]] = draw_slots, types: dict[str, str] | None = None,
          zh_only: frozenset[str] = frozenset({"wechat"})) -> list[dict[str, Any]]:
    """``per_shape`` records of every shape (half zh, half en; the ``zh_only`` shapes all zh).
    The defaults make round 9's set; another probe passes its own shapes, draw and slot types."""
    rng = Rng(seed)
    out = []
    for shape, make in (SHAPES if shapes is None else shapes).items():
        for i in range(per_shape):
            zh = shape in zh_only or i % 2 == 1
            slots = draw(rng, zh)
            pii: list[list[str]] = []
            record = make(rng, lambda t: render(t, slots, pii, types), zh)
            out.append({"shape": shape, "lang": "zh" if zh else "en", "record": record, "pii": pii})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--per-shape", type=int, default=20)
    args = ap.parse_args()
    with open(args.out, "w", encoding="utf-8") as f:
        for item in build(args.seed, args.per_shape):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
