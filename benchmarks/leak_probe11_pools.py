"""Value pools of round 11's leak probe (`leak_probe11_data.py`): names from Faker's locales,
street addresses in national shapes, phone numbers in national formats, Chinese addresses down
to the room. Kept apart from the shapes so each file holds one idea.

Every draw takes the probe's ``random.Random``; Faker instances are re-seeded from it before each
use, so a set is reproducible for one Faker version (``FAKER_VERSION`` records the one it was
built with; the set's test compares byte for byte only under that version).
"""

from __future__ import annotations

import re
from functools import lru_cache

import faker
from faker import Faker

from benchmarks.leak_probe_data import Rng, _digits

FAKER_VERSION = "40.63.0"

# Locales whose names are in Latin letters (an English-language record quotes them as written).
LATIN_NAME_LOCALES = ["en_US", "en_GB", "en_IE", "de_DE", "fr_FR", "es_MX", "pt_BR", "it_IT", "pl_PL", "nl_NL",
                      "sv_SE", "tr_TR", "en_IN", "cs_CZ", "hu_HU", "fi_FI", "da_DK", "id_ID", "yo_NG", "zu_ZA",
                      "es_AR", "es_CO", "ro_RO", "no_NO", "hr_HR"]
# Romanised East and South-East Asian names Faker has no Latin form of.
ASIAN_LATIN_NAMES = ["Nguyen Van Minh", "Tran Thi Huong", "Park Ji-hoon", "Kim Soo-jin", "Lee Min-ho",
                     "Haruto Sato", "Aiko Yamamoto", "Somchai Srisuk", "Siti Nurhaliza", "Wei Jie Lim",
                     "Chen Yu-ting", "Arjun Nair"]
ZH_COMPOUND_NAMES = ["司马懿然", "诸葛明亮", "欧阳娜娜", "慕容雪", "皇甫俊", "端木蓉"]
_HONORIFIC = re.compile(r"^(?:pan|pani|Dr\.|Prof\.|Av\.|Sr\.|Sra\.|Mr\.|Mrs\.|Ms\.|Herr|Frau|Mme|M\.)\s+|\s+(?:MBA\.|B\.Sc\.|M\.Sc\.|Jr\.|PhD)$")


@lru_cache(maxsize=None)
def _fake(locale: str) -> Faker:
    return Faker(locale)


def fake(rng: Rng, locale: str) -> Faker:
    """A Faker of ``locale`` seeded from the probe's rng (so its next draw is reproducible)."""
    f = _fake(locale)
    f.seed_instance(rng.getrandbits(32))
    return f


def latin_name(rng: Rng) -> str:
    """A first + last name from one of many locales, or a romanised Asian name."""
    if rng.random() < 0.15:
        return rng.choice(ASIAN_LATIN_NAMES)
    f = fake(rng, rng.choice(LATIN_NAME_LOCALES))
    return _HONORIFIC.sub("", f"{f.first_name()} {f.last_name()}").strip()


def zh_name(rng: Rng) -> str:
    if rng.random() < 0.1:
        return rng.choice(ZH_COMPOUND_NAMES)
    return fake(rng, rng.choice(["zh_CN", "zh_CN", "zh_TW"])).name()


# --- addresses -------------------------------------------------------------------------------

def _street(rng: Rng, locale: str) -> str:
    return fake(rng, locale).street_name()


def _city(rng: Rng, locale: str) -> str:
    # (not it_IT: its city() depends on the hash seed, so a set drawn with it is not reproducible)
    return fake(rng, locale).city()


def _eircode(rng: Rng) -> str:
    return rng.choice(["D02", "D04", "D08", "T12", "H91", "V94"]) + " " + rng.choice("ACDEFHKNPRTVWXY") + _digits(rng, 2) + rng.choice("ACDEFHKNPRTVWXY")


