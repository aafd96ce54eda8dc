"""Check digits of national identity numbers (Europe, Australia, Korea, Singapore, Italy).

Each function takes the number as written (separators allowed) and says whether its check digit
or letter holds; where the number holds a birth date, the date must exist too. The algorithms are
those of the public scheme definitions cited beside each; shapes are the regexes' business (in
`national_ids_more` and `national_ids`), so each test here also rejects a wrong length.
"""

from __future__ import annotations

import re

from privtune.scan.checksums import date_exists, is_luhn_valid


def only_digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights))


def _some_century_date(yy: int, month: int, day: int) -> bool:
    """DDMMYY / YYMMDD without a century mark: the date exists in 19yy or 20yy (29 Feb)."""
    return date_exists(1900 + yy, month, day) or date_exists(2000 + yy, month, day)


def steuer_id_valid(value: str) -> bool:
    """German tax id (Steuerliche Identifikationsnummer, §139b AO): 11 digits, no leading 0;
    in the first ten one digit occurs two or three times and every other digit at most once
    (BZSt; de.wikipedia "Steuerliche Identifikationsnummer"); the 11th is the ISO/IEC 7064
    MOD 11,10 hybrid check digit of the first ten."""
    d = only_digits(value)
    if len(d) != 11 or d[0] == "0":
        return False
    counts = sorted((d[:10].count(c) for c in set(d[:10])), reverse=True)
    if counts[0] not in (2, 3) or (len(counts) > 1 and counts[1] > 1):
        return False
    product = 10
    for c in d[:10]:  # ISO 7064 MOD 11,10: running product, each step mod 10 (0 read as 10)
        total = (int(c) + product) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == int(d[10])


def bsn_valid(value: str) -> bool:
    """Dutch burgerservicenummer: the "elfproef": 9 digits weighted 9, 8 ... 2 and the last
    -1 sum to a multiple of 11 (Rijksoverheid, Logius BSN specification); all zeros is none."""
    d = only_digits(value)
    if len(d) != 9 or d == "000000000":
        return False
    return (_weighted(d[:8], (9, 8, 7, 6, 5, 4, 3, 2)) - int(d[8])) % 11 == 0


