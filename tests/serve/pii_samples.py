"""Generators of outputs with PII of every type the detectors know, in English and Chinese (hypothesis)."""

from __future__ import annotations

import random
import string

from hypothesis import strategies as st

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def cn_id(r: random.Random) -> str:
    body = f"{r.choice(['110105', '310104', '440305'])}{r.randint(1950, 2005)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(0, 999):03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS)) % 11]


def luhn_card(r: random.Random) -> str:
    digits = [4] + [r.randint(0, 9) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[i:i + 4] for i in range(0, 16, 4)) if r.random() < 0.5 else s


def gb_iban(r: random.Random) -> str:
    bban = "WEST" + "".join(r.choice(string.digits) for _ in range(14))
    num = int("".join(str(int(c, 36)) for c in bban + "GB00"))
    return f"GB{98 - num % 97:02d}{bban}"


def email(r: random.Random) -> str:
    user = "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(3, 8)))
    return f"{user}.{r.choice(['li', 'kim', 'ode'])}@{r.choice(['example.com', 'mail.example.org'])}"


EN_NAMES = ["John Smith", "Maria Garcia", "David Miller", "Sarah Johnson"]
ZH_NAMES = ["张伟", "王芳", "李娜", "刘敏"]
ZH_ADDRS = ["北京市朝阳区建国路88号", "上海市浦东新区世纪大道100号", "广州市天河区天河路385号"]

# (language, template, value factory); the template's {} is the value.
TEMPLATES = [
    ("en", "My name is {}.", lambda r: r.choice(EN_NAMES)),
    ("en", "Email me at {} please.", email),
    ("en", "Call +1 415 555 {} today.", lambda r: f"{r.randint(1000, 9999)}"),
    ("en", "My SSN is {}.", lambda r: f"{r.randint(100, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}"),
    ("en", "Card number {} works.", luhn_card),
    ("en", "Pay to IBAN {} now.", gb_iban),
    ("en", "The server at {} is down.", lambda r: f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"),
    ("en", "Token {} leaked.", lambda r: "sk-" + "".join(r.choice(string.ascii_letters + string.digits) for _ in range(32))),
    ("zh", "我叫{}。", lambda r: r.choice(ZH_NAMES)),
    ("zh", "电话{}。", lambda r: f"1{r.choice('3589')}{r.randint(0, 999999999):09d}"),
    ("zh", "身份证号{}。", cn_id),
    ("zh", "住在{}。", lambda r: r.choice(ZH_ADDRS)),
    ("zh", "邮箱{}。", email),
    ("zh", "加我微信{}。", lambda r: r.choice(["lily", "zhang", "kevin"]) + r.choice(["_", ""]) + f"{r.randint(10, 9999)}"),
    ("en", "Ping me on Telegram: {} tonight.", lambda r: "@" + r.choice(["ivan", "mia", "olek"]) + f"_{r.randint(1, 99)}"),
    # Found only after their label: the label's full stop or ， must not be cut from the value.
    ("en", "Tel. {} thanks.", lambda r: f"0{r.randint(100, 999)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}"),
    ("zh", "联系电话，{}。", lambda r: f"{r.randint(2, 9)}{r.randint(0, 9999999):07d}"),
    ("zh", "住院号，{}。", lambda r: f"{r.randint(2015, 2025)}{r.randint(0, 9999):04d}"),
]
EN_FILLER = ["thanks for asking.", "here is the answer.", "we will check it soon!", "anything else?", "sure, no problem."]
ZH_FILLER = ["好的，没问题。", "今天天气不错。", "谢谢您的耐心！", "请稍等一下。"]


def full_value(template: str, value: str) -> str:
    """The PII value as it appears in the text (the phone template's prefix belongs to it)."""
    return "+1 415 555 " + value if template.startswith("Call") else value


@st.composite
def outputs(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A model output: filler and PII sentences in random order, both languages; (text, values)."""
    r = random.Random(draw(st.integers(0, 2**32 - 1)))
    parts, values = [], []
    for _ in range(draw(st.integers(1, 6))):
        lang, tpl, make = r.choice(TEMPLATES)
        v = make(r)
        parts.append(tpl.format(v))
        values.append(full_value(tpl, v))
        if r.random() < 0.6:
            parts.append(r.choice(EN_FILLER if r.random() < 0.5 else ZH_FILLER))
    r.shuffle(parts)
    seps = [r.choice([" ", "\n", " ", ""]) for _ in parts]
    text = "".join(p + s for p, s in zip(parts, seps))
    return text, values


@st.composite
def chunkings(draw: st.DrawFn, text: str) -> list[str]:
    """``text`` split at random code points, often into single characters."""
    if draw(st.booleans()):
        cuts = sorted(set(draw(st.lists(st.integers(1, max(len(text) - 1, 1)), max_size=len(text)))))
    else:
        cuts = list(range(1, len(text)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
