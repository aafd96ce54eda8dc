"""Chinese records of many domains run through the scan (round 7, branch shapes-zh): waybill
lines, identity papers and fund numbers, role fields of prescriptions, claims and court papers.
Each case left a value in the text before this round."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _found(analyzer: Analyzer, text: str, type_: str) -> list[str]:
    return [text[s.start : s.end] for s in analyzer.analyze(text) if s.type == type_]


@pytest.mark.parametrize(("text", "phone"), [
    ("快递面单：张伟 15800001111 广东省深圳市南山区科技园路1号", "15800001111"),
    ("物流：李娜 13912345678 江苏省南京市", "13912345678"),
    ("运单：王强，18612345678，北京市朝阳区", "18612345678"),
])  # fmt: skip
def test_mobile_on_waybill_line(analyzer: Analyzer, text: str, phone: str) -> None:
    """快递/物流/运单 name the parcel, not the number: the mobile on its line is a phone."""
    assert phone in _found(analyzer, text, "PHONE")


def test_waybill_number_still_no_phone(analyzer: Analyzer) -> None:
    assert _found(analyzer, "快递单号13812345678", "PHONE") == []


@pytest.mark.parametrize(("text", "value"), [
    ("护照号码：E12345678，台胞证：12345678", "12345678"),
    ("臺胞證：87654321，回鄉證：H1234567", "87654321"),
    ("军官证号：军字第1234567号", "1234567"),
    ("公积金账号：123456789012", "123456789012"),
    ("准考证号：123456789012345", "123456789012345"),
    ("考生号：23110101150123", "23110101150123"),
    ("出险人周杰，报案号：BA20231215001", "BA20231215001"),
    ("不动产权证号：京(2021)朝阳区不动产权第0012345号", "0012345"),
])  # fmt: skip
def test_paper_and_fund_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")


@pytest.mark.parametrize(("text", "name"), [
    ("处方医师：郑国强 药剂师：何丽 患者姓名：马云飞", "何丽"),
    ("审核人：仝卫，发药人：琚丽", "琚丽"),
    ("被保险人：迪丽热巴，身份证号：110101199003071234", "迪丽热巴"),
    ("出租人：钮祜禄·和珅，承租人：阿依古丽", "阿依古丽"),
    ("被告人：敖某某，男，汉族", "敖某某"),
    ("法定代表人：昝宁，职务：董事长", "昝宁"),
])  # fmt: skip
def test_name_after_role_field(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in _found(analyzer, text, "PERSON")


@pytest.mark.parametrize("text", ["委托代理人：王律师，北京市某律师事务所律师", "被告：北京某某科技有限公司，住所地",
                                  "申请人：本人"])
def test_role_field_without_a_name(analyzer: Analyzer, text: str) -> None:
    found = _found(analyzer, text, "PERSON")
    assert "王律师" not in found and "本人" not in found and "北京某某科技有限公司" not in found


@pytest.mark.parametrize(("text", "value"), [
    ("澳門居民身份證：1234567(8)", "1234567(8)"),
    ("澳门身份证号码 5/215299/8，有效期至2030年", "5/215299/8"),
])  # fmt: skip
def test_macau_identity_card(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "ID_CARD")


@pytest.mark.parametrize(("text", "value"), [
    ("驾驶证档案编号：110100123456", "110100123456"),
    ("车架号码：LSVAU2180N2123456，发动机号：123456A", "123456A"),
    ("检验单号：20231215001 送检医生：张志强", "20231215001"),
    ("處方號：RX20231215-0087", "RX20231215-0087"),
])  # fmt: skip
def test_vehicle_and_clinical_order_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")


@pytest.mark.parametrize(("text", "value"), [
    ("開戶銀行：中國建設銀行臺北分行，帳號：0123-4567-8901-23，戶名：林志玲", "0123-4567-8901-23"),
    ("匯款帳號：012-345678-901，收款人：陳美玲", "012-345678-901"),
    ("对公账户：1100 1234 5678 0501 2345，开户行：工商银行", "1100 1234 5678 0501 2345"),
])  # fmt: skip
def test_bank_account_without_card_shape(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")


def test_card_after_traditional_account_word(analyzer: Analyzer) -> None:
    assert _found(analyzer, "帳號：6222021234567890123", "BANK_CARD") == ["6222021234567890123"]


@pytest.mark.parametrize("text", ["账户余额：12345678元", "账号：zhang1990，密码已重置", "QQ账号：12345678"])
def test_account_words_without_bank_account(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text, "RECORD_ID") == []


@pytest.mark.parametrize(("text", "value"), [
    ("买家昵称：小猫咪咪2020，淘宝ID：tb_88123456", "tb_88123456"),
    ("旺旺号：jack_wang88，已付款", "jack_wang88"),
    ("閒魚號：xy_998877", "xy_998877"),
])  # fmt: skip
def test_shop_account(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "USERNAME")


@pytest.mark.parametrize("text", ["在淘宝app上买的", "在抖音app上看的", "微博vip到期了"])
def test_platform_edition_is_no_account(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text, "USERNAME") == []


@pytest.mark.parametrize(("text", "value"), [
    ("房号：3栋2单元1801室，租金3500元/月", "3栋2单元1801室"),
    ("房間號 1203，押金兩個月", "1203"),
    ("宿舍号：A座 512", "A座 512"),
    ("房号 3-2-1801", "3-2-1801"),
])  # fmt: skip
def test_flat_after_its_label(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "ADDRESS")


@pytest.mark.parametrize("text", ["订房号码：12345678", "房价：2000元", "房号待定"])
def test_room_words_without_a_flat(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text, "ADDRESS") == []


@pytest.mark.parametrize(("text", "value"), [
    ("学籍号：G110101200501011234，考号：2023110101", "G110101200501011234"),
    ("学籍号：G110101200501011234，考号：2023110101", "2023110101"),
    ("學生證：B10923015", "B10923015"),
])  # fmt: skip
def test_school_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")


@pytest.mark.parametrize(("text", "name"), [
    ("过敏史：青霉素；主治医师签名：上官婉儿", "上官婉儿"),
    ("委托诉讼代理人：钱多多，北京市某某律师事务所律师", "钱多多"),
])  # fmt: skip
def test_name_after_signature_or_counsel_field(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in _found(analyzer, text, "PERSON")


def test_profile_motto_is_no_name(analyzer: Analyzer) -> None:
    assert _found(analyzer, "个性签名：今天天气好", "PERSON") == []


@pytest.mark.parametrize(("text", "value"), [
    ("身分證統一編號：A123456789，健保卡號：000012345678", "000012345678"),
    ("居留證號碼：AC01234567", "AC01234567"),
    ("駕照號碼：A123456789", "A123456789"),
    ("学生编号：s1091234", "s1091234"),
    ("深圳市社保电脑号：612345678", "612345678"),
    ("医疗保险个人编号：12345678901", "12345678901"),
])  # fmt: skip
def test_more_paper_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")


@pytest.mark.parametrize(("text", "value"), [
    ("駕照號碼：A123456789，車牌：ABC-1234", "ABC-1234"),
    ("車牌號碼 1234-AB，停在地下室", "1234-AB"),
    ("車牌：MK 8866，泊喺銅鑼灣", "MK 8866"),
    ("澳門車牌：MA-12-34", "MA-12-34"),
])  # fmt: skip
def test_taiwan_hong_kong_macau_plate(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "LICENSE_PLATE")


def test_mainland_plate_unchanged(analyzer: Analyzer) -> None:
    assert _found(analyzer, "车牌号：京A·12345", "LICENSE_PLATE") == ["京A·12345"]


@pytest.mark.parametrize(("text", "value"), [
    ("我的QQ是一二三四五六七八九，晚上聊", "一二三四五六七八九"),
    ("扣扣号：八八六六五五四四", "八八六六五五四四"),
])  # fmt: skip
def test_qq_number_in_numerals(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "USERNAME")


def test_numerals_without_qq_cue(analyzer: Analyzer) -> None:
    assert _found(analyzer, "第一二三四五六七八九章", "USERNAME") == []


@pytest.mark.parametrize(("text", "value"), [
    ("收货信息：赵六，13312345678，福建省厦门市思明区湖滨南路 100 号 3 楼", "福建省厦门市思明区湖滨南路 100 号 3 楼"),
    ("地址：北京市朝阳区建国路 88 号", "北京市朝阳区建国路 88 号"),
])  # fmt: skip
def test_house_number_padded_with_spaces(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "ADDRESS")


@pytest.mark.parametrize("text", ["第3段 12 号选手", "他在村 3 号地里"])
def test_spaced_number_after_no_street(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text, "ADDRESS") == []


def test_work_permit_number(analyzer: Analyzer) -> None:
    assert _found(analyzer, "工作证号：GZ20190701", "RECORD_ID") == ["GZ20190701"]


@pytest.mark.parametrize(("text", "name"), [
    ("处方笺 医师：曾小贤 调配：关谷 核对：陆展博", "关谷"),
    ("处方笺 医师：曾小贤 调配：关谷 核对：陆展博", "陆展博"),
    ("医保结算单：参保人：夏侯惇，个人编号：510100123456", "夏侯惇"),
    ("体检报告：受检人 司徒雷登 体检编号 TJ2023121500123", "司徒雷登"),
])  # fmt: skip
def test_name_in_dispensing_and_claim_fields(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in _found(analyzer, text, "PERSON")


@pytest.mark.parametrize("text", ["核对：无误，发药：已发", "复核：通过"])
def test_dispensing_fields_without_a_name(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text, "PERSON") == []


@pytest.mark.parametrize(("text", "value"), [
    ("体检报告：受检人 司徒雷登 体检编号 TJ2023121500123", "TJ2023121500123"),
    ("科别：内分泌科 样本号：20231215-0456", "20231215-0456"),
])  # fmt: skip
def test_health_check_and_sample_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")


@pytest.mark.parametrize(("text", "value"), [
    ("九龍觀塘開源道 49 號創貿廣場 12 樓 1205 室", "九龍觀塘開源道 49 號創貿廣場 12 樓 1205 室"),
    ("香港九龍深水埗南昌街 138 號地下", "香港九龍深水埗南昌街 138 號地下"),
])  # fmt: skip
def test_hong_kong_address_with_spaces(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "ADDRESS")


@pytest.mark.parametrize("text", ["我知道 3 号你来", "请锁定频道 5 号"])
def test_spaced_number_after_dao_word(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text, "ADDRESS") == []


@pytest.mark.parametrize(("text", "value"), [
    ("台北市內湖區瑞光路 513 巷 22 弄 3 號 5 樓", "台北市內湖區瑞光路 513 巷 22 弄 3 號 5 樓"),
    ("新北市三重區重新路五段 609 巷 12 號 8 樓之 3", "新北市三重區重新路五段 609 巷 12 號 8 樓之 3"),
    ("新北市板橋區文化路一段188巷5弄3號2樓之1", "新北市板橋區文化路一段188巷5弄3號2樓之1"),
])  # fmt: skip
def test_taiwan_lane_address_with_spaces(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "ADDRESS")


def test_phone_before_spaced_address_stays_apart(analyzer: Analyzer) -> None:
    text = "電話 0912345678 台北市信義區松仁路 100 號"
    assert _found(analyzer, text, "ADDRESS") == ["台北市信義區松仁路 100 號"]


@pytest.mark.parametrize(("text", "value"), [
    ("户籍：江苏省徐州市沛县大屯镇安庄村四组", "江苏省徐州市沛县大屯镇安庄村四组"),
    ("湖南省邵阳市隆回县桃洪镇新塘村五组", "湖南省邵阳市隆回县桃洪镇新塘村五组"),
])  # fmt: skip
def test_village_group_joins_the_village(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "ADDRESS")


@pytest.mark.parametrize(("text", "value"), [
    ("履歷表 姓名：鄭宇翔 出生日期：民國80年5月12日 身分證字號：F131104093", "民國80年5月12日"),
    ("生日 民国75年12月", "民国75年12月"),
])  # fmt: skip
def test_birth_date_in_roc_years(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "DATE_OF_BIRTH")


def test_roc_date_without_birth_word(analyzer: Analyzer) -> None:
    assert _found(analyzer, "民國80年5月12日成立", "DATE_OF_BIRTH") == []


@pytest.mark.parametrize(("text", "value"), [
    ("保險單號碼：A123456789012，要保人：吳淑珍", "A123456789012"),
    ("住院病人：韩寒，床位：心内科12床，入院号：2023120112", "2023120112"),
])  # fmt: skip
def test_policy_and_admission_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")


@pytest.mark.parametrize(("text", "value"), [
    ("家庭住址：重庆市渝北区龙溪街道金紫山小区 A 区 5 栋 8-2", "A 区 5 栋 8-2"),
    ("B（张大妈）：朝阳区安贞里小区 7 号楼 2 单元 501", "7 号楼 2 单元 501"),
])  # fmt: skip
def test_building_parts_after_an_estate(analyzer: Analyzer, text: str, value: str) -> None:
    spans = [s for s in analyzer.analyze(text) if s.type == "ADDRESS"]
    start = text.index(value)
    assert any(s.start <= start and start + len(value) <= s.end for s in spans)


def test_phase_alone_is_no_building(analyzer: Analyzer) -> None:
    assert all("3期" not in v for v in _found(analyzer, "北京市 3期工程", "ADDRESS"))


@pytest.mark.parametrize(("text", "name"), [
    ("微信昵称：小王同学，真名：郗小明", "郗小明"),
    ("曾用名：衣红梅，现用名：衣晓梅", "衣红梅"),
])  # fmt: skip
def test_name_after_other_name_field(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in _found(analyzer, text, "PERSON")


@pytest.mark.parametrize(("text", "value"), [
    ("回乡证号码：H1234567801", "H1234567801"),
    ("外国人永久居留身份证：USA310067030102", "USA310067030102"),
    ("车辆识别代号：LFV2A21K5A3123456，发动机号码：CFB123456", "LFV2A21K5A3123456"),
])  # fmt: skip
def test_permit_and_vin_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert value in _found(analyzer, text, "RECORD_ID")
