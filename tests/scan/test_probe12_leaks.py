"""Leak probe, round 12: names in the orders forms write them, exports with cryptic column names,
letter-spaced OCR names, signers after their department, and markup tags read as companies."""

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def found(analyzer, text):
    return {(text[s.start:s.end], s.type) for s in analyzer.analyze(text)}


@pytest.mark.parametrize("text, name", [
    ("KYC check passed\nName: WONGSAKUL, Suda\nDOB: 1980-01-01", "WONGSAKUL, Suda"),
    ("Patient: Mei WATANABE    DOB: 1980-01-01", "Mei WATANABE"),
    ("Name: ΤΣΙΑΝΤΆΣ, Κανέλλα\nMobile: +30 690 000 0000", "ΤΣΙΑΝΤΆΣ, Κανέλλα"),
    ("Name (BLOCK CAPITALS): NGUYỄN THỊ MAI\nSignature: [signature]", "NGUYỄN THỊ MAI"),
    ("[handwritten] Name (BLOCK CAPITALS): ЄВГЕН ФЕСЕНКО\nSignature: [signature]", "ЄВГЕН ФЕСЕНКО"),
    ("Emergency contact: Al-Rashidi, Abdullah bin Hamid [crossed out: x]", "Al-Rashidi, Abdullah bin Hamid"),
    ("Re: P. H. dos Santos Lima (date of birth 3 May 1980)", "P. H. dos Santos Lima"),
    ("Prepared by ÖZTÜRK Zeynep; reviewed by S. Jónsdóttir.", "ÖZTÜRK Zeynep"),
    ('From: "DORCHA, Oonagh" <o.dorcha@example.ie>\nTo: x@example.org', "DORCHA, Oonagh"),
    ("An: TE RANGI Kiri <kiri@example.nz>\nBetreff: AW: Mietvertrag", "TE RANGI Kiri"),
    ("[12/03/2024 14:22] Rhodes, Shawn (Guest)\nHi, can you update my address?", "Rhodes, Shawn"),
])
def test_names_in_the_orders_forms_write_them(analyzer, text, name):
    assert (name, "PERSON") in found(analyzer, text)


@pytest.mark.parametrize("text", [
    "Customer: Lee, Sales\nRegion: EMEA",
    "Re: Budget REVIEW",
    "Name: N/A",
    "Status: OPEN, Priority",
])
def test_field_values_that_are_no_names(analyzer, text):
    from privtune.scan.recognizers.name_orders import name_order_spans

    assert name_order_spans(text) == []


def test_cryptic_column_names_and_pipe_rows(analyzer):
    text = 'cust_nm;cust_ph_no;dt_brth;natl_id\nDe Bock, Mustafa;0664/7313467;9 March 1967;283.273.546-04'
    assert {("De Bock, Mustafa", "PERSON"), ("0664/7313467", "PHONE"), ("9 March 1967", "DATE_OF_BIRTH"),
            ("283.273.546-04", "ID_CARD")} <= found(analyzer, text)
    piped = "KUNDE|TEL_1|TEL_2|GEB_DAT\nA. Bergant|070-247 40 74|0532 199 34 84|1979-09-24"
    assert {("A. Bergant", "PERSON"), ("070-247 40 74", "PHONE"), ("0532 199 34 84", "PHONE"),
            ("1979-09-24", "DATE_OF_BIRTH")} <= found(analyzer, piped)
    abbreviated = '"Contact","Ph#","Mailing Addr."\n"x","090 078 9097","Plot 281, Kenyatta Avenue"'
    assert ("090 078 9097", "PHONE") in found(analyzer, abbreviated)


def test_chinese_headers_with_brackets_or_spaced_labels(analyzer):
    text = "客户名称,联系人手机,收货地址（详细）\n次仁卓玛,13812345678,广西壮族自治区桂林市阳朔县白沙镇前进村580号"
    assert ("次仁卓玛", "PERSON") in found(analyzer, text)
    spaced = "姓 名\t手 机 号\t家 庭 住 址\n其其格\t0912-559-045\t广西壮族自治区桂林市阳朔县白沙镇前进村580号"
    assert {("其其格", "PERSON"), ("0912-559-045", "PHONE")} <= found(analyzer, spaced)


def test_letter_spaced_ocr_names_and_department_signers(analyzer):
    assert ("张 晨", "PERSON") in found(analyzer, "姓  名 张 晨\n身份证号 650102199001011234")
    assert ("韩 红 霞", "PERSON") in found(analyzer, "申 请 人 ： 韩 红 霞    电 话 ： 13812345678")
    assert ("黃文龍", "PERSON") in found(analyzer, "在职证明\n\n杭州云帆网络科技有限公司\n人事部 黃文龍\n第1页")
    # a spaced header row names no one
    assert not any(t == "PERSON" for _, t in found(analyzer, "姓 名 性 别 年 龄\n"))


def test_markup_tags_are_no_organisations(analyzer):
    text = "<Invoice><Contact>王伟</Contact><Tel>13812345678</Tel></Invoice>"
    got = found(analyzer, text)
    assert ("Tel", "ORGANIZATION") not in got and not any("<" in v or ">" in v for v, _ in got)
    assert "王伟" in {v for v, _ in got} and ("13812345678", "PHONE") in got  # the value between the tags stays masked
    longer = "<Invoice><BuyerName>杭州云帆网络科技有限公司</BuyerName><Contact>王伟</Contact><Tel>13812345678</Tel></Invoice>"
    got = found(analyzer, longer)
    assert ("Tel", "ORGANIZATION") not in got and ("杭州云帆网络科技有限公司", "ORGANIZATION") in got