def pesel_valid(value: str) -> bool:
    """Polish PESEL: YYMMDD (the month carries the century: +80 for the 1800s, +20 for the
    2000s, +40, +60) + 4 digits + a check digit: weights 1, 3, 7, 9 repeated, the check digit
    makes the sum a multiple of 10 (Polish Ministry of Digital Affairs, PESEL register)."""
    d = only_digits(value)
    if len(d) != 11:
        return False
    yy, mm, dd = int(d[:2]), int(d[2:4]), int(d[4:6])
    century = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
    base = century[mm // 10]
    month = mm - {1900: 0, 2000: 20, 2100: 40, 2200: 60, 1800: 80}[base]
    if not date_exists(base + yy, month, dd):
        return False
    return (10 - _weighted(d[:10], (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)) % 10) % 10 == int(d[10])


def personnummer_se_valid(value: str) -> bool:
    """Swedish personnummer (Skatteverket SKV 704): [YY]YYMMDD, - or + (over 100), 3 digits and a
    Luhn check digit over the ten-digit form; a samordningsnummer has the day + 60."""
    d = only_digits(value)
    if len(d) == 12:
        d = d[2:]
    if len(d) != 10:
        return False
    day = int(d[4:6])
    day = day - 60 if day > 60 else day
    return _some_century_date(int(d[:2]), int(d[2:4]), day) and is_luhn_valid(d)


def fodselsnummer_valid(value: str) -> bool:
    """Norwegian fødselsnummer (Skatteetaten): DDMMYY + 3 digits + two mod-11 check digits,
    weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2 (a check of 10 is never issued); a
    D-number has the day + 40."""
    d = only_digits(value)
    if len(d) != 11:
        return False
    for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
        n = len(weights)
        check = (11 - _weighted(d[:n], weights) % 11) % 11
        if check == 10 or check != int(d[n]):
            return False
    return True


def cpr_valid(value: str) -> bool:
    """Danish CPR number: DDMMYY-SSSS. Numbers issued since 2007 need not pass the old mod-11
    test (CPR office, "Personnumre uden kontrolciffer"), so the only check is the date."""
    d = only_digits(value)
    return len(d) == 10 and _some_century_date(int(d[4:6]), int(d[2:4]), int(d[:2]))


_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {"+": 1800, "-": 1900, "U": 1900, "V": 1900, "W": 1900, "X": 1900, "Y": 1900,
                 "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}


def hetu_valid(value: str) -> bool:
    """Finnish henkilötunnus (DVV): DDMMYY, a century sign (+, - or U-Y, A-F), 3 digits and a
    control character: the nine digits as one number mod 31 indexes 0-9 A-Y less G I O Q Z."""
    value = value.upper()
    if len(value) != 11 or value[6] not in _HETU_CENTURY:
        return False
    digits = value[:6] + value[7:10]
    if not digits.isdigit():
        return False
    if not date_exists(_HETU_CENTURY[value[6]] + int(value[4:6]), int(value[2:4]), int(value[:2])):
        return False
    return _HETU_CHECK[int(digits) % 31] == value[10]


def nir_valid(value: str) -> bool:
    """French NIR (numéro de sécurité sociale, INSEE): 13 characters (sex, YY, MM, department -
    Corsica's 2A / 2B count as 19 / 18 - commune, order) and a key of 97 - (number mod 97)."""
    v = re.sub(r"[ .-]", "", value.upper())
    if len(v) != 15 or not v[13:].isdigit():
        return False
    body = v[:5] + {"2A": "19", "2B": "18"}.get(v[5:7], v[5:7]) + v[7:13]
    return body.isdigit() and 97 - int(body) % 97 == int(v[13:])


def be_national_number_valid(value: str) -> bool:
    """Belgian national register number (Rijksregister IT000): YYMMDD, a 3-digit counter and
    97 - (the 9 digits mod 97); for births from 2000 the 9 digits are prefixed with a 2."""
    d = only_digits(value)
    if len(d) != 11:
        return False
    check = int(d[9:])
    return 97 - int(d[:9]) % 97 == check or 97 - int("2" + d[:9]) % 97 == check


def tfn_valid(value: str) -> bool:
    """Australian tax file number (ATO): 9 digits weighted 1 4 3 7 5 8 6 9 10 sum to a
    multiple of 11."""
    d = only_digits(value)
    return len(d) == 9 and _weighted(d, (1, 4, 3, 7, 5, 8, 6, 9, 10)) % 11 == 0


def medicare_valid(value: str) -> bool:
    """Australian Medicare card number (Services Australia / NEHTA conformance requirements):
    8 digits (the first 2-6), a check digit = the 8 weighted 1 3 7 9 1 3 7 9 mod 10, an issue
    number, and optionally the individual reference number (10 or 11 digits)."""
    d = only_digits(value)
    return (len(d) in (10, 11) and d[0] in "23456"
            and _weighted(d[:8], (1, 3, 7, 9, 1, 3, 7, 9)) % 10 == int(d[8]))


_RRN_CENTURY = {"9": 1800, "0": 1800, "1": 1900, "2": 1900, "5": 1900, "6": 1900,
                "3": 2000, "4": 2000, "7": 2000, "8": 2000}


def rrn_kr_valid(value: str) -> bool:
    """South Korean resident registration number (주민등록번호): YYMMDD, a century-and-sex digit,
    5 digits and a check digit (11 - the 12 weighted 2 3 4 5 6 7 8 9 2 3 4 5 mod 11) mod 10.
    Numbers issued since October 2020 end in a random digit; those fail here and are left."""
    d = only_digits(value)
    if len(d) != 13 or not date_exists(_RRN_CENTURY[d[6]] + int(d[:2]), int(d[2:4]), int(d[4:6])):
        return False
    return (11 - _weighted(d[:12], (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)) % 11) % 10 == int(d[12])


def nric_valid(value: str) -> bool:
    """Singapore NRIC / FIN (ICA): a prefix, 7 digits weighted 2 7 6 5 4 3 2, plus 4 for T and
    G, 3 for M; the sum mod 11 indexes the prefix's letter table."""
    v = value.upper()
    if len(v) != 9 or not v[1:8].isdigit():
        return False
    total = _weighted(v[1:8], (2, 7, 6, 5, 4, 3, 2)) + {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}.get(v[0], 0)
    table = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK",
             "M": "XWUTRQPNJLK"}.get(v[0])
    return table is not None and table[total % 11] == v[8]


# Codice fiscale: the values of letters and digits in odd positions (1st, 3rd ...); a digit
# counts as the letter of its rank (0 as A). Even positions count A-Z as 0-25, digits as such.
_CF_ODD = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)))


def codice_fiscale_valid(value: str) -> bool:
    """Italian codice fiscale (DM 12/03/1974, Agenzia delle Entrate): 15 characters and a check
    letter, A + (odd-position values + even-position values) mod 26."""
    v = value.upper()
    if len(v) != 16 or not v.isalnum():
        return False
    total = 0
    for i, c in enumerate(v[:15]):
        letter = chr(ord("A") + int(c)) if c.isdigit() else c
        if i % 2 == 0:  # 1st, 3rd ... (1-based odd)
            total += _CF_ODD[letter]
        else:
            total += int(c) if c.isdigit() else ord(c) - ord("A")
    return chr(ord("A") + total % 26) == v[15]
