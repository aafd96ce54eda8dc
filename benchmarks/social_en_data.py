"""A social-media PERSON set with names the English model and lexicon have never seen.

    python benchmarks/social_en_data.py --n 5          # print a few records as JSON lines

Records are short posts in the shapes English social media has and the dev corpora have few
of: @handles next to names, "w/ Name", "Name and I", speaker labels, sign-offs ("- Name"),
"thanks Name!", names typed in lower case, and posts whose only capitalised words are brands,
teams, shows, holidays or months (no name at all: they measure false positives). Names come
from the Faker locales the English lexicon and the CRF's generated training sentences leave
out (``lexicon.HELD_OUT_NAME_LOCALES``); the templates are worded unlike those of
tools/train_en_ner.py and benchmarks/intl_pii_data.py. An @handle is not labelled (the Broad
Twitter Corpus leaves handles written as one token unlabelled, and no scan type claims them): a
PERSON span on one counts as a false positive. ``benchmarks/ner_eval.py`` scores it as ``social_en``
(PERSON only; reported on its own, not summed into the "en" totals).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from benchmarks.templated_posts import by_locale, fill  # noqa: E402

from privtune.scan.ner.lexicon import HELD_OUT_NAME_LOCALES  # noqa: E402

# {first}/{last}/{full}/{first2}/{full2}: names; {lfirst}/{lfull}: the same in lower case;
# {handle}: the first person's @handle, {place}/{brand}: not PERSON (no gold span).
TEMPLATES: tuple[str, ...] = (
    "{handle} {first} did you see this?? 😂",
    "lunch w/ {first} and {first2} 🍕",
    "{first} and I are finally done with the move",
    "Thanks {first}! Couldn't have done it without you",
    "love this so much\n- {first}",
    "{first}: omg no way\n{first2}: yes way",
    "honestly {lfirst} is the funniest person i know",
    "{lfull} just followed me back!!",
    "Congrats to {full} on the new job 🎉",
    "cc {handle} — {first} this is the thing I told you about",
    "anyone else think {last} was better last season?",
    "{full} on the mic tonight, don't miss it",
    "Big thanks to {first} at the front desk for sorting my booking",
    "me: can we go home\n{first}: five more minutes",
    "RT {handle}: can't stop laughing at {first2} right now",
    "had coffee with {full} this morning, such a lovely person",
    "{first}'s cat just knocked over my drink lmao",
    "not {first} posting her exam results again 😭",
    "Ugh. {last} again. Every single time.",
    "happy anniversary to my {first} ❤️",
    "ok {lfirst} you win this round",
    "signed up for the 10k with {full2} and {first}",
    # No name: capitalised brands, teams, shows, holidays, months, places.
    "{brand} just dropped the new update and my battery is dying",
    "The Warriors won again, what a game",
    "Can't wait for Easter weekend in {place}",
    "June is going to be so busy",
    "Spotify Wrapped is out!!",
    "Watching Breaking Bad for the third time",
    "Starbucks got my order wrong again",
    "Happy Thanksgiving from all of us at {brand}",
    "Monday again. Coffee please.",
    "Anyone going to Coachella this year?",
)


def _handle(first: str, last: str, rng: random.Random) -> str:
    plain = [re.sub(r"[^A-Za-z]", "", unicodedata.normalize("NFKD", x).encode("ascii", "ignore").decode()) or "x"
             for x in (first, last)]  # fmt: skip
    f, la = plain
    return "@" + rng.choice((f"the_real_{f.lower()}", f"{f}{la}{rng.randint(90, 99)}", f"{la.lower()}{f[0].lower()}",
                             f"{f.lower()}_{la.lower()}"))[:15]  # fmt: skip


def _record(fk: Faker, rng: random.Random, locale: str) -> dict:
    first, last, first2, last2 = fk.first_name(), fk.last_name(), fk.first_name(), fk.last_name()
    fields = {
        "first": first, "last": last, "full": f"{first} {last}", "first2": first2,
        "full2": f"{first2} {last2}", "lfirst": first.lower(), "lfull": f"{first} {last}".lower(),
    }  # fmt: skip
    other = {"place": fk.city(), "brand": re.sub(r"\s+", " ", fk.company()), "handle": _handle(first, last, rng)}
    tpl = rng.choice(TEMPLATES)
    text, spans = fill(tpl, fields, other)
    return {"text": text, "spans": spans, "locale": locale}


def generate(n: int, seed: int) -> list[dict]:
    """``n`` records, locales in turn, deterministic for a given seed."""
    return by_locale(n, seed, HELD_OUT_NAME_LOCALES, _record)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    for rec in generate(args.n, args.seed):
        print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main()
