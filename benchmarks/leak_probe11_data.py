"""Round 11's leak probe set: ten export shapes not in rounds 9 and 10, values from Faker's locales.

Rounds 9 and 10 were used to write fixes, so neither measures data nobody here has read. This set
keeps their machinery (`leak_probe_data.build`/`render`, the record/pii layout) with new pools
(`leak_probe11_pools.py`: names from 25 Faker locales and romanised Asian names, street addresses
in 14 national shapes incl. Irish Eircodes, Chinese addresses down to the room, national phone
formats, phones as speech recognition writes them) and ten other shapes: mail replies with nested
quotes and signatures in several languages, HTML/Markdown tables with many rows, YAML/TOML/INI/.env
config dumps, HL7 v2 / SOAP / plain XML messages, PDF-to-text with hard wraps, hyphenation and
page furniture, LINE/Telegram/Slack/WeChat-PC/DingTalk chat exports, spreadsheets with merged or
transposed headers, ticket histories (Jira, Zendesk, a Chinese desk) with comment threads, call
transcripts with ASR errors (digit words, spelled names, spoken e-mails and dates), and postal
blocks and running text with names of many nationalities. Half Chinese, half English.

    python -m benchmarks.leak_probe11_data --out benchmarks/data/leak_probe11.jsonl
    python benchmarks/leak_probe.py --set benchmarks/data/leak_probe11.jsonl
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from benchmarks.leak_probe10_data import SECRETS
from benchmarks.leak_probe11_pools import (intl_address, intl_phone, latin_name, spoken_phone, zh_address, zh_name,
                                           zh_phone)
from benchmarks.leak_probe_data import SLOT_TYPES, Render, Rng, Shape, _digits, _email, build, draw_slots

TYPES = {**SLOT_TYPES, "name3": "PERSON", "zname3": "PERSON", "first2": "PERSON", "last": "PERSON",
         "last2": "PERSON", "name_hy": "PERSON", "hl7name": "PERSON", "spelled": "PERSON", "zname_wrap": "PERSON",
         "addr2": "ADDRESS", "zaddr2": "ADDRESS", "addr_wrap": "ADDRESS", "addr_lines": "ADDRESS",
         "hl7addr": "ADDRESS", "zaddr_wrap": "ADDRESS", "phone2": "PHONE", "zphone2": "PHONE", "sphone": "PHONE",
         "email_spoken": "EMAIL", "dob2": "DATE_OF_BIRTH", "dob_iso": "DATE_OF_BIRTH", "dob_spoken": "DATE_OF_BIRTH",
         "handle2": "USERNAME", "apikey": "SECRET", "id_spoken": "ID_CARD"}

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 9: "ninth", 12: "twelfth", 20: "twentieth"}


def _words(n: int) -> str:
    return _ONES[n] if n < 20 else _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])


def _ordinal(n: int) -> str:
    if n in _ORDINAL:
        return _ORDINAL[n]
    if n > 20 and n % 10 in _ORDINAL:
        return _TENS[n // 10] + " " + _ORDINAL[n % 10]
    return _words(n) + "th"


def _dob(rng: Rng, zh: bool) -> tuple[str, int, int, int]:
    y, m, d = rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28)
    text = rng.choice([f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}"] if zh else
                      [f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}", f"{d} {_MONTHS[m - 1]} {y}",
                       f"{_MONTHS[m - 1][:3]} {d}, {y}", f"{d:02d}/{m:02d}/{y}"])
    return text, y, m, d


def _wrap(value: str, rng: Rng, sep: str) -> str:
    """The value broken over two lines at one of its ``sep`` (as a PDF's line ends fall)."""
    cuts = [i for i in range(len(value)) if value.startswith(sep, i)]
    if not cuts:
        return value
    i = rng.choice(cuts)
    return value[:i] + sep.rstrip() + "\n" + value[i + len(sep):]


def draw11(rng: Rng, zh: bool) -> dict[str, str]:
    """Round 9's generated numbers (ID cards, cards, IBANs …) with this round's pools and slots."""
    slots = draw_slots(rng, zh)
    name, name2, name3 = latin_name(rng), latin_name(rng), latin_name(rng)
    zname, zname2, zname3 = zh_name(rng), zh_name(rng), zh_name(rng)
    first, last = name.split()[0], name.split()[-1]
    dob, y, m, d = _dob(rng, zh)
    addr = intl_address(rng)
    cut = max(3, len(last) // 2)
    id_card = slots["idcard"]
    phone = intl_phone(rng)
    slots.update({
        "name": name, "name2": name2, "name3": name3, "first": first, "last": last,
        "first2": name2.split()[0], "last2": name2.split()[-1],
        "zname": zname, "zname2": zname2, "zname3": zname3, "zgiven": zname[1:],
        "email": _email(name, rng), "email2": _email(name2, rng),
        "addr": addr, "addr2": intl_address(rng), "zaddr": zh_address(rng), "zaddr2": zh_address(rng),
        "addr_wrap": _wrap(addr, rng, ", "), "addr_lines": addr.replace(", ", "\n"),
        "hl7addr": addr.replace(", ", "^"), "zaddr_wrap": (lambda a, i: a[:i] + "\n" + a[i:])(zaddr := zh_address(rng), rng.randint(4, len(zaddr) - 3)),
        "name_hy": f"{first} {last[:cut]}-\n{last[cut:]}" if len(last) >= 6 else f"{first}\n{last}",
        "hl7name": f"{last}^{first}", "spelled": " ".join(last.upper()),
        "zname_wrap": zname[:1] + "\n" + zname[1:],
        "phone": phone, "phone2": intl_phone(rng), "zphone": zh_phone(rng), "zphone2": zh_phone(rng),
        "sphone": spoken_phone(rng, zh),
        "email_spoken": _email(name, rng).replace(".", " dot ").replace("@", " at "),
        "dob": dob, "dob2": _dob(rng, zh)[0], "dob_iso": f"{y}{m:02d}{d:02d}",
        "dob_spoken": f"{_MONTHS[m - 1].lower()} {_ordinal(d)} nineteen {_words(y % 100)}" if y < 2000 else f"{_MONTHS[m - 1].lower()} {_ordinal(d)} two thousand" + (f" and {_words(y % 100)}" if y % 100 else ""),
        "id_spoken": f"{id_card[:6]} {id_card[6:10]} {id_card[10:14]} {id_card[14:]}",
        "handle2": rng.choice(["ops.kemal", "j.oduya", "m_lindgren", "priya.support", "t.nakamura"]),
        "secret": rng.choice(SECRETS + ["Gr@nit3-Falls", "kX4!vR8#qL"]),
        "apikey": (lambda head: head + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ234567") for _ in range(16 if head == "AKIA" else 24)))(rng.choice(["sk_live_", "AKIA", "ghp_"])),
        "mrn": _digits(rng, 7),
    })
    return slots


# --- shapes ------------------------------------------------------------------------------------

EN_MAILS = [
    "Hi {first2},\n\nsigned contract attached.\n\nMit freundlichen Grüßen\n{name}\n{org}\n{addr}\nTel.: {phone} | Mobil: {phone2}\n\n"
    ">>> {name2} <{email2}> 12.03.2024 14:02 >>>\n> {first}, could you send your passport number? The hotel needs it.\n>> it's {passport}",
    "> Le mar. 12 mars 2024 à 09:14, {name2} <{email2}> a écrit :\n>> Merci {first}, pouvez-vous confirmer votre date de naissance ?\n"
    "> {dob}, et mon adresse : {addr}\n\nCordialement,\n{name}\nPortable : {phone}",
    "El lun, 11 mar 2024 a las 18:20, {name2} (<{email2}>) escribió:\n> Hola {first}, ¿me pasas tu número de cuenta?\n\n"
    "Claro: {iban}\nSaludos,\n{name}\nCel. {phone}\n{addr}",
    "{first2}, see my answers inline.\n\n________________________________\nFrom: {name} <{email}>\nSent: 12 March 2024 09:14\n"
    "Subject: Re: onboarding\n\nMy SSN is {ssn} and DOB {dob}. Call me at {phone} if anything's missing.\n\n{first}\n\n"
    "This e-mail and any attachments are confidential. If you are not the intended recipient please delete it.",
]
ZH_MAILS = [
    "{zname2}：\n\n好的，收到。\n\n-----------------\n{zname}\n{zorg} | 销售经理\n手机/微信：{zphone}\n地址：{zaddr}\n\n"
    ">>> 在 2024-03-12 14:02:11，\"{zname2}\" <{email2}> 写道：\n>>> 麻烦把身份证号 {idcard} 再确认一下",
    "回复 {zname2}：\n我的护照号是{passport}，生日{dob}。\n\n--- 原邮件 ---\n> 发件人：{zname2}\n> 请{zname}把护照号和出生日期发给我，订机票用。\n\n"
    "祝好\n{zname}\nTel: {zphone}",
    "Hi {zname2},\n\n发票已开，请查收。\n\nBest,\n{zname} | 财务部\nM +86 {zphone2}\nE {email}\n{zorg}\n{zaddr}",
]


def mail_reply(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"body": r(rng.choice(ZH_MAILS if zh else EN_MAILS)), "folder": "INBOX"}


EN_TABLES = [
    "<table><thead><tr><th>Customer</th><th>Mobile</th><th>Date of birth</th><th>Ship to</th></tr></thead><tbody>"
    "<tr><td>{name}</td><td>{phone}</td><td>{dob}</td><td>{addr}</td></tr>"
    "<tr><td>{name2}</td><td>{phone2}</td><td></td><td>{addr2}</td></tr></tbody></table>",
    "| # | Passenger | Passport | Nationality | Contact |\n|:-:|---|---|---|---|\n| 1 | {name} | {passport} | DE | {email} |\n"
    "| 2 | {name2} | | FR | {phone2} |\n| 3 | {name3} | | IE | |",
    "<dl><dt>Account holder</dt><dd>{name}</dd><dt>IBAN</dt><dd>{iban}</dd><dt>Billing address</dt><dd>{addr}</dd>"
    "<dt>Phone</dt><dd>{phone}</dd></dl>",
]
ZH_TABLES = [
    "<table><tr><th>收件人</th><th>联系方式</th><th>详细地址</th></tr><tr><td>{zname}</td><td>{zphone}</td><td>{zaddr}</td></tr>"
    "<tr><td>{zname2}</td><td>{zphone2}</td><td>{zaddr2}</td></tr></table>",
    "| 员工 | 证件号码 | 紧急联系人 | 联系电话 |\n| --- | --- | --- | --- |\n| {zname} | {idcard} | {zname2} | {zphone} |\n| {zname3} | | | {zphone2} |",
]


def markup_tables(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"content": r(rng.choice(ZH_TABLES if zh else EN_TABLES)), "format": "html"}


EN_CONFIGS = [
    "smtp:\n  host: mail.example.org\n  user: {email}\n  password: \"{secret}\"\nowner:\n  name: {name}\n  phone: '{phone}'\n"
    "billing:\n  iban: {iban}\n  address: |\n    {addr}\n",
    "[owner]\nname = \"{name}\"\ndob = {dob_iso}\n\n[database]\nserver = \"{ip}\"\nuser = \"{handle}\"\npassword = \"{secret}\"\n",
    "[contact]\nName={name}\nTelephone={phone}\nEmail={email}\n\n[license]\nlicensee={org}\nkey={apikey}\n",
    "ADMIN_EMAIL={email}\nADMIN_PASSWORD={secret}\nSUPPORT_PHONE=\"{phone}\"\nSTRIPE_SECRET_KEY={apikey}\nOWNER_NAME=\"{name}\"\n",
]
ZH_CONFIGS = [
    "# 门店配置\nstore:\n  name: 城东店\n  manager: {zname}\n  mobile: \"{zphone}\"\n  address: {zaddr}\npay:\n  api_key: {apikey}\n",
    "[发票]\n抬头={zorg}\n税号={uscc}\n联系人={zname}\n电话={zphone}\n地址={zaddr}\n",
    "admin:\n  real_name: {zname}\n  id_card: \"{idcard}\"\n  wechat: {zhandle}\n  password: {secret}\n",
]


def config_dump(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_CONFIGS if zh else EN_CONFIGS)), "path": "conf/app.cfg"}


EN_XML = [
    "MSH|^~\\&|LAB|HOSP|||20240312101500||ADT^A01|MSG00001|P|2.5\rPID|1||{mrn}^^^HOSP^MR||{hl7name}||{dob_iso}|F|||"
    "{hl7addr}||{phone}|||||{ssn}\rNK1|1|{hl7name}|SPO",
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><ns2:UpdateCustomer>"
    "<ns2:FullName>{name}</ns2:FullName><ns2:BirthDate>{dob}</ns2:BirthDate><ns2:Phone>{phone}</ns2:Phone>"
    "<ns2:Street>{addr}</ns2:Street><ns2:Iban>{iban}</ns2:Iban></ns2:UpdateCustomer></soapenv:Body></soapenv:Envelope>",
    "<customer id=\"88\" name=\"{name}\" email=\"{email}\">\n  <address type=\"home\">{addr}</address>\n  <passport>{passport}</passport>\n"
    "  <contact relation=\"spouse\">{name2}</contact>\n</customer>",
]
ZH_XML = [
    "<订单><收货人>{zname}</收货人><手机>{zphone}</手机><地址>{zaddr}</地址><身份证>{idcard}</身份证></订单>",
    "<Invoice><BuyerName>{zorg}</BuyerName><TaxNo>{uscc}</TaxNo><Contact>{zname}</Contact><Tel>{zphone}</Tel>"
    "<Addr>{zaddr}</Addr></Invoice>",
    "MSH|^~\\&|HIS|医院|||20240312||ADT^A04|0001|P|2.4\rPID|1||{mrn}||{zname}||{dob_iso}|M|||{zaddr}||{zphone}|||||{idcard}",
]


def xml_message(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"payload": r(rng.choice(ZH_XML if zh else EN_XML)), "channel": "mq"}


EN_PDFS = [
    "TENANCY AGREEMENT\n\nThis agreement is made between the landlord {org} and the tenant\n{name_hy}, born {dob}, currently residing at\n"
    "{addr_wrap}, hereinafter the \"Tenant\". Rent is paid from\nIBAN {iban}. The Tenant can be reached on {phone}.\n\nPage 1 of 3",
    "REFERENCE LETTER\n\nTo whom it may concern,\n\nI confirm that {name_hy} (passport {passport}) has been em-\nployed by {org} since 2019. "
    "{first} lives at {addr_wrap}.\nContact: {email}\n\n{name2}\nHR Director                                   Page 1/1",
    "Invoice 2024-118                                   page 1/2\nBill to: {name}\n{addr_lines}\nVAT no. DE811\n\f"
    "Invoice 2024-118                                   page 2/2\nPaid by card {card} on 12.03.2024. Queries: {phone}",
]
ZH_PDFS = [
    "房屋租赁合同\n\n出租方（甲方）：{zorg}\n承租方（乙方）：{zname_wrap}\n身份证号：{idcard}\n联系电话：{zphone}\n房屋坐落：{zaddr_wrap}\n\n第 1 页 共 3 页",
    "在职证明\n\n兹证明{zname}同志（身份证号{idcard}）自2019年起在我公司工作。\n现住址：{zaddr_wrap}\n特此证明。\n\n{zorg}\n人事部 {zname2}\n第1页",
]


def pdf_text(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"extracted_text": r(rng.choice(ZH_PDFS if zh else EN_PDFS)), "pages": 3}


EN_CHATS = [
    "[LINE] Chat history with {name}\nSaved on: 2024/03/12 21:04\n\n2024/03/12(Tue)\n14:22\t{name}\tHi! my new address is {addr}\n"
    "14:25\t{name2}\tok. phone?\n14:26\t{name}\t{phone}",
    "{name}, [12.03.24 14:22]\nmy passport number is {passport}\n\n{name2}, [12.03.24 14:25]\nthanks {first}, and the email?\n\n"
    "{name}, [12.03.24 14:26]\n{email}",
    "{handle}  10:14 AM\n@{handle2} can you refund {name}? card {card}\n{handle2}  10:16 AM\ndone. she also asked us to update her address to {addr}",
]
ZH_CHATS = [
    "————— 2024-03-12 —————\n{zname} 14:22:01\n我家地址 {zaddr}\n{zname2} 14:23:40\n好的，电话多少\n{zname} 14:24:05\n{zphone}",
    "{zname2}（{zorg}）\n2024/3/12 14:22\n@{zname} 身份证发我一下\n{zname}\n2024/3/12 14:25\n{idcard}\n{zname}\n2024/3/12 14:26\n生日是{dob}",
]


def chat_apps(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"export": r(rng.choice(ZH_CHATS if zh else EN_CHATS))}


EN_SHEETS = [
    "Guest list\t\t\t\nGuest\t\tContact\t\nFirst\tLast\tMobile\tEmail\n{first}\t{last}\t{phone}\t{email}\n{first2}\t{last2}\t{phone2}\t{email2}",
    "Field,Applicant 1,Applicant 2\nName,{name},{name2}\nDate of Birth,{dob},{dob2}\nPassport,{passport},\nAddress,\"{addr}\",\"{addr2}\"",
    "Personal details,,,Bank details,\nSurname,Given names,DOB,IBAN,Card\n{last},{first},{dob},{iban},{card}",
]
ZH_SHEETS = [
    "员工花名册（2024年3月）\n,基本信息,,,联系方式,\n序号,姓名,身份证号,入职日期,手机,家庭住址\n1,{zname},{idcard},2021-03-01,{zphone},{zaddr}\n"
    "2,{zname2},,2022-07-15,{zphone2},",
    "项目\t客户A\t客户B\n姓名\t{zname}\t{zname2}\n电话\t{zphone}\t{zphone2}\n地址\t{zaddr}\t{zaddr2}",
]


def sheet_export(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_SHEETS if zh else EN_SHEETS)), "sheet": "Export"}


