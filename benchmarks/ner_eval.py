"""PERSON / ADDRESS / ORGANIZATION / PHONE accuracy of the scan on NER dev sets, zh + en.

    python benchmarks/ner_eval.py                    # all sets, one JSON line at the end
    python benchmarks/ner_eval.py --sets weibo.dev btc.dev --table

Sets (none is a test split; see privtune/scan/ner/corpora.py for the formats):

* zh: ``weibo.dev`` (social media), ``peoples_daily.dev`` (news: every 10th sentence of the
  People's Daily file, index % 10 == 0 — the other nine tenths are training data of the
  Chinese CRF, see privtune/scan/ner/corpora.py), ``resume.dev`` (CVs), ``cluener.dev``
  (CLUENER2020 dev), ``intl_zh`` (generated, see below).
* en: ``wnut17.dev`` (social media), ``btc.dev`` and ``wikigold.dev`` (every 10th sentence of
  the Broad Twitter Corpus and of wikigold, index % 10 == 0, never trained on), ``intl_en``.
* zh, on request only (``--sets weibo.heldout ...``): ``cluener.heldout``, ``weibo.heldout``,
  ``peoples_daily.heldout``, ``resume.heldout``: the training sentences of each set that the
  shipped Chinese CRF was *not* fitted on (tools/train_ner.py holds a seeded 10 % out for its
  score calibration and ships the model fitted on the rest). Not a test split either, but a
  second unfitted sample beside the small dev files; not summed into the per-language totals.
* ``intl_en`` / ``intl_zh``: chat-shaped records from benchmarks/intl_pii_data.py (Faker, 32
  Latin-script locales and zh_CN / zh_TW; names, national phone formats, postal blocks),
  seed 7, 500 records each. A dev set we built, not a held-out one. ``intl_en.unseen``: its
  records from the six locales whose names the English lexicon leaves out (not summed again
  into the "en" totals).
* ``social_en``: 400 social-media posts from benchmarks/social_en_data.py (seed 7): names from
  those six locales in shapes the corpora have few of (@handles next to names, "w/ Name",
  sign-offs, lower-case names) and posts with capitalised non-names; PERSON only, reported on
  its own (not summed into "en", so the "en" figures stay comparable with earlier rounds).
* ``social_zh``: 400 Weibo-shaped posts from benchmarks/social_zh_data.py (seed 7): names as
  handles, staff handles behind an organisation's name, names beside emoticons, topics and
  titles, 小 / 阿 nicknames, and posts without a name (organisation, place and brand handles,
  words that begin with a surname); PERSON only, reported on its own (not summed into "zh").
* ``outside11_en`` / ``outside11_zh``: 600 records each from benchmarks/outside11_en_data.py and
  outside11_zh_data.py (seed 11), built the way an outside team would build a labelled set: own
  hand-written name lists (no Faker locale, no project lexicon), national address and phone
  shapes, narrative paragraphs, tickets, forms, letters, bios, chat; zh news sentences without
  cue words and 小 / 阿 / 老 nicknames. PERSON / ADDRESS / PHONE / ORGANIZATION; reported on their
  own (not summed). On request: ``outside11_en.dev`` / ``.test`` and ``outside11_zh.dev`` /
  ``.test``, the even / odd records: rules are tuned against the dev half only, and the test
  half's misses are not read.

Each set is scored only on the types it labels. Per type: exact-span and overlap (same type,
spans intersect, one-to-one) precision / recall / F1 through ``Analyzer().analyze`` at its
default thresholds; per language, the same summed over that language's sets.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from privtune.scan.ner import corpora  # noqa: E402
from privtune.scan.ner.lexicon import HELD_OUT_NAME_LOCALES  # noqa: E402

NER_TYPES = ("PERSON", "ADDRESS", "ORGANIZATION")
INTL_TYPES = ("PERSON", "ADDRESS", "PHONE")
SETS: dict[str, str] = {  # name -> language
    "weibo.dev": "zh", "peoples_daily.dev": "zh", "resume.dev": "zh", "cluener.dev": "zh", "intl_zh": "zh",
    "wnut17.dev": "en", "btc.dev": "en", "wikigold.dev": "en", "intl_en": "en", "intl_en.unseen": "en",
    "social_en": "en", "social_zh": "zh", "outside11_en": "en", "outside11_zh": "zh",
}  # fmt: skip
# Subsets reported on their own and left out of the per-language sums (their records are
# already in intl_en): intl_en records of the Faker locales whose names the English lexicon
# leaves out on purpose (lexicon.HELD_OUT_NAME_LOCALES): names it has never seen.
# social_en and social_zh are sets of their own, reported beside the others but not summed either.
SUBSETS = {"intl_en.unseen", "social_en", "social_zh", "outside11_en", "outside11_zh"}
# The dev / test halves of the outside11 sets, on request only (never summed).
OUTSIDE_HALVES = ("outside11_en.dev", "outside11_en.test", "outside11_zh.dev", "outside11_zh.test")
OUTSIDE_TYPES = ("PERSON", "ADDRESS", "PHONE", "ORGANIZATION")
# The zh CRF's calibration hold-out per source (see the docstring): asked for by name only.
HELDOUT_SETS: dict[str, str] = {
    "cluener.heldout": "cluener", "weibo.heldout": "weibo.train", "peoples_daily.heldout": "peoples_daily.train",
    "resume.heldout": "resume.train",
}  # fmt: skip
CLUENER_DEV = "/work/shared/data/cluener/dev.json"
INTL_SEED, INTL_N = 7, 500
SOCIAL_SEED, SOCIAL_N = 7, 400
SOCIAL_ZH_SEED, SOCIAL_ZH_N = 7, 400
OUTSIDE_SEED, OUTSIDE_N = 11, 600

Example = tuple[str, list[tuple[int, int, str]]]


def load_set(name: str) -> tuple[list[Example], tuple[str, ...]]:
    """The examples of a named set and the types it labels."""
    if name in HELDOUT_SETS:
        return heldout_examples(HELDOUT_SETS[name]), NER_TYPES
    if name == "cluener.dev":
        from privtune.scan.ner.cluener import gold_spans, load_cluener

        return [(r["text"], gold_spans(r)) for r in load_cluener(CLUENER_DEV)], NER_TYPES
    if name == "social_en":
        from benchmarks.social_en_data import generate as social

        return [(r["text"], [tuple(s) for s in r["spans"]]) for r in social(SOCIAL_N, SOCIAL_SEED)], ("PERSON",)
    if name == "social_zh":
        from benchmarks.social_zh_data import generate as social_zh

        return [(r["text"], [tuple(s) for s in r["spans"]]) for r in social_zh(SOCIAL_ZH_N, SOCIAL_ZH_SEED)], ("PERSON",)
    if name.startswith("outside11_"):
        return outside_examples(name), OUTSIDE_TYPES
    if name in ("intl_en", "intl_zh", "intl_en.unseen"):
        from benchmarks.intl_pii_data import generate

        recs = generate(INTL_N, INTL_SEED, lang=name[5:7])
        if name == "intl_en.unseen":
            recs = [r for r in recs if r["locale"] in HELD_OUT_NAME_LOCALES]
        return [(r["text"], [tuple(s) for s in r["spans"]]) for r in recs], INTL_TYPES
    return [(s.text, list(s.spans)) for s in corpora.load(name)], NER_TYPES


def outside_examples(name: str) -> list[Example]:
    """The outside11 set ``name`` (``outside11_en``, ``outside11_zh.dev`` ...)."""
    from benchmarks.outside11_common import half
    from benchmarks.outside11_en_data import generate as outside_en
    from benchmarks.outside11_zh_data import generate as outside_zh

    base, _, which = name.partition(".")
    recs = (outside_en if base == "outside11_en" else outside_zh)(OUTSIDE_N, OUTSIDE_SEED)
    recs = half(recs, which) if which else recs
    return [(r["text"], [tuple(s) for s in r["spans"]]) for r in recs]


def heldout_examples(source: str) -> list[Example]:
    """Sentences of training source ``source`` in the shipped zh CRF's calibration hold-out:
    the split tools/train_ner.py makes with the seed, share and sets recorded in the model."""
    import importlib.util

    from privtune.scan.ner.cluener import load_cluener
    from privtune.scan.ner.model import get_tagger

    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "tools" / "train_ner.py")
    tool = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(tool)  # type: ignore[union-attr]
    training = get_tagger().meta["training"]
    if training.get("repeat"):
        raise SystemExit("the shipped model was trained with --repeat: its hold-out is not rebuilt here")
    cluener = load_cluener(str(Path(CLUENER_DEV).with_name("train.json")))
    for r in cluener:
        r["source"] = "cluener"
    _, held = tool.calibration_split(cluener + tool.extra_records(list(tool.DEFAULT_EXTRA)), 0.1, int(training["seed"]))
    return [(r["text"], [tuple(s) for s in tool.spans_of(r)]) for r in held if r["source"] == source]


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def count(examples: list[Example], predictions: list[list[tuple[int, int, str]]], types: tuple[str, ...]) -> dict:
    """Per type: gold, predicted, exact and overlap true positives."""
    c: dict[str, dict[str, int]] = {t: defaultdict(int) for t in types}
    for (_, gold), pred in zip(examples, predictions, strict=True):
        pred = [p for p in pred if p[2] in types]
        gold_set = set(gold)
        for g in gold:
            c[g[2]]["gold"] += 1
        used: set[int] = set()
        for p in pred:
            c[p[2]]["pred"] += 1
            c[p[2]]["exact"] += p in gold_set
            for i, g in enumerate(gold):
                if i not in used and g[2] == p[2] and p[0] < g[1] and g[0] < p[1]:
                    used.add(i)
                    c[p[2]]["overlap"] += 1
                    break
    return {t: dict(v) for t, v in c.items()}


def scores(counts: dict[str, dict[str, int]]) -> dict[str, dict]:
    out = {}
    for t, c in counts.items():
        g, p = c.get("gold", 0), c.get("pred", 0)
        out[t] = {"exact": _prf(c.get("exact", 0), p, g), "overlap": _prf(c.get("overlap", 0), p, g),
                  "support": g, "predicted": p}  # fmt: skip
    return out


def evaluate(analyzer, names: list[str], limit: int | None = None) -> dict:
    """{"sets": {name: scores}, "languages": {lang: scores}, "seconds": {name: wall s}}."""
    per_set, per_lang, secs = {}, defaultdict(lambda: defaultdict(lambda: defaultdict(int))), {}
    for name in names:
        examples, types = load_set(name)
        examples = examples[:limit] if limit else examples
        t0 = time.perf_counter()
        preds = [[(s.start, s.end, s.type) for s in analyzer.analyze(text)] for text, _ in examples]
        secs[name] = round(time.perf_counter() - t0, 2)
        c = count(examples, preds, types)
        per_set[name] = scores(c)
        if name in SUBSETS or name in HELDOUT_SETS or name in OUTSIDE_HALVES:
            continue
        for t, v in c.items():
            for k, n in v.items():
                per_lang[SETS[name]][t][k] += n
    langs = {lang: scores({t: dict(v) for t, v in c.items()}) for lang, c in per_lang.items()}
    return {"sets": per_set, "languages": langs, "seconds": secs}


def print_table(res: dict) -> None:
    print(f"{'set':<22}{'type':<14}{'P':>7}{'R':>7}{'F1':>7}{'oP':>7}{'oR':>7}{'oF1':>7}{'gold':>7}")
    rows = list(res["sets"].items()) + [(f"[{k}]", v) for k, v in res["languages"].items()]
    for name, by_type in rows:
        for t, s in by_type.items():
            e, o = s["exact"], s["overlap"]
            print(f"{name:<22}{t:<14}{e['p']:>7.3f}{e['r']:>7.3f}{e['f1']:>7.3f}"
                  f"{o['p']:>7.3f}{o['r']:>7.3f}{o['f1']:>7.3f}{s['support']:>7}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS) + list(HELDOUT_SETS) + list(OUTSIDE_HALVES))
    ap.add_argument("--limit", type=int, default=None, help="first N examples of each set (quick looks)")
    ap.add_argument("--table", action="store_true", help="print a table before the JSON line")
    args = ap.parse_args(argv)

    from privtune.scan.analyzer import Analyzer

    res = evaluate(Analyzer(), args.sets, args.limit)
    if args.table:
        print_table(res)
    print(json.dumps({"benchmark": "ner_eval", **res}))


if __name__ == "__main__":
    main()
