"""Rule-based English PERSON / ADDRESS / ORGANIZATION finders (regex candidates + lexicon).

Scores are rule confidences on the analyzer's 0..1 scale, chosen so that 0.5 separates "looks
like the entity on its own" from "needs context": a known first + last name, a title, a street
number + name + suffix, or a legal-form suffix clear it; a lone first name needs a cue such as
"my name is" or "Dear". They are tuned on the hand-labelled sentences in tests/scan/test_ner.py,
not fitted to a corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from privtune.scan.alternation import factor_alternation
from privtune.scan.ner.lexicon import ROLES_BEFORE_NAMES, en_lexicon
from privtune.scan.registry import words_pattern

_B = r"(?<![A-Za-z0-9])"  # ASCII-only boundaries: \b does not fire between 张 and "John"
_E = r"(?![A-Za-z0-9\u00c0-\u024f])"

# ---- PERSON ------------------------------------------------------------------------------

# English forms of address, and the German, French, Spanish, Italian and Dutch ones customers
# write in English text too ("Mme Lefèvre called", "spoke with Sra. Gómez").
TITLE_WORDS = ("Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mister|Herr|Frau|Mme|Mlle|Monsieur|Madame"
               "|Sra|Srta|Señor|Señora|Signor|Signora|Sig|Dhr|Mevr")
# Grouped by first character (`factor_alternation`): PERSON_RE tries the titles at every capital
# and before every word (~8 -> ~3-5 µs per demo record).
_TITLE = f"(?:{factor_alternation(TITLE_WORDS)})"
# A title never starts the name part, so "Dear Mr. Zhang" is matched from "Mr." on.
# Latin letters with diacritics too ("Vámos", "Łukasz", "Øberg"): names of many nationalities.
# Every capital of Latin-1 and Latin Extended-A/B (Č, Ş, Ď, Ő, Ț ...): Faker's Czech, Turkish,
# Slovak, Romanian names start with them as often as with ASCII capitals.
LATIN_UPPER = "A-Z" + "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).isupper())
_UP = LATIN_UPPER
_LO = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f"
_WORD = rf"(?!{_TITLE}\.?\s)(?:(?:O'|Mc|Mac)?[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?|[A-Z]\.|[A-Z]{{2,}})"
PERSON_RE = re.compile(rf"{_B}(?:(?P<title>{_TITLE})\.?\s+)?(?P<name>(?:{_WORD})(?:[ \t]+(?:{_WORD})){{0,3}}){_E}")
assert PERSON_RE.groupindex == {"title": 1, "name": 2} and PERSON_RE.groups == 2  # find_persons reads them by number

# Capitalised words that are never part of a name here (sentence starters, greetings, calendar
# words; months are the date recognizer's business).
_NOT_NAME = frozenset(
    "I A An The This That These Those My Your Our Their His Her Its We You They He She It Is Are "
    "Hello Hi Hey Dear Thanks Thank Please Yes No Not Ok OK Okay Sorry Sure Good Great Welcome "
    "And Or But So If When Where What Why How Who Which While Then Also Just Still Can Could "
    "Would Should Will Shall May Might Must Do Does Did Have Has Had Let Get Got Need "
    "Customer Client Patient Doctor Agent Support Recipient Sender Holder Dept Service Team "
    "Manager Account Order Card Bank Phone Email Address Name Street Road Avenue City State Apt Suite Unit Room Floor "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "June July August September October November December Today Tomorrow Yesterday "
    "Inc Ltd LLC Corp Co Company Group University Hospital Clinic College Institute "
    "New San Los Las Santa Fort Port Lake Mount Saint North South East Central Upper Lower".split()
)
NOT_NAME = _NOT_NAME  # for the cue rules of en_cues.py

# First names that are also ordinary words; alone they need a context cue even when capitalised.
_AMBIGUOUS = frozenset(
    "Amber Angel Autumn Bill Bob Chase Crystal Dawn Dean Destiny Drew Faith Frank Grace Guy Hope "
    "Holly Hunter Jack Jade Joy Lance Mark Misty Penny Ray Rose Sandy Summer Will Long Young King "
    "Hill Brown White Green Black Wood Stone Price West Lane Little Day Park Page Love Rich Small "
    "Short Strong House Case Best Church Bright Sharp Wise Bell Hall".split()
)
# Romanised Chinese surnames (Hanyu Pinyin and Cantonese spellings): customers write them too.
_PINYIN_SURNAMES = frozenset(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Zhu Guo Gao Lin Luo Zheng Liang Xie "
    "Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Cai Jiang Du Ye Cheng Wei Su Lu "
    "Ding Ren Shen Yao Jin Jia Fu Shi Tan Liao Zou Xiong Qiu Qin Yin Xue Yan Duan Lei Hou Shao "
    "Meng Kong Cui Kang Mao Qian Hao Wan Gu Lai Wen Mo Tao Xia Zhong Ouyang Situ Zhuge "
    "Wong Chan Cheung Lau Ng Ho Leung Lam Tsang Chow Kwok Yeung Tse Lee Chang Hsu Tsai".split()
)
PINYIN_SURNAMES = _PINYIN_SURNAMES  # for the lower-case pinyin rule of en_pinyin.py
_PERSON_CUES = (
    "my name is", "name is", "name:", "i am ", "i'm ", "this is", "dear", "hi ", "hello ",
    "customer", "patient", "account holder", "recipient", "contact", "signed", "regards",
    "sincerely", "spoke to", "spoke with", "姓名", "名字", "我叫", "我是", "客户", "联系人",
)
# Looked up once here, not per call of `find_persons` (most texts it runs on hold no name).
_PERSON_CUE_SEARCH = words_pattern(_PERSON_CUES).search


_TOKEN = re.compile(r"\S+")
Token = tuple[int, int, str]  # (start, end, word) inside the match's name group


def _is_column_gap(text: str, start: int, end: int) -> bool:
    gap = text[start:end]
    return "\t" in gap or "  " in gap


def _name_runs(name: str) -> list[list[Token]]:
    """The words of ``name`` split into runs of name-like words (stop words break a run, and so
    does a column gap, a tab or 2+ spaces: "Margaret O'Donnell   MRN: …" is a name and a label)."""
    runs: list[list[Token]] = [[]]
    if "\t" not in name and "  " not in name:
        # Single spaces only (nearly every name): the words are ``split(" ")``'s and no gap
        # is a column's; same runs as the loop below, without a match object per word.
        pos = 0
        for w in name.split(" "):
            end = pos + len(w)
            if w not in _NOT_NAME and w.title() not in _NOT_NAME:
                runs[-1].append((pos, end, w))
            elif runs[-1]:
                runs.append([])
            pos = end + 1
        return [r for r in runs if r]
    for t in _TOKEN.finditer(name):
        w = t.group()
        if runs[-1] and (t.start() - runs[-1][-1][1] > 1 or name[runs[-1][-1][1]] == "\t") \
                and _is_column_gap(name, runs[-1][-1][1], t.start()):
            runs.append([])
        if w not in _NOT_NAME and w.title() not in _NOT_NAME:  # title(): "THE" is "The"
            runs[-1].append((t.start(), t.end(), w))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _matches_at(pattern: re.Pattern[str], starts: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that can only begin where ``starts`` matches.

    PERSON_RE and the address pattern open with a look-behind, so the regex engine cannot skip
    ahead by itself and tries the whole pattern at every position; a scan for the character
    class they begin with can (one C loop), and ``match`` is then tried at those few places.
    """
    done = 0
    match = pattern.match
    for hit in starts.finditer(text):
        pos = hit.start()
        if pos >= done and (m := match(text, pos)) is not None:
            done = m.end()
            yield m


