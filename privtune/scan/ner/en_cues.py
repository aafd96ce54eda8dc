"""English / romanised names in the slot a cue opens, whether or not the lexicon knows them.

"My name is Oyelaran", "this is Krisztina Vámos", "Dear Mr Halvorsen", "Thanks Tomasz!" and
speaker labels at the start of a chat line ("Tomasz: you saved me!") say that the capitalised
words after them (or before the colon) are a name. The lexicon rules of
:mod:`privtune.scan.ner.english` need a known first or last name; these rules need the cue and
one to three capitalised words that are no common sentence word.
"""

from __future__ import annotations

import re

from privtune.scan.alternation import factor_alternation, guard_first
from privtune.scan.ner.en_pinyin import SCORE as PINYIN_SCORE
from privtune.scan.ner.en_pinyin import pinyin_name_at
from privtune.scan.ner.en_span_rules import is_common_word
from privtune.scan.ner.english import LATIN_UPPER, NOT_NAME
from privtune.scan.ner.field_labels import is_field_label
from privtune.scan.ner.lexicon import en_lexicon

# A capitalised word of any Latin script ("Vámos", "Øberg", "O'Neill", "Smith-Jones").
_UP = f"[{LATIN_UPPER}]"
# Surnames with a capital inside after their prefix ("McBride", "MacLeod", "DiMaggio", "LeBlanc")
# are one word: without the prefixes the pattern stopped at "Mc" and the name was lost.
_PREFIXED = rf"(?:Mc|Mac|Fitz|De|Di|Da|Du|La|Le)(?={_UP}[a-z])"
_CAP = (rf"(?:(?:{_PREFIXED}{_UP}|{_UP}(?:['’]{_UP})?)[a-z\u00df-\u00ff\u0100-\u024f'’]+"
        rf"(?:-{_UP}[a-z\u00df-\u00ff\u0100-\u024f]+)?)")
_NAME = rf"(?P<name>{_CAP}(?:[ \t]+(?:(?:van|von|de|da|del|der|den|di|du|la|le|bin|al|ibn)[ \t]+)?{_CAP}){{0,2}})"
_KIN = (r"(?:wife|husband|son|daughter|mother|mom|mum|father|dad|brother|sister|partner|girlfriend|boyfriend|"
        r"fianc[eé]e?|friend|colleague|neighbou?r|boss|manager|grandson|granddaughter|grandmother|grandfather|"
        r"grandma|grandpa|aunt|uncle|cousin|nephew|niece|child|kid|baby)")
_CUE = (
    r"my name is|my name's|name is|name was|name given as|surname is|surname was|surname:?|name:|name,|i am|i'm|this is|call me|dear|hi|hello|hey|thanks|"
    r"thank you|cheers|regards,|sincerely,|best,|signed,|spoke (?:to|with)|talked to|"
    r"contact person:?|attn:?|attention:?|customer:?|recipient:?|patient:?|mr\.?|mrs\.?|ms\.?|"
    r"dr\.?|prof\.?|miss|sir|madam|named|c/o|care of"
    # Family and people around the customer: "my daughter Aoife", "her husband Ravi".
    + "".join(f"|{owner} {_KIN}" for owner in ("my", "our", "his", "her", "their", "your"))
    # A child's name after an affectionate "little" that a possessive or a verb of care opens
    # ("we took little Chidi to the clinic", "our little Amara"); "a little Python" has neither.
    + "".join(f"|{w} little" for w in ("my", "our", "his", "her", "their", "your", "dear", "sweet", "took", "take",
                                        "taking", "with", "for", "see", "saw", "met", "love", "miss", "hug"))
)
# Cues are looked for in the lower-cased text with a case-sensitive pattern (an IGNORECASE
# alternation is ~2.5x slower in sre), the name after each in the original text.
CUE_LOWER = re.compile(rf"(?<![a-z])(?:{_CUE})[ \t,]+")
# A closing on a line of its own, the name on the next ("Kind regards,\nOyelaran"): searched
# on its own, only in text with a line break (in the cue alternation it tripled its scan).
_CLOSING_LINE = re.compile(
    r"(?:regards|sincerely|yours (?:sincerely|truly|faithfully)|cheers|thanks|thank you|best wishes|best|warmly"
    r"|respectfully)[ \t]*[,.!]?[ \t]*\r?\n[ \t]*"
)
# Its closing words, longest first: where two end at the same place ("yours sincerely",
# "sincerely") the longer starts first, and that is the match `_CLOSING_LINE` finds.
_CLOSINGS = ("yours faithfully", "yours sincerely", "respectfully", "best wishes", "yours truly", "thank you",
             "sincerely", "regards", "cheers", "thanks", "warmly", "best")