EN_TICKETS = [
    "SUP-{ticket}: Refund for {name}\nReporter: {name2}\nAssignee: [~{handle}]\n\nComments\n{name2} added a comment - 12/Mar/24 10:14 AM\n"
    "Customer called from {phone}, card {card} charged twice.\n{name3} added a comment - 12/Mar/24 11:02 AM\n"
    "[~{handle}] refund done, please e-mail {email}.",
    "#{ticket} Address change\nRequester: {name} <{email}>\n\n----------------------------------------------\n\n{name2}, Mar 12, 2024, 10:14\n\n"
    "Hi {first}, could you confirm the new address?\n\n----------------------------------------------\n\n{name}, Mar 12, 2024, 10:31\n\n"
    "Sure: {addr}. DOB {dob} if you need it.\n\nInternal note - {name3}, Mar 12, 2024, 10:40\nVerified against passport {passport}.",
]
ZH_TICKETS = [
    "工单 #{ticket} 退款申请\n提交人：{zname}（{zphone}）\n处理记录：\n2024-03-12 10:14 客服{zname2} 回复：\n已收到，请提供银行卡号。\n"
    "2024-03-12 10:31 {zname} 回复：\n{card}，开户名{zname}。\n2024-03-12 11:02 {zname3} 内部备注：\n用户地址{zaddr}，已登记。",
    "【工单】{ticket} 修改收货信息\n创建人：{zname2}\n描述：用户{zname}要求把收货地址改为{zaddr2}，新手机{zphone2}。\n评论（2）：\n"
    "{zname3}：已核对身份证{idcard}\n{zname2}：好的，已改",
]