# Where a PERSON_RE match can begin: an ASCII capital after a non-alphanumeric character.
_NAME_START = re.compile("[" + _UP + "](?<![A-Za-z0-9\u00c0-\u024f].)")


def _person_matches(text: str) -> Iterator[re.Match[str]]:
    """``PERSON_RE.finditer(text)``, tried only at capitals that start a word."""
    return _matches_at(PERSON_RE, _NAME_START, text)


# `_person_matches` as one pattern: the look-ahead for a capital lets sre skip to the capitals
# (its first-character scan) and the look-behind is `_NAME_START`'s, so ``finditer`` tries
# PERSON_RE at the same places, after the same match ends (~0.8 µs per English demo record
# less than a ``match`` call per start). No groups of its own: 1 and 2 are PERSON_RE's.
_PERSON_SCAN = re.compile(f"(?=[{_UP}])(?<![A-Za-z0-9\u00c0-\u024f])(?:{PERSON_RE.pattern})")
assert _PERSON_SCAN.groupindex == PERSON_RE.groupindex


def find_persons(text: str) -> list[tuple[int, int, float, str]]:
    """``(start, end, score, detector)`` for English/romanised personal names in ``text``."""
    lex = en_lexicon()
    first_names, last_names = lex.first_names, lex.last_names
    single_ok = _single_word_names()
    cues = _PERSON_CUE_SEARCH
    out: list[tuple[int, int, float, str]] = []
    # `_person_matches`, as one scan (`_PERSON_SCAN`), and groups by number: 1 is "title", 2
    # is "name" (asserted below PERSON_RE).
    for m in _PERSON_SCAN.finditer(text):
        title, name = m.group(1, 2)
        if title is None:
            if name in _NOT_NAME:
                continue  # fast path: a lone capitalised common word ("Hello", "Please")
            if " " not in name and "\t" not in name:
                # Fast path: one untitled word is only reported if it is a known first or last
                # name ("ID", "PIN", "Done", state codes are not).
                word = name.title() if name.isupper() and len(name) > 1 else name
                if word not in single_ok:
                    continue
        base = m.start(2)
        for toks in _name_runs(name):
            while toks and toks[-1][2].endswith("."):
                toks.pop()  # a trailing initial is more often a sentence end ("... to J.")
            words = [w.title() if w.isupper() and len(w) > 1 else w for _, _, w in toks]
            # Leading capitalised words before a known first name are not part of it as far as
            # they are roles, titles or verbs ("Recipient Norma Fisher", "Customer Wang Wei",
            # "Contact Rajesh Kumar Nair"); from an unknown word on they are ("Rajesh": dropping
            # it left the first name in the text).
            for i in range(1, len(words)):
                if (words[i] in first_names or words[i] in _PINYIN_SURNAMES) and not any(
                    w in first_names or w in last_names or w in _PINYIN_SURNAMES for w in words[:i]
                ):
                    j = 0
                    while j < i and _before_name_word(words[j]):
                        j += 1
                    toks, words = toks[j:], words[j:]
                    break
            if not toks:
                continue
            first, last = words[0], words[-1]
            known_first = first in first_names
            known_last = last in last_names or last in _PINYIN_SURNAMES or (
                "-" in last and any(part in last_names for part in last.split("-")))  # Boateng-Asante
            pinyin = first in _PINYIN_SURNAMES or last in _PINYIN_SURNAMES
            titled = title is not None and toks[0][0] == 0
            if titled:
                score, det = 0.85, "en_person_title"
            elif len(words) >= 2 and known_first and known_last:
                score, det = 0.85, "en_person_dict"
            elif len(words) >= 2 and (known_first or known_last or pinyin):
                score, det = 0.6, "en_person_dict"
            elif len(words) == 1 and (known_first or known_last) and first not in _AMBIGUOUS:
                score, det = 0.35, "en_person_dict"
            elif len(words) >= 2:
                score, det = 0.2, "en_person_dict"
            else:
                continue
            if not (known_first or known_last) and any(w.isupper() and len(w) > 1 for _, _, w in toks):
                score -= 0.15  # all-caps runs are usually acronyms, not names
            start = m.start(1) if titled else base + toks[0][0]
            end = base + toks[-1][1]
            if (tail := _PARTICLE_TAIL.match(text, end)) is not None:
                end = tail.end()  # "Mr. Abdullah bin Rashid", "Ana Paula dos Santos": the particle's name too
            if words[-1] in ("Jr", "Sr") and text[end:end + 1] == ".":
                end += 1  # "Mr. Anthony Whitehead Jr.": the suffix keeps its dot, as the model's name does
            # `context_score(text, start, end, score, positive=_PERSON_CUES, boost=0.35)`, written
            # out (its windows: 24 characters before, 12 after): called for every name found.
            near = text[max(0, start - 24) : start].lower() + "\x00" + text[end : end + 12].lower()
            if cues(near) is not None:
                score += 0.35
            out.append((start, end, min(max(0.0, min(1.0, score)), 0.95), det))
    return out


