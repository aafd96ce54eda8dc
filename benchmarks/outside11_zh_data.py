"""The Chinese outside11 set: PERSON / ADDRESS / PHONE / ORGANIZATION in news-like sentences without
cue words, Weibo-style posts with 小 / 阿 / 老 nicknames, notices, forms and chat (see
benchmarks/outside11_common.py for why and how).

    python benchmarks/outside11_zh_data.py --n 5      # print a few records as JSON lines

Names are drawn from hand-written surname and given-name lists (rarer and two-character surnames,
three- and two-character names, minority and transliterated names with ·), not from Faker.
Nicknames (小王, 阿强, 老张) are PERSON; words that begin the same way (小时, 老师, 阿姨, 小区, 老家)
appear unlabelled. Addresses run from province to room; a city alone is an ADDRESS too.
``benchmarks/ner_eval.py`` scores it as ``outside11_zh`` (halves ``.dev`` / ``.test``).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from benchmarks.outside11_common import Slot, fill, generate_records, print_records, shape  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂丛焦向柳邢路岳齐梅莫庄辛管祝左涂谷祁时舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵解强柴华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来苟全褚廉简娄盖符奚穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花仇艾蓝都巩井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应巫鞠桑荆谌银扬明沙伏岑习胥和蔺"
COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙")
GIVEN = "建国志强秀英桂兰海燕文军晓东雨桐子涵梓轩一诺浩然思远嘉怡欣怡宏伟俊杰明辉丽华春梅国庆永红天佑若曦书瑶沐阳景行知秋以宁语嫣昊天辰逸承泽卫东凤霞德胜玉珍文斌家豪宇航诗琪亦凡晨曦"
# Minority and transliterated names (a dot joins the parts, as Chinese text writes them).
OTHER_NAMES = ("阿依古丽", "扎西顿珠", "买买提·艾力", "古丽娜扎", "次仁卓玛", "约翰·史密斯", "玛丽亚·加西亚",
               "穆罕默德·阿里", "伊万·彼得罗夫", "索菲亚·罗西")  # fmt: skip
ONE_GIVEN = "军磊洋勇杰涛斌超波辉刚健敏艳娟芳霞燕婷琳颖倩峰鹏飞翔宇琪瑶萌"  # names with one given character
NICK_GIVEN = "强明华军伟芳丽红兵亮斌杰涛静燕敏"
ORGS = ("华为技术有限公司", "北京大学", "中国银行", "顺丰速运", "浙江大学附属第一医院", "招商银行", "小米科技",
        "新华社", "国家统计局", "宁德时代", "美团", "中国科学院")  # fmt: skip
CITIES = ("杭州", "成都", "西安", "哈尔滨", "厦门", "昆明", "兰州", "南宁", "洛阳", "台北", "香港", "澳门")


def _name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.06:
        return rng.choice(OTHER_NAMES)
    sur = rng.choice(COMPOUND) if r < 0.12 else rng.choice(SURNAMES)
    if rng.random() < 0.35:  # one given character
        return sur + rng.choice(ONE_GIVEN)
    i = rng.randrange(0, len(GIVEN) - 1, 2)
    return sur + (GIVEN[i : i + 2] if rng.random() < 0.6 else rng.choice(GIVEN) + rng.choice(GIVEN))


def _nick(rng: random.Random) -> str:
    return rng.choice(("小" + rng.choice(SURNAMES[:60]), "老" + rng.choice(SURNAMES[:60]), "阿" + rng.choice(NICK_GIVEN)))


def _address(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.12:  # Taiwan
        return (f"台北市{rng.choice(('大安區', '信義區', '中山區'))}{rng.choice(('忠孝東路四段', '和平東路二段', '民生東路三段'))}"
                f"{rng.randint(1, 300)}巷{rng.randint(1, 20)}弄{rng.randint(1, 50)}號{rng.randint(2, 15)}樓")
    if r < 0.2:  # Hong Kong
        return (f"香港九龍{rng.choice(('旺角彌敦道', '尖沙咀廣東道', '觀塘道'))}{rng.randint(1, 700)}號"
                f"{rng.choice(('雅蘭中心', '海港城', '創紀之城'))}{rng.randint(2, 30)}樓{rng.randint(1, 30):02d}室")
    if r < 0.3:  # village
        return (f"{rng.choice(('河南省周口市郸城县', '四川省南充市仪陇县', '山东省临沂市沂南县'))}"
                f"{rng.choice(('宁平镇', '金城镇', '青驼镇'))}{rng.choice(('王庄村', '李家湾村', '石桥村'))}{rng.randint(1, 9)}组")
    prov_city = rng.choice(("北京市朝阳区", "上海市浦东新区", "广东省深圳市南山区", "浙江省杭州市西湖区", "湖北省武汉市洪山区",
                            "江苏省南京市鼓楼区", "重庆市渝中区", "天津市和平区", "辽宁省大连市甘井子区"))  # fmt: skip
    road = rng.choice(("建国路", "张江路", "科技南十二路", "文三路", "珞喻路", "中山北路", "解放碑步行街", "南京路", "黄浦路"))
    unit = rng.choice(("", f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室",
                       f"{rng.choice(('阳光花园', '碧桂园', '万科城'))}{rng.randint(1, 20)}号楼{rng.randint(101, 2806)}室",
                       f"{rng.choice('ABCD')}座{rng.randint(2, 40)}层", f"{rng.randint(1, 9)}号院{rng.randint(1, 12)}号楼"
                       f"{rng.randint(1, 6)}门{rng.randint(101, 1502)}"))  # fmt: skip
    return f"{prov_city}{road}{rng.randint(1, 999)}号{unit}"


PHONE_SHAPES = ("13#########", "138-####-####", "139 #### ####", "+86 186 #### ####", "(+86)15#-####-####",
                "010-########", "021-6### ####", "(0755)2#######", "0571-8#######转8##", "+852 9### ####",
                "9### ####", "0912-###-###", "(02)2###-####", "+886 9## ### ###", "+853 66## ####", "400-###-####")
PHONE_CUES = ("电话：", "手机", "联系方式：", "打这个号", "微信同号", "座机", "来电请拨", "拨打", "致电", "热线", "Tel：", "手机号码")
TEMPLATES: tuple[str, ...] = (
    # news-like, no cue word before or after the name
    "{full}今年四十二岁，在{city}经营一家小超市，每天早上五点就开门。",
    "{full}、{full2}和{full3}分别获得一、二、三等奖。",
    "日前，{org}宣布任命{full}为首席执行官，{full2}不再担任相关职务。",
    "据了解，{full}于上周从{city}返回，目前身体状况良好。",
    "在昨天的发布会上，{full}回答了记者提问。",
    "{full}毕业于{org}，随后进入{org2}工作至今。",
    "这场比赛中，{full}发挥出色，帮助球队逆转取胜。",
    "{full}与{full2}共同完成了这项研究，相关成果发表在国际期刊上。",
    "调查显示，{full}名下的房产位于{addr}。",
    # Weibo-style posts with nicknames and negatives
    "{nick}说今晚不来了，我们先吃吧[哈哈]",
    "{nick}明天来{city}，有没有人一起接机？",
    "跟{nick}打了两个小时游戏，老师布置的作业还没写[泪]",
    "{nick}家的狗又跑了，老家的阿姨帮忙找了一上午",
    "今天小区停水，{nick}说{full}那边也停了",
    "@{full} 生日快乐呀！{nick}也祝你天天开心～",
    "老板今天请客，{nick}和{nick2}都喝多了哈哈哈",
    "小时候最喜欢看小说，现在只想睡觉#周末日常#",
    "老师说下周考试，阿姨做的饭真好吃[馋嘴]",
    # addresses down to the room, forms, notices
    "收件人：{full}\n地址：{addr}\n{phone_cue}{phone}",
    "请将材料寄至{addr}，{full}收，{phone_cue}{phone}。",
    "快递放{addr}门口就行，到了{phone_cue}{phone}",
    "姓名：{full}　性别：女\n住址：{addr}\n联系电话：{phone}\n工作单位：{org}",
    "通知：{addr}将于本周六停电，如有疑问{phone_cue}{phone}。",
    "我叫{full}，住{addr}，{phone_cue}{phone}，麻烦尽快上门维修",
    "{full}（{org}）：请各位同事下午三点到{addr}开会。",
    "有事找{full}，{phone_cue}{phone}",
    "{full}老家在{city}，现在住{addr}。",
)


def _record(rng: random.Random) -> dict:
    org, org2 = rng.sample(ORGS, 2)
    slots: dict[str, Slot] = {
        "full": ("PERSON", _name(rng)), "full2": ("PERSON", _name(rng)), "full3": ("PERSON", _name(rng)),
        "nick": ("PERSON", _nick(rng)), "nick2": ("PERSON", _nick(rng)),
        "org": ("ORGANIZATION", org), "org2": ("ORGANIZATION", org2),
        "city": ("ADDRESS", rng.choice(CITIES)), "addr": ("ADDRESS", _address(rng)),
        "phone": ("PHONE", shape(rng, rng.choice(PHONE_SHAPES))), "phone_cue": rng.choice(PHONE_CUES),
    }  # fmt: skip
    text, spans = fill(rng.choice(TEMPLATES), slots)
    return {"text": text, "spans": spans}


def generate(n: int, seed: int) -> list[dict]:
    """``n`` records, deterministic for a given seed."""
    return generate_records(_record, n, seed)


def main(argv: list[str] | None = None) -> None:
    print_records(generate, __doc__, argv)


if __name__ == "__main__":
    main()
