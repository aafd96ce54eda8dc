"""English PII shapes, round 7: identifiers left in HR, insurance, banking, travel, helpdesk and
police records (each case was left in the text before this round)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.device_ids import MacAddressRecognizer
from privtune.scan.recognizers.vehicle_plates import LicencePlateCuedRecognizer

ANALYZER = Analyzer()


def found(text: str, kind: str) -> list[str]:
    return [text[s.start : s.end] for s in ANALYZER.analyze(text) if s.type == kind]


@pytest.mark.parametrize(("text", "value"), [
    ("Performance review - Staff no. 88213", "88213"),  # a cue ending in "no." lost its "no"
    ("Payroll number PR-7781-22", "PR-7781-22"),
    ("Claim number: CLM-2024-0098123", "CLM-2024-0098123"),
    ("Claim ref. 44718823 was opened", "44718823"),
    ("Account number: 41234567", "41234567"),
    ("Account 004471829301, routing 021000021", "004471829301"),
    ("Driver licence: BRENN961056KB9XY", "BRENN961056KB9XY"),
    ("driver's license number D1234567", "D1234567"),
    ("IMEI of company phone 356938035643809", "356938035643809"),
    ("IMEI: 35-693803-564380-9", "35-693803-564380-9"),
    ("IMEI of company phone 356938035643809. Thanks", "356938035643809"),
    ("the IMEI on the box reads 35 693803 564380 9 ok", "35 693803 564380 9"),
    ("Ticket number 125-2345678901", "125-2345678901"),
    ("Frequent flyer number BA12345678", "BA12345678"),
    ("Loyalty card number 6301 1188 2200", "6301 1188 2200"),
])  # fmt: skip
def test_numbers_after_their_names(text: str, value: str) -> None:
    assert value in found(text, "RECORD_ID")


@pytest.mark.parametrize("text", ["the claim 2024 was rejected", "ticket 4 of 10", "account for 2019 losses"])
def test_no_number_without_its_name(text: str) -> None:
    assert found(text, "RECORD_ID") == []


@pytest.mark.parametrize("text", ["IMEI of company phone 356938035643808", "item 356938035643809 (IMEI below)"])
def test_imei_a_few_words_on_needs_luhn_and_its_name_before(text: str) -> None:
    assert found(text, "RECORD_ID") == []


@pytest.mark.parametrize("text", ["NI Number: AB 12 34 56 C", "NI No. AB123456C", "NI NUMBER AB123456C"])
def test_ni_number_label_in_title_case(text: str) -> None:
    assert found(text, "ID_CARD") == [text.split()[-1] if " 12 " not in text else "AB 12 34 56 C"]


@pytest.mark.parametrize(("text", "mac"), [
    ("Hostname LAPTOP-7Q2X9, MAC 3C:22:FB:9A:01:7E", "3C:22:FB:9A:01:7E"),
    ("Physical Address. . . . . . . . . : 3C-22-FB-9A-01-7E", "3C-22-FB-9A-01-7E"),
    ("bssid=3c:22:fb:9a:01:7e,ch=6", "3c:22:fb:9a:01:7e"),
    ("DHCPACK to 3c:22:fb:9a:01:7e via eth0", "3c:22:fb:9a:01:7e"),
    ("laptop MAC 3c-22-fb-9a-01-7e, owner Anna", "3c-22-fb-9a-01-7e"),
    ("Wired: 3C-22-FB-9A-01-7E, IP 10.0.0.5", "3C-22-FB-9A-01-7E"),
])  # fmt: skip
def test_mac_address(text: str, mac: str) -> None:
    assert mac in found(text, "RECORD_ID")


@pytest.mark.parametrize("text", ["broadcast ff:ff:ff:ff:ff:ff", "fe80::3e22:fbff:fe9a:17e", "at 12:30:45:10:11:12:13",
                                  "3C:22:FB:9A:01:7E:55 is EUI-64", "ids 12-34-56-78-90-12-34"])
def test_no_mac(text: str) -> None:
    assert MacAddressRecognizer().analyze(text) == []


@pytest.mark.parametrize(("text", "plate"), [
    ("Vehicle reg: KX19 ZTB, VIN 1HGCM82633A004352", "KX19 ZTB"),
    ("Third party: Derek Hollingsworth, reg LD21 PZK, insurer Aviva", "LD21 PZK"),
    ("Vehicle: silver Ford Focus, registration YR68 KLM", "YR68 KLM"),
    ("plate number 7ABC123", "7ABC123"),
    ("licence plate ABC-1234 seen leaving", "ABC-1234"),
    ("vehicle registration mark: AB12 CDE HELLO WORLD", "AB12 CDE"),
])  # fmt: skip
def test_plate_after_its_name(text: str, plate: str) -> None:
    assert found(text, "LICENSE_PLATE") == [plate]


@pytest.mark.parametrize("text", ["Registration ID 12345 for the conference", "registration number: ABC123 for the event",
                                  "reg 2019", "plate 3A", "the regular PLATE", "Reg. Office: KX19 ZTB"[:11]])
def test_no_plate(text: str) -> None:
    assert LicencePlateCuedRecognizer().analyze(text) == []


@pytest.mark.parametrize(("text", "phone"), [
    ("Next of kin: Ama Owusu-Ansah (daughter) 07700 900789", "07700 900789"),
    ("Emergency contact: Rahul (husband) 07700 900123", "07700 900123"),
    ("Ama 0770 090 0789 after six", "0770 090 0789"),
    ("or try 07812 345 678", "07812 345 678"),
])  # fmt: skip
def test_uk_mobile_grouped_needs_no_cue(text: str, phone: str) -> None:
    assert found(text, "PHONE") == [phone]


@pytest.mark.parametrize("text", ["Ama 07700900789", "range 07600 900789", "order 07700 900789-2", "ids 07700 900789 12"])
def test_uk_mobile_not_ungrouped_pager_or_longer(text: str) -> None:
    assert found(text, "PHONE") == []


@pytest.mark.parametrize(("text", "user"), [
    ("Home dir /home/jsmith42", "jsmith42"),
    ("C:\\Users\\jsmith42\\Desktop\\report.xlsx", "jsmith42"),
    ("c:\\users\\dthornton\\desktop", "dthornton"),
    ('"C:\\\\Users\\\\priya.raghunathan\\\\AppData\\\\Local"', "priya.raghunathan"),
    ("FileNotFoundError: '/Users/anna.k/Documents/notes.txt'", "anna.k"),
    ("ssh jsmith42@10.0.4.17", "jsmith42"),
])  # fmt: skip
def test_login_name_in_home_directory_or_ssh_target(text: str, user: str) -> None:
    assert found(text, "USERNAME") == [user]


@pytest.mark.parametrize("text", ["cp /home/user/file /home/$USER/x /home/ubuntu/app", "C:\\Users\\Public\\Documents",
                                  "ssh root@10.0.0.1", "GET https://api.example.com/users/jsmith"])
def test_no_login_name_in_shared_dirs(text: str) -> None:
    assert found(text, "USERNAME") == []


@pytest.mark.parametrize(("text", "names"), [
    ("Tenant: Jakub Nowicki\nRent: £1,650 pcm\nLandlord: Harriet Fairbanks-Lowe, tel 020 7946 0321",
     ["Jakub Nowicki", "Harriet Fairbanks-Lowe"]),
    ("Policyholder: Mrs. Fatima Al-Sayed\nAdjuster: Callum Reid, tel +44 20 7946 0958",
     ["Mrs. Fatima Al-Sayed", "Callum Reid"]),
    ("Requester: Brandon Liebowitz, ext. 4471\nHostname: LAPTOP-BL7Q2X9, IP 10.24.17.133", ["Brandon Liebowitz"]),
    ("Witness: I saw him run\nOfficer: which way?\nWitness: towards the station", []),
])  # fmt: skip
def test_role_labels_of_forms_are_no_names(text: str, names: list[str]) -> None:
    assert found(text, "PERSON") == names


@pytest.mark.parametrize(("text", "value"), [
    ("Phone: iPhone 13, IMEI 35 407115 123456 7, number +1 (415) 555-2671", "35 407115 123456 7"),
    ("his UPN is A123456789012.", "A123456789012"),
    ("IT asset: HP EliteBook 840, asset tag IT-004471, assigned to Olga Petrenko", "IT-004471"),
    ("Subject identified, DL no. J525-4419-0312.", "J525-4419-0312"),
])  # fmt: skip
def test_more_numbers_after_their_names(text: str, value: str) -> None:
    assert value in found(text, "RECORD_ID")


def test_imei_check_digit_kept_only_when_luhn_valid() -> None:
    assert found("IMEI 35 407115 123456 8", "RECORD_ID") == ["35 407115 123456"]


@pytest.mark.parametrize(("text", "name"), [
    ("I think her surname was McBride.", "McBride"),
    ("Failed security (mother's maiden name given as Okafor, on file: Adeyemi).", "Okafor"),
    ("her maiden name was Okonjo", "Okonjo"),
    ("Surname: Nowak", "Nowak"),
])  # fmt: skip
def test_surname_after_its_name(text: str, name: str) -> None:
    assert name in found(text, "PERSON")


def test_no_name_after_name_was_without_a_capital() -> None:
    assert found("The name was changed in 2019", "PERSON") == []


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("VPN fails from device DESKTOP-7H2K9LQ (10.12.0.45).", "DESKTOP-7H2K9LQ", "RECORD_ID"),
    ("Hostname: LAPTOP-BL7Q2X9, IP 10.24.17.133", "LAPTOP-BL7Q2X9", "RECORD_ID"),
    ("Caller Anna Kowalski, badge 004512, desk phone x4471.", "004512", "RECORD_ID"),
    ("Statement taken by DC Fiona Galloway, collar no. 5521.", "5521", "RECORD_ID"),
    ("Caller: Precious Mbeki (07984 112233). Attended by PC 2231", "07984 112233", "PHONE"),
])  # fmt: skip
def test_helpdesk_and_police_identifiers(text: str, value: str, kind: str) -> None:
    assert value in found(text, kind)


def test_default_hostname_needs_a_digit() -> None:
    assert found("the DESKTOP-ABCDEFG default", "RECORD_ID") == []


@pytest.mark.parametrize(("text", "dob"), [
    ("Agent: Can you confirm your date of birth?\nCustomer: 07/22/1979\nAgent: And your address?", "07/22/1979"),
    ("What's your date of birth?\n12 March 1985", "12 March 1985"),
    ("Agent: date of birth please?\nCustomer: it's 07/22/1979", "07/22/1979"),
])  # fmt: skip
def test_date_of_birth_answering_the_question_above(text: str, dob: str) -> None:
    assert found(text, "DATE_OF_BIRTH") == [dob]


@pytest.mark.parametrize("text", ["Was the baby born yet?\nMeeting on 07/22/2019 at 10",
                                  "Agent: Can you confirm your date of birth?\nCustomer: sure, and the order from 07/22/2019?"])
def test_no_birth_date_on_a_line_that_does_not_open_with_it(text: str) -> None:
    assert found(text, "DATE_OF_BIRTH") == []


@pytest.mark.parametrize(("text", "number"), [
    ("Nationality: Dutch   Passport No: NXK12F345", "NXK12F345"),
    ("Passport number 12AB34567 issued in Lyon", "12AB34567"),
    ("passport: C01X00T47", "C01X00T47"),
])  # fmt: skip
def test_mixed_passport_number_after_its_name(text: str, number: str) -> None:
    assert found(text, "PASSPORT") == [number]


@pytest.mark.parametrize("text", ["my passport 2024 renewal", "PASSPORT ABCDEFG", "passport photo"])
def test_no_passport_number(text: str) -> None:
    assert found(text, "PASSPORT") == []


@pytest.mark.parametrize(("text", "postcode"), [
    ("Your new PIN will be posted to 55 Kingsway, London WC2B 6TP.", "WC2B 6TP"),
    ("Noise complaint at Flat 7, Hollis House, Bow Road, London E3 2SE. Caller: Precious", "E3 2SE"),
    ("She lives in London WC2B 6TP now", "WC2B 6TP"),
])  # fmt: skip
def test_uk_postcode_after_its_town(text: str, postcode: str) -> None:
    # The postcode alone, or inside the whole block (round 8: "55 Kingsway, London WC2B 6TP").
    assert any(postcode in a for a in found(text, "ADDRESS"))


@pytest.mark.parametrize("text", ["Room B2 4CC is booked", "the RTX 4090 GPU", "grid ref A4 2BB"])
def test_no_uk_postcode_without_town_or_shape(text: str) -> None:
    assert [s for s in ANALYZER.analyze(text) if s.detector == "postcode"] == []


@pytest.mark.parametrize(("text", "value"), [
    ("She says the contractor quoted £4,200. Policy: HH-2231-7789-01.", "HH-2231-7789-01"),
    ("Policy #: HO-3-5567123", "HO-3-5567123"),
    ("insurer Aviva, policy AV-99812733", "AV-99812733"),
])  # fmt: skip
def test_policy_number_after_the_bare_word(text: str, value: str) -> None:
    assert found(text, "RECORD_ID") == [value]


@pytest.mark.parametrize("text", ["our privacy policy 2024 update", "badge 2019 edition", "Account 2019 closed"])
def test_a_year_after_a_bare_word_cue_is_no_number(text: str) -> None:
    assert found(text, "RECORD_ID") == []