# Lower-case particles inside a name, and the capitalised name after them: PERSON_RE stops at
# the particle, which left "bin Rashid" of "Mr. Abdullah bin Rashid" in the text.
_PARTICLE_TAIL = re.compile(
    r"(?:[ \t]+(?:bin|binti|bint|ibn|van|von|de|da|di|do|del|della|der|den|du|dos|das|le|la|ter|ten|al|el)){1,2}"
    rf"[ \t]+(?:{_WORD})(?:[ \t]+(?:{_WORD}))?{_E}"
)


@lru_cache(maxsize=1)
def _single_word_names() -> frozenset[str]:
    """Words that `find_persons` may report on their own: known first or last names (title-cased)
    that are not also ordinary words."""
    lex = en_lexicon()
    return frozenset((lex.first_names | lex.last_names | _PINYIN_SURNAMES) - _AMBIGUOUS)


# ---- ADDRESS -----------------------------------------------------------------------------

_SUFFIX_ABBR = (
    "St Ave Av Rd Blvd Ln Dr Ct Pl Sq Ter Pkwy Hwy Cir Trl Way Row Expy Fwy Plz Cres Ctr"
).split()


def _address_re() -> re.Pattern[str]:
    lex = en_lexicon()
    suffixes = sorted(set(lex.street_suffixes) | set(_SUFFIX_ABBR), key=len, reverse=True)
    suffix = "(?:" + "|".join(map(re.escape, suffixes)) + r")\.?"
    word = r"(?:[A-Z][a-z]+|\d{1,3}(?:st|nd|rd|th))"
    street = (
        rf"{_B}\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?[ \t]+(?:(?:[NSEW]|North|South|East|West)\.?[ \t]+)?"
        rf"{word}(?:[ \t]+{word}){{0,3}}[ \t]+{suffix}{_E}(?:[ \t]+(?:[NS][EW]?|[EW])\.?{_E})?"
    )
    unit = r"(?:,?[ \t]*(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|#)\.?[ \t]*#?[A-Za-z0-9-]{1,6})"
    city = r"(?:,[ \t]*[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2})"
    state_zip = r"(?:,?[ \t]*(?P<state>[A-Z]{2})[ \t]+\d{5}(?:-\d{4})?)"
    # "12 High St, Leeds LS1 4AP": a UK postcode after the town, where a US address has its ZIP.
    uk_postcode = r"(?:,?[ \t]*[A-Z]{1,2}[0-9][A-Z0-9]?[ \t]?[0-9][A-Z]{2}(?![A-Za-z0-9]))"
    # "12 Main St, Dublin 2, D02 X285": Ireland's Eircode (routing key, unique identifier), after
    # the town and its postal district, on the same line or the next.
    eircode = (r"(?:(?:[ \t]+[0-9]{1,2}W?)?,?[ \t]*\n?[ \t]*(?:[AC-FHKNPRTV-Y][0-9]{2}|D6W)[ \t]?"
               r"[0-9AC-FHKNPRTV-Y]{4}(?![A-Za-z0-9]))")
    po_box = rf"{_B}P\.?[ \t]?O\.?[ \t]+Box[ \t]+\d{{1,6}}"
    return re.compile(rf"(?:{street}|{po_box}){unit}?(?:{city}(?:{state_zip}|{uk_postcode}|{eircode})?)?{_E}")