def _closing_line_ends(lowered: str) -> list[int]:
    """``m.end()`` of the `_CLOSING_LINE` matches of ``lowered`` not right after a letter a-z.

    Every match ends a line, so each line break is checked backwards (blanks, one ",.!",
    blanks, then a closing word) instead of sre trying the alternation at each of the
    closings' first letters (~3 µs per English demo record with a line break, ~1 this way)."""
    out: list[int] = []
    nl = lowered.find("\n")
    while nl >= 0:
        s = nl - 1 if nl and lowered[nl - 1] == "\r" else nl
        while s and lowered[s - 1] in " \t":
            s -= 1
        if s and lowered[s - 1] in ",.!":
            s -= 1
            while s and lowered[s - 1] in " \t":
                s -= 1
        if lowered.endswith(_CLOSINGS, 0, s):
            start = s - len(next(w for w in _CLOSINGS if lowered.endswith(w, 0, s)))
            if not (start and "a" <= lowered[start - 1] <= "z"):
                end = nl + 1
                while end < len(lowered) and lowered[end] in " \t":
                    end += 1
                out.append(end)
        nl = lowered.find("\n", nl + 1)
    return out


# A line that is only a closing ("Kind regards,"): the gateway reads it as the next line's context.
CLOSING_LINE_END = re.compile(
    r"(?i)(?:^|\n)[ \t]*(?:(?:best |kind |warm |warmest )?regards|sincerely|yours (?:sincerely|truly|faithfully)"
    r"|cheers|many thanks|thanks|thank you|best wishes|best|warmly|respectfully)[ \t]*[,.!]?$"
)
# CUE_LOWER for `_cue_ends`: its cues grouped by first character (`factor_alternation`; sre
# tested each of the ~70 cues at every position it stopped at) and the look-behind after that
# character (`guard_first`: a pattern that opens with a look-behind is tried at every position,
# this one still skips to the cues' first letters).
_CUE_GUARDED = re.compile(rf"(?:{guard_first(factor_alternation(_CUE), '(?<![a-z].)')})[ \t,]+")
NAME_AFTER_CUE = re.compile(rf"{_NAME}(?![A-Za-z0-9])")
# "Tomasz: you saved me!" — a name, a colon and a space at the start of a line.
SPEAKER = re.compile(rf"(?m)^[ \t]*(?-i:{_NAME}):[ \t]")
# Lower-case speaker labels ("me: can we go home\nTomasz: five more minutes", the meme and chat
# shape): no name, but they make a text a dialog as much as a capitalised label does.
LOWER_SPEAKER = re.compile(
    r"(?m)^[ \t]*(?:me|you|him|her|us|them|mom|mum|dad|nobody|everyone|teacher|boss|bf|gf|wife|husband"
    r"|customer|agent|support|user|bot)[ \t]*:[ \t]"
)
# A sign-off: a dash (or tilde) and a name closing a line ("love this so much\n- Tomasz",
# "Thanks , - Damien", "see you ~ Ana!").
# The pattern opens with the dash (sre skips to it) and ``_sign_offs`` checks what precedes it:
# a line start or a space.
SIGN_OFF = re.compile(rf"(?m)[-–—~][ \t]?{_NAME}[ \t]*[.!]*[ \t]*$")

# Role labels and other capitalised words that start a chat line or follow "hi" but are no name.
_NOT_NAME_HERE = frozenset(
    "Agent Customer Client User Assistant Bot System Support Admin Operator Moderator Staff Team "
    "Note Notes Subject From To Cc Date Time Re Fwd Q A Question Answer Reply Update Edit Summary "
    "Address Phone Email Mobile Tel Fax Name Order Status Total Price Item Items Hotel Room "
    "There Here Everyone All Guys Folks Friends Again Yes No Ok Okay Thanks Welcome Sorry Hello Hi "
    "Good Morning Afternoon Evening Night Dear Sir Madam Mr Mrs Ms Dr Prof Miss Just Not Sure "
    "Going Looking Trying Having Calling Writing Happy Glad Back Done Ready Fine Well Interested "
    "Photo Video News Latest Breaking Official Live Watch Blog Update Report Jobs Today Final Source "
    "Credit Via".split()
)
CUE_SCORE = 0.8
# A speaker label is a name if the lexicon knows it, or if the text is a dialog (two or more
# labelled lines); a lone "Photo: …" or "Latest News: …" line is a headline.
SPEAKER_SCORE = 0.75
LONE_LABEL_SCORE = 0.4
# A sign-off name the lexicon does not know still passes the default 0.5 threshold.
SIGN_OFF_SCORE = 0.6
# "Customer: Nakamura, Yuki": directories and CRM exports write the surname first. After a cued
# one-word name, one more capitalised word behind a comma that closes the line is its given name.
_INVERTED_TAIL = re.compile(rf",[ \t]?({_CAP})(?=[ \t]*(?:[\r\n.;|)]|$))")
# Words that follow "Name, " as a role or department, not a given name ("Customer: Lee, Sales").
_ROLE_WORDS = frozenset(
    "Sales Support Billing Marketing Finance Accounts Accounting Operations Legal Reception Admin "
    "Manager Director Engineer Assistant Secretary Treasurer President Chair Chairman Officer Head "
    "Lead Intern Consultant Nurse Doctor Partner Founder Owner Editor Author Student Retired".split()
)


