"""How whole are the ADDRESS spans on Faker street addresses of many countries?

For each locale, ``Faker(loc).address()`` (line breaks written as ", ") goes into "Please ship
it to {addr} by Friday." and the analyzer runs on it; an address counts as *partial* when less
than 80% of its characters lie inside ADDRESS spans (a house number, a postcode or a town left
in the text leaks). Prints one JSON line per locale and a total; ``--show`` prints the partial
ones (synthetic addresses, no real data).

    python benchmarks/address_coverage.py --seed 11 --n 100
"""

from __future__ import annotations

import argparse
import json

LOCALES = ("en_AU", "en_IN", "de_DE", "fr_FR", "pt_BR", "en_CA", "it_IT", "es_ES", "pl_PL", "en_GB", "nl_NL")


def coverage(text: str, start: int, end: int, spans) -> float:
    covered = [False] * (end - start)
    for s in spans:
        if s.type == "ADDRESS":
            for i in range(max(s.start, start), min(s.end, end)):
                covered[i - start] = True
    return sum(covered) / max(1, end - start)


def main() -> None:
    from faker import Faker

    from privtune.scan.analyzer import Analyzer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--locales", default=",".join(LOCALES))
    ap.add_argument("--show", action="store_true", help="print the partial addresses")
    args = ap.parse_args()
    analyzer = Analyzer()
    total = 0
    for loc in args.locales.split(","):
        fake = Faker(loc)
        fake.seed_instance(args.seed)
        partial = 0
        for _ in range(args.n):
            addr = fake.address().replace("\n", ", ")
            text = f"Please ship it to {addr} by Friday."
            start = text.index(addr)
            spans = analyzer.analyze(text)
            if coverage(text, start, start + len(addr), spans) < 0.8:
                partial += 1
                if args.show:
                    print(loc, repr(addr), [text[s.start : s.end] for s in spans if s.type == "ADDRESS"])
        total += partial
        print(json.dumps({"locale": loc, "seed": args.seed, "n": args.n, "partial": partial}))
    print(json.dumps({"locale": "all", "seed": args.seed, "n": args.n * len(args.locales.split(",")), "partial": total}))


if __name__ == "__main__":
    main()
