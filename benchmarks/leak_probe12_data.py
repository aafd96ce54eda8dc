"""Round 12's leak probe set: ten export shapes not in rounds 9-11, values from other countries.

Rounds 9-11 were used to write fixes, so none measures data nobody here has read. This set keeps
their machinery (`leak_probe_data.build`/`render`, the record/pii layout) with new pools
(`leak_probe12_pools.py`: names of many naming traditions in many written orders, addresses and
phones of 16 more countries, national ID numbers with check digits, Hong Kong / Taiwan / rural
Chinese addresses, compound and minority Chinese names) and ten other shapes: CSV/TSV exports
with cryptic headers, JSON logs with nested and escaped payloads, raw mail headers with
signatures, court and medical letters, OCR'd scans with broken spacing, Teams / Discord / Signal /
QQ / Feishu chat exports, handwritten-form transcriptions, zh/en code-switching, name lists in
many orders (rosters, appointments, sign-offs), and KYC forms. Half Chinese, half English.

    python -m benchmarks.leak_probe12_data --out benchmarks/data/leak_probe12.jsonl
    python benchmarks/leak_probe.py --set benchmarks/data/leak_probe12.jsonl
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from benchmarks.leak_probe11_pools import zh_phone
from benchmarks.leak_probe12_pools import (ascii_email, cn_id12, en_zh_name, national_id, world_address, world_name, world_phone,
                                           written, zh_address12, zh_name12)
from benchmarks.leak_probe_data import SLOT_TYPES, Render, Rng, Shape, _digits, build, draw_slots

TYPES = {**SLOT_TYPES, "name3": "PERSON", "name_up": "PERSON", "name2_up": "PERSON", "last": "PERSON",
         "given": "PERSON", "family": "PERSON", "first2": "PERSON", "ename": "PERSON", "name_sp": "PERSON",
         "zname3": "PERSON", "zname_sp": "PERSON", "addr2": "ADDRESS", "addr_lines": "ADDRESS", "zaddr2": "ADDRESS",
         "phone2": "PHONE", "zphone2": "PHONE", "natid": "ID_CARD", "qq": "USERNAME", "handle2": "USERNAME"}


def _spaced(value: str) -> str:
    """A value as an OCR engine with a wide letter pitch reads it: letters apart, words further."""
    return "   ".join(" ".join(word) for word in value.split())


def draw12(rng: Rng, zh: bool) -> dict[str, str]:
    """Round 9's generated numbers (cards, IBANs …) with this round's pools and slots."""
    slots = draw_slots(rng, zh)
    (g1, f1), (g2, f2), (g3, f3) = world_name(rng), world_name(rng), world_name(rng)
    name, name2, name3 = written(g1, f1, rng), written(g2, f2, rng), written(g3, f3, rng)
    zname = zh_name12(rng)
    cue, natid = national_id(rng)
    zphone = lambda: zh_phone(rng) if rng.random() < 0.5 else world_phone(rng)  # noqa: E731 - mainland or HK/TW/SG
    slots.update({
        "name": name, "name2": name2, "name3": name3, "name_up": f"{g1} {f1}".upper(), "name2_up": f"{g2} {f2}".upper(),
        "given": g1, "family": f1, "first": g1.split()[0], "last": f1, "first2": g2.split()[0],
        "name_sp": _spaced(f"{g1} {f1}"), "ename": en_zh_name(rng),
        "zname": zname, "zname2": zh_name12(rng), "zname3": zh_name12(rng), "zname_sp": " ".join(zname),
        "email": ascii_email(g1, f1, rng), "email2": ascii_email(g2, f2, rng),
        "addr": (addr := world_address(rng)), "addr2": world_address(rng), "addr_lines": addr.replace(", ", "\n"),
        "zaddr": zh_address12(rng), "zaddr2": zh_address12(rng),
        "phone": world_phone(rng), "phone2": world_phone(rng), "zphone": zphone(), "zphone2": zphone(),
        "natid_cue": cue, "natid": natid, "idcard": cn_id12(rng),
        "qq": rng.choice("123456789") + _digits(rng, rng.choice([8, 9])), "qq2": rng.choice("123456789") + _digits(rng, 8),
        "handle2": rng.choice(["nightowl_42", "k.odhiambo", "mika_fi", "sam.reyes", "tfifita"]),
        "mrn": _digits(rng, 8),
    })
    return slots


# --- shapes ------------------------------------------------------------------------------------

EN_CSV = [
    "cust_nm;cust_ph_no;addr_ln_1;dt_brth;natl_id_typ;natl_id\n{name};{phone};\"{addr}\";{dob};{natid_cue};{natid}\n"
    "{name2};{phone2};\"{addr2}\";;;",
    "Nom complet\tTél. portable\tAdresse postale\tCourriel\n{name}\t{phone}\t{addr}\t{email}\n{name2}\t{phone2}\t\t{email2}",
    "\"Contact (Primary)\",\"Ph#\",\"Mailing Addr.\",\"Ref\"\n\"{name}\",\"{phone}\",\"{addr_lines}\",\"{order}\"\n"
    "\"{name3}\",\"{phone2}\",\"\",\"\"",
    "KUNDE|TEL_1|TEL_2|STRASSE_ORT|GEB_DAT\n{name}|{phone}|{phone2}|{addr}|{dob}",
]
ZH_CSV = [
    "客户名称,联系人手机,收货地址（详细）,证件号\n{zname},{zphone},{zaddr},{idcard}\n{zname2},{zphone2},{zaddr2},",
    "姓 名\t手 机 号\t家 庭 住 址\n{zname}\t{zphone}\t{zaddr}\n{zname2}\t{zphone2}\t{zaddr2}",
    "col_1,col_2,col_3,col_4\n{zname},{idcard},{zphone},{zaddr}\n{zname3},,{zphone2},",
]


def odd_csv(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_CSV if zh else EN_CSV)), "file": "export.csv"}


EN_LOGS = [
    "2024-03-12T10:14:22.118Z INFO [checkout] {{\"evt\":\"order.created\",\"ctx\":{{\"customer\":{{\"fullName\":\"{name}\","
    "\"contact\":{{\"tel\":\"{phone}\",\"mail\":\"{email}\"}}}},\"shipTo\":{{\"line1\":\"{addr}\"}}}}}}",
    "{{\"level\":30,\"msg\":\"kyc.submitted\",\"req\":{{\"body\":{{\"applicant\":{{\"given\":\"{given}\",\"family\":\"{family}\","
    "\"idType\":\"{natid_cue}\",\"idNumber\":\"{natid}\",\"dob\":\"{dob}\"}}}}}}}}",
    "level=warn ts=2024-03-12T10:14:22Z caller=sync.go:88 msg=\"payload rejected\" "
    "payload=\"{{\\\"name\\\":\\\"{name}\\\",\\\"phone\\\":\\\"{phone}\\\",\\\"address\\\":\\\"{addr}\\\"}}\" ip={ip}",
]
ZH_LOGS = [
    "{{\"ts\":\"2024-03-12 10:14:22\",\"event\":\"用户注册\",\"data\":{{\"profile\":{{\"realName\":\"{zname}\",\"mobile\":\"{zphone}\","
    "\"idNo\":\"{idcard}\",\"addr\":{{\"full\":\"{zaddr}\"}}}}}}}}",
    "[2024-03-12 10:14:22] ERROR 下单失败 params={{\"receiver\":\"{zname}\",\"receiverPhone\":\"{zphone}\",\"address\":\"{zaddr}\","
    "\"buyer\":{{\"nick\":\"{zname2}\"}}}}",
    "2024-03-12 10:14:22.118 [http-nio-8080-exec-7] DEBUG c.x.o.UserMapper - ==> Parameters: {zname}(String), {zphone}(String), "
    "{zaddr}(String), {idcard}(String)",
]


# (written with doubled braces for the eye; `render` fills ``{slot}`` only, so they are halved here)
EN_LOGS, ZH_LOGS = ([t.replace("{{", "{").replace("}}", "}") for t in ts] for ts in (EN_LOGS, ZH_LOGS))


def json_log(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"line": r(rng.choice(ZH_LOGS if zh else EN_LOGS)), "source": "app.log"}


EN_HEADERS = [
    "Return-Path: <{email}>\nFrom: \"{name}\" <{email}>\nTo: \"{name2}\" <{email2}>\nCc: {name3}\nSubject: Re: lease renewal\n"
    "X-Originating-IP: [{ip}]\n\nFine by me, see you Thursday.\n\n--\n{name}\nProperty Manager, {org}\nT {phone} | M {phone2}\n{addr}",
    "Von: {name} <{email}>\nGesendet: Dienstag, 12. März 2024 10:14\nAn: {name2} <{email2}>\nBetreff: AW: Mietvertrag\n\n"
    "Anbei der unterschriebene Vertrag.\n\nViele Grüße\n{first}\n\n{name}\n{addr_lines}\nMobil {phone}",
    "Begin forwarded message:\n\nFrom: {name2} <{email2}>\nDate: 12 March 2024 at 10:14:22 GMT\nTo: {name} <{email}>\n"
    "Subject: Your booking\n\nDear {name},\nyour room is booked. We have your passport as {passport} and your phone as {phone}.\n\n"
    "Kind regards\n{name2}\nReservations | {org}",
]
ZH_HEADERS = [
    "发件人: \"{zname}\" <{email}>\n发送时间: 2024年3月12日 10:14\n收件人: {zname2} <{email2}>\n抄送: {ename}\n主题: 回复: 报销\n\n"
    "已提交，麻烦审批。\n\n{zname}\n{zorg} 财务部\n手机：{zphone}\n地址：{zaddr}",
    "---------- 转发的邮件 ----------\n发件人：{zname2} <{email2}>\n日期：2024年3月12日 周二 10:14\n主题：入职材料\n收件人：{zname} <{email}>\n\n"
    "{zname}你好，请补充身份证号{idcard}的复印件，并确认联系电话{zphone}。\n\n{zname2}\n人力资源部",
]


def mail_headers(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"raw": r(rng.choice(ZH_HEADERS if zh else EN_HEADERS)), "mailbox": "archive"}


EN_LETTERS = [
    "IN THE COUNTY COURT AT MANCHESTER\nClaim No. F00MA{ticket}\nBETWEEN:\n{name_up}\nClaimant\n-and-\n{name2_up}\nDefendant\n\n"
    "WITNESS STATEMENT OF {name_up}\n\nI, {name}, of {addr}, say as follows:\n1. I am the Claimant. The Defendant, {name2}, "
    "telephoned me on {phone} on 3 January.",
    "DISCHARGE SUMMARY\nPatient: {name}    DOB: {dob}    Hospital no.: {mrn}\nAddress: {addr}\n"
    "Next of kin: {name2} (spouse), tel. {phone2}\n\nDear Dr {last},\nwe saw your patient in the clinic today. {first} was admitted with "
    "chest pain and discharged home the same day.",
    "Our ref: {ticket}/MED\n\nTo the Registrar\n\nRe: {name} (date of birth {dob}), {natid_cue} {natid}\n{addr_lines}\n\n"
    "I write in support of my patient's application. {first} has been under my care since 2019.\n\nYours faithfully\n{name3}",
]
ZH_LETTERS = [
    "民事判决书\n（2024）浙0106民初{ticket}号\n原告：{zname}，男，{dob}出生，汉族，住{zaddr}，公民身份号码{idcard}。\n"
    "委托诉讼代理人：{zname2}，{zorg}律师。\n被告：{zname3}，女，住{zaddr2}。\n原告{zname}与被告{zname3}民间借贷纠纷一案，本院立案后依法适用简易程序。",
    "出院记录\n姓名：{zname}  性别：女  年龄：46岁  住院号：{mrn}\n联系人：{zname2}（配偶） 电话：{zphone}\n住址：{zaddr}\n"
    "入院诊断：社区获得性肺炎\n主治医师：{zname3}",
]


def court_medical(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"document": r(rng.choice(ZH_LETTERS if zh else EN_LETTERS)), "kind": "letter"}


EN_OCR = [
    "A P P L I C A T I O N   F O R M\nSurname ............ {last}\nFirst name(s) ...... {first}\nDate of birth ...... {dob}\n"
    "Address ............ {addr}\nTel .................{phone}",
    "Dear{name},\nYour new card has been sent. If it does not arrive please call us on{phone}.\nRef:{order}Addr:{addr}",
    "N a m e :  {name_sp}\nT e l :  {phone}\nAddr ess: {addr}\nSignature ______________",
]
ZH_OCR = [
    "姓  名 {zname_sp}\n身份证号 {idcard}\n住  址 {zaddr}\n联系电话{zphone}",
    "申 请 人 ： {zname_sp}    电 话 ： {zphone}\n地 址 ： {zaddr}\n经办人：{zname2}",
]


def ocr_scan(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"ocr_text": r(rng.choice(ZH_OCR if zh else EN_OCR)), "confidence": round(rng.uniform(0.5, 0.9), 2)}


EN_CHATS = [
    "[12/03/2024 14:22] {last}, {first} (Guest)\nHi, can you update my delivery address?\n[12/03/2024 14:23] {name2}\n"
    "Sure, what's the new one?\n[12/03/2024 14:25] {last}, {first} (Guest)\n{addr}\nand my cell is {phone}",
    "{handle} — Today at 14:22\nmy full name is {name} and I live at {addr}\n{handle2} — Today at 14:23\nok ping me on {phone2}",
    "Mar 12, 14:22 - {name}: please send the contract to {email}\nMar 12, 14:25 - {name2}: will do. number for the courier?\n"
    "Mar 12, 14:26 - {name}: {phone}",
]
ZH_CHATS = [
    "2024-03-12 14:22:01 {zname}({qq})\n我的地址是{zaddr}\n2024-03-12 14:23:40 {zname2}({qq2})\n收到，电话？\n"
    "2024-03-12 14:24:05 {zname}({qq})\n{zphone}",
    "{zname} 3月12日 14:22\n@{zname2} 客户{zname3}的身份证是{idcard}，住{zaddr}\n{zname2} 3月12日 14:25\n收到👌 我让{ename}联系他",
    "[2024/3/12 14:22] {ename}\n明天拜访客户{zname}，他电话 {zphone}\n[2024/3/12 14:30] {zname2}\n好，地址发我\n[2024/3/12 14:31] {ename}\n{zaddr2}",
]


def chat_export(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"export": r(rng.choice(ZH_CHATS if zh else EN_CHATS)), "app": rng.choice(["teams", "qq", "feishu", "discord"])}


EN_FORMS = [
    "[handwritten] Name (BLOCK CAPITALS): {name_up}\nSignature: [signature]\nDate of birth: {dob}\n"
    "Address: {addr} [last line illegible]\nPhone (day): {phone}\n☒ Mr ☐ Mrs ☐ Ms\nEmergency contact: {name2} [crossed out: {name3}]",
    "Patient intake (transcribed)\nFull name: {name}\nAddr:\n{addr_lines}\n{natid_cue} no.: {natid}\nNext of kin: {first2} (daughter) {phone2}",
]
ZH_FORMS = [
    "【手写体转录】\n申请人姓名：{zname}\n身份证号码：{idcard}\n家庭住址：{zaddr}（字迹不清）\n联系电话：{zphone}\n"
    "紧急联系人：{zname2} {zphone2}\n签名：{zname}",
    "就诊登记表（手写）\n姓名 {zname}  性别 ☑男 ☐女\n住址 {zaddr}\n电话 {zphone}\n家属 {zname2}（父）",
]


def handwritten_form(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"transcription": r(rng.choice(ZH_FORMS if zh else EN_FORMS)), "pages": 1}


EN_MIXED = [
    "Lunch with {ename} later lah, she stays at {addr}, call her {phone} if you're late",
    "FYI {zname} 的 passport 过期了, new one is {passport}, 现在住 {zaddr}",
    "Boss says {ename} and {name} handle this case together; customer {zname}, tel {zphone}",
]
ZH_MIXED = [
    "我跟 {ename} 说了, 她的 number 是 {phone}, 明天 meeting 在 {addr} 那边",
    "Hi {zname}, 你的 package 寄到 {zaddr} 了吗? tracking 我 email 给你 {email}",
    "老板说让 {zname} 和 {ename} 一起 follow up 这个 case，客户 ID 是 {idcard}，电话 {zphone2}",
]


def code_switch(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"message": r(rng.choice(ZH_MIXED if zh else EN_MIXED))}


EN_LISTS = [
    "Attendees:\n1. {name}\n2. {name2}\n3. {name3}\nMinutes taken by {ename}.",
    "Prepared by {name}; reviewed by {name2}; approved by {name3}.",
    "Signed for and on behalf of {org}\n\n______________________\n{name}\nDirector\n\nWitness: {name2}\nAddress of witness: {addr}",
]
ZH_LISTS = [
    "关于人事任免的通知\n经研究决定，任命{zname}为销售部经理，{zname2}为副经理，免去{zname3}的财务部经理职务。",
    "{zname}、{zname2}和{zname3}获得2023年度优秀员工称号，特此表彰。",
    "参会人员：{zname}、{zname2}、{ename}\n记录人：{zname3}",
]


def name_lists(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"text": r(rng.choice(ZH_LISTS if zh else EN_LISTS))}


EN_KYC = [
    "KYC check passed\nName: {name}\n{natid_cue}: {natid}\nResidential address: {addr}\nMobile: {phone}\nDOB: {dob}",
    "Onboarding — {name} | {natid_cue} {natid} | {phone} | {addr}",
]
ZH_KYC = [
    "实名认证\n姓名：{zname}\n证件类型：居民身份证\n证件号码：{idcard}\n手机：{zphone}\n地址：{zaddr}",
    "境外客户 {name}（{natid_cue} {natid}），联系电话 {phone}，地址 {addr}",
]


def kyc_form(rng: Rng, r: Render, zh: bool) -> dict[str, Any]:
    return {"form": r(rng.choice(ZH_KYC if zh else EN_KYC)), "status": "review"}


SHAPES12: dict[str, Shape] = {
    "odd_csv": odd_csv, "json_log": json_log, "mail_headers": mail_headers, "court_medical": court_medical,
    "ocr_scan": ocr_scan, "chat_export": chat_export, "handwritten_form": handwritten_form, "code_switch": code_switch,
    "name_lists": name_lists, "kyc_form": kyc_form,
}


def build12(seed: int = 12, per_shape: int = 20) -> list[dict[str, Any]]:
    """The round-12 set: ``per_shape`` records of each of the ten shapes, half zh, half en."""
    return build(seed, per_shape, shapes=SHAPES12, draw=draw12, types=TYPES, zh_only=frozenset())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--per-shape", type=int, default=20)
    args = ap.parse_args()
    with open(args.out, "w", encoding="utf-8") as f:
        for item in build12(args.seed, args.per_shape):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