# A contraction or possessive ("I'm", "It's", "Don't", "Robert's"): never a name word; an
# apostrophe before a capital ("O'Neill", "D'Angelo") is part of one.
_CONTRACTION = re.compile(r"\w+['’](?:m|s|re|ve|ll|d|t)")


# Words before "'s" that make a contraction, not a possessive ("It's", "That's", "He's").
_PRONOUNS = frozenset("It That There Here What Who Where When How He She Let Everything Nothing Someone".split())


def _usable(words: list[str], last_names: frozenset[str]) -> list[str]:
    """The leading words of a candidate that may be part of a name (stops at a common word,
    unless a known last name follows it: "Hi April White" is a person, "Hi April" a month)."""
    out = []
    for i, w in enumerate(words):
        if _CONTRACTION.fullmatch(w):  # "Hi, I'm Robert": "I'm" is no part of the name
            # "my daughter Aoife's account": a possessive ends the name, it does not cancel it.
            base = w[:-2]
            if w[-1] == "s" and base not in NOT_NAME and base not in _NOT_NAME_HERE and base not in _PRONOUNS:
                out.append(w)
            break
        if w in NOT_NAME or w in _NOT_NAME_HERE:
            if not (i + 1 < len(words) and words[i + 1] in last_names and w not in _NOT_NAME_HERE):
                break
        out.append(w)
    return out


def _cued_names(text: str) -> tuple[list[re.Match[str]], list[tuple[int, int]]]:
    """Name matches right after a cue word (case-insensitive cue, capitalised name), and the
    lower-case pinyin names after the other cues (`en_pinyin`)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few non-ASCII capitals lower to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    names, pinyin = [], []
    ends = _cue_ends(lowered)
    if "\n" in lowered:
        closings = _closing_line_ends(lowered)
        if closings:
            ends = sorted(set(ends + closings))
    for end in ends:
        if (m := NAME_AFTER_CUE.match(text, end)) is not None:
            names.append(m)
        elif (span := pinyin_name_at(text, lowered, end)) is not None:
            pinyin.append(span)
    return names, pinyin


def _cue_ends(lowered: str) -> list[int]:
    """``[m.end() for m in CUE_LOWER.finditer(lowered)]``, by the same matches of faster
    patterns: `_CUE_GUARDED` at the text's start, `_CUE_AFTER_NON_LETTER` after it.

    A cue opens after a character that is no letter a-z; consuming that character (rather than
    looking behind for it) lets sre skip through runs of letters to the next blank or sign, and
    try the cues only there (~2.6 -> ~1.7 µs per English demo text). Each search resumes one
    character before the last match's end: that character (a blank or comma of the cue's gap)
    may be the one before the next cue, as the look-behind saw it."""
    out: list[int] = []
    pos = 0
    m = _CUE_GUARDED.match(lowered)  # a cue opening the text: no character before it
    if m is not None:
        pos = m.end()
        out.append(pos)
    search = _CUE_AFTER_NON_LETTER.search
    while (m := search(lowered, pos - 1 if pos else 0)) is not None:
        pos = m.end()
        out.append(pos)
    return out


_CUE_AFTER_NON_LETTER = re.compile(rf"[^a-z](?:{factor_alternation(_CUE)})[ \t,]+")


def _sign_offs(text: str) -> list[re.Match[str]]:
    """SIGN_OFF matches whose dash opens a line or follows a space after no capitalised word
    or number: one there makes the dash a range or a compound ("Mon - Fri", "2 - 1",
    "Manchester - Leeds"), not a signature."""
    out = []
    for m in SIGN_OFF.finditer(text):
        i = m.start()
        if i == 0 or text[i - 1] == "\n":
            out.append(m)
        elif text[i - 1] in " \t":
            before = text[max(0, i - 64) : i].rstrip(" \t")
            last = before.rsplit(None, 1)[-1] if before and not before.endswith("\n") else ""
            if not (last[:1].isupper() or last.isdigit()):
                out.append(m)
    return out


# A name field's value in capitals, as forms, bank files and airline records write it, surname
# first with a comma or not ("CUSTOMER NAME: KOWALCZYK, ANNA", "Patient: O'BRIEN, SEAN"): the
# capitalised-word patterns read "KOWALCZYK" as an acronym and left it.
_CAPS_NAME_FIELD = re.compile(
    r"(?im:(?<![a-z])(?:full name|customer name|patient name|client name|guest name|passenger name|"
    r"account holder|card ?holder|name of (?:patient|customer|account holder)|name|patient|customer|"
    r"passenger|guest|bill to|ship to|recipient|beneficiary)[ \t]*[:：][ \t]*)"
    r"(?P<name>(?:MC|MAC|O['’])?[A-Z][A-Z'’-]+(?:,?[ \t]+(?:MC|MAC|O['’])?[A-Z][A-Z'’-]+){1,4})[ \t]*(?=\r?\n|$|[|;])"
)
CAPS_NAME_SCORE = 0.85
# What every `_CAPS_NAME_FIELD` match holds (its name part is case-sensitive, and opens with a
# capital and a capital, apostrophe or hyphen: "MC", "O'", "KO"): sre skips to the colons, where
# the IGNORECASE label alternation was tried at every letter of the text.
_CAPS_AFTER_COLON = re.compile("[:：][ \t]*[A-Z][A-Z'’-]")
# Precompiled splitters (``re.split`` with a pattern string looked the pattern up per name).
_CAPS_WORD_GAPS = re.compile(r"[,\s]+")
_BLANK_RUNS = re.compile(r"([ \t]+)")


def find_caps_name_fields(text: str) -> list[tuple[int, int, float, str]]:
    """Names written in capitals as a name field's whole value (`_CAPS_NAME_FIELD`)."""
    out: list[tuple[int, int, float, str]] = []
    if _CAPS_AFTER_COLON.search(text) is None:
        return out  # no colon before two capitals: the case-blind label scan cannot match
    for m in _CAPS_NAME_FIELD.finditer(text):
        words = _CAPS_WORD_GAPS.split(m.group("name"))
        if any(w in _CAPS_NOT_NAMES for w in words):
            continue  # "NAME: N/A", "Customer: NOT PROVIDED", "Recipient: SAME AS ABOVE"
        out.append((m.start("name"), m.end("name"), CAPS_NAME_SCORE, "en_person_cue"))
    return out


