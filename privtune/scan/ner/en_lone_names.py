"""Known first names the English CRF leaves: the subject of a verb, or the person addressed.

Social-media comments name people with nothing around them but a verb: "Gabe is cute and
innocent as always", "i swear freddie laughs at everything", "conor makes millions for a
fight". The CRF, trained on tweets and Wikipedia where a sentence-opening capitalised word is
as often "Christmas" or "Revision" as a name, leaves them (marginal ~0.5 on O), and a lower-case
name in a mixed-case line it leaves too. A word the name lexicon knows as a first name, which is
no ordinary word of the training corpora, standing before a verb of a short list and after a
line start, a punctuation mark, a conjunction or a verb of saying / seeing, is taken as a name.

Counted on the training parts before the dev sets (sixth round, benchmarks/RESULTS.md): on
two-fold held-out halves of the WNUT17 / Broad Twitter Corpus / wikigold training sentences
(each half tagged by a model trained without it) the rule adds 4 names and 2 false ones; the
same rule with capitalised words the lexicon does not know adds 24 names and 108 false ones
("Christmas is", "Revision is", "Survey says"), so it is limited to lexicon names.

The same comments address people by a name alone: "Lily I love your videos", "Linus , lately
I can feel", "Nice shooting , Tex ! ! !", "Well done dexter !". A known first name that opens a
line before a comma or a second-person word, or closes it (punctuation and emoji aside) after a
comma or a greeting, is a name: on the same held-out halves 4 names and 1 false one ("Columbus
, GA").

Cost: each word is asked once, when the tagger first sees it, whether it is such a name; a
line's words are intersected with the names seen so far (in C), and only the places of those
names are looked at (the demo's customer names the model has mostly tagged already).
"""

from __future__ import annotations

from privtune.scan.ner.en_features import _lexicon
from privtune.scan.ner.en_gate import _GATE_STOP
from privtune.scan.ner.en_span_rules import CHECKS, common_words
from privtune.scan.ner.english import _AMBIGUOUS, NOT_NAME

# The score of such a name: over the analyzer's default threshold (0.5), under a cue's (0.8).
SUBJECT_SCORE = 0.6

# Third-person verbs (and "is", modals, adverbs that sit between a subject and its verb) after
# a name in comments: "X is", "X makes", "X just", "X never".
SUBJECT_VERBS = frozenset(
    "is was has will does did makes made looks looked laughs laughed said says knows knew loves loved likes liked "
    "gets got needs wants wanted should would could can cant can't just really always never still isnt wasnt "
    "doesnt didnt won wins lost loses plays played sings sang went goes came comes thinks thought "
    "tried tries seems seemed became becomes gave gives took takes told tells".split()
)
# Tokens a subject follows (lower-cased); the line start counts too. A word after a noun or an
# adjective ("powder kit just", "masonry arch was") is part of a noun phrase, not a name.
_BEFORE_SUBJECT = frozenset(
    ". ! ? , ; : ( \" ' - and but or so because cuz coz cause when if that than like how why where while until "
    "swear noticed notice think thought guess bet know knew hope wish feel felt say said heard hear saw see watch "
    "watched remember forgot love loved hate hated miss".split()
)
# Chat and function words the lexicon may hold as first names in some locale.
_CHAT_WORDS = frozenset(
    "i a an the this that these those my your our their his her its we you they he she it is are was were be been "
    "am and or but so if when where what why how who which while then also just still can could would should will "
    "shall may might must do does did have has had let get got need to of in on at for from with by about as not no "
    "yes ok okay lol lmao omg wow oh u ur im dont cant wont its thats there here all any some one two every each more "
    "most very too much many".split()
)


def is_known_first_name(word: str) -> bool:
    """Is ``word`` (any case: "Gabe", "gabe", "GABE") a first name of the lexicon that is no
    ordinary word ("Will", "Summer", "lol")? Asked once per word, when the tagger first sees it."""
    if len(word) < 2 or not word.isalpha():
        return False
    lw, title = word.lower(), word.title()
    if lw in _CHAT_WORDS or lw in common_words() or title in NOT_NAME or title in _AMBIGUOUS or title in _GATE_STOP:
        return False
    return title in _lexicon()[0]


# Words after a name that opens a line and addresses someone: "Lily I love", "sterling you gone".
_SECOND_PERSON = frozenset("you your u ur you're youre yours do can please pls plz i".split())
# Greetings and praise before a name that closes a line (lower-cased; one or two words).
_GREETINGS = frozenset(
    "hey hi hello bye thanks thx ty congrats congratulations job done video vid birthday luck rip yo go "
    "poor dear cheers".split()
)
_GREETINGS_TWO = frozenset({("thank", "you"), ("love", "you"), ("miss", "you")})


def lone_names(words: list[str], labels: list[int], names: set[str], outside: int, begin_person: int) -> list[int]:
    """Indices, in order, of the words of a line that are a known first name (``names``: the
    line's words that ``is_known_first_name`` accepts, which the caller finds in C) and

    * the subject of a verb: tagged O (``outside``), before a word of SUBJECT_VERBS (as written:
      lower case), at the line start or after a word of _BEFORE_SUBJECT tagged O; or
    * addressed: the line's first word before a comma or a second-person word, or its last word
      with letters or digits (punctuation and emoji may follow) after a comma or a greeting;
      tagged O or B-PER (``begin_person``: the model may tag the name below the threshold,
      "Linus ," 0.44; the caller then raises that span's score).

    Only the places of the line's names are looked at: in chat text the name is most often one
    the model has tagged already, which the first label test turns away."""
    subject, addressed = CHECKS["subject"], CHECKS["addressed"]
    out: list[int] = []
    n, last = len(words), -1
    for name in names:
        i = -1
        for _ in range(words.count(name)):  # each place of the name, found in C (list.index)
            i = words.index(name, i + 1)
            label = labels[i]
            if label != outside and label != begin_person:
                continue
            if label == outside and subject and i + 1 < n and words[i + 1] in SUBJECT_VERBS and (
                    not i or (labels[i - 1] == outside and words[i - 1].lower() in _BEFORE_SUBJECT)):
                out.append(i)
                continue
            if not addressed or n < 2:
                continue
            if not i:
                if words[1] == "," or words[1].lower() in _SECOND_PERSON:
                    out.append(i)
                continue
            if last < 0:  # the last word with letters or digits ("!", "?", an emoji after it)
                last = n - 1
                while last > 0 and len(words[last]) == 1 and not words[last].isalnum():
                    last -= 1
            if i == last:
                before = words[i - 1].lower()
                if before == "," or before in _GREETINGS or (
                        i > 1 and (words[i - 2].lower(), before) in _GREETINGS_TWO):
                    out.append(i)
    return sorted(out)
