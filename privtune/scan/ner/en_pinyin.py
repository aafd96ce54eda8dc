"""Lower-case pinyin names after a name cue: "my name is zhang wei", "this is wang xiaoming
from sales", "name: chen jie".

Chinese customers writing English often write their own names in lower case; the capitalised
rules (:mod:`privtune.scan.ner.en_cues`, :mod:`privtune.scan.ner.english`) and the English CRF
do not see them. A pinyin name has a narrow shape: a surname from a closed list and a given
name of one or two syllables of Hanyu Pinyin's ~410 (written joined or apart). Both parts must
hold, right after a cue, in text written in lower case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from privtune.scan.ner.english import PINYIN_SURNAMES

# The syllables of Standard Chinese in Hanyu Pinyin without tones (ü written v or ü).
_SYLLABLES = frozenset("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng
cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu
cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e
ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan
guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian
jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan
kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu lv luan
lve lun luo lü lüe ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang
nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nv nuan nve nuo nü nüe o ou pa pai pan pang
pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que
qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan
shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun
suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng
wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you
yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou
zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
""".split())
# Surnames that are everyday English words in lower case ("this is sun tan lotion").
_ENGLISH_SURNAMES = frozenset("sun tan ho mo ye lai wan lee man fan long bin".split())
SURNAMES = frozenset(s.lower() for s in PINYIN_SURNAMES if s.isalpha()) - _ENGLISH_SURNAMES
# Right after a cue: a surname, then one to two words that spell one or two syllables.
_CANDIDATE = re.compile(r"([a-z]{1,6})[ \t]+([a-zü]{1,12})(?:[ \t]+([a-zü]{1,6}))?(?![A-Za-z0-9'’-])")
SCORE = 0.7


@lru_cache(maxsize=4096)
def syllable_count(word: str) -> int:
    """How many pinyin syllables ``word`` splits into (the fewest), 0 if it is no pinyin."""
    if word in _SYLLABLES:
        return 1
    best = 0
    for i in range(1, min(6, len(word) - 1) + 1):
        head, tail = word[:i], word[i:]
        if head in _SYLLABLES and (n := syllable_count(tail)):
            best = n + 1 if not best else min(best, n + 1)
    return best


def pinyin_name_at(text: str, lowered: str, pos: int) -> tuple[int, int] | None:
    """``(start, end)`` of a lower-case pinyin name opening at ``pos`` (right after a cue), or None."""
    m = _CANDIDATE.match(lowered, pos)
    if m is None or m.group(1) not in SURNAMES or text[m.start():m.end()] != m.group():
        return None  # not a surname, or not written in lower case
    given, more = m.group(2), m.group(3)
    n = syllable_count(given)
    if not n or n > 2:
        return None
    end = m.end(2)
    if more is not None and n == 1 and syllable_count(more) == 1:
        end = m.end(3)  # "wang xiao ming": the given name written apart
    return m.start(), end
