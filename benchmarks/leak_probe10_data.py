"""Round 10's leak probe set: export shapes, names, places and numbers the scan was never tuned on.

Round 9's set (`leak_probe_data.py`) was used to write fixes, so it no longer measures how the
scan does on data nobody here has read. This one keeps its machinery (slot rendering, checksummed
values, the record/pii layout) and brings new value pools and ten other shapes: call-centre
transcripts with timestamps and speaker turns, spreadsheets pasted as CSV (two-row and merged
headers, Chinese column names, semicolon CSV from European locales), CRM tickets as nested JSON
(Zendesk/Jira: comments, ``custom_fields`` arrays of ``{"id", "value"}``), log lines (key=value,
URL queries, JSON logs with user objects), SQL INSERT dumps, forwarded mail chains, vCard/ICS
snippets, WeChat/QQ group exports with nicknames, SMS exports, and form-submission e-mails with
odd spacing and full-width colons. Half Chinese, half English; every value is fictional.

    python -m benchmarks.leak_probe10_data --out benchmarks/data/leak_probe10.jsonl
    python benchmarks/leak_probe.py --set benchmarks/data/leak_probe10.jsonl
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from benchmarks.leak_probe_data import SLOT_TYPES, Render, Rng, Shape, _digits, _email, _luhn, build, draw_slots

EN_NAMES = ["Björn Lindqvist", "Ngozi Eze", "Wojciech Nowak", "Mei Ling Tan", "Hamid Rahimi", "Sophie Dubois",
            "Carlos Mendoza", "Aoife Gallagher", "Rajesh Kumar", "Ingrid Solberg", "Tunde Bakare", "Marta Silva",
            "Jonas Vogel", "Elif Yılmaz", "Daniel Byrne", "Keiko Watanabe", "Samuel Osei", "Laura Rossi",
            "Ahmed Hassan", "Zofia Kamińska"]
ZH_NAMES = ["苏明哲", "沈佳怡", "韩雪梅", "邓建国", "曹文博", "彭丽华", "谢婉清", "袁志刚", "蒋欣然", "许晨",
            "冯子豪", "程小雨", "魏东", "唐嘉怡", "宋立新", "欧阳晓峰", "潘俊杰", "范文静", "上官婉", "钱多多"]
EN_ADDRESSES = ["Kungsgatan 44, 111 35 Stockholm", "ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa",
                "Via Roma 25, 20121 Milano", "Rua Augusta 120, 1100-053 Lisboa",
                "Plot 14, Adeola Odeku Street, Victoria Island, Lagos", "Av. Paulista 1578, São Paulo - SP, 01310-200",
                "3-5-1 Shinjuku, Shinjuku-ku, Tokyo 160-0022", "25 Orchard Road #12-03, Singapore 238880",
                "1208 Maple Ave, Springfield, IL 62704", "Keizersgracht 221, 1016 DV Amsterdam",
                "17 Harcourt Road, Dublin 2, D02 X285", "PO Box 4421, Nairobi 00100"]
ZH_ADDRESSES = ["上海市徐汇区漕溪北路88号圣爱大厦2203室", "广东省佛山市顺德区大良街道南国东路9号",
                "北京市海淀区中关村大街27号中关村大厦1106", "浙江省宁波市鄞州区天童南路588号文化广场B座",
                "天津市南开区鞍山西道192号", "重庆市渝中区民族路188号环球金融中心35-2",
                "苏州工业园区星湖街328号创意产业园12幢", "西安市雁塔区高新路56号",
                "华润城润府3期2栋A座1502", "保利香槟国际5-2-1101", "万科城市花园7栋1单元1203"]
EN_ORGS = ["Fjordline Logistics AB", "Kestrel Biotech Ltd", "Marigold Foods Pvt Ltd", "Sunda Capital Pte. Ltd."]
ZH_ORGS = ["广州星辰电子商务有限公司", "成都蓝海软件股份有限公司", "苏州恒远精密机械有限公司", "宁波瑞丰贸易有限公司"]
EN_PHONES = ["+46 70 123 45 67", "+48 601 234 567", "+39 347 123 4567", "+353 87 123 4567", "+351 912 345 678",
             "+55 11 91234-5678", "+65 9123 4567", "+254 712 345678", "(312) 555-0199", "+31 6 12345678",
             "020 7946 0958", "+7 916 123-45-67", "+971 50 123 4567", "+27 82 123 4567"]
ZH_PHONES = ["13912345678", "+86 188-1234-5678", "0086 135 0000 1234", "(021) 5489 1234", "028-85551234",
             "177 1234 5678", "+86-10-6552-8899", "199 8888 0123"]
MASKED_PHONES = ["137****1234", "188 **** 6677", "+39 347 ***4567", "135****0021"]
SECRETS = ["Br!ght-Sky-42", "Zx9#kLm2pQ", "winter_2023!", "m0nkey$Bus", "Xa7!uT9z"]
HANDLES_EN = ["bjorn.lq", "ngozi_e", "wojtek_n92", "meiling.tan", "hamid.r_01"]
HANDLES_ZH = ["wxid_p3m9q2", "sujiayi_1995", "xiaoyu_cheng", "dengjg_88", "tang.jiayi"]

TYPES = {**SLOT_TYPES, "last": "PERSON", "zname3": "PERSON", "qq": "USERNAME", "apikey": "SECRET",
         "dob_iso": "DATE_OF_BIRTH", "mrn": "RECORD_ID"}


def draw10(rng: Rng, zh: bool) -> dict[str, str]:
    """Round 9's draw (its generated numbers: ID cards, cards, IBANs …) with this round's pools
    for everything drawn from a list, plus the slots of the new shapes."""
    slots = draw_slots(rng, zh)
    name, name2 = rng.sample(EN_NAMES, 2)
    zname, zname2, zname3 = rng.sample(ZH_NAMES, 3)
    handle = rng.choice(HANDLES_ZH if zh else HANDLES_EN)
    y, m, d = rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28)
    slots.update({
        "name": name, "name2": name2, "first": name.split()[0], "last": name.split()[-1],
        "zname": zname, "zname2": zname2, "zname3": zname3, "zgiven": zname[1:],
        "addr": rng.choice(EN_ADDRESSES), "zaddr": rng.choice(ZH_ADDRESSES), "org": rng.choice(EN_ORGS),
        "zorg": rng.choice(ZH_ORGS), "email": _email(name, rng), "email2": _email(name2, rng),
        "phone": rng.choice(EN_PHONES), "zphone": rng.choice(ZH_PHONES), "mphone": rng.choice(MASKED_PHONES),
        "handle": handle, "zhandle": rng.choice(HANDLES_ZH),
        "url": rng.choice([f"https://www.linkedin.com/in/{handle.replace('_', '-')}", f"https://weibo.com/u/{_digits(rng, 10)}"]),
        "secret": rng.choice(SECRETS), "qq": rng.choice("123456789") + _digits(rng, rng.choice([8, 9])),
        "apikey": "sk_live_" + "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(24)),
        "dob_iso": f"{y}{m:02d}{d:02d}", "mrn": "MRN-" + _digits(rng, 7), "iqama": _luhn("1" + _digits(rng, 8)),
        "clock": f"{rng.randint(0, 5):02d}:{rng.randint(0, 59):02d}",
    })
    return slots


# --- shapes -----------------------------------------------------------------------------------

EN_CALLS = [
    "[00:00:04] Agent: Thanks for calling {org}, you're speaking with {name2}. Can I take your full name?\n"
    "[00:00:09] Caller: Yeah, it's {name}.\n[00:00:15] Agent: And the date of birth on the account?\n"
    "[00:00:18] Caller: {dob}.\n[00:00:31] Caller: Best number is {phone}, and I've moved to {addr}.\n"
    "[00:00:52] Agent: Thanks {first}, that's updated.",
    "00:01:12 {name2} (agent): Could you read me the long number on the card?\n00:01:20 {name} (customer): {card}\n"
    "00:01:41 {name2} (agent): And your Social Security number for verification?\n00:01:47 {name} (customer): {ssn}\n"
    "00:02:03 {name2} (agent): Great, I'll email the receipt to {email}.",
    "Call ID 7731 | {when} {time}\nAGENT: Who am I speaking with?\nCUSTOMER: {first} {last}, account number {mrn}.\n"
    "AGENT: What's the reason for the call?\nCUSTOMER: My passport {passport} was stolen with my wallet.",
]
ZH_CALLS = [
    "[00:00:03] 客服：您好，这里是{zorg}客服中心，请问怎么称呼？\n[00:00:07] 客户：我叫{zname}。\n"
    "[00:00:12] 客服：请报一下身份证号码。\n[00:00:20] 客户：{idcard}。\n"
    "[00:00:41] 客户：手机是{zphone}，地址改成{zaddr}。\n[00:00:58] 客服：好的{zname}女士，已经帮您登记。",
    "{clock} 坐席{zname2}：请问您的银行卡号是多少？\n{clock} 客户：{card}\n{clock} 坐席{zname2}：车牌号也报一下。\n"
    "{clock} 客户：{plate}，我是车主{zname}。",
    "通话记录 {when}\n客服：先生您好，请问订单号？\n客户：{order}，收货人{zname}，电话{zphone}。\n"
    "客服：好的，我帮您转给售后主管{zname2}处理。",
]


def call_centre(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"transcript": r(rng.choice(ZH_CALLS if zh else EN_CALLS)), "duration_s": rng.randint(60, 900)}


EN_SHEETS = [
    "Name;Telefon;Geburtsdatum;IBAN;Adresse\n{name};{phone};{dob};{iban};\"{addr}\"\n{name2};;;;",
    "Customer,,Contact,\nLast name,First name,Phone,E-mail\n{last},{first},{phone},{email}\n",
    "Nom;Prénom;Date de naissance;N° passeport;Mobile\n{last};{first};{dob};{passport};{phone}",
    "id,full_name,ssn,card_number,ip_last_login\n1,{name},{ssn},{card},{ip}\n2,{name2},,,",
]
ZH_SHEETS = [
    "客户信息表,,,,\n联系人,手机号,身份证号,收货地址,备注\n{zname},{zphone},{idcard},{zaddr},周末送\n{zname2},,,,",
    "序号,姓名,性别,出生日期,联系电话\n1,{zname},男,{dob},{zphone}\n2,{zname2},女,,",
    "企业名称,统一社会信用代码,法人,开户银行账号\n{zorg},{uscc},{zname},{card}",
    "车主,车牌号,手机,微信\n{zname},{plate},{zphone},{zhandle}",
]


def spreadsheet(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_SHEETS if zh else EN_SHEETS)), "sheet": "Sheet1"}


def crm_json(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    """A Zendesk ticket or a Jira issue: all of the text is nested, none at the top."""
    if rng.random() < 0.5:
        body = r("客户{zname}来电，要求把发票寄到{zaddr}，手机{zphone}。" if zh else
                 "Customer {name} called: please send the invoice to {addr}, mobile {phone}.")
        note = r("已核实身份证{idcard}。" if zh else "Verified DOB {dob}, passport {passport}.")
        return {"ticket": {"id": int(_digits(rng, 6)), "subject": r("发票地址变更" if zh else "Invoice address change"),
                           "description": body, "requester": {"name": r("{zname}" if zh else "{name}"), "email": r("{email}")},
                           "custom_fields": [{"id": 360012345, "value": r("{order}")}, {"id": 360012346, "value": r("{zphone}" if zh else "{phone}")}],
                           "comments": [{"author_id": 902, "public": False, "body": note}]}}
    return {"key": f"SUP-{rng.randint(100, 9999)}",
            "fields": {"summary": r("用户{zname}无法登录" if zh else "Login failure for {name}"),
                       "description": r("用户名 {zhandle}，登录IP {ip}，临时密码 {secret}" if zh else
                                        "Username {handle}, login IP {ip}, temp password {secret}"),
                       "reporter": {"displayName": r("{zname2}" if zh else "{name2}"), "emailAddress": r("{email2}")},
                       "comment": {"comments": [{"author": {"displayName": r("{zname2}" if zh else "{name2}")},
                                                 "body": r("已重置，新手机号 {zphone}" if zh else "Reset done, new number {phone}")}]},
                       "customfield_10042": r("{mrn}")}}


EN_LOGS = [
    "2024-03-12T10:22:01Z INFO auth login ok user={handle} email={email} ip={ip} ua=Mozilla/5.0",
    "185.22.4.9 - - [12/Mar/2024:10:22:01 +0000] \"GET /api/v1/customers?first={first}&last={last}&email={email}&dob={dob_iso} HTTP/1.1\" 200 512",
    "{\"ts\":\"2024-03-12T10:22:01Z\",\"level\":\"warn\",\"msg\":\"payment declined\",\"user\":{\"name\":\"{name}\",\"phone\":\"{phone}\"},\"card\":\"{card}\"}",
    "level=error msg=\"kyc mismatch\" customer_name=\"{name}\" ssn={ssn} passport={passport} api_key={apikey}",
]
ZH_LOGS = [
    "2024-03-12 10:22:01 [INFO] 用户登录 uid=88213 nickname={zname} mobile={zphone} ip={ip}",
    "2024-03-12 10:25:44 [INFO] 下单成功 order_no={order} receiver={zname} addr={zaddr} tel={zphone}",
    "{\"time\":\"2024-03-12 10:22:01\",\"event\":\"实名认证\",\"user\":{\"real_name\":\"{zname}\",\"id_card\":\"{idcard}\",\"qq\":\"{qq}\"}}",
    "GET /h5/share?openid={zhandle}&name={zname}&phone={zphone}&from=groupmessage 200",
]


def logs(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_LOGS if zh else EN_LOGS)), "source": "app.log"}


EN_SQL = [
    "INSERT INTO `users` (`id`, `full_name`, `email`, `ssn`, `dob`, `card_number`) VALUES\n"
    "(101, '{name}', '{email}', '{ssn}', '{dob}', '{card}'),\n(102, '{name2}', '{email2}', NULL, NULL, NULL);",
    "INSERT INTO customers VALUES (7, '{first}', '{last}', '{phone}', '{addr}', '{iban}');",
    "INSERT INTO patients (mrn, name, birth_date, ip) VALUES ('{mrn}', '{name}', '{dob}', '{ip}');",
]
ZH_SQL = [
    "INSERT INTO `customer` (`id`,`name`,`mobile`,`id_card`,`address`) VALUES (1,'{zname}','{zphone}','{idcard}','{zaddr}'),(2,'{zname2}',NULL,NULL,NULL);",
    "INSERT INTO t_member VALUES (3021, '{zname}', '{zhandle}', '{qq}', '{dob}', '{zphone}');",
    "INSERT INTO company (name, credit_code, legal_person, plate) VALUES ('{zorg}', '{uscc}', '{zname}', '{plate}');",
]


def sql_dump(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_SQL if zh else EN_SQL))}


EN_FORWARDS = [
    "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: {name2} <{email2}>\nDate: Tue, 12 Mar 2024 at 09:14\n"
    "Subject: New starter\nTo: HR <hr@example.org>\n\nPlease set up {name}, DOB {dob}, home address {addr}, mobile {phone}.",
    "-----Original Message-----\nFrom: {name} [mailto:{email}]\nSent: 12 March 2024 09:14\nTo: Accounts\nSubject: Bank details\n\n"
    "Hi, my new IBAN is {iban}. Thanks, {first}\n\n-----Original Message-----\nFrom: {name2}\nSent: 11 March 2024 17:02\n"
    "Please confirm your account details.",
    "Begin forwarded message:\n\nFrom: \"{name}\" <{email}>\nSubject: Re: tax form\n\nMy SSN is {ssn} and passport {passport}.",
]
ZH_FORWARDS = [
    "请处理。\n\n-------- 转发的邮件 --------\n发件人: {zname2} <{email2}>\n日期: 2024年3月12日 09:14\n主题: 入职资料\n收件人: 人事部\n\n"
    "新同事{zname}，身份证{idcard}，手机{zphone}，住址{zaddr}。",
    "------------------ 原始邮件 ------------------\n发件人: \"{zname}\"<{email}>;\n发送时间: 2024年3月12日(星期二) 上午9:14\n"
    "主题: 回复：付款\n\n{zname2}您好，开票信息：{zorg}，税号{uscc}，账号{card}。",
    "---原始邮件---\n发件人：{zname}\n请联系我的助理{zname2}，电话{zphone}，微信{zhandle}。",
]


def forwarded_email(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"subject": r("转发：资料" if zh else "Fwd: details"), "body": r(rng.choice(ZH_FORWARDS if zh else EN_FORWARDS))}


EN_CARDS = [
    "BEGIN:VCARD\nVERSION:3.0\nN:{last};{first};;;\nFN:{name}\nORG:{org}\nTEL;TYPE=CELL:{phone}\nEMAIL;TYPE=INTERNET:{email}\n"
    "LABEL;TYPE=HOME:{addr}\nBDAY:{dob_iso}\nURL:{url}\nEND:VCARD",
    "BEGIN:VEVENT\nDTSTART:20240312T091500Z\nSUMMARY:Consultation - {name}\nLOCATION:{addr}\n"
    "ATTENDEE;CN={name2}:mailto:{email2}\nDESCRIPTION:Patient {mrn}\\, call {phone} if late\nEND:VEVENT",
]
ZH_CARDS = [
    "BEGIN:VCARD\nVERSION:3.0\nN:{zname};;;;\nFN:{zname}\nORG:{zorg}\nTEL;TYPE=CELL:{zphone}\nEMAIL:{email}\n"
    "ADR;TYPE=HOME:;;{zaddr};;;;\nNOTE:身份证 {idcard}\nEND:VCARD",
    "BEGIN:VEVENT\nSUMMARY:与{zname}面谈\nLOCATION:{zaddr}\nDESCRIPTION:联系人{zname2} {zphone}\nEND:VEVENT",
]


def vcard_ics(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_CARDS if zh else EN_CARDS))}


ZH_GROUP = [
    "2024-03-12 20:15:03 7栋-{zname}({qq})\n快递放我家门口就行，{zaddr}，电话{zphone}",
    "2024-03-12 20:16:40 物业-{zname2}\n@7栋-{zname} 收到，已通知快递员",
    "2024-03-12 20:18:11 小雨🌸({qq})\n我朋友{zname3}也要团购，她微信{zhandle}",
    "【群主】{zname2} 20:21\n请大家把车牌报一下，我的是{plate}",
    "2024-03-12 20:25:09 {zname}\n我的身份证{idcard}，帮我登记一下",
]
EN_GROUP = [
    "12/03/2024, 20:15 - {name}: anyone know a plumber? I'm at {addr}",
    "12/03/2024, 20:16 - {phone}: Hi all, it's {first} from number 12, new here",
    "12/03/2024, 20:18 - ~ {first}: my email is {email} if you need it",
    "12/03/2024, 20:21 - {name2}: the committee account is {iban}, ref your flat number",
    "12/03/2024, 20:25 - {name}: @{name2} my insta is {handle}",
]


def group_chat(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    head = "群聊：幸福里业主群\n" if zh else "Maple Court residents\n"
    return {"text": head + "\n".join(r(x) for x in rng.sample(ZH_GROUP if zh else EN_GROUP, 3))}


EN_SMS = [
    "From: {phone} | 12/03/2024 09:14\nHi it's {first}, can you pick me up from {addr}? My new email is {email}",
    "<sms address=\"{phone}\" date=\"1710234000000\" type=\"1\" contact_name=\"{name}\" body=\"Your card {card} was charged. Code 4412\" />",
    "SMS to {phone} (12 Mar 2024 18:02): Hi {first}, your appointment ref {mrn} is on Friday.",
]
ZH_SMS = [
    "【顺丰速运】{zname}您好，您的快件已到{zaddr}，快递员{zname2}，电话{zphone}。",
    "短信 来自 {zphone} 2024-03-12 09:14\n我是{zname}，车牌{plate}的车挡住你了吗？",
    "<sms address=\"{zphone}\" contact_name=\"{zname}\" body=\"验证码 482913。客户{zname2}身份证{idcard}已实名\" />",
]


def sms_export(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_SMS if zh else EN_SMS))}


EN_FORMS = [
    "New submission from Contact us\n\nName:   {name}\nPhone :{phone}\nE-mail :  {email}\nAddress:\n{addr}\n"
    "Message:\nPlease call back after 5pm.",
    "Form: Job application\nFull name\n{name}\nDate of birth\n{dob}\nNational Insurance / SSN\n{ssn}\nLinkedIn\n{url}",
    "Name : {name}\nCompany : {org}\nIqama No : {iqama}\nMobile : {phone}",
]
ZH_FORMS = [
    "您有一条新的表单提交\n姓名：{zname}\n手机号码 ：{zphone}\n身份证号码：{idcard}\n详细地址：　{zaddr}\n留言：周末上门",
    "【在线报名】\n姓　　名：{zname}\n出生日期：{dob}\n联系电话：{zphone}\n护照号码：{passport}",
    "表单名称：开票申请\n单位名称：{zorg}\n税号：{uscc}\n联系人：{zname}\n邮箱：{email}",
]


def form_email(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_FORMS if zh else EN_FORMS))}


SHAPES10: dict[str, Shape] = {
    "call_centre": call_centre, "spreadsheet": spreadsheet, "crm_json": crm_json, "logs": logs, "sql_dump": sql_dump,
    "forwarded_email": forwarded_email, "vcard_ics": vcard_ics, "group_chat": group_chat, "sms": sms_export,
    "form_email": form_email,
}


def build10(seed: int = 10, per_shape: int = 20) -> list[dict[str, Any]]:
    """The round-10 set: ``per_shape`` records of each of the ten shapes, half zh, half en."""
    return build(seed, per_shape, shapes=SHAPES10, draw=draw10, types=TYPES, zh_only=frozenset())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--per-shape", type=int, default=20)
    args = ap.parse_args()
    with open(args.out, "w", encoding="utf-8") as f:
        for item in build10(args.seed, args.per_shape):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