_ADDRESS_RE: re.Pattern[str] | None = None
# Where an address can begin: a house number (any Unicode digit, as ``\d``) or the P of
# "PO Box", after a character that is no ASCII letter or digit.
_ADDRESS_START = re.compile(r"[\dP](?<![A-Za-z0-9].)")


# US military mail: a ship, unit or PSC box, then FPO / APO / DPO, an "AA" / "AE" / "AP" code and
# a ZIP ("USNS Berry, FPO AE 02189", "Unit 0417 Box 2264\nDPO AP 53781"). The ship is named after
# a person, and read as one by the name rules; the whole is an address.
_MILITARY_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:(?:USNS|USNV|USS|USCGC)[ \t]+[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?"
    r"|Unit[ \t]+\d{4}[ \t]+Box[ \t]+\d{4}|PSC[ \t]+\d{4},?[ \t]+Box[ \t]+\d{4})"
    r",?[ \t]*\n?[ \t]*[ADF]PO[ \t]+A[AEP][ \t]+\d{5}(?![0-9])"
)


_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _may_hold_street(text: str) -> bool:
    """False only if `_ADDRESS_RE` matches nowhere in ``text``: a street match holds its house
    number's last digit (``\\d``), its letter or the last digit of its "-12" right before a blank
    or tab, and a PO box holds "Box". Chinese text rarely has either, and there the anchored
    scan (sre stepping through CJK characters to each digit, then a match try at each number)
    cost ~4 µs per demo record for nothing; English text passes at its first word's end."""
    if "Box" in text:
        return True
    for blank in " \t":
        i = text.find(blank, 1)
        while i > 0:
            c = text[i - 1]
            if c in _ASCII_LETTERS or c.isdecimal():  # (\d is Unicode category Nd: isdecimal)
                return True
            i = text.find(blank, i + 1)
    return False