def ticket_history(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_TICKETS if zh else EN_TICKETS)), "system": "helpdesk"}


EN_ASR = [
    "agent: can I have your mobile number please\ncustomer: yeah it's {sphone}\nagent: and your full name\n"
    "customer: {name} that's {spelled}\nagent: and the email on the account\ncustomer: {email_spoken}",
    "speaker 1: thank you for calling how can I help\nspeaker 2: hi my name is {name} I want to change my address\n"
    "speaker 1: sure what's your date of birth\nspeaker 2: {dob_spoken}\nspeaker 1: and the new address\nspeaker 2: {addr}\n"
    "speaker 1: and a contact number\nspeaker 2: {sphone}",
]
ZH_ASR = [
    "客服：请问您的手机号码？\n客户：{sphone}\n客服：怎么称呼您？\n客户：我叫{zname}\n客服：身份证号码报一下\n客户：{id_spoken}",
    "坐席：您好请问有什么可以帮您\n用户：你好我是{zname}我想改一下地址\n坐席：新地址是\n用户：{zaddr}\n坐席：联系电话\n用户：{sphone}\n"
    "坐席：收件人还是您吗\n用户：不是写我老公{zname2}",
]


def asr_transcript(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"transcript": r(rng.choice(ZH_ASR if zh else EN_ASR)), "asr_confidence": round(rng.uniform(0.6, 0.95), 2)}