def test_phone_answers_in_line_and_phone_exports(analyzer):
    line = "[LINE] Chat history with Ann Lee\n\n14:22\tAnn Lee\tHi! new address\n14:25\tBob Ray\tok. phone?\n14:26\tAnn Lee\t06-46953959"
    assert ("06-46953959", "PHONE") in found(analyzer, line)
    signal = ("Mar 12, 14:25 - Bob Ray: will do. number for the courier?\nMar 12, 14:26 - Ann Lee: 0664/1599249")
    assert ("0664/1599249", "PHONE") in found(analyzer, signal)
    # a time after a question about phoning is no phone
    assert not any(t == "PHONE" for _, t in found(analyzer, "Did you phone?\nAnn: 12:30 works"))


def test_streets_and_house_numbers_of_norway_and_india(analyzer):
    assert ("Karl Johans gate 41, 0162 Oslo", "ADDRESS") in found(analyzer, "Address: Karl Johans gate 41, 0162 Oslo")
    assert ("Kongens gade 3, 1264 København K", "ADDRESS") in found(analyzer, "Kongens gade 3, 1264 København K")
    assert not found(analyzer, "Departures gate 41")
    text = "Ship to: H.No. 6-9-265, Banjara Hills, Hyderabad 500034"
    assert ("H.No. 6-9-265, Banjara Hills, Hyderabad 500034", "ADDRESS") in found(analyzer, text)
    block = "Ship to:\nPriya Nair\nFlat 2C\n58 MG Road\nMumbai\nMaharashtra 455812\nPhone: 1"
    assert ("Flat 2C\n58 MG Road\nMumbai\nMaharashtra 455812", "ADDRESS") in found(analyzer, block)


def test_a_name_a_hard_wrap_broke(analyzer):
    text = "This agreement is made between the landlord Acme Ltd and the tenant\nHaruto\nSato, born 12.03.1980, now"
    assert ("Haruto\nSato", "PERSON") in found(analyzer, text)
    letter = "REFERENCE LETTER\n\nI confirm that Haruto\nSato (passport 512345678) has been em-\nployed"
    assert ("Haruto\nSato", "PERSON") in found(analyzer, letter)
    assert ("Paris\nLondon", "PERSON") not in found(analyzer, "we visited\nParis\nLondon, and more")


def test_court_parties_attendee_lists_and_latin_names_in_chinese(analyzer):
    court = ("BETWEEN:\nMARTIN STOPAR\nClaimant\n-and-\nJI-WOO CHOI\nDefendant\n\n"
             "WITNESS STATEMENT OF INGRID SØREIDE\n\nI, x")
    got = found(analyzer, court)
    assert {("MARTIN STOPAR", "PERSON"), ("JI-WOO CHOI", "PERSON"), ("INGRID SØREIDE", "PERSON")} <= got
    minutes = "Attendees:\n1. Watanabe Mei\n2. L. Ondrušeková\n3. Oluwaseun Adebayo-Okafor\nMinutes taken by Chan Tai Man."
    got = found(analyzer, minutes)
    assert {("Watanabe Mei", "PERSON"), ("L. Ondrušeková", "PERSON"), ("Oluwaseun Adebayo-Okafor", "PERSON"),
            ("Chan Tai Man", "PERSON")} <= got
    assert ("WONGSAKUL, Suda", "PERSON") in found(analyzer, "境外客户 WONGSAKUL, Suda（CPF 909.968.919-51），联系电话")
    # an agenda, a team, a defendant's line that is a title
    from privtune.scan.recognizers.name_orders import name_order_spans

    for text in ("Agenda:\n1. Budget Review\n2. Next Steps", "Attendees:\n- Sales Team\n- All Staff",
                 "THE QUICK BROWN FOX\nDefendant", "Customer: NOT PROVIDED"):
        assert name_order_spans(text) == [], text


def test_romanised_east_asian_names(analyzer):
    assert ("Chen Shu-fen", "PERSON") in found(analyzer, "我跟 Chen Shu-fen 说了, 她的 number 是 1")
    got = found(analyzer, "Boss says Wong Siu Ming and Ng Kah Wai handle this case")
    assert {("Wong Siu Ming", "PERSON"), ("Ng Kah Wai", "PERSON")} <= got
    assert ("Ji-woo Choi", "PERSON") in found(analyzer, "Minutes taken by Ji-woo Choi.")
    from privtune.scan.recognizers.romanised_names import romanised_name_spans

    assert romanised_name_spans("We flew to Ho Chi Minh City") == []
    assert romanised_name_spans("Lee and Tan Are Here") == []


def test_international_number_glued_to_a_word_and_ping_me(analyzer):
    assert ("+66 81 156 5861", "PHONE") in found(analyzer, "If it does not arrive please call us on+66 81 156 5861.")
    assert ("428 24 037", "PHONE") in found(analyzer, "k.odhiambo — Today at 14:23\nok ping me on 428 24 037")