def find_addresses(text: str) -> list[tuple[int, int, float, str]]:
    """Street addresses (number + street name + suffix, optional unit, city, state and ZIP),
    and US military mail addresses."""
    global _ADDRESS_RE
    if _ADDRESS_RE is None:
        _ADDRESS_RE = _address_re()
    states = en_lexicon().states
    out = []
    for m in _matches_at(_ADDRESS_RE, _ADDRESS_START, text) if _may_hold_street(text) else ():
        score = 0.8
        if m.group("state") in states:
            score = 0.95
        out.append((m.start(), m.end(), score, "en_address_pattern"))
    if "PO A" in text:  # FPO / APO / DPO before the state code: the pattern's cheap precondition
        out += [(m.start(), m.end(), 0.95, "en_address_pattern") for m in _MILITARY_RE.finditer(text)]
    return out


# ---- ORGANIZATION ------------------------------------------------------------------------

_ORG_WORD = r"(?:[A-Z][A-Za-z'&.-]*|&|and|of|the|for)"
_LEGAL = r"Inc|Incorporated|Ltd|Limited|LLC|LLP|PLC|Corp|Corporation|Co|GmbH|AG|SA"
_KIND = (
    r"Company|Group|Holdings|Bank|Hospital|Clinic|University|College|Institute|Foundation|"
    r"Association|Agency|Partners|Technologies|Systems|Labs|Insurance|Pharmaceuticals|Airlines"
)
ORG_SUFFIX_RE = re.compile(
    rf"{_B}(?P<org>[A-Z][A-Za-z'&.-]*(?:[ \t]+{_ORG_WORD}){{0,4}}[ \t,]+(?P<kind>{_LEGAL}|{_KIND}))(?P<dot>\.)?{_E}"
)
ORG_PREFIX_RE = re.compile(
    rf"{_B}(?:(?:The|the)[ \t]+)?(?P<org>(?:University|Bank|Department|Ministry|Institute|College|Museum)"
    rf"[ \t]+of[ \t]+(?:the[ \t]+)?[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){{0,3}}){_E}"
)
_LEGAL_SET = frozenset(_LEGAL.split("|"))


_FIRST_LEGAL = re.compile(rf"[ \t,]+(?:{_LEGAL})(?![A-Za-z])\.?")


