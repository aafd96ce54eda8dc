"""National numbers of Europe, Australia, Korea and the US ITIN beside their names, each with its
scheme's check; NRIC/FIN and codice fiscale check letters; scheme names are no organisations."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers import national_id_checks as chk
from privtune.scan.recognizers.national_ids import national_id_spans
from privtune.scan.recognizers.national_ids_more import MORE_SCHEMES, more_national_id_spans

_ANALYZER = Analyzer()


def _ids(text: str) -> list[str]:
    return [text[s.start : s.end] for s in _ANALYZER.analyze(text) if s.type == "ID_CARD"]


def test_check_digits_against_published_or_computed_examples():
    # Valid numbers: published examples (DVV's HETU 131052-308T, INSEE's NIR 2 69 05 49 588 157 80,
    # the Rijksregister's 93.05.18-223.61, ICA's M-series M1234567K) or computed with the
    # scheme's algorithm; each with one digit changed fails.
    assert chk.steuer_id_valid("65929970489") and not chk.steuer_id_valid("65929970488")
    assert not chk.steuer_id_valid("12345678903")  # no digit repeats in the first ten
    assert chk.bsn_valid("111222333") and not chk.bsn_valid("111222334") and not chk.bsn_valid("000000000")
    assert chk.pesel_valid("44051401359") and chk.pesel_valid("02270803624") and not chk.pesel_valid("44051401358")
    assert not chk.pesel_valid("44053401359")  # 30 is no month: checksum-valid shapes need a date too
    assert chk.personnummer_se_valid("811228-9874") and chk.personnummer_se_valid("19811228-9874")
    assert not chk.personnummer_se_valid("811228-9875")
    assert chk.fodselsnummer_valid("01010750160") and not chk.fodselsnummer_valid("01010750161")
    assert chk.cpr_valid("010190-1234") and not chk.cpr_valid("320190-1234")
    assert chk.hetu_valid("131052-308T") and not chk.hetu_valid("131052-308U") and not chk.hetu_valid("131052G308T")
    assert chk.nir_valid("2 69 05 49 588 157 80") and not chk.nir_valid("2 69 05 49 588 157 81")
    assert chk.be_national_number_valid("93.05.18-223.61") and chk.be_national_number_valid("05031212360")
    assert not chk.be_national_number_valid("93.05.18-223.62")
    assert chk.tfn_valid("123 456 782") and not chk.tfn_valid("123 456 783")
    assert chk.medicare_valid("2123 45670 1") and not chk.medicare_valid("2123 45671 1")
    assert not chk.medicare_valid("7123 45670 1")  # the first digit is 2-6
    assert chk.rrn_kr_valid("900101-1234568") and not chk.rrn_kr_valid("900101-1234567")
    assert chk.nric_valid("S1234567D") and chk.nric_valid("T0212345I") and chk.nric_valid("G1234567X")
    assert chk.nric_valid("M1234567K") and not chk.nric_valid("M1234567L") and not chk.nric_valid("S1234567E")
    assert chk.codice_fiscale_valid("RSSMRA85T10A562S") and not chk.codice_fiscale_valid("RSSMRA85T10A562T")


@pytest.mark.parametrize(
    "text, number",
    [
        ("Steuer-ID: 65929970489", "65929970489"),
        ("Steueridentifikationsnummer 65 929 970 489", "65 929 970 489"),
        ("BSN 111222333", "111222333"),
        ("burgerservicenummer: 1112.22.333", "1112.22.333"),
        ("PESEL 44051401359", "44051401359"),
        ("personnummer 811228-9874", "811228-9874"),
        ("Personnummer: 19811228-9874", "19811228-9874"),
        ("fødselsnummer 01010750160", "01010750160"),
        ("CPR-nr. 010190-1234", "010190-1234"),
        ("henkilötunnus 131052-308T", "131052-308T"),
        ("numéro de sécurité sociale : 2 69 05 49 588 157 80", "2 69 05 49 588 157 80"),
        ("Rijksregisternummer 93.05.18-223.61", "93.05.18-223.61"),
        ("numéro de registre national 05031212360", "05031212360"),
        ("TFN 123 456 782", "123 456 782"),
        ("my tax file number is 123456782", "123456782"),
        ("Medicare 2123 45670 1", "2123 45670 1"),
        ("Medicare card number: 2123456701", "2123456701"),
        ("주민등록번호 900101-1234568", "900101-1234568"),
        ("주민등록번호900101-1234568입니다", "900101-1234568"),  # a Hangul cue touches the number
        ("ITIN 912-70-1234", "912-70-1234"),
        ("NRIC M1234567K", "M1234567K"),
    ],
)
def test_numbers_after_their_names(text, number):
    assert _ids(text) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Steuer-ID: 65929970488",
        "BSN 111222334",
        "PESEL 44051401358",
        "personnummer 811228-9875",
        "fødselsnummer 01010750161",
        "CPR-nr. 320190-1234",  # no 32nd day
        "henkilötunnus 131052-308U",
        "numéro de sécurité sociale 2 69 05 49 588 157 81",
        "Rijksregisternummer 93.05.18-223.62",
        "TFN 123 456 783",
        "Medicare 2123 45671 1",
        "주민등록번호 900101-1234567",
        "ITIN 912-93-1234",  # 93 is no ITIN group
        "NRIC S1234567E",
        "codice fiscale RSSMRA85T10A562T",
    ],
)
def test_no_id_when_the_check_fails(text):
    assert _ids(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "order 65929970489 shipped", "ref 111222333", "invoice 44051401359", "call 811228-9874",
        "code 01010750160", "batch 010190-1234", "item 131052-308T", "lot 2 69 05 49 588 157 80",
        "ticket 93.05.18-223.61", "parcel 123 456 782", "serial 2123 45670 1", "tracking 900101-1234568",
        "case 912-70-1234", "ref S1234567D", "sku RSSMRA85T10A562S",
        "65929970489 is my Steuer-ID",  # the number comes before the cue
        "the CPR course on 1 March, room 010190-1234",  # not the first number after the cue
        "Securities 2 69 05 49 588 157 80",  # "secu" inside a word is no cue
    ],
)
def test_no_id_without_the_cue(text):
    assert more_national_id_spans(text) == [] and national_id_spans(text) == []


def test_hetu_of_the_2000s_and_the_cue_pre_filter():
    assert _ids("henkilötunnus 010105A123P") == ["010105A123P"]  # century letter A (2000s)
    table = MORE_SCHEMES
    assert table.holds_a_cue_piece("Mein STEUER-ID ist …") and table.holds_a_cue_piece("주민등록번호")
    assert not table.holds_a_cue_piece("Your order 65929970489 ships on Monday.")


def test_scheme_names_are_no_organisations():
    # Was: "National Insurance" replaced by a company surrogate (en_org_pattern: "… Insurance").
    text = "National Insurance: JG103759A"
    spans = _ANALYZER.analyze(text)
    assert [(text[s.start : s.end], s.type) for s in spans] == [("JG103759A", "ID_CARD")]
    text = "She works for National Insurance Company Limited in Kolkata."
    assert any(s.type == "ORGANIZATION" and text[s.start : s.end].startswith("National Insurance Company")
               for s in _ANALYZER.analyze(text))


def test_a_model_span_cut_short_of_a_scheme_name_is_dropped():
    # Was: "numéro de sécurité" tagged PERSON by the English model before the number.
    text = "numéro de sécurité sociale : 2 69 05 49 588 157 80"
    assert [(text[s.start : s.end], s.type) for s in _ANALYZER.analyze(text)] == [
        ("2 69 05 49 588 157 80", "ID_CARD")]
    from privtune.scan.ner.field_labels import in_id_scheme_name

    text = "Call National on Monday."  # a part of a name only counts inside the whole name
    assert not in_id_scheme_name(text, 5, 13)
    text = "my National Insurance number"
    assert in_id_scheme_name(text, 3, 11) and in_id_scheme_name(text, 3, 21)