EN_POSTAL = [
    "Ship to:\n{name}\n{addr_lines}\nPhone: {phone}\n\nBill to:\n{name2}\n{addr2}",
    "I spoke with {name} yesterday, and {first} mentioned that {name2} had moved to {addr}. Her new number is {phone}.",
    "Our new colleague {name} joins the Lisbon office on Monday; {first} will sit next to {name3}. Please send the welcome pack to {addr}.",
]
ZH_POSTAL = [
    "寄件人：{zname}\n{zaddr}\n电话 {zphone}\n收件人：{zname2} 先生\n{zaddr2}\n{zphone2}",
    "昨天和{zname}聊了一下，他说{zname2}已经搬到{zaddr}了，新电话是{zphone}。",
    "新同事{zname}下周一入职，和{zname3}坐一起，工牌寄到{zaddr}。",
]


def postal_prose(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_POSTAL if zh else EN_POSTAL))}


SHAPES11: dict[str, Shape] = {
    "mail_reply": mail_reply, "markup_tables": markup_tables, "config_dump": config_dump, "xml_message": xml_message,
    "pdf_text": pdf_text, "chat_apps": chat_apps, "sheet_export": sheet_export, "ticket_history": ticket_history,
    "asr_transcript": asr_transcript, "postal_prose": postal_prose,
}


def build11(seed: int = 11, per_shape: int = 20) -> list[dict[str, Any]]:
    """The round-11 set: ``per_shape`` records of each of the ten shapes, half zh, half en."""
    return build(seed, per_shape, shapes=SHAPES11, draw=draw11, types=TYPES, zh_only=frozenset())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--per-shape", type=int, default=20)
    args = ap.parse_args()
    with open(args.out, "w", encoding="utf-8") as f:
        for item in build11(args.seed, args.per_shape):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