def intl_address(rng: Rng) -> str:
    """A street address in one country's own written shape (one line)."""
    n = rng.randint(1, 240)
    kind = rng.randrange(14)
    if kind == 0:
        return f"{_street(rng, 'de_DE')} {n}, {_digits(rng, 5)} {_city(rng, 'de_DE')}"
    if kind == 1:
        return f"{n} {_street(rng, 'fr_FR')}, {rng.randint(10, 95)}{_digits(rng, 3)} {_city(rng, 'fr_FR')}" + rng.choice(["", " CEDEX"])
    if kind == 2:
        return f"{rng.randint(1, 40)} {rng.choice(['Main St', 'Harcourt Road', 'Baggot Street Lower', 'Pearse St'])}, Dublin {rng.choice([2, 4, 8])}, {_eircode(rng)}"
    if kind == 3:
        return f"{_street(rng, 'pt_BR')}, {n} - Apto {rng.randint(11, 190)}, São Paulo - SP, CEP {_digits(rng, 5)}-{_digits(rng, 3)}"
    if kind == 4:
        return f"Calle {rng.choice(['Juárez', 'Morelos', 'Hidalgo'])} {n}, Col. {rng.choice(['Centro', 'Roma Norte', 'Del Valle'])}, C.P. {_digits(rng, 5)}, Ciudad de México, CDMX"
    if kind == 5:
        return f"Flat {rng.randint(1, 20)}{rng.choice('ABC')}, {n} {rng.choice(['MG Road', 'Linking Road', 'Anna Salai'])}, {rng.choice(['Bengaluru, Karnataka', 'Mumbai, Maharashtra', 'Chennai, Tamil Nadu'])} {rng.randint(4, 6)}{_digits(rng, 5)}"
    if kind == 6:
        return f"{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)} {rng.choice(['Shibuya, Shibuya-ku', 'Umeda, Kita-ku', 'Nishi-Shinjuku, Shinjuku-ku'])}, {rng.choice(['Tokyo', 'Osaka'])} {_digits(rng, 3)}-{_digits(rng, 4)}"
    if kind == 7:
        return f"{n} {rng.choice(['Teheran-ro', 'Sejong-daero', 'Olympic-ro'])}, {rng.choice(['Gangnam-gu', 'Jung-gu', 'Songpa-gu'])}, Seoul {_digits(rng, 5)}"
    if kind == 8:
        return f"{_street(rng, 'nl_NL')} {n}, {rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWX')}{rng.choice('ABCDEFGHJKLMNPRSTVWX')} {_city(rng, 'nl_NL')}"
    if kind == 9:
        return f"Calle de {rng.choice(['Alcalá', 'Serrano', 'Atocha'])} {n}, {rng.randint(1, 8)}º {rng.choice(['izq.', 'dcha.', 'B'])}, 28{_digits(rng, 3)} Madrid"
    if kind == 10:
        return f"Via {rng.choice(['Garibaldi', 'Mazzini', 'Cavour'])} {n}, {rng.randint(10, 98)}{_digits(rng, 3)} {rng.choice(['Torino', 'Milano', 'Bologna', 'Napoli', 'Cuneo', 'Lecco'])} ({rng.choice(['TO', 'MI', 'BO', 'NA'])})"
    if kind == 11:
        return f"ul. {_street(rng, 'pl_PL')} {n}/{rng.randint(1, 60)}, {_digits(rng, 2)}-{_digits(rng, 3)} {_city(rng, 'pl_PL')}"
    if kind == 12:
        return f"Av. {rng.choice(['Corrientes', 'Santa Fe', 'Rivadavia'])} {rng.randint(100, 5999)}, Piso {rng.randint(1, 12)}, C{rng.randint(1000, 1499)}{rng.choice('ABC')}{rng.choice('ABC')}{rng.choice('ABC')} CABA, Argentina"
    return f"{n} {_street(rng, 'en_GB')}, {_city(rng, 'en_GB')} {fake(rng, 'en_GB').postcode()}"


ZH_PROVINCE_CITY = [("浙江省", "杭州市", ["西湖区", "滨江区", "拱墅区"]), ("江苏省", "南京市", ["鼓楼区", "建邺区", "玄武区"]),
                    ("广东省", "广州市", ["天河区", "越秀区", "番禺区"]), ("四川省", "成都市", ["锦江区", "高新区", "青羊区"]),
                    ("", "上海市", ["静安区", "闵行区", "长宁区"]), ("", "北京市", ["东城区", "丰台区", "昌平区"]),
                    ("湖北省", "武汉市", ["江汉区", "武昌区"]), ("福建省", "厦门市", ["思明区", "湖里区"])]
