"""Train the Chinese PERSON/ADDRESS/ORGANIZATION CRF on CLUENER2020 train + Weibo train + Resume
train + the training part of People's Daily, and write the model files.

    python tools/train_ner.py                     # the shipped model (see MODEL_CARD.md)
    python tools/train_ner.py --extra --out x.npz # CLUENER train only (the first shipped model)

Only ``*.train`` sets are accepted as extra data: People's Daily's held-out tenth
(``peoples_daily.dev``, privtune/scan/ner/corpora.py) is what benchmarks/ner_eval.py reports.

Steps (deterministic for a given --seed; crfsuite's L-BFGS has no randomness):
  1. write privtune/scan/ner/en_lexicon.json from Faker's en_US providers;
  2. fit a CRF on 90% of train (seeded shuffle; a set's part repeated as --repeat says;
     plus --name-copies copies of its sentences with names, the names replaced by sampled
     ones: tools/zh_name_augment.py),
     decode the held-out 10% and fit the score calibration there (slope by logistic
     fit, 0.5 placed at the F1-best gain threshold, per type), write zh_crf.npz with it;
  3. only with --refit: fit again on all of train and ship that with step 2's calibration
     (twice the time; the shipped model is step 2's, see MODEL_CARD.md);
  4. score the written model on CLUENER dev through the Analyzer and print the table.
CLUENER dev is only ever used in step 4; the outside dev sets only by benchmarks/ner_eval.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(ROOT / "tools"))  # zh_name_augment beside this script

from privtune.scan.ner import features  # noqa: E402
from privtune.scan.ner.cluener import gold_spans, load_cluener  # noqa: E402
from privtune.scan.ner.model import MODEL_PATH, TAGS, TYPES, ZhTagger, feature_fingerprint  # noqa: E402
from privtune.scan.ner.lexicon import HELD_OUT_NAME_LOCALES, LEXICON_PATH  # noqa: E402
from zh_name_augment import augment, swap  # noqa: E402




def _faker_names(attr: str) -> set[str]:
    """``first_names`` / ``last_names`` of every Faker person provider in Latin script, except
    the held-out locales."""
    import importlib
    import pkgutil
    import re

    from faker.providers import person

    latin = re.compile(r"[A-Z\u00c0-\u00de][A-Za-z\u00c0-\u024f'-]+")
    out: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        if mod.name in HELD_OUT_NAME_LOCALES:
            continue
        provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        names: list[object] = []
        for key in (attr, f"{attr}_female", f"{attr}_male"):
            value = getattr(provider, key, ())
            if isinstance(value, (list, tuple, dict, set, frozenset)):  # dicts: name -> weight
                names += list(value)
        out |= {n for n in names if isinstance(n, str) and latin.fullmatch(n)}
    return out


def _lowercase_words() -> set[str]:
    """Words written in lower case at least 3 times in the English train sets: ordinary words,
    which must not become names ("will", "may", "rose")."""
    from collections import Counter

    from privtune.scan.ner import corpora

    counts: Counter[str] = Counter()
    for name in ("btc.train", "wnut17.train", "wikigold.train"):
        for s in corpora.load(name):
            counts.update(w for w in s.text.split() if w.islower())
    return {w for w, n in counts.items() if n >= 3}


def write_en_lexicon(path: Path) -> None:
    """Names of many nationalities, street suffixes and state codes from Faker's providers."""
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.person.en_US import Provider as Person

    common = _lowercase_words()
    us_first = set(Person.first_names_female) | set(Person.first_names_male)
    data = {
        "source": "Faker person providers of all Latin-script locales except "
                  f"{', '.join(HELD_OUT_NAME_LOCALES)}, en_US address provider (MIT licence); "
                  "words seen in lower case >= 3 times in the English NER train sets removed "
                  "(en_US names kept)",
        "first_names": sorted(us_first | {n for n in _faker_names("first_names") if n.lower() not in common}),
        "last_names": sorted(set(Person.last_names)
                             | {n for n in _faker_names("last_names") if n.lower() not in common}),
        "street_suffixes": sorted(set(Address.street_suffixes)),
        "states": sorted(set(Address.states_abbr)),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def spans_of(record: dict) -> list[tuple[int, int, str]]:
    """Gold spans of a CLUENER record, or of a converted record of another set ("spans")."""
    return list(record["spans"]) if "spans" in record else gold_spans(record)


# Other zh training sets (privtune.scan.ner.corpora names) added to CLUENER train by default.
DEFAULT_EXTRA: tuple[str, ...] = ("weibo.train", "resume.train", "peoples_daily.train")


def _repeat_arg(text: str) -> tuple[str, int]:
    name, _, n = text.partition("=")
    if not n.isdigit() or int(n) < 1:
        raise argparse.ArgumentTypeError(f"expected SET=N with N >= 1, not {text!r}")
    return name, int(n)


def extra_records(names: list[str]) -> list[dict]:
    """Train sentences of the other zh sets (privtune/scan/ner/corpora.py) as records."""
    from privtune.errors import InputError
    from privtune.scan.ner import corpora

    for name in names:  # evaluation slices must never be fitted on
        if not name.endswith(".train"):
            raise InputError(f"--extra takes training sets only (*.train), not {name!r}")
    return [{"text": s.text, "spans": list(s.spans), "source": name}
            for name in names for s in corpora.load(name) if s.text]


def calibration_split(
    train: list[dict], holdout: float, seed: int, repeat: dict[str, int] | None = None
) -> tuple[list[dict], list[dict]]:
    """(fitted, held out): a seeded ``holdout`` share of ``train`` is held out for the score
    calibration; records of the fitted part whose ``source`` is a key of ``repeat`` are there
    ``repeat[source]`` times. Copies are made after the split, so no held-out sentence has a
    twin in the fitted part."""
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    n_held = int(len(train) * holdout)
    held = [train[i] for i in order[:n_held]]
    fit = [train[i] for i in order[n_held:]]
    fit += [r for r in fit for _ in range((repeat or {}).get(r.get("source", ""), 1) - 1)]
    return fit, held


def tag_sequence(record: dict) -> list[str]:
    """BIOES tags over the mapped types; overlapping gold spans keep the first one."""
    tags = ["O"] * len(record["text"])
    for start, end, typ in sorted(spans_of(record)):
        if any(t != "O" for t in tags[start:end]):
            continue
        if end - start == 1:
            tags[start] = f"S-{typ}"
        else:
            tags[start:end] = [f"B-{typ}"] + [f"I-{typ}"] * (end - start - 2) + [f"E-{typ}"]
    return tags


def item_sequence(text: str, bits: int, name_classes: bool = True) -> list[list[str]]:
    """crfsuite items of ``text``; ``name_classes=False`` reads the name-list character classes
    as plain CJK (class dropout)."""
    table = None if name_classes else features.NO_NAME_CLASS_TABLE
    return [[str(v) for v in col] for col in features.feature_ids(text, bits, table=table).T.tolist()]


def class_dropout(records: list[dict], share: float, seed: int) -> list[dict]:
    """``records``, a seeded ``share`` of them marked to be read without the name classes."""
    rng = random.Random(seed + 1)
    return [{**r, "no_name_classes": True} if rng.random() < share else r for r in records]


def train_crf(records: list[dict], args: argparse.Namespace, workdir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Fit with crfsuite on ``records``; return what :func:`export_crf` returns."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=args.verbose)
    for r in records:
        trainer.append(item_sequence(r["text"], args.bits, not r.get("no_name_classes")), tag_sequence(r))
    trainer.set_params({"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations,
                        "feature.possible_transitions": True})
    path = workdir / "crf.model"
    t0 = time.perf_counter()
    trainer.train(str(path))
    print(f"  crfsuite: {len(records)} sentences, {time.perf_counter() - t0:.0f} s", flush=True)
    return export_crf(path, args.bits)


def export_crf(path: Path, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense weights ``(2**bits, len(TAGS))`` (float16 precision, as shipped) and transitions."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    info = tagger.info()
    index = {t: i for i, t in enumerate(TAGS)}
    weights = np.zeros((1 << bits, len(TAGS)), dtype=np.float32)
    for (attr, label), w in info.state_features.items():
        weights[int(attr), index[label]] = w
    trans = np.zeros((len(TAGS), len(TAGS)), dtype=np.float32)
    for (a, b), w in info.transitions.items():
        trans[index[a], index[b]] = w
    tagger.close()
    return weights.astype(np.float16).astype(np.float32), trans  # what the shipped file holds


def fit_calibration(model_path: Path, held: list[dict]) -> dict[str, dict]:
    """Per type: F1-best gain threshold on held-out data, and a logistic slope around it.

    Spans come from the full tagging pipeline (post-rules included) of the model at
    ``model_path``, so the calibration describes exactly what the recognizers emit.
    """
    tagger = ZhTagger(model_path)
    by_type: dict[str, list[tuple[float, bool]]] = {t: [] for t in TYPES}
    support = {t: 0 for t in TYPES}
    for r in held:
        gold = set(spans_of(r))
        for _, _, t in gold:
            support[t] += 1
        for s, e, t, g in tagger.raw_spans(r["text"]):
            by_type[t].append((g, (s, e, t) in gold))
    out = {}
    for t, items in by_type.items():
        items.sort(reverse=True)
        tp, best = 0, (0.0, 0.0)
        for i, (g, ok) in enumerate(items):  # threshold just below item i: keep items[: i + 1]
            tp += ok
            f1 = 2 * tp / (i + 1 + support[t])
            if f1 > best[0]:
                best = (f1, g)
        threshold = best[1] - 1e-6
        gains = np.array([g for g, _ in items])
        labels = np.array([ok for _, ok in items], dtype=float)
        slope = _logistic_slope(gains - threshold, labels)
        out[t] = {"slope": round(slope, 4), "threshold": round(threshold, 4)}
        print(f"  calibration {t}: {len(items)} spans, F1-best gain {threshold:.3f} "
              f"(held-out F1 {best[0]:.3f}), slope {slope:.3f}")
    return out


def _logistic_slope(x: np.ndarray, y: np.ndarray, ridge: float = 1.0) -> float:
    """Slope a of P(correct) = sigmoid(a * x + b), fitted by ridge-penalised log-loss (b is
    not kept: the score is pinned to 0.5 at x = 0). The ridge keeps the fit finite when the
    held-out spans are nearly separable by gain."""
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = w[0] * x + w[1]
        p = 1.0 / (1.0 + np.exp(-z))
        value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * ridge * float(w @ w)
        return value, np.array([np.sum((p - y) * x), np.sum(p - y)]) + ridge * w

    fit = minimize(loss, np.array([0.5, 0.0]), jac=True, method="L-BFGS-B")
    return float(np.clip(fit.x[0], 0.05, 5.0))  # positive: the score must rank like the gain


def save(weights: np.ndarray, trans: np.ndarray, calibration: dict, args, path: Path, n_train: int) -> None:
    rows = np.nonzero(np.any(weights != 0, axis=1))[0].astype(np.int32)
    meta = {
        "format": 1,
        "features": feature_fingerprint(),
        "tags": list(TAGS),
        "bits": args.bits,
        "max_len": args.max_len,
        "calibration": calibration,
        "training": {"data": "CLUENER2020 train (CLUEbenchmark/CLUENER2020)"
                     + "".join(f" + {n}" for n in args.extra), "sentences": n_train,
                     "repeat": args.repeat, "name_copies": args.name_copies,
                     "class_dropout": args.class_dropout, "name_swap": args.name_swap,
                     "c1": args.c1, "c2": args.c2, "iterations": args.iterations, "seed": args.seed},
    }
    np.savez_compressed(path, rows=rows, values=weights[rows].astype(np.float16),
                        transitions=trans.astype(np.float32), meta=np.array(json.dumps(meta)))
    print(f"  wrote {path} ({path.stat().st_size / 1e6:.2f} MB, {len(rows)} non-zero feature rows)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/work/shared/data/cluener", help="folder with train.json and dev.json")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--bits", type=int, default=20,
                    help="feature hash size is 2**bits (20: the training text has ~2.2 M distinct feature strings)")
    ap.add_argument("--c1", type=float, default=0.02, help="L1 penalty (sparsity)")
    ap.add_argument("--c2", type=float, default=0.03, help="L2 penalty")
    ap.add_argument("--iterations", type=int, default=300, help="L-BFGS iterations (300: +1.4 ADDRESS F1 over 150)")
    ap.add_argument("--max-len", type=int, default=48, help="longest span the decoder considers")
    ap.add_argument("--holdout", type=float, default=0.1, help="share of train used for calibration")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-lexicon", action="store_true", help="leave en_lexicon.json as it is")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N train sentences (smoke test)")
    ap.add_argument("--refit", action=argparse.BooleanOptionalAction, default=False,
                    help="refit on all of train after calibrating (default: ship the calibrated "
                         "model fitted on 1 - holdout of train: half the time)")
    ap.add_argument("--extra", nargs="*", default=list(DEFAULT_EXTRA),
                    help="other zh train sets (privtune.scan.ner.corpora names) added to CLUENER train")
    ap.add_argument("--verbose", action="store_true", help="crfsuite's per-iteration log (progress)")
    ap.add_argument("--repeat", nargs="*", default=[], metavar="SET=N", type=_repeat_arg,
                    help="weight a set by repeating its fitted part N times (cluener or an --extra "
                         "name; the held-out part is never repeated)")
    ap.add_argument("--name-copies", type=int, default=0,
                    help="substituted copies of each fitted sentence with a surname-shaped name "
                         "(tools/zh_name_augment.py; 0: none)")
    ap.add_argument("--name-swap", type=float, default=0.0,
                    help="share of the fitted sentences with a surname-shaped name whose names are "
                         "replaced by sampled ones in place (tools/zh_name_augment.py; 0: none)")
    ap.add_argument("--class-dropout", type=float, default=0.0,
                    help="share of the substituted copies read without the name-list character "
                         "classes (surname, given-name, transliteration, cue -> plain CJK)")
    args = ap.parse_args()
    args.repeat = dict(args.repeat)
    if set(args.repeat) - {"cluener", *args.extra}:
        ap.error(f"--repeat names a set that is not trained on: {sorted(set(args.repeat) - {'cluener', *args.extra})}")

    if not args.no_lexicon:
        write_en_lexicon(LEXICON_PATH)
        print(f"wrote {LEXICON_PATH}")
    cluener = load_cluener(Path(args.data) / "train.json")
    for r in cluener:
        r["source"] = "cluener"
    train = cluener + extra_records(args.extra)
    if args.limit:
        train = train[: args.limit]
    fit, held = calibration_split(train, args.holdout, args.seed, args.repeat)
    train += [r for r in train for _ in range(args.repeat.get(r.get("source", ""), 1) - 1)]
    # after the split: the held-out part and its sentences' names stay unseen
    fit = swap(fit, spans_of, args.name_swap, args.seed)
    fit += class_dropout(augment(fit, spans_of, args.name_copies, args.seed), args.class_dropout, args.seed)
    if args.refit:
        train = swap(train, spans_of, args.name_swap, args.seed)
        train += class_dropout(augment(train, spans_of, args.name_copies, args.seed), args.class_dropout, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"1/2 calibration model ({len(fit)} fit / {len(held)} held out)")
        w, t = train_crf(fit, args, Path(tmp))
        uncalibrated = {k: {"slope": 1.0, "threshold": 0.0} for k in TYPES}
        save(w, t, uncalibrated, args, Path(tmp) / "calibration_model.npz", len(fit))
        calibration = fit_calibration(Path(tmp) / "calibration_model.npz", held)
        n_shipped = len(fit)
        if args.refit:
            print(f"2/2 shipped model (all {len(train)} train sentences)")
            w, t = train_crf(train, args, Path(tmp))
            n_shipped = len(train)
    save(w, t, calibration, args, args.out, n_shipped)

    from benchmarks.cluener_eval import evaluate_cluener, print_table
    from privtune.scan import ner
    from privtune.scan.analyzer import Analyzer

    ner.model.reset(args.out)  # score the file just written
    res = evaluate_cluener(str(Path(args.data) / "dev.json"), Analyzer(types=TYPES))
    print_table(res)
    print(json.dumps({"dev": res}))


if __name__ == "__main__":
    main()
