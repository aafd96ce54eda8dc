"""Write privtune/scan/ner/en_words.json: the word lists behind the English name-span rules.

    python tools/extract_en_words.py            # deterministic: same corpora, same file

* ``common_words``: words the English training corpora (the Broad Twitter Corpus and wikigold
  training parts, every sentence but index % 10 == 0, and WNUT17 train; never a dev slice)
  write in lower case at least ``MIN_LOWER`` times and at least twice as often as capitalised,
  and never inside a gold person name. A capitalised one ("Dude", "Kids", "Cough") is an
  ordinary word at a sentence start or in a shouted phrase, not a name; a lower-case word
  after a first name that is *not* one ("Mauro renallo") is likely the surname.
* ``lower_words`` (ensocial10): words the same corpora write in lower case at least once and at
  least as often as capitalised, never inside a gold person name, and not in ``common_words``
  (the two lists together are the ordinary words a name span's edges may lose:
  ``en_span_rules.is_edge_word``; "Watching Seth Rogen Perform", "Kevin Hart Wins").
* ``places``: country names and US state names (Faker's ``en_US`` address provider), which
  the model sometimes reads as a person ("Where in Jamaica is he from"), continents and "Earth".

Licences: the corpora are CC BY 4.0 (privtune/scan/ner/MODEL_CARD.md), Faker MIT.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from privtune.scan.ner import corpora  # noqa: E402
from privtune.scan.ner.en_crf import TOKEN  # noqa: E402

OUT = ROOT / "privtune" / "scan" / "ner" / "en_words.json"
TRAIN_SETS = ("btc.train", "wnut17.train", "wikigold.train")  # as tools/train_en_ner.py
MIN_LOWER = 3
# Places of the corpora's kind Faker has no list of.
CONTINENTS = ("Africa", "Antarctica", "Asia", "Europe", "North America", "South America", "Oceania", "Earth")


def _counts() -> tuple[Counter, Counter, set[str]]:
    """Lower-case and capitalised occurrences of each word (lower-cased) outside gold person
    names in the training corpora, and the words seen inside one."""
    lower, capitalised, in_names = Counter(), Counter(), set()
    for name in TRAIN_SETS:
        for s in corpora.load(name):
            names = [(a, b) for a, b, t in s.spans if t == "PERSON"]
            for m in TOKEN.finditer(s.text):
                w = m.group()
                if not w.isalpha() or len(w) < 2:
                    continue
                if any(a <= m.start() < b for a, b in names):
                    in_names.add(w.lower())
                elif w.islower():
                    lower[w] += 1
                else:
                    capitalised[w.lower()] += 1
    return lower, capitalised, in_names


def common_words(counts: tuple[Counter, Counter, set[str]]) -> list[str]:
    lower, capitalised, in_names = counts
    return sorted(w for w, n in lower.items()
                  if n >= MIN_LOWER and n >= 2 * capitalised[w] and w not in in_names)


def lower_words(counts: tuple[Counter, Counter, set[str]], common: list[str]) -> list[str]:
    lower, capitalised, in_names = counts
    common_set = set(common)
    return sorted(w for w, n in lower.items() if n >= capitalised[w] and w not in in_names and w not in common_set)


def places() -> list[str]:
    from faker.providers.address.en_US import Provider

    names = [re.sub(r"\s*\(.*\)", "", c) for c in (*Provider.countries, *Provider.states, *CONTINENTS)]
    return sorted(set(names))


def main() -> None:
    counts = _counts()
    common = common_words(counts)
    data = {"source": "tools/extract_en_words.py: common_words and lower_words from the English training corpora "
                      "(BTC/wikigold training parts, WNUT17 train; CC BY 4.0), places from Faker en_US (MIT)",
            "common_words": common, "lower_words": lower_words(counts, common), "places": places()}
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    tmp.replace(OUT)
    print(f"wrote {OUT}: {len(data['common_words'])} common words, "
          f"{len(data['lower_words'])} more lower-case words, {len(data['places'])} places")


if __name__ == "__main__":
    main()