# Imperative verbs that open instructions ("Summarise ticket 0", "Classify the review"): the
# model read a capitalised verb before a noun and a number as an organisation (19 of 400 such
# instructions). Names in the lexicon (Mark, Bill, Grant, Chase, Drew, Pat, Rob) are left out
# (tests/scan/test_en_instructions.py checks it).
INSTRUCTION_VERBS = frozenset(
    "Add Analyse Analyze Answer Apply Arrange Ask Assess Assign Brainstorm Calculate Cancel "
    "Categorise Categorize Change Check Choose Cite Clarify Classify Combine Compare Compile "
    "Complete Compose Compute Condense Confirm Consider Construct Contrast Convert Copy Correct "
    "Count Create Critique Decide Define Delete Derive Describe Design Detect Determine Develop "
    "Diagnose Discuss Display Draft Edit Elaborate Enter Estimate Evaluate Examine Explain "
    "Explore Express Extract Fill Filter Find Finish Fix Format Formulate Generate Give "
    "Highlight Identify Illustrate Imagine Implement Improve Include Indicate Infer Insert "
    "Interpret Introduce Invent Label List Locate Look Make Match Measure Mention Merge Modify "
    "Note Outline Paraphrase Pick Predict Prepare Print Prioritise Prioritize Produce Propose "
    "Prove Provide Put Rank Rate Recommend Reformat Remove Rename Reorder Rephrase Replace Reply "
    "Report Request Reset Resolve Respond Restate Retrieve Return Review Revise Rewrite Say "
    "Schedule Select Send Separate Share Shorten Show Simplify Solve Sort Specify Split Suggest "
    "Summarise Summarize Tell Think Transform Translate Try Turn Update Use Verify Visualise "
    "Visualize Write Contact Call Visit Reach Message Text Forward Notify Inform Remind Pay Transfer "
    "Ship Deliver Help Wait Keep Go Come Bring Buy Sell Book Hold Join Meet Sign Log Click Download "
    "Upload Install Restart Enable Disable Attach Scan Submit Follow Leave Stop Start".split()
)


def _before_name_word(word: str) -> bool:
    """Is ``word`` a role, title, verb or common word that may stand before a name without
    being part of it?"""
    return (word in _NOT_NAME or word in ROLES_BEFORE_NAMES or word in INSTRUCTION_VERBS
            or (word.isupper() and len(word) > 1))


# Characters after which (blanks aside) a word opens a sentence or a list item.
SENTENCE_OPENERS = frozenset('\n.!?:;-*•)"“')


def opens_sentence(text: str, start: int) -> bool:
    """Does the word at ``start`` open the text, a line, a sentence or a list item?"""
    i = start - 1
    while i >= 0 and text[i] in " \t":  # walk back over the blanks only: long texts stay linear
        i -= 1
    return i < 0 or text[i] in SENTENCE_OPENERS


def find_organizations(text: str) -> list[tuple[int, int, float, str]]:
    """Capitalised names ending in a legal form or an institution word, or "University of X"."""
    out = []
    pos = 0
    while (m := ORG_SUFFIX_RE.search(text, pos)) is not None:
        pos = m.end()
        org = m.group("org")
        start, end, legal = m.start("org"), m.end("org"), m.group("kind") in _LEGAL_SET
        first = org.split()[0]
        if (first in _NOT_NAME and first not in ("Bank", "University")) or (
                first in INSTRUCTION_VERBS and opens_sentence(text, start)):
            # "The", "My" ... are not part of the name: start at the next capitalised word.
            rest = re.search(r"[ \t]+([A-Z])", org)
            if rest is None or rest.start(1) >= m.start("kind") - start:
                continue
            start += rest.start(1)
        cut = _FIRST_LEGAL.search(text, start, end)
        if cut is not None and cut.end() < end:  # the name ends at its first legal form
            end, legal, pos = cut.end(), True, cut.end()  # and the rest is searched again
        elif legal and m.group("dot"):
            end = m.end("dot")  # "Inc." keeps its dot
        out.append((start, end, 0.9 if legal else 0.75, "en_org_pattern"))
    for m in ORG_PREFIX_RE.finditer(text):
        out.append((m.start("org"), m.end("org"), 0.8, "en_org_pattern"))
    return out
