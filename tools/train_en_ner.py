"""Train the English PERSON / ADDRESS / ORGANIZATION word CRF (privtune/scan/ner/en_crf.py).

    python tools/train_en_ner.py                      # writes privtune/scan/ner/en_crf.crfsuite
    python tools/train_en_ner.py --out /tmp/en.crfsuite --augment 2000

Data (deterministic for a given --seed; crfsuite's L-BFGS has no randomness):
  * Broad Twitter Corpus and wikigold, all sentences but every 10th (index % 10 == 0 is the
    held-out dev slice of benchmarks/ner_eval.py); WNUT17 train (its dev file is not used);
  * ``--augment`` generated chat sentences (Faker, the locales of the English lexicon: the
    locales benchmarks/ner_eval.py keeps unseen are left out here too) with names of many
    nationalities, towns (as ADDRESS) and companies, in templates unlike the dev set's.
Label map: PER -> PERSON; LOC/GPE/location -> ADDRESS; ORG/corporation/group -> ORGANIZATION.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from privtune.scan.ner import corpora  # noqa: E402
from privtune.scan.ner.en_crf import MODEL_PATH, TOKEN, token_features  # noqa: E402

TRAIN_SETS = ("btc.train", "wnut17.train", "wikigold.train")
TAG = {"PERSON": "PER", "ADDRESS": "LOC", "ORGANIZATION": "ORG"}
AUGMENT_LOCALES = (
    "en_US", "en_GB", "en_IN", "en_NG", "en_KE", "en_PK", "en_IE", "de_DE", "fr_FR", "es_ES", "es_MX",
    "es_AR", "it_IT", "pt_BR", "pt_PT", "nl_NL", "pl_PL", "sv_SE", "no_NO", "da_DK", "fi_FI", "cs_CZ",
    "hu_HU", "lt_LT", "lv_LV", "et_EE", "ga_IE", "yo_NG", "ig_NG", "ha_NG", "zu_ZA", "sw", "vi_VN",
    "fr_CA", "de_CH", "is_IS", "fil_PH", "tw_GH",
)  # fmt: skip
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
)


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


def augmented(n: int, seed: int) -> list[tuple[list[str], list[str]]]:
    from faker import Faker

    rng = random.Random(seed)
    fakers = {}
    out = []
    for i in range(n):
        loc = AUGMENT_LOCALES[i % len(AUGMENT_LOCALES)]
        if loc not in fakers:
            try:
                fakers[loc] = Faker(loc)
            except AttributeError:
                fakers[loc] = Faker("en_US")
            fakers[loc].seed_instance(seed + i % 97)
        fk = fakers[loc]
        first, last, first2, last2 = fk.first_name(), fk.last_name(), fk.first_name(), fk.last_name()
        fields = {
            "first": (first, "PERSON"), "last": (last, "PERSON"), "full": (f"{first} {last}", "PERSON"),
            "first2": (first2, "PERSON"), "full2": (f"{first2} {last2}", "PERSON"),
            "city": (fk.city(), "ADDRESS"), "city2": (fk.city(), "ADDRESS"),
            "company": (re.sub(r"\s+", " ", fk.company()), "ORGANIZATION"),
        }  # fmt: skip
        tpl = rng.choice(TEMPLATES)
        text, spans = "", []
        for lit, key in re.findall(r"([^{]*)(?:\{(\w+)\})?", tpl):
            text += lit
            if key:
                value, typ = fields[key]
                if spans and spans[-1][2] == typ == "PERSON" and spans[-1][1] == len(text) - 1 and lit == " ":
                    spans[-1] = (spans[-1][0], len(text) + len(value), typ)  # "{first} {last}": one name
                else:
                    spans.append((len(text), len(text) + len(value), typ))
                text += value
        if rng.random() < 0.1:  # social-media style: all lower case
            text = text.lower()
        out.append(_bio(text, spans))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--augment", type=int, default=3000, help="generated chat sentences")
    ap.add_argument("--c1", type=float, default=0.1)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations (the shipped model: 100)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    import pycrfsuite

    data = sentences_from_corpora() + augmented(args.augment, args.seed)
    trainer = pycrfsuite.Trainer(verbose=False)
    for words, tags in data:
        if words:
            trainer.append(token_features(words), tags)
    trainer.set_params({"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations,
                        "feature.possible_transitions": True})
    t0 = time.perf_counter()
    trainer.train(str(args.out))
    print(f"trained on {len(data)} sentences in {time.perf_counter() - t0:.0f} s; "
          f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
