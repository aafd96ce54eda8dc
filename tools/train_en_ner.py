"""Train the English PERSON / ADDRESS / ORGANIZATION word CRF (privtune/scan/ner/en_crf.py).

    python tools/train_en_ner.py                      # writes privtune/scan/ner/en_crf.crfsuite
    python tools/train_en_ner.py --out /tmp/en.crfsuite --augment 2000

Deterministic: two runs with the same options write byte-identical files (the seed fixes the
generated part and the dropout draws, the script re-runs itself with PYTHONHASHSEED=0, and
crfsuite's L-BFGS has no randomness). Beside the model it writes ``en_crf.train.json``
(tools/en_crf_record.py): the fingerprint of the sources, data and options it was trained from.

Data:
  * Broad Twitter Corpus and wikigold, all sentences but every 10th (index % 10 == 0 is the
    held-out dev slice of benchmarks/ner_eval.py); WNUT17 train (its dev file is not used);
  * ``--augment`` generated sentences (Faker, the locales of the English lexicon: the
    locales benchmarks/ner_eval.py keeps unseen are left out here too) with names of many
    nationalities, towns (as ADDRESS) and companies, in templates unlike the dev sets': chat
    (TEMPLATES) and, a ``--social-share`` of them, social-media posts (SOCIAL_TEMPLATES:
    lone names as a comment's subject, @handles (O), "w/ Name", sign-offs, capitalised
    non-names as O).
The lexicon features are dropped from a ``--lexicon-dropout`` share of the generated
sentences and a ``--corpus-dropout`` share of the corpora's, so that the model also learns names
from their form and context.
Label map: PER -> PERSON; LOC/GPE/location -> ADDRESS; ORG/corporation/group -> ORGANIZATION.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tools"))

import en_crf_record  # noqa: E402

from privtune.scan.ner import corpora  # noqa: E402
from privtune.scan.ner.en_crf import LEXICON_FEATURES, MODEL_PATH, TOKEN, token_features  # noqa: E402

TRAIN_SETS = ("btc.train", "wnut17.train", "wikigold.train")
TAG = {"PERSON": "PER", "ADDRESS": "LOC", "ORGANIZATION": "ORG"}
AUGMENT_LOCALES = (
    "en_US", "en_GB", "en_IN", "en_NG", "en_KE", "en_PK", "en_IE", "de_DE", "fr_FR", "es_ES", "es_MX",
    "es_AR", "it_IT", "pt_BR", "pt_PT", "nl_NL", "pl_PL", "sv_SE", "no_NO", "da_DK", "fi_FI", "cs_CZ",
    "hu_HU", "lt_LT", "lv_LV", "et_EE", "ga_IE", "yo_NG", "ig_NG", "ha_NG", "zu_ZA", "sw", "vi_VN",
    "fr_CA", "de_CH", "is_IS", "fil_PH", "tw_GH", "es_CL", "nl_BE", "de_AT", "en_AU",
)  # fmt: skip
# More name sources (fourth round, ``--extra-locales``): Latin-script locales whose names the
# English lexicon does not hold (Azerbaijani, Uzbek, Thai in Latin letters, Algerian French,
# Colombian, Catalan, Swiss French) and romanised Japanese / Chinese names. Measured and not
# shipped: all-en PERSON F1 +0.003 / -0.002 with and without corpus dropout, names of the
# held-out locales -0.010 / 0.000 (benchmarks/RESULTS.md, fourth round).
EXTRA_NAME_LOCALES = ("az_AZ", "uz_UZ", "en_TH", "fr_DZ", "es_CO", "es_CA", "fr_CH", "ja_JP", "zh_CN")
ROMANISED_LOCALES = frozenset({"ja_JP", "zh_CN"})  # their first_name() is not in Latin letters
# Chat templates for training only (benchmarks/intl_pii_data.py has its own, unlike these).
TEMPLATES = (
    "{full} said the package arrived damaged.", "Can {first} call me back tomorrow?",
    "{first}: ok, see you in {city} then", "I already spoke with {last} about it.",
    "Ms {last} from {company} sent the contract.", "We drove to {city} with {full} last week.",
    "my name's {first}, order is late again", "{full} (customer since 2019) wants a refund.",
    "cc {full}", "According to {last}, the {company} office in {city} is closed.",
    "lol {first} you're crazy", "Meeting {full} at {company} on Friday.",
    "{first} here, running late", "Please forward this to {first} {last} in accounting.",
    "The {last} family moved from {city} to {city2}.", "{first} and {first2} are coming too",
    "Ask {first} if {company} still ships to {city}.", "Thank you {first}, that fixed it!",
    "Signed: {full}", "Interview with {full}, CEO of {company}", "{last} scored twice for {city}",
    "is {first} {last} still in charge of the {city} branch?", "hey {first} did you get my text",
    "{full} and {full2} will review the {company} report.", "Approved by {last}.",
    # Speaker labels, self-introductions, lone surnames, names before a street: the shapes
    # customer chats have and the corpora lack (worded unlike benchmarks/intl_pii_data.py's).
    "Support: hello, who am I talking to?\n{first}: it's {full}, order 5512",
    "{first}: thanks, that worked\n{first2}: glad to hear", "{first}: any news on the refund?",
    "{first2}: not yet\n{first}: ok ping me", "im {first}, the one who called yesterday",
    "name's {last}, booking ref 22A", "this is {first} from {company}", "I am {full} and I need help",
    "{last} said no comment.", "the {last} case is closed now", "{last} and his team won again",
    "Ship to {full}, {street}, {city}", "{full}, {street}, {city} - please hurry",
    "write to {last} at {street}", "you should ask {last}, not me", "ask {first} lol",
    "{first} {last} retweeted this", "congrats {first}!! so proud", "RT @fan: {full} is amazing",
    "The {company} team in {city} said the parts are late.", "Best, {first}",
    "Thanks! The parcel arrived on Monday and everything works.", "Great service, will order again.",
    "Did the Premium plan change in March? The Settings page looks different.",
)
# Social-media shapes (third round): a lone name as the subject of a comment, names beside
# @handles and "RT", "w/ Name", "Name and I", sign-offs, greetings with emoji, names in
# lower-case, and capitalised non-names (shows, teams, holidays, brands) left as O. Worded
# unlike the social set of benchmarks/social_en_data.py, which measures these shapes.
SOCIAL_TEMPLATES = (
    "{first} is so funny lol", "{last} should have passed the ball", "poor {first} 😂",
    "omg {first} looks amazing in this", "why is {first} like this", "{first} and I went to {city} yesterday",
    "me and {first} at the game tonight", "w/ {full} tonight", "{handle} {first} are you coming?",
    "RT {handle}: {full} just announced a new tour", "{full} - what a legend", "this is why {last} is the best",
    "cant believe {first} said that", "love you {first} ❤", "miss you {first}!!", "happy birthday {first}!!! 🎉",
    "great video {first}", "{first} you're the best", "shoutout to {full} for the help",
    "{first} vs {first2} tonight, who wins?", "{last} 2028?", "thoughts on {full}?", "{first}'s new song is fire",
    "see you soon - {first}", "xoxo {first}", "{handle} thanks {first}!", "{first} {last} deserves better",
    "lmao {first} really did that", "{first} and {first2} should collab", "is it just me or does {first} look tired",
    "{last} was robbed", "{handle} {handle2} lol", "following {full} since day one",
    "Watching Game of Thrones with {first} again", "Happy New Year everyone!", "Black Friday deals are live",
    "Manchester United lost again smh", "Netflix is down again??", "the Lakers need a new coach",
    "Christmas came early this year", "Best Buy had it on sale", "Mother's Day brunch at {city}",
)
SOCIAL_SHARE = 0.35  # share of generated sentences drawn from SOCIAL_TEMPLATES
LEXICON_DROPOUT = 0.3  # share of generated sentences without lexicon features
# The same for the corpora's sentences (fourth round): tweets and Wikipedia are where names
# stand in real context, and a model that always sees the lexicon there leans on it. Dropping
# it from half of them (seed 13, with the round-4 features on every word): all-en PERSON F1
# 0.795 -> 0.801, names of the held-out locales 0.800 -> 0.841, social_en 0.840 -> 0.852 (0.3:
# 0.794 / 0.832 / 0.848; 0.7: 0.798 / 0.862 / 0.852, precision 0.830). Shipped with the
# features on letters-only words: 0.799 / 0.841 / 0.851 (benchmarks/RESULTS.md, fourth round).
CORPUS_DROPOUT = 0.5
LOWER_COPIES = 0.0
UPPER_COPIES = 0.0


def sentences_from_corpora() -> list[tuple[list[str], list[str]]]:
    out = []
    for name in TRAIN_SETS:
        for s in corpora.load(name):
            out.append(_bio(s.text, list(s.spans)))
    return out


def _bio(text: str, spans: list[tuple[int, int, str]]) -> tuple[list[str], list[str]]:
    words, tags, prev_span = [], [], None
    for m in TOKEN.finditer(text):
        hit = next(((s, e, t) for s, e, t in spans if s <= m.start() and m.end() <= e), None)
        if hit is None:
            tags.append("O")
        else:
            tags.append(("I-" if hit == prev_span else "B-") + TAG[hit[2]])
        prev_span = hit
        words.append(m.group())
    return words, tags


def augmented(n: int, seed: int, social_share: float = SOCIAL_SHARE,
              extra_locales: bool = False) -> list[tuple[list[str], list[str]]]:
    from faker import Faker

    from privtune.scan.ner.lexicon import HELD_OUT_NAME_LOCALES

    locales = AUGMENT_LOCALES + (EXTRA_NAME_LOCALES if extra_locales else ())
    assert not set(locales) & set(HELD_OUT_NAME_LOCALES), "held-out name locales must stay unseen"
    rng = random.Random(seed)
    fakers = {}
    out = []
    for i in range(n):
        loc = locales[i % len(locales)]
        if loc not in fakers:
            try:
                fakers[loc] = Faker(loc)
            except AttributeError:
                fakers[loc] = Faker("en_US")
            fakers[loc].seed_instance(seed + i % 97)
        fk = fakers[loc]
        if loc in ROMANISED_LOCALES:
            first, last = fk.first_romanized_name(), fk.last_romanized_name()
            first2, last2 = fk.first_romanized_name(), fk.last_romanized_name()
        else:
            first, last, first2, last2 = fk.first_name(), fk.last_name(), fk.first_name(), fk.last_name()
        # @handles are context, not names: the Broad Twitter Corpus leaves one-token handles O.
        handle = _handle(first, last, rng)
        fields = {
            "first": (first, "PERSON"), "last": (last, "PERSON"), "full": (f"{first} {last}", "PERSON"),
            "first2": (first2, "PERSON"), "full2": (f"{first2} {last2}", "PERSON"),
            "city": (fk.city(), "ADDRESS"), "city2": (fk.city(), "ADDRESS"),
            "company": (re.sub(r"\s+", " ", fk.company()), "ORGANIZATION"),
            "street": (re.sub(r"\s+", " ", fk.street_address()), "ADDRESS"),
            "handle": ("@" + handle, "O"), "handle2": ("@" + _handle(first2, last2, rng), "O"),
        }  # fmt: skip
        tpl = rng.choice(SOCIAL_TEMPLATES if rng.random() < social_share else TEMPLATES)
        text, spans = "", []
        for lit, key in re.findall(r"([^{]*)(?:\{(\w+)\})?", tpl):
            text += lit
            if key:
                value, typ = fields[key]
                if typ == "O":
                    text += value
                    continue
                if spans and spans[-1][2] == typ == "PERSON" and spans[-1][1] == len(text) - 1 and lit == " ":
                    spans[-1] = (spans[-1][0], len(text) + len(value), typ)  # "{first} {last}": one name
                else:
                    spans.append((len(text), len(text) + len(value), typ))
                text += value
        roll = rng.random()
        if roll < 0.15:  # social-media style: all lower case
            text = text.lower()
        elif roll < 0.25:  # names typed in lower case in an otherwise normal sentence
            for a, b, typ in spans:
                if typ == "PERSON":
                    text = text[:a] + text[a:b].lower() + text[b:]
        out.append(_bio(text, spans))
    return out


def _handle(first: str, last: str, rng: random.Random) -> str:
    """A Twitter-style handle made from a name ("jsmith88", "Anna_Kowalska"), ASCII only."""
    import unicodedata

    ascii_ = [unicodedata.normalize("NFKD", x).encode("ascii", "ignore").decode() or "x" for x in (first, last)]
    f, la = (re.sub(r"[^A-Za-z]", "", x) or "x" for x in ascii_)
    shapes = (f.lower() + la.lower(), f[0].lower() + la.lower() + str(rng.randint(1, 99)), f"{f}_{la}", f + la[:1],
              la.lower() + "_" + f.lower()[:3], f"{f}{la}{rng.randint(1, 9)}")  # fmt: skip
    return rng.choice(shapes)[:15]


def case_copies(corpus: list[tuple[list[str], list[str]]], lower: float, upper: float,
                seed: int) -> list[tuple[list[str], list[str]]]:
    """Case-noised copies of a ``lower`` / ``upper`` share of the corpora's sentences with a
    capital: the same words and tags typed all in lower case ("lol sarah is") or all in capitals
    (a shouted tweet, a headline). Their own random stream: with both shares 0 the training data
    and the model are what they were."""
    rng = random.Random(seed + 2)
    out = []
    for words, tags in corpus:
        if not any(w[:1].isupper() for w in words):
            continue
        roll = rng.random()
        if roll < lower:
            out.append(([w.lower() for w in words], tags))
        elif roll < lower + upper:
            out.append(([w.upper() for w in words], tags))
    return out


def train(args: argparse.Namespace, corpus: list[tuple[list[str], list[str]]], out: Path) -> int:
    """Fit the CRF on ``corpus`` (the corpora's sentences) plus the generated and case-noised
    ones that ``args`` asks for; write it to ``out``; return the number of sentences."""
    import pycrfsuite

    generated = augmented(args.augment, args.seed, args.social_share, args.extra_locales)
    generated += case_copies(corpus, args.lower_copies, args.upper_copies, args.seed)
    data = corpus + generated
    rng = random.Random(args.seed)
    corpus_rng = random.Random(args.seed + 1)  # its own stream: the generated part's draws stay as they were
    trainer = pycrfsuite.Trainer(verbose=False)
    for n, (words, tags) in enumerate(data):
        if not words:
            continue
        feats = token_features(words)
        if (rng.random() < args.lexicon_dropout) if n >= len(corpus) else (
                args.corpus_dropout and corpus_rng.random() < args.corpus_dropout):
            # Names the lexicon does not know must be found from their context and form.
            feats = [[f for f in row if f not in LEXICON_FEATURES] for row in feats]
        trainer.append(feats, tags)
    trainer.set_params({"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations,
                        "feature.possible_transitions": True})
    trainer.train(str(out))
    if not out.is_file():  # crfsuite says nothing when it cannot write (a missing folder)
        raise SystemExit(f"crfsuite wrote no model at {out}: does its folder exist and is it writable?")
    return len(data)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--augment", type=int, default=8000, help="generated chat and social-media sentences")
    ap.add_argument("--c1", type=float, default=0.1)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations (the shipped model: 100)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--pick-bias", action="store_true",
                    help="train without a validation slice of the corpora (every 10th training sentence, "
                         "offset 5), then print PERSON P/R/F1 on it for a range of en_crf.PERSON_BIAS values")
    ap.add_argument("--social-share", type=float, default=SOCIAL_SHARE,
                    help="share of generated sentences in social-media shapes (SOCIAL_TEMPLATES)")
    ap.add_argument("--lexicon-dropout", type=float, default=LEXICON_DROPOUT,
                    help="share of generated sentences trained without the lexicon features")
    ap.add_argument("--corpus-dropout", type=float, default=CORPUS_DROPOUT,
                    help="share of the corpora's sentences trained without the lexicon features")
    ap.add_argument("--extra-locales", action=argparse.BooleanOptionalAction, default=False,
                    help="generated names also from EXTRA_NAME_LOCALES (tried in round 4, not shipped)")
    ap.add_argument("--lower-copies", type=float, default=LOWER_COPIES,
                    help="share of the corpora's sentences also trained on as an all-lower-case copy")
    ap.add_argument("--upper-copies", type=float, default=UPPER_COPIES,
                    help="share of the corpora's sentences also trained on as an all-caps copy")
    return ap


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Some Faker providers (it_IT towns) pick from sets, whose order follows the string hash
        # seed: without a fixed one the generated sentences, hence the model, differ per run.
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    args = parser().parse_args()
    corpus = sentences_from_corpora()
    validation: list[tuple[list[str], list[str]]] = []
    if args.pick_bias:
        validation = [x for i, x in enumerate(corpus) if i % 10 == 5]
        corpus = [x for i, x in enumerate(corpus) if i % 10 != 5]
    t0 = time.perf_counter()
    tmp = args.out.with_name(args.out.name + ".tmp")
    n = train(args, corpus, tmp)
    os.replace(tmp, args.out)  # a reader never sees half a model
    # The record beside the model: what it was trained from (tests/scan/test_en_crf_record.py
    # fails when the sources no longer give this fingerprint).
    record = en_crf_record.write(args.out, vars(args), en_crf_record.components(vars(args), corpus), n)
    print(f"trained on {n} sentences in {time.perf_counter() - t0:.0f} s; "
          f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) and {record.name}")
    if validation:
        pick_bias(args.out, validation)


def _person_spans(tags: list[str]) -> set[tuple[int, int]]:
    out, start = set(), None
    for i, t in enumerate([*tags, "O"]):
        if start is not None and t != "I-PER":
            out.add((start, i))
            start = None
        if t == "B-PER" or (t == "I-PER" and start is None):
            start = i
    return out


def pick_bias(model: Path, validation: list[tuple[list[str], list[str]]]) -> None:
    """PERSON span P/R/F1 of the model alone on ``validation`` for a range of biases."""
    from privtune.scan.ner.en_crf import EnTagger

    for bias in (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0):
        tagger = EnTagger(model, person_bias=bias)
        tp = n_pred = n_gold = 0
        for words, tags in validation:
            if not words:
                continue
            gold, pred = _person_spans(tags), _person_spans(tagger.tag_words(words)[0])
            tp, n_pred, n_gold = tp + len(gold & pred), n_pred + len(pred), n_gold + len(gold)
        p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
        print(f"bias {bias:4.2f}: PERSON P {p:.3f} R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f} "
              f"({len(validation)} validation sentences)")


if __name__ == "__main__":
    main()