_CAPS_NOT_NAMES = frozenset(
    "N/A NA NONE NULL UNKNOWN NOT PROVIDED SAME AS ABOVE TBD TBC REDACTED WITHHELD ANONYMOUS CUSTOMER "
    "PATIENT GUEST SEE BELOW ATTACHED".split()
)


def find_lower_case_pinyin_persons(text: str) -> list[tuple[int, int, float, str]]:
    """The pinyin names after a cue of `find_cued_persons`, for text it is not run on (no
    capitalised word: "my name is zhang wei")."""
    return [(start, end, PINYIN_SCORE, "en_person_pinyin") for start, end in _cued_names(text)[1]]


def find_cued_persons(text: str) -> list[tuple[int, int, float, str]]:
    """``(start, end, score, detector)`` of names after a cue or before a speaker colon."""
    out: list[tuple[int, int, float, str]] = []
    lex = en_lexicon()
    speakers = [m for m in SPEAKER.finditer(text) if not is_field_label(text, m.start("name"), m.end("name"))] \
        if ":" in text else []
    dialog = len(speakers) >= 2 or (len(speakers) == 1 and LOWER_SPEAKER.search(text) is not None)
    sign_offs = _sign_offs(text) if ("-" in text or "~" in text or "–" in text or "—" in text) else []
    cued, pinyin = _cued_names(text)
    out.extend((start, end, PINYIN_SCORE, "en_person_pinyin") for start, end in pinyin)
    for matches, score in ((cued, CUE_SCORE), (speakers, SPEAKER_SCORE), (sign_offs, CUE_SCORE)):
        for m in matches:
            start = m.start("name")
            parts = _BLANK_RUNS.split(m.group("name"))  # words and the blanks between them
            words = _usable(parts[0::2], lex.last_names)
            if not words or (len(words) == 1 and is_common_word(words[0], lex.first_names, lex.last_names)):
                continue  # nothing left, or one ordinary word ("This Is On The Trending Tab")
            # Rebuild the span from the kept words (with the spaces between them).
            end = start + len("".join(parts[: 2 * len(words) - 1]))
            if _CONTRACTION.fullmatch(words[-1]):
                end -= 2  # the possessive's "'s" (see `_usable`)
            if matches is not speakers and len(parts) == 1 and (tail := _INVERTED_TAIL.match(text, end)):
                given = tail.group(1)
                if given not in NOT_NAME and given not in _NOT_NAME_HERE and given not in _ROLE_WORDS and not _CONTRACTION.fullmatch(given):
                    end = tail.end(1)
            known = any(w in lex.first_names or w in lex.last_names for w in words)
            if score == SPEAKER_SCORE and not dialog and not known:
                score = LONE_LABEL_SCORE
            elif matches is sign_offs and not known:
                score = SIGN_OFF_SCORE
            out.append((start, end, score, "en_person_cue"))
    return out
