"""Deterministic generator of labelled zh + en customer-service text for the structured scanner.

Each record is ``{"text": str, "spans": [[start, end, TYPE], ...], "lang": "zh" | "en"}``
(code-point offsets, end exclusive). A record joins 1-3 customer-service sentences (plus
optional filler) with varied punctuation and line breaks. Entities carry valid checksums
(computed with privtune.scan.checksums) in varied real-world formats: separators, +86/0086
prefixes, grouping, full-width digits and ＠, colon width, a line break after the label.
Hard negatives (tracking numbers, order numbers without their cue, timestamps, versions, prices, verification codes,
checksum-failing look-alikes, dates outside a birth context) are present but unlabelled; a
resident ID with a failing check character right after 身份证号 is labelled ID_CARD (a typo
still holds a region and a birth date), and so is an order number right after its cue as a
RECORD_ID (round 8).

    python -m benchmarks.scan_labelled_data --n 3000 --seed 2025 --out labelled.jsonl
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import ipaddress
import json
import random
import re
import string

import phonenumbers

from privtune.scan.checksums import (
    USCC_ALPHABET, cn_id_check_char, iban_check_digits, is_luhn_valid, is_valid_cn_id, luhn_check_digit,
    uscc_check_char,
)  # fmt: skip

Rng = random.Random
_FW = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
REGIONS = ("110105", "110108", "120101", "130102", "140105", "210102", "220102", "230103", "310104",
           "310115", "320102", "320506", "330106", "330205", "340104", "350203", "360102", "370202",
           "410105", "420106", "430104", "440106", "440305", "450103", "460105", "500103", "510107",
           "520102", "530102", "610113", "620102", "630102", "640104", "650102")  # fmt: skip
PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _digits(rng: Rng, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _fullwidth(rng: Rng, s: str, p: float) -> str:
    return s.translate(_FW) if rng.random() < p else s


def _birth(rng: Rng, lo: int = 1940, hi: int = 2008) -> dt.date:
    return dt.date(lo, 1, 1) + dt.timedelta(days=rng.randrange((dt.date(hi, 12, 31) - dt.date(lo, 1, 1)).days))


# --- entity values -------------------------------------------------------------------------

def phone(rng: Rng, lang: str) -> str:
    weights = [50, 18, 7, 15, 10] if lang == "zh" else [15, 5, 2, 53, 25]
    kind = rng.choices(["mobile", "land", "service", "us", "intl"], weights)[0]
    if kind == "mobile":
        n = rng.choice(["130", "131", "132", "133", "135", "136", "137", "138", "139", "145", "147", "150",
                        "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176",
                        "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191",
                        "193", "195", "198", "199"]) + _digits(rng, 8)  # fmt: skip
        body = rng.choices([n, f"{n[:3]}-{n[3:7]}-{n[7:]}", f"{n[:3]} {n[3:7]} {n[7:]}"], [60, 20, 20])[0]
        prefix = rng.choices(["", "+86 ", "+86-", "+86", "0086 ", "(+86) ", "86-"], [80, 8, 3, 3, 2, 3, 1])[0]
        return _fullwidth(rng, prefix + body, 0.04 if lang == "zh" else 0)
    if kind == "land":
        area = rng.choice(["010", "021", "022", "023", "020", "024", "025", "027", "028", "029", "0755", "0571",
                           "0512", "0531", "0532", "0591", "0592", "0731", "0871", "0898"])  # fmt: skip
        sub = rng.choice("2345678") + _digits(rng, 7 if len(area) == 3 or rng.random() < 0.6 else 6)
        fmt = rng.choices(["{a}-{s}", "({a}){s}", "（{a}）{s}", "{a} {s}", "+86 {a1} {s}", "+86-{a1}-{s}", "{a}{s}"],
                          [55, 10, 10, 8, 7, 5, 5])[0]  # fmt: skip
        if len(sub) == 8 and rng.random() < 0.2 and "{a} {s}" == fmt:
            sub = f"{sub[:4]} {sub[4:]}"
        return fmt.format(a=area, a1=area[1:], s=sub)
    if kind == "service":
        n = rng.choice(["400", "800"]) + _digits(rng, 7)
        return rng.choice([n, f"{n[:3]}-{n[3:6]}-{n[6:]}", f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:4]}-{n[4:7]}-{n[7:]}"])
    if kind == "us":
        a = rng.choice(["212", "213", "312", "415", "503", "617", "646", "702", "718", "206", "303", "404", "512"])
        e, s = rng.choice("23456789") + _digits(rng, 2), _digits(rng, 4)
        return rng.choices([f"({a}) {e}-{s}", f"{a}-{e}-{s}", f"+1 {a} {e} {s}", f"+1-{a}-{e}-{s}", f"{a}.{e}.{s}",
                            f"+1 ({a}) {e}-{s}", f"1-{a}-{e}-{s}"], [30, 30, 12, 8, 8, 6, 6])[0]  # fmt: skip
    region = rng.choice(["GB", "JP", "SG", "HK", "DE", "FR", "AU", "KR"])
    base = phonenumbers.example_number_for_type(region, rng.choice([phonenumbers.PhoneNumberType.MOBILE,
                                                                    phonenumbers.PhoneNumberType.FIXED_LINE]))
    for _ in range(50):
        nat = str(base.national_number)
        cand = phonenumbers.parse(f"+{base.country_code}{nat[:3]}{_digits(rng, len(nat) - 3)}")
        if phonenumbers.is_valid_number(cand):
            base = cand
            break
    fmt = phonenumbers.PhoneNumberFormat.E164 if rng.random() < 0.15 else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(base, fmt)


def email(rng: Rng, lang: str) -> str:
    first = rng.choice(["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "john", "emily", "michael",
                        "sarah", "david", "anna", "kevin", "lucy", "tom", "grace"])  # fmt: skip
    last = rng.choice(["wei", "fang", "na", "min", "jing", "lei", "smith", "brown", "lee", "garcia", "chen", "xu"])
    local = rng.choice([f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first}_{last}", f"{first[0]}{last}",
                        _digits(rng, rng.randint(6, 10)), f"{first}.{last}+{rng.choice(['shop', 'news', 'vip'])}",
                        f"{first}-{last}{rng.randint(1970, 2005)}"])  # fmt: skip
    domain = rng.choice(["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "hotmail.com",
                         "yahoo.co.jp", "foxmail.com", "abc-tech.com.cn", "mail.ustc.edu.cn", "example.org",
                         "corp.huawei-partner.cn", "aliyun.com", "protonmail.ch", "company.co.uk"])  # fmt: skip
    addr = (local.capitalize() if rng.random() < 0.1 else local) + "@" + domain
    return addr.replace("@", "＠") if lang == "zh" and rng.random() < 0.04 else addr


def url(rng: Rng, lang: str) -> str:
    host = rng.choice(["www.taobao.com", "item.jd.com", "shop.example.cn", "github.com", "docs.python.org",
                       "support.apple.com", "m.tb.cn", "www.example-store.com", "bit.ly", "10.1.2.3:8080"])  # fmt: skip
    path = rng.choice(["", "/", f"/item/{_digits(rng, 8)}.html", f"/s?q=phone&page={rng.randint(1, 9)}",
                       f"/order/detail?id={_digits(rng, 12)}&from=app", "/wiki/Foo_(bar)",
                       f"/u/{_digits(rng, 6)}#reviews",
                       "/help/refund-policy", f"/t/{''.join(rng.choices(string.ascii_letters, k=7))}"])  # fmt: skip
    scheme = rng.choices(["https://", "http://", ""], [70, 20, 10])[0]
    if not scheme and not host.startswith("www."):
        scheme = "https://"
    return scheme + host + path


def ip(rng: Rng, lang: str) -> str:
    r = rng.random()
    if r < 0.35:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.5:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.8:
        return f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    addr = ipaddress.IPv6Address(rng.choice([0x20010DB8, 0x24098000, 0xFE800000]) << 96 | rng.getrandbits(64))
    return addr.exploded if rng.random() < 0.2 else str(addr)


def cn_id(rng: Rng, valid: bool = True) -> str:
    first = rng.choice(REGIONS) + _birth(rng).strftime("%Y%m%d") + _digits(rng, 3)
    check = cn_id_check_char(first)
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return first + check


def id_card(rng: Rng, lang: str) -> str:
    n = cn_id(rng)
    if n.endswith("X") and rng.random() < 0.3:
        n = n[:-1] + "x"
    if rng.random() < 0.05:
        n = f"{n[:6]} {n[6:14]} {n[14:]}"
    return _fullwidth(rng, n, 0.03)


def legacy_id(rng: Rng, lang: str) -> str:
    return rng.choice(REGIONS) + _birth(rng, 1940, 1999).strftime("%y%m%d") + _digits(rng, 3)


def card_number(rng: Rng, luhn: bool = True) -> str:
    prefix, length = rng.choice([("4", 16), ("4", 16), ("51", 16), ("55", 16), ("2223", 16), ("34", 15), ("37", 15),
                                 ("622202", 19), ("622848", 19), ("621700", 19), ("623058", 16), ("625807", 16),
                                 ("628288", 16), ("6011", 16), ("65", 16), ("3530", 16)])  # fmt: skip
    body = prefix + _digits(rng, length - len(prefix) - 1)
    check = luhn_check_digit(body)
    return body + (check if luhn else str((int(check) + rng.randint(1, 9)) % 10))


def group_card(rng: Rng, n: str) -> str:
    style = rng.choices(["", " ", "-"], [45, 45, 10])[0]
    if not style:
        return n
    if len(n) == 15:
        return style.join([n[:4], n[4:10], n[10:]])
    return style.join(n[i : i + 4] for i in range(0, len(n), 4))


def bank_card(rng: Rng, lang: str) -> str:
    return _fullwidth(rng, group_card(rng, card_number(rng)), 0.02)


def unionpay_no_luhn(rng: Rng, lang: str) -> str:
    body = rng.choice(["622202", "621700", "622848"]) + _digits(rng, 12)
    return group_card(rng, body + str((int(luhn_check_digit(body)) + rng.randint(1, 9)) % 10))


def uscc(rng: Rng, lang: str, valid: bool = True) -> str:
    head = rng.choice("9995Y1") + rng.choice("1123") + rng.choice(REGIONS)
    org = ("MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(7))) if rng.random() < 0.6 else (
        _digits(rng, 8) + rng.choice(USCC_ALPHABET[:12]))
    check = uscc_check_char(head + org)
    if not valid:
        check = rng.choice([c for c in USCC_ALPHABET if c != check])
    return head + org + check


def passport(rng: Rng, lang: str) -> str:
    r = rng.random()
    if lang == "en" and r < 0.35:
        return rng.choice([_digits(rng, 9), rng.choice("ACX") + _digits(rng, 8)])
    if r < 0.6:
        return "E" + _digits(rng, 8)
    if r < 0.85:
        return "E" + rng.choice("ABCDEFGH") + _digits(rng, 7)
    return "G" + _digits(rng, 8)


def plate(rng: Rng, lang: str) -> str:
    head = rng.choice(PROVINCE_CHARS) + rng.choice(PLATE_LETTERS)
    if rng.random() < 0.2:  # new-energy
        if rng.random() < 0.8:  # small car: D/F first; large: D/F last
            tail = rng.choice("DF") + rng.choice(PLATE_LETTERS + string.digits) + _digits(rng, 4)
        else:
            tail = _digits(rng, 5) + rng.choice("DF")
    else:
        chars = [rng.choice(string.digits) for _ in range(5)]
        for i in rng.sample(range(5), rng.choice([0, 0, 1, 1, 2])):
            chars[i] = rng.choice(PLATE_LETTERS)
        tail = "".join(chars)
    return head + rng.choices(["", "·", " ", "-"], [70, 20, 5, 5])[0] + tail


def iban(rng: Rng, lang: str, valid: bool = True) -> str:
    country, fmt = rng.choice([("DE", "8n10n"), ("GB", "4a6n8n"), ("FR", "5n5n11c2n"), ("NL", "4a10n"),
                               ("ES", "4n4n2n10n"), ("IT", "1a5n5n12c"), ("CH", "5n12c"),
                               ("BE", "3n7n2n")])  # fmt: skip
    bban = ""
    for count, kind in re.findall(r"(\d+)([nac])", fmt):
        pool = {"n": string.digits, "a": string.ascii_uppercase, "c": string.ascii_uppercase + string.digits}[kind]
        bban += "".join(rng.choice(pool) for _ in range(int(count)))
    check = iban_check_digits(country, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 90)) % 97 + 2:02d}"
    s = country + check + bban
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4)) if rng.random() < 0.5 else s


def ssn(rng: Rng, lang: str, sep: str | None = None) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    a, g, s = f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"
    return (sep if sep is not None else "-").join([a, g, s])


def date_text(rng: Rng, lang: str, d: dt.date | None = None) -> str:
    d = d or _birth(rng)
    mon = d.strftime("%B")
    zh = [f"{d.year}年{d.month}月{d.day}日", f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}", f"{d:%Y.%m.%d}",
          f"{d.year}年{d.month:02d}月{d.day:02d}日", f"{d:%Y%m%d}", f"{d.year} 年 {d.month} 月 {d.day} 日"]
    en = [f"{mon} {d.day}, {d.year}", f"{mon[:3]} {d.day}, {d.year}", f"{d.day} {mon} {d.year}", f"{d:%Y-%m-%d}",
          f"{d:%m/%d/%Y}", f"{d:%d/%m/%Y}", f"{mon[:3]}. {d.day} {d.year}", f"{d.day}th of {mon} {d.year}"]
    if lang == "en" and d.day in (1, 2, 3, 21, 22, 23, 31):
        en.pop()  # avoid "1th"
    return rng.choice(zh if lang == "zh" else en)


def dob(rng: Rng, lang: str) -> str:
    return date_text(rng, lang)


def _b64(rng: Rng, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def secret(rng: Rng, lang: str) -> str:
    kind = rng.choice(["aws", "gh", "slack", "openai", "google", "stripe", "jwt", "pem", "ghpat"])
    if kind == "aws":
        return "AKIA" + _b64(rng, 16, string.ascii_uppercase + string.digits)
    if kind == "gh":
        return "ghp_" + _b64(rng, 36)
    if kind == "ghpat":
        return "github_pat_" + _b64(rng, 22) + "_" + _b64(rng, 59)
    if kind == "slack":
        return f"xoxb-{_digits(rng, 12)}-{_digits(rng, 13)}-{_b64(rng, 24)}"
    if kind == "openai":
        return "sk-" + rng.choice(["", "proj-"]) + _b64(rng, 48, string.ascii_letters + string.digits + "_-")
    if kind == "google":
        return "AIza" + _b64(rng, 35, string.ascii_letters + string.digits + "_-")
    if kind == "stripe":
        return rng.choice(["sk_live_", "rk_live_", "sk_test_"]) + _b64(rng, 24)
    if kind == "jwt":
        def part(obj: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()
        head = part({"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
        body = part({"sub": _digits(rng, 8), "iat": rng.randint(1600000000, 1700000000), "role": "user"})
        return f"{head}.{body}.{_b64(rng, 43, string.ascii_letters + string.digits + '_-')}"
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", ""])
    lines = [_b64(rng, 64, string.ascii_letters + string.digits + "+/") for _ in range(rng.randint(2, 5))]
    return f"-----BEGIN {kind}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {kind}PRIVATE KEY-----"


def password(rng: Rng, lang: str) -> str:
    return rng.choice([
        _b64(rng, rng.randint(8, 14), string.ascii_letters + string.digits + "!@#$%^*"),
        rng.choice(["Summer", "Qwer", "Admin", "Hello", "Abc", "woaini", "iloveyou"]) + str(rng.randint(1, 2024))
        + rng.choice(["", "!", "@", "#"]),
        _digits(rng, 6),
    ])  # fmt: skip


def wechat_id(rng: Rng, lang: str) -> str:
    first = rng.choice(string.ascii_lowercase)
    word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 8)))
    tail = rng.choice(["_" + _digits(rng, rng.randint(2, 4)), _digits(rng, rng.randint(2, 4)), "-" + word[:3], "_" + word[:4]])
    return first + word + tail


def qq_number(rng: Rng, lang: str) -> str:
    return str(rng.randint(1, 9)) + _digits(rng, rng.randint(5, 9))


def handle(rng: Rng, lang: str) -> str:
    return rng.choice(["@", "@", ""]) + wechat_id(rng, lang)


def token_value(rng: Rng, lang: str) -> str:
    alphabet = rng.choice(["0123456789abcdef", string.ascii_letters + string.digits, string.ascii_letters + "_-"])
    return _b64(rng, rng.choice([28, 32, 40]), alphabet)


def record_id(rng: Rng, lang: str) -> str:
    """Medical record, member and policy numbers as issuers write them."""
    letters = lambda n: "".join(rng.choice(string.ascii_uppercase) for _ in range(n))  # noqa: E731
    return rng.choice([
        _digits(rng, 8), f"MR-{rng.randint(2015, 2025)}-{_digits(rng, 6)}", letters(1) + _digits(rng, 8),
        letters(3) + _digits(rng, 9), " ".join(_digits(rng, 4) for _ in range(4)), f"{letters(2)}-{_digits(rng, 4)}-{_digits(rng, 4)}",
    ])


ENTITY_MAKERS = {
    "PHONE": phone, "EMAIL": email, "URL": url, "IP_ADDRESS": ip, "ID_CARD": id_card, "LEGACY_ID": legacy_id,
    "BANK_CARD": bank_card, "UNIONPAY_NL": unionpay_no_luhn, "USCC": uscc, "PASSPORT": passport,
    "LICENSE_PLATE": plate, "IBAN": iban, "US_SSN": ssn, "SSN_BARE": lambda r, l: ssn(r, l, ""),
    "SSN_SPACE": lambda r, l: ssn(r, l, " "), "DATE_OF_BIRTH": dob, "SECRET": secret, "PASSWORD": password,
    "TOKEN": token_value, "WECHAT": wechat_id, "QQNUM": qq_number, "HANDLE": handle, "RECORD_ID": record_id,
    # A resident ID whose check character fails, beside its cue: a typo that still holds the
    # region and birth date, so an identifier (it was a hard negative before round 6).
    "MISTYPED_ID": lambda r, l: cn_id(r, valid=False),
    # An order's number right after its cue (订单号, "Order #", "order number") names one
    # customer's purchase: a RECORD_ID since round 8 (docs/concepts.md). The same numbers after
    # "您的订单", "流水号" or "invoice" stay unlabelled hard negatives.
    "ORDER_NO": lambda r, l: order_no(r, l),
}  # fmt: skip
# Placeholder -> the canonical label it is scored as.
LABEL_OF = {"MISTYPED_ID": "ID_CARD", "ORDER_NO": "RECORD_ID", "WECHAT": "USERNAME", "QQNUM": "USERNAME", "HANDLE": "USERNAME", "LEGACY_ID": "ID_CARD", "UNIONPAY_NL": "BANK_CARD", "SSN_BARE": "US_SSN", "SSN_SPACE": "US_SSN",
            "PASSWORD": "SECRET", "TOKEN": "SECRET"}  # fmt: skip


# --- hard negatives (never labelled) -----------------------------------------------------

def order_no(rng: Rng, lang: str) -> str:
    while True:
        n = rng.choice([_digits(rng, rng.randint(12, 20)), f"{rng.randint(2019, 2024)}{rng.randint(1, 12):02d}"
                        f"{rng.randint(1, 28):02d}{_digits(rng, rng.randint(6, 10))}", "E" + _digits(rng, 15),
                        "DD" + _digits(rng, 12), rng.choice("13579") + _digits(rng, 10)])  # fmt: skip
        if not (len(n) == 18 and is_valid_cn_id(n)):
            return n


def timestamp(rng: Rng, lang: str) -> str:
    t = dt.datetime(2023, 1, 1) + dt.timedelta(seconds=rng.randrange(60_000_000))
    return rng.choice([t.strftime("%Y%m%d%H%M%S"), str(int(t.timestamp())), str(int(t.timestamp() * 1000)),
                       t.strftime("%Y-%m-%d %H:%M:%S"), t.strftime("%Y-%m-%dT%H:%M:%SZ")])  # fmt: skip


def tracking(rng: Rng, lang: str) -> str:
    return rng.choice(["SF" + _digits(rng, 13), "YT" + _digits(rng, 13), "77" + _digits(rng, 13),
                       "JD00" + _digits(rng, 11),
                       "1Z" + _b64(rng, 6, string.ascii_uppercase + string.digits) + _digits(rng, 10),
                       "9400" + _digits(rng, 18), "75" + _digits(rng, 12)])  # fmt: skip


def version(rng: Rng, lang: str) -> str:
    parts = [str(rng.randint(0, 20)) for _ in range(rng.choice([3, 4, 4]))]
    return rng.choice(["", "v", "V"]) + ".".join(parts)


def price(rng: Rng, lang: str) -> str:
    amount = rng.choice([f"{rng.randint(1, 99999):,}.{rng.randint(0, 99):02d}", str(rng.randint(1, 9999)),
                         f"{rng.randint(1000, 99999999)}.{rng.randint(0, 99):02d}"])  # fmt: skip
    return rng.choice(["¥", "￥", "$", "USD ", "RMB ", ""]) + amount


def bad_id(rng: Rng, lang: str) -> str:
    return cn_id(rng, valid=False)


def bad_card(rng: Rng, lang: str) -> str:
    while True:
        n = card_number(rng, luhn=False)
        if not n.startswith("62") and not is_luhn_valid(n):
            return group_card(rng, n)


def plain_date(rng: Rng, lang: str) -> str:
    return date_text(rng, lang, _birth(rng, 2019, 2024))


def code(rng: Rng, lang: str) -> str:
    return _digits(rng, rng.choice([4, 6, 6, 8]))


NEGATIVE_MAKERS = {
    "ORDER": order_no, "TS": timestamp, "TRACK": tracking, "VERSION": version, "PRICE": price, "BAD_ID": bad_id,
    "BAD_CARD": bad_card, "PLAIN_DATE": plain_date, "CODE": code, "BAD_IBAN": lambda r, l: iban(r, l, False),
    "BAD_USCC": lambda r, l: uscc(r, l, False), "BAD_PHONE": lambda r, l: "12" + _digits(r, 9),
}  # fmt: skip

# --- templates: {TYPE} marks where a value goes; the placeholder decides its label ----------

T = {
    "PHONE": (["我的手机号是{PHONE}", "联系电话：{PHONE}", "手机{PHONE}，收到请回复", "有问题请拨打{PHONE}",
               "{PHONE}是我爱人的号码，也可以打", "麻烦回电 {PHONE} 谢谢", "电话:{PHONE}（工作日9-18点）", "客服热线{PHONE}",
               "收货人：王女士 {PHONE}", "如需改约请致电{PHONE}。", "我换号了，新号{PHONE}", "留个联系方式吧：\n{PHONE}",
               "打{PHONE}找李经理就行", "微信同号{PHONE}", "座机{PHONE}，找前台"],
              ["You can reach me at {PHONE}.", "Phone: {PHONE}", "call me on {PHONE} after 6pm", "My number is {PHONE}",
               "Tel. {PHONE} / fax not available", "Please contact our office ({PHONE}) for details.",
               "mobile: {PHONE}",
               "Text {PHONE} if the courier is late", "{PHONE} is my work line", "WhatsApp {PHONE}"]),
    "EMAIL": (["邮箱是{EMAIL}谢谢", "请把发票发到{EMAIL}", "我的邮箱：{EMAIL}。", "email: {EMAIL}", "联系邮箱{EMAIL}，电话不方便接",
               "发送至 {EMAIL} 即可", "（邮箱{EMAIL}）"],
              ["Email me at {EMAIL}.", "my email is {EMAIL}, thanks", "Contact: <{EMAIL}>",
               "send the invoice to {EMAIL}",
               "CC {EMAIL} on the reply", "({EMAIL})"]),
    "URL": (["请访问{URL}查看详情", "链接：{URL}。", "商品链接 {URL} ，请核对", "（详见{URL}）", "复制这个链接{URL}打开",
             "官网{URL}上有说明"],
            ["See {URL} for details.", "Link: {URL}", "I bought it here ({URL}).",
             "Check {URL}, it explains the refund policy",
             "The page {URL} is broken"]),
    "IP_ADDRESS": (["服务器IP是{IP_ADDRESS}", "登录地址{IP_ADDRESS}，端口22", "我这边连不上{IP_ADDRESS}", "IP:{IP_ADDRESS}",
                    "异地登录提醒：{IP_ADDRESS}（广东深圳）", "网关 {IP_ADDRESS}"],
                   ["Login from {IP_ADDRESS} was blocked", "server {IP_ADDRESS} is down", "my IP is {IP_ADDRESS}",
                    "ping {IP_ADDRESS} times out", "Source address: {IP_ADDRESS}."]),
    "ID_CARD": (["身份证号{ID_CARD}，", "身份证：{ID_CARD}", "证件号码 {ID_CARD}", "我的身份证号码是{ID_CARD}，请核实",
                 "实名信息：张三，{ID_CARD}", "{ID_CARD}（身份证）", "登记身份证{ID_CARD}后才能取件", "老身份证{LEGACY_ID}还能用吗",
                 "15位身份证号：{LEGACY_ID}"],
                ["ID card no. {ID_CARD}", "Chinese ID: {ID_CARD}", "resident ID {ID_CARD} was rejected",
                 "my identity number is {ID_CARD}"]),
    "BANK_CARD": (["卡号{BANK_CARD}", "银行卡：{BANK_CARD}", "退款请打到{BANK_CARD}（工商银行）", "我的信用卡 {BANK_CARD} 被扣了两次",
                   "完整卡号是{BANK_CARD}", "借记卡{UNIONPAY_NL}", "收款账号：{UNIONPAY_NL}", "请转账到{BANK_CARD}",
                   "{BANK_CARD}这张卡已经挂失"],
                  ["card number {BANK_CARD}", "Charged twice on {BANK_CARD}!", "Please refund to my Visa {BANK_CARD}",
                   "The card ending in 1234 - full number {BANK_CARD}", "Account card: {BANK_CARD}"]),
    "USCC": (["统一社会信用代码：{USCC}", "税号{USCC}，请开专票", "公司信用代码 {USCC}", "开票信息：XX科技有限公司 税号：{USCC}",
              "营业执照号{USCC}"],
             ["Tax ID (USCC): {USCC}", "company credit code {USCC}", "Please issue the fapiao to USCC {USCC}"]),
    "PASSPORT": (["护照号{PASSPORT}", "护照号码：{PASSPORT}", "我的护照是{PASSPORT}，下月到期", "出行人证件：护照 {PASSPORT}",
                  "请核对护照信息。号码：{PASSPORT}"],
                 ["passport no. {PASSPORT}", "Passport: {PASSPORT}", "my passport number is {PASSPORT}",
                  "travel document {PASSPORT} expires in May"]),
    "LICENSE_PLATE": (["车牌号{LICENSE_PLATE}", "我的车{LICENSE_PLATE}停在B2", "车牌：{LICENSE_PLATE}，白色轿车",
                       "{LICENSE_PLATE}的车主请挪车", "登记车辆 {LICENSE_PLATE}", "送货车是{LICENSE_PLATE}"],
                      ["plate number {LICENSE_PLATE}", "The car ({LICENSE_PLATE}) was towed",
                       "vehicle plate: {LICENSE_PLATE}"]),
    "IBAN": (["IBAN：{IBAN}", "汇款账户 {IBAN}", "请汇到{IBAN}，收款人John"],
             ["IBAN {IBAN}", "wire it to {IBAN} please", "Bank account (IBAN): {IBAN}.", "My account is {IBAN}"]),
    "US_SSN": (["社会安全号（SSN）：{US_SSN}", "美国SSN {US_SSN}"],
               ["SSN: {US_SSN}", "my social security number is {US_SSN}", "SSN {SSN_BARE}",
                "Social Security No. {SSN_SPACE}",
                "{US_SSN} is the SSN on file", "W-2 shows {US_SSN}"]),
    "DATE_OF_BIRTH": (["出生日期：{DATE_OF_BIRTH}", "我是{DATE_OF_BIRTH}出生的", "生日{DATE_OF_BIRTH}", "出生年月日 {DATE_OF_BIRTH}",
                       "孩子生日是{DATE_OF_BIRTH}，想订蛋糕"],
                      ["DOB: {DATE_OF_BIRTH}", "born on {DATE_OF_BIRTH}", "date of birth {DATE_OF_BIRTH}",
                       "my birthday is {DATE_OF_BIRTH}", "Birth date: {DATE_OF_BIRTH}"]),
    "SECRET": (["我的key是{SECRET}", "密钥：{SECRET}", "配置里写着 {SECRET}", "登录密码是{PASSWORD}", "密码：{PASSWORD}，别外传",
                "支付密码{PASSWORD}", "token={TOKEN}", "access_token: {TOKEN}"],
               ["here's the key: {SECRET}", "api_key={SECRET}", "password: {PASSWORD}", "my password is {PASSWORD}",
                "token={TOKEN}", "Here is the key file:\n{SECRET}", "secret key: {TOKEN}"]),
    "USERNAME": (["加我微信：{WECHAT}", "微信号{WECHAT}，加的时候备注订单", "有问题加V {WECHAT}", "我的QQ是{QQNUM}",
                  "QQ号：{QQNUM}", "扣扣{QQNUM}", "抖音号 {WECHAT}", "vx：{WECHAT}"],
                 ["add me on WeChat: {WECHAT}", "my WeChat ID is {WECHAT}", "Telegram: {HANDLE}",
                  "DM me on Instagram {HANDLE}", "username: {WECHAT}", "my QQ is {QQNUM}", "Skype: {WECHAT}"]),
    "RECORD_ID": (["住院号{RECORD_ID}", "病历号：{RECORD_ID}", "医保卡号：{RECORD_ID}", "门诊号 {RECORD_ID}，请到三楼",
                   "保单号：{RECORD_ID}", "会员卡号{RECORD_ID}"],
                  ["MRN {RECORD_ID}", "medical record number: {RECORD_ID}", "Member ID: {RECORD_ID}",
                   "policy number {RECORD_ID}", "patient ID {RECORD_ID}, admitted today"]),
}  # fmt: skip
NEG = (["订单号：{ORDER_NO}", "您的订单{ORDER}已发货", "快递单号{TRACK}", "运单号：{TRACK}，预计明天送达", "下单时间 {TS}",
        "系统版本{VERSION}", "固件版本 {VERSION}", "总价{PRICE}", "实付{PRICE}元", "订单日期：{PLAIN_DATE}", "{PLAIN_DATE}下的单",
        "验证码{CODE}，5分钟内有效", "流水号{ORDER}", "身份证号好像填错了：{MISTYPED_ID}", "卡号{BAD_CARD}提示无效", "编号{BAD_USCC}",
        "手机号{BAD_PHONE}打不通，是空号", "账户{BAD_IBAN}校验失败", "物流显示{TS}已签收", "App升级到{VERSION}以后闪退",
        "微信支付扣款了但是订单没变", "QQ群里已经说过了", "用户名不能为空"],
       ["Order #{ORDER_NO}", "order number {ORDER_NO} hasn't arrived", "tracking number {TRACK}", "shipped via UPS {TRACK}",
        "logged at {TS}", "version {VERSION}", "firmware {VERSION} is buggy", "total {PRICE}",
        "ordered on {PLAIN_DATE}", "delivered {PLAIN_DATE}", "verification code {CODE}",
        "the IBAN {BAD_IBAN} was rejected", "iOS {VERSION} update",
        "invoice {ORDER} is overdue", "Card {BAD_CARD} declined", "Twitter is down again",
        "username and password are both wrong", "the login page won't load", "saw it on Instagram today"])  # fmt: skip
FILLER = (["您好", "谢谢", "麻烦尽快处理", "东西收到了但是坏了", "我要退货", "请问什么时候发货", "好的收到", "辛苦了", "在吗？",
           "这个问题已经反馈三次了"],
          ["Hi there", "Thanks", "Please help", "The item arrived damaged", "I want a refund", "Any update?",
           "Kind regards", "Sorry for the trouble"])  # fmt: skip
JOIN = (["，", "。", "；", "\n", " ", "！", "。\n"], [". ", ", ", "\n", "; ", " - ", "! "])
_SLOT = re.compile(r"\{([A-Z_]+)\}")


def _vary(rng: Rng, template: str, zh: bool) -> str:
    """Surface variation a real chat has: colon width, a line break or space after the label."""
    if zh and rng.random() < 0.3:
        template = template.replace("：", rng.choice([":", ": ", "："]))
    if rng.random() < 0.05:
        template = re.sub(r"[:：]\s*\{", lambda m: m.group()[0] + "\n{", template, count=1)
    return template


def _render(rng: Rng, template: str, lang: str, out: list[str], spans: list[list], pos: int) -> int:
    last = 0
    for m in _SLOT.finditer(template):
        out.append(template[last : m.start()])
        pos += m.start() - last
        slot = m.group(1)
        if slot in NEGATIVE_MAKERS:
            value = NEGATIVE_MAKERS[slot](rng, lang)
        else:
            value = ENTITY_MAKERS[slot](rng, lang)
            spans.append([pos, pos + len(value), LABEL_OF.get(slot, slot)])
        out.append(value)
        pos += len(value)
        last = m.end()
    out.append(template[last:])
    return pos + len(template) - last


def generate(n: int = 3000, seed: int = 0) -> list[dict]:
    """``n`` labelled records, deterministic for a given ``seed``."""
    rng = random.Random(seed)
    types = sorted(T)
    records = []
    for _ in range(n):
        lang = "zh" if rng.random() < 0.55 else "en"
        li = 0 if lang == "zh" else 1
        segments = [rng.choice(FILLER[li])] if rng.random() < 0.3 else []
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            if rng.random() < 0.7:
                segments.append(rng.choice(T[rng.choice(types)][li]))
            else:
                segments.append(rng.choice(NEG[li]))
        if rng.random() < 0.3:
            segments.append(rng.choice(FILLER[li]))
        out: list[str] = []
        spans: list[list] = []
        pos = 0
        for i, seg in enumerate(segments):
            if i:
                out.append(sep := rng.choice(JOIN[li]))
                pos += len(sep)
            pos = _render(rng, _vary(rng, seg, lang == "zh"), lang, out, spans, pos)
        text = "".join(out)
        assert pos == len(text)
        records.append({"text": text, "spans": spans, "lang": lang})
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in generate(args.n, args.seed)) + "\n"
    if args.out == "-":
        print(lines, end="")
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(lines)


if __name__ == "__main__":
    main()