ZH_ROADS = ["文一西路", "解放路", "人民南路", "中山北路", "建国路", "长江路", "学院路", "滨江大道", "和平街"]
ZH_ESTATES = ["金地格林小城", "绿城桂花园", "碧桂园凤凰城", "万达广场", "阳光100", "龙湖天街", "融创玖樾府"]


def zh_address(rng: Rng) -> str:
    """A Chinese address down to the room: (province) city district road No. estate building unit room."""
    province, city, districts = rng.choice(ZH_PROVINCE_CITY)
    head = (province if rng.random() < 0.6 else "") + city + rng.choice(districts)
    road = f"{rng.choice(ZH_ROADS)}{rng.randint(1, 999)}号"
    room = rng.choice([f"{rng.choice(ZH_ESTATES)}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室",
                       f"{rng.choice(ZH_ESTATES)}{rng.randint(1, 20)}幢{rng.randint(1, 30)}0{rng.randint(1, 6)}",
                       f"{rng.randint(1, 40)}楼{rng.randint(1, 30)}0{rng.randint(1, 8)}室",
                       f"{rng.choice('ABCD')}座{rng.randint(1, 30)}{rng.randint(1, 20):02d}"])
    return head + road + room


# --- phones ----------------------------------------------------------------------------------

def intl_phone(rng: Rng) -> str:
    """A phone number as people in one country write it (with or without the country code)."""
    d = lambda n: _digits(rng, n)  # noqa: E731 - short local helper
    return rng.choice([
        f"030 {d(8)}", f"+49 (0)151 {d(4)} {d(4)}", f"0{rng.randint(6, 7)} {d(2)} {d(2)} {d(2)} {d(2)}",
        f"+33 (0){rng.randint(6, 7)} {d(2)} {d(2)} {d(2)} {d(2)}", f"087 {d(3)} {d(4)}", f"+353 (0)86 {d(3)} {d(4)}",
        f"090-{d(4)}-{d(4)}", f"+81 90 {d(4)} {d(4)}", f"010-{d(4)}-{d(4)}", f"+82 10-{d(4)}-{d(4)}",
        f"(11) 9{d(4)}-{d(4)}", f"+55 21 9{d(4)}-{d(4)}", f"55 {d(4)} {d(4)}", f"+52 1 55 {d(4)} {d(4)}",
        f"+91 9{d(4)} {d(5)}", f"06-{d(8)}", f"6{d(2)} {d(2)} {d(2)} {d(2)}", f"347 {d(3)} {d(4)}",
        f"+54 9 11 {d(4)}-{d(4)}", f"+48 {d(3)} {d(3)} {d(3)}", f"07{d(3)} {d(6)}",
    ])


def zh_phone(rng: Rng) -> str:
    body = rng.choice(["138", "139", "150", "186", "177", "133"]) + _digits(rng, 8)
    return rng.choice([body, f"{body[:3]} {body[3:7]} {body[7:]}", f"{body[:3]}-{body[3:7]}-{body[7:]}",
                       f"+86 {body}", f"0{rng.choice(['571', '25', '20', '28'])}-{_digits(rng, 8)}"])


_EN_DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_ZH_DIGIT_WORDS = "零幺二三四五六七八九"


def spoken_phone(rng: Rng, zh: bool) -> str:
    """A mobile number as speech recognition writes it: digit words, or digits in spoken groups."""
    body = rng.choice(["138", "139", "186", "150"]) + _digits(rng, 8) if zh else "07" + _digits(rng, 9)
    style = rng.randrange(3)
    if style == 0:
        return f"{body[:3]} {body[3:7]} {body[7:]}"
    if zh:
        words = "".join(_ZH_DIGIT_WORDS[int(c)] for c in body)
        return words if style == 1 else f"{words[:3]} {words[3:7]} {words[7:]}"
    words = [("oh" if c == "0" and style == 2 else _EN_DIGIT_WORDS[int(c)]) for c in body]
    return " ".join(words)


def faker_locales_ok() -> bool:
    """Whether this Faker is the one the set was built with (other versions draw other values)."""
    return faker.VERSION == FAKER_VERSION
