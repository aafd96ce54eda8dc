"""Deterministic generator of labelled chat-shaped PII text in many locales (Faker), zh + en.

A dev set built here, for tuning and measuring the PERSON / ADDRESS / PHONE detectors on
names of many nationalities, national phone formats and non-US postal addresses. It is NOT
the held-out set the project is judged on (that comes from another generator): templates
here are varied on purpose so that nothing is tuned to one sentence shape.

Each record: ``{"text", "spans": [[start, end, TYPE], ...], "lang", "locale"}``.

    python -m benchmarks.intl_pii_data --n 600 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable

from faker import Faker

# Latin-script locales whose Faker providers have names, phone numbers and addresses.
EN_LOCALES = (
    "en_US", "en_GB", "en_IE", "en_AU", "en_NZ", "en_CA", "en_IN", "de_DE", "de_AT", "de_CH", "fr_FR",
    "fr_CH", "es_ES", "es_MX", "it_IT", "pt_BR", "pt_PT", "nl_NL", "nl_BE", "pl_PL", "sv_SE", "no_NO",
    "da_DK", "fi_FI", "cs_CZ", "hu_HU", "tr_TR", "ro_RO", "id_ID", "hr_HR", "sk_SK", "sl_SI",
)  # fmt: skip
ZH_LOCALES = ("zh_CN", "zh_TW")

# Pieces of a record: literal text or (TYPE, value). {x} in a template is filled from fields.
Piece = str | tuple[str, str]

EN_PHONE_CUES = ("Phone: ", "Tel ", "Tel.: ", "mobile ", "Mobile: ", "call me on ", "my number is ",
                 "you can reach me at ", "ph. ", "cell: ", "text me at ", "Telephone ", "WhatsApp ")  # fmt: skip
ZH_PHONE_CUES = ("电话：", "手机", "手机号", "联系电话：", "电话 ", "打我电话", "座机：", "手机号码是")
EN_TEMPLATES: tuple[str, ...] = (
    "Hi, my name is {full}. {phone_cue}{phone}",
    "My name is {last}, I ordered last week and nothing arrived.",
    "{first}: you saved me! {phone_cue}{phone}",
    "{full} listed her top picks for the spring.",
    "Please send the invoice to {full}, {addr_line}.",
    "{full}\n{addr_block}\n{phone_cue}{phone}",
    "Ship it to {addr_block} please, and {phone_cue}{phone} if there is a problem.",
    "Unlike the {last} report, this one was clear.",
    "Agent: how can I help?\n{first}: the parcel for {full} never came. {phone_cue}{phone}",
    "Spoke with {full} today; she moved to {addr_line}.",
    "Contact person: {full} ({phone})",
    "I live at {addr_line} since March.",
    "{first} {last} here, {phone_cue}{phone}.",
    "Thanks {first}! Deliver to {addr_block}",
    "Dear {full}, your appointment is confirmed.",
    "Is {last} still at {addr_line}? The letter came back.",
    "Reach {first} on {phone_intl} after six.",
    "New address: {addr_line}",
)
ZH_TEMPLATES: tuple[str, ...] = (
    "我叫{full}，{phone_cue}{phone}",
    "收货地址：{addr}，{full}收",
    "{full}：好的，谢谢你！",
    "请寄到{addr}，{phone_cue}{phone}",
    "客服：您好，请问有什么可以帮您？\n{full}：我的快递一直没到，{phone_cue}{phone}",
    "昨天和{full}聊了一下，他搬到{addr}了。",
    "联系人：{full}，{phone_cue}{phone}，地址：{addr}",
    "{full}说明天去{addr}取件。",
    "麻烦转告{full}给我回电话。",
    "我家住在{addr}。",
)


def _zh_address(fk: Faker, rng: random.Random) -> str:
    """A Chinese postal address down to building and room (Faker's street + our unit parts)."""
    base = fk.province() + fk.city() + fk.district() + "区" + fk.street_name() + str(rng.randint(1, 999)) + "号"
    unit = rng.choice(("", f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室",
                       f"{rng.choice('ABCDEFG')}座{rng.randint(1, 28)}{rng.randint(1, 12):02d}室",
                       f"{rng.randint(1, 20)}号楼{rng.randint(101, 2405)}"))
    return base + unit


def _record(fk: Faker, rng: random.Random, lang: str, locale: str) -> dict:
    tpl = rng.choice(ZH_TEMPLATES if lang == "zh" else EN_TEMPLATES)
    if lang == "zh":
        if locale == "zh_TW":  # Taiwanese addresses (號/樓) as Faker writes them
            addr = fk.address()
        else:
            addr = _zh_address(fk, rng)
        fields: dict[str, Piece] = {
            "full": ("PERSON", fk.name()),
            "addr": ("ADDRESS", addr.replace("\n", "")),
            "phone": ("PHONE", fk.phone_number()),
            "phone_cue": rng.choice(ZH_PHONE_CUES),
        }
    else:
        first, last = fk.first_name(), fk.last_name()
        block = fk.address()
        fields = {
            "first": ("PERSON", first),
            "last": ("PERSON", last),
            "full": ("PERSON", f"{first} {last}"),
            "addr_block": ("ADDRESS", block),
            "addr_line": ("ADDRESS", re.sub(r"\s*\n\s*", ", ", block)),
            "phone": ("PHONE", fk.phone_number()),
            "phone_intl": ("PHONE", _e164(fk, rng)),
            "phone_cue": rng.choice(EN_PHONE_CUES),
        }
    text, spans = "", []
    for lit, key in re.findall(r"([^{]*)(?:\{(\w+)\})?", tpl):
        text += lit
        if not key:
            continue
        val = fields[key]
        if isinstance(val, str):
            text += val
        else:
            typ, value = val
            # "{first} {last}" labels both words as one name.
            if spans and spans[-1][2] == typ == "PERSON" and spans[-1][1] == len(text) - 1 and text.endswith(" "):
                spans[-1][1] = len(text) + len(value)
            else:
                spans.append([len(text), len(text) + len(value), typ])
            text += value
    return {"text": text, "spans": spans, "lang": lang, "locale": locale}


def _e164(fk: Faker, rng: random.Random) -> str:
    """A +CC number in international format for the locale (phonenumbers' example numbers)."""
    import phonenumbers

    region = fk.current_country_code() if hasattr(fk, "current_country_code") else "US"
    try:
        ex = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    except Exception:  # noqa: BLE001 - any missing metadata: fall back to a US number
        ex = None
    if ex is None:
        ex = phonenumbers.example_number_for_type("US", phonenumbers.PhoneNumberType.MOBILE)
    # Vary the last digits so that not every record holds the example number itself.
    national = str(ex.national_number)
    national = national[:-3] + f"{rng.randint(0, 999):03d}"
    ex = phonenumbers.PhoneNumber(country_code=ex.country_code, national_number=int(national))
    return phonenumbers.format_number(ex, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def generate(n: int, seed: int, lang: str | None = None) -> list[dict]:
    """``n`` records (half zh, half en unless ``lang`` is given), locale round-robin, seeded."""
    rng = random.Random(seed)
    fakers: dict[str, Faker] = {}

    def faker(loc: str) -> Faker:
        if loc not in fakers:
            fakers[loc] = Faker(loc)
            fakers[loc].seed_instance(seed)
        return fakers[loc]

    out = []
    for i in range(n):
        lg = lang or ("zh" if i % 2 else "en")
        locales = ZH_LOCALES if lg == "zh" else EN_LOCALES
        loc = locales[(i // 2) % len(locales)]
        out.append(_record(faker(loc), rng, lg, loc))
    return out


def main(argv: list[str] | None = None, emit: Callable[[str], None] = print) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    for rec in generate(args.n, args.seed):
        emit(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main()
