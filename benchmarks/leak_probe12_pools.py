"""Value pools of round 12's leak probe (`leak_probe12_data.py`): names of many naming traditions
written in many orders, street addresses and phone numbers of countries rounds 9-11 did not draw,
national ID numbers with their check digits, Chinese names (compound, minority, Hong Kong and
Taiwan romanisations) and addresses from Hong Kong, Taiwan and the countryside.

Every draw takes the probe's ``random.Random``; Faker instances come from round 11's pools
(re-seeded from the rng before each use), so a set is reproducible for one Faker version.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from benchmarks.leak_probe11_pools import fake
from benchmarks.leak_probe_data import Rng, _digits
from privtune.scan.checksums import cn_id_check_char, is_luhn_valid
from privtune.scan.recognizers import national_id_checks as chk
from privtune.scan.recognizers.national_ids import cpf_valid, verhoeff_valid

# Locales not drawn by round 11 (its were en/de/fr/es/pt/it/pl/nl/sv/tr/cs/hu/fi/da/id/yo/zu/ro/no/hr).
NAME_LOCALES = ["en_AU", "en_NZ", "en_CA", "de_AT", "de_CH", "fr_CH", "fr_CA", "nl_BE", "es_ES", "es_CL", "pt_PT",
                "sk_SK", "sl_SI", "lt_LT", "lv_LV", "et_EE", "bg_BG", "uk_UA", "el_GR", "tw_GH", "en_PH", "fil_PH",
                "ga_IE", "is_IS", "az_AZ"]
# Traditions Faker has no Latin form of: (given, family) as the holder writes them.
WORLD_NAMES = [("Thị Mai", "Nguyễn"), ("Quốc Bảo", "Trần"), ("Abdullah bin Hamid", "Al-Rashidi"),
               ("Nur Aisyah binti", "Rahman"), ("Oluwaseun", "Adebayo-Okafor"), ("Chukwuemeka", "Nwosu"),
               ("Wanjiru", "Kamau"), ("Tendai", "Moyo"), ("Sipho", "Dlamini"), ("Mehmet Ali", "Yıldırım"),
               ("Reza", "Hosseini"), ("Farah", "Siddiqui"), ("Aarav", "Venkataraman"), ("Lakshmi", "Subramaniam"),
               ("Thandiwe", "Ndlovu"), ("Bilal", "Chaudhry"), ("Yerlan", "Nurlanovich"), ("Bat-Erdene", "Ganbold"),
               ("Ji-woo", "Choi"), ("Seo-yeon", "Jung"), ("Hiroshi", "Takahashi"), ("Mei", "Watanabe"),
               ("Kiri", "Te Rangi"), ("Sione", "Fifita"), ("Pedro Henrique", "dos Santos Lima"),
               ("María José", "García Rodríguez"), ("Juan Carlos", "de la Fuente"), ("Anh", "Phạm"),
               ("Suda", "Wongsakul"), ("Rizal", "Santoso"), ("Ahmad", "Fauzi"), ("Daniyar", "Seitkali"),
               ("Sigríður", "Jónsdóttir"), ("Jean-Baptiste", "Nkurunziza"), ("Amara", "Diallo"),
               ("Zeynep", "Öztürk"), ("Krzysztof", "Brzęczyszczykiewicz"), ("Ingrid", "Søreide")]
# Family-name-first traditions (written FAMILY given in their own order).
FAMILY_FIRST = {"Ganbold", "Choi", "Jung", "Takahashi", "Watanabe", "Phạm", "Nguyễn", "Trần"}


def ascii_email(given: str, family: str, rng: Rng) -> str:
    """An e-mail address the holder of the name would have (accents dropped; a user name for a
    name in another script)."""
    parts = [re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", p.lower()).replace("đ", "d").replace("ı", "i"))
             for p in (given.split()[0], family.split()[-1])]
    if not all(parts):
        parts = [rng.choice(["info", "contact", "home", "mail"]), _digits(rng, 4)]
    dom = rng.choice(["gmail.com", "outlook.com", "bluewin.ch", "telenet.be", "yahoo.co.id", "mweb.co.za", "ukr.net"])
    return f"{parts[0]}.{parts[-1]}{rng.choice(['', '21', '7'])}@{dom}"


def world_name(rng: Rng) -> tuple[str, str]:
    """(given, family) from a Faker locale round 11 did not draw, or a hand-written tradition."""
    if rng.random() < 0.45:
        return rng.choice(WORLD_NAMES)
    f = fake(rng, rng.choice(NAME_LOCALES))
    family = f.last_name()
    return f.first_name(), family[:1].upper() + family[1:]  # (a few locales' lists hold lower-case ones)


def written(given: str, family: str, rng: Rng) -> str:
    """The name in one of the orders forms and exports write it."""
    order = rng.randrange(6)
    if order == 0 or family in FAMILY_FIRST and order < 3:
        return f"{family} {given}" if family in FAMILY_FIRST else f"{given} {family}"
    if order == 1:
        return f"{family.upper()}, {given}"
    if order == 2:
        return f"{family}, {given}"
    if order == 3:
        return f"{family.upper()} {given}"
    if order == 4:
        return f"{given} {family.upper()}"
    initials = " ".join(p[0] + "." for p in given.replace("-", " ").split())
    return f"{initials} {family}"


ZH_COMPOUND = ["上官婉清", "司徒文杰", "东方明珠", "公孙策", "夏侯杰", "令狐冲云", "尉迟恭平", "长孙无忌"]
ZH_MINORITY = ["买买提·艾力", "阿依古丽·吐尔逊", "扎西顿珠", "次仁卓玛", "巴特尔", "其其格", "热依拉·买合木提"]
HK_TW_LATIN = ["Chan Tai Man", "Wong Siu Ming", "Lau Ka Yan", "Cheung Wing Sze", "Chen Shu-fen", "Lin Chih-hao",
               "Huang Yi-chun", "Tsai Ming-hsuan", "Lim Wei Jie", "Tan Hui Min", "Ng Kah Wai", "Leung Chi Keung"]


def zh_name12(rng: Rng) -> str:
    r = rng.random()
    if r < 0.12:
        return rng.choice(ZH_COMPOUND)
    if r < 0.2:
        return rng.choice(ZH_MINORITY)
    return fake(rng, rng.choice(["zh_CN", "zh_CN", "zh_TW"])).name()


def en_zh_name(rng: Rng) -> str:
    """A Hong Kong, Taiwan, Singapore or Malaysia romanisation with an English first name (or none)."""
    base = rng.choice(HK_TW_LATIN)
    return f"{rng.choice(['Jessica', 'Kelvin', 'Winnie', 'Alvin', 'Karen', 'Desmond', 'Ivy'])} {base}" if rng.random() < 0.4 else base


# --- addresses -------------------------------------------------------------------------------

def world_address(rng: Rng) -> str:
    """A street address in a country rounds 9-11 did not draw, as that country writes it."""
    n = rng.randint(1, 180)
    kind = rng.randrange(16)
    if kind == 0:
        return f"{rng.choice(['Karl Johans gate', 'Storgata', 'Bogstadveien', 'Thorvald Meyers gate'])} {n}, {_digits(rng, 4)} Oslo"
    if kind == 1:
        return f"{rng.choice(['Drottninggatan', 'Sveavägen', 'Götgatan'])} {n}, {rng.randint(111, 199)} {_digits(rng, 2)} Stockholm"
    if kind == 2:
        return f"{rng.choice(['Bahnhofstrasse', 'Rue du Rhône', 'Marktgasse'])} {n}, CH-{rng.randint(1000, 9658)} {rng.choice(['Zürich', 'Genève', 'Bern'])}"
    if kind == 3:
        return f"{rng.choice(['Mariahilfer Straße', 'Landstraßer Hauptstraße'])} {n}/{rng.randint(1, 30)}, 1{_digits(rng, 2)}0 Wien"
    if kind == 4:
        return f"{rng.choice(['Rue Neuve', 'Avenue Louise', 'Meir'])} {n}, {rng.randint(1000, 9999)} {rng.choice(['Bruxelles', 'Antwerpen', 'Liège'])}"
    if kind == 5:
        return f"{n} {rng.choice(['Rue Sainte-Catherine', 'Yonge St', 'Robson Street'])}, {rng.choice(['Montréal QC', 'Toronto ON', 'Vancouver BC'])} {rng.choice('HMV')}{rng.randint(1, 9)}{rng.choice('ABCEGH')} {rng.randint(1, 9)}{rng.choice('JKLMNP')}{rng.randint(1, 9)}"
    if kind == 6:
        return f"Unit {rng.randint(1, 40)}/{n} {rng.choice(['George St', 'Chapel Street', 'Hay Street'])}, {rng.choice(['Sydney NSW 2000', 'Prahran VIC 3181', 'Perth WA 6000'])}"
    if kind == 7:
        return f"{n} {rng.choice(['Jan Smuts Avenue', 'Long Street', 'Florida Road'])}, {rng.choice(['Rosebank', 'Cape Town City Centre', 'Morningside'])}, {rng.choice(['Johannesburg', 'Cape Town', 'Durban'])}, {_digits(rng, 4)}"
    if kind == 8:
        return f"Plot {rng.randint(1, 900)}, {rng.choice(['Ngong Road', 'Kenyatta Avenue', 'Moi Avenue'])}, P.O. Box {_digits(rng, 5)}-00100, Nairobi"
    if kind == 9:
        return f"{n} {rng.choice(['Rizal Street', 'Ayala Avenue', 'Katipunan Ave'])}, Brgy. {rng.choice(['San Antonio', 'Poblacion', 'Bel-Air'])}, {rng.choice(['Makati City', 'Quezon City', 'Pasig City'])}, {rng.choice(['1209', '1108', '1600'])} Metro Manila"
    if kind == 10:
        return f"Jl. {rng.choice(['Sudirman', 'Gatot Subroto', 'Kemang Raya'])} No. {n}, RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 9):02d}, {rng.choice(['Jakarta Selatan', 'Bandung', 'Surabaya'])} {_digits(rng, 5)}"
    if kind == 11:
        return f"Số {n} {rng.choice(['Nguyễn Huệ', 'Lê Lợi', 'Trần Hưng Đạo'])}, {rng.choice(['Phường Bến Nghé', 'Phường 7'])}, {rng.choice(['Quận 1', 'Quận 3'])}, TP. Hồ Chí Minh"
    if kind == 12:
        return f"{n}/{rng.randint(1, 99)} {rng.choice(['Soi Sukhumvit 24', 'Thanon Silom'])}, {rng.choice(['Khlong Tan', 'Bang Rak'])}, Bangkok {rng.choice(['10110', '10500'])}"
    if kind == 13:
        return f"Blk {rng.randint(100, 999)} {rng.choice(['Ang Mo Kio Ave 3', 'Tampines St 21', 'Jurong West St 52'])}, #{rng.randint(2, 25):02d}-{rng.randint(1, 400):02d}, Singapore {_digits(rng, 6)}"
    if kind == 14:
        return f"{rng.choice(['Atatürk Cad.', 'Bağdat Cad.', 'İstiklal Cad.'])} No: {n} D: {rng.randint(1, 20)}, {rng.choice(['Kadıköy', 'Beyoğlu', 'Çankaya'])}/{rng.choice(['İstanbul', 'Ankara'])} {_digits(rng, 5)}"
    return f"{rng.choice(['Flat', 'Villa'])} {rng.randint(1, 900)}, {rng.choice(['Al Wasl Road', 'Sheikh Zayed Road'])}, {rng.choice(['Jumeirah 1', 'Al Barsha'])}, Dubai, UAE"


ZH_HKTW = ["香港九龍旺角彌敦道{n}號{f}樓{r}室", "香港新界沙田石門安群街{n}號京瑞廣場{f}樓", "台北市大安區忠孝東路四段{n}號{f}樓之{r}",
           "新北市板橋區文化路一段{n}巷{r}號{f}樓", "高雄市前鎮區中山二路{n}號{f}樓", "澳門氹仔柯維納馬路{n}號{f}樓{r}座"]
ZH_RURAL = ["河南省周口市郸城县汲冢镇{v}村{r}组{n}号", "湖南省邵阳市隆回县桃洪镇{v}村{n}号", "云南省大理白族自治州宾川县州城镇{v}村委会{r}社{n}号",
            "广西壮族自治区桂林市阳朔县白沙镇{v}村{n}号", "新疆维吾尔自治区乌鲁木齐市天山区解放南路{n}号{f}栋{r}室"]
ZH_VILLAGES = ["王庄", "李家湾", "新河", "石桥", "东风", "前进", "大埠"]


def zh_address12(rng: Rng) -> str:
    """A Hong Kong / Taiwan / Macau address, a rural one down to the group, or a Xinjiang one."""
    n, f, r = rng.randint(1, 580), rng.randint(2, 28), rng.randint(1, 12)
    pool = ZH_HKTW if rng.random() < 0.5 else ZH_RURAL
    return rng.choice(pool).format(n=n, f=f, r=r, v=rng.choice(ZH_VILLAGES))


# --- phones ----------------------------------------------------------------------------------

def world_phone(rng: Rng) -> str:
    """A phone number of a country rounds 9-11 did not draw, as people there write it."""
    d = lambda n: _digits(rng, n)  # noqa: E731 - short local helper
    return rng.choice([
        f"+47 {rng.choice('49')}{d(2)} {d(2)} {d(3)}", f"{rng.choice('49')}{d(2)} {d(2)} {d(3)}",
        f"+46 (0)70-{d(3)} {d(2)} {d(2)}", f"070-{d(3)} {d(2)} {d(2)}", f"+41 79 {d(3)} {d(2)} {d(2)}",
        f"079 {d(3)} {d(2)} {d(2)}", f"+43 664 {d(7)}", f"0664/{d(7)}", f"+32 470 {d(2)} {d(2)} {d(2)}",
        f"0470/{d(2)}.{d(2)}.{d(2)}", f"+1 (514) {d(3)}-{d(4)}", f"+61 4{d(2)} {d(3)} {d(3)}", f"04{d(2)}-{d(3)}-{d(3)}",
        f"+27 82 {d(3)} {d(4)}", f"082 {d(3)} {d(4)}", f"+254 7{d(2)} {d(6)}", f"07{d(2)} {d(3)}{d(3)}",
        f"+63 917 {d(3)} {d(4)}", f"0917-{d(3)}-{d(4)}", f"+62 812-{d(4)}-{d(4)}", f"0812 {d(4)} {d(4)}",
        f"+84 90 {d(3)} {d(2)} {d(2)}", f"090 {d(3)} {d(4)}", f"+66 81 {d(3)} {d(4)}", f"+65 9{d(3)} {d(4)}",
        f"+852 9{d(3)} {d(4)}", f"+886 912 {d(3)} {d(3)}", f"0912-{d(3)}-{d(3)}", f"+90 532 {d(3)} {d(2)} {d(2)}",
        f"0532 {d(3)} {d(2)} {d(2)}", f"+971 50 {d(3)} {d(4)}", f"+20 10 {d(4)} {d(4)}", f"+7 916 {d(3)}-{d(2)}-{d(2)}",
    ])


# --- national ID numbers (cue, number) -----------------------------------------------------------

def _until(rng: Rng, make: Callable[[], str], valid: Callable[[str], bool]) -> str:
    while True:
        v = make()
        if valid(v):
            return v


def national_id(rng: Rng) -> tuple[str, str]:
    """(the cue a form writes before it, a number with a valid check digit) of one country."""
    d = lambda n: _digits(rng, n)  # noqa: E731 - short local helper
    yy, mm, dd = rng.randint(50, 99), rng.randint(1, 12), rng.randint(1, 28)
    kind = rng.randrange(12)
    if kind == 0:
        v = _until(rng, lambda: rng.choice("23456789") + d(11), verhoeff_valid)
        return "Aadhaar", f"{v[:4]} {v[4:8]} {v[8:]}"
    if kind == 1:
        v = _until(rng, lambda: d(11), cpf_valid)
        return "CPF", f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}"
    if kind == 2:
        body = d(8)
        return "DNI", body + "TRWAGMYFPDXBNJZSQVHLCKE"[int(body) % 23]
    if kind == 3:
        return "NINO", f"{rng.choice('ABCEHJKLMNPRSTWXYZ')}{rng.choice('ABCEHJKLMNPRSTWXYZ')} {d(2)} {d(2)} {d(2)} {rng.choice('ABCD')}"
    if kind == 4:
        return "SIN", (lambda v: f"{v[:3]} {v[3:6]} {v[6:]}")(_until(rng, lambda: rng.choice("1234567") + d(8), is_luhn_valid))
    if kind == 5:
        return "NRIC", _until(rng, lambda: rng.choice("ST") + d(7) + rng.choice("ABCDEFGHIZJ"), chk.nric_valid)
    if kind == 6:
        return "PESEL", _until(rng, lambda: f"{yy:02d}{mm:02d}{dd:02d}" + d(5), chk.pesel_valid)
    if kind == 7:
        return "personnummer", _until(rng, lambda: f"19{yy:02d}{mm:02d}{dd:02d}-" + d(4), chk.personnummer_se_valid)
    if kind == 8:
        return "주민등록번호", _until(rng, lambda: f"{yy:02d}{mm:02d}{dd:02d}-{rng.choice('12')}" + d(6), chk.rrn_kr_valid)
    if kind == 9:
        return "fødselsnummer", _until(rng, lambda: f"{dd:02d}{mm:02d}{yy:02d}" + d(5), chk.fodselsnummer_valid)
    if kind == 10:
        return "CPR-nr.", _until(rng, lambda: f"{dd:02d}{mm:02d}{yy:02d}-" + d(4), chk.cpr_valid)
    return "HETU", _until(rng, lambda: f"{dd:02d}{mm:02d}{yy:02d}-" + d(3) + rng.choice("0123456789ABCDEFHJKLMNPRSTUVWXY"), chk.hetu_valid)


def cn_id12(rng: Rng) -> str:
    """A mainland number of a Xinjiang, Yunnan, Hong Kong-border or Henan holder (other region codes)."""
    first17 = rng.choice(["650102", "532901", "440304", "411625"]) + f"{rng.randint(1960, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + _digits(rng, 3)
    return first17 + cn_id_check_char(first17)
