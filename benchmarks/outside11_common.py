"""Shared by the outside11 sets (benchmarks/outside11_en_data.py, outside11_zh_data.py): filling a
template with labelled slots, and the fixed dev / test halves.

The outside11 sets are built the way a team outside this project would build a labelled set: their
own name lists (hand-written here, of nationalities and shapes the project's generators, lexicons
and Faker locales do not draw from), their own address and phone shapes per country, and
long-form templates (narrative paragraphs, tickets, forms, letters, bios, chat with typos).
Nothing in them is read from the project's detectors or word lists.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable

# A slot value: plain text (no label) or (TYPE, text).
Slot = str | tuple[str, str]


def fill(template: str, slots: dict[str, Slot]) -> tuple[str, list[list]]:
    """The text of ``template`` with its ``{key}`` slots filled, and ``[start, end, TYPE]`` spans of
    the labelled ones (char offsets, end exclusive)."""
    text, spans = "", []
    for lit, key in re.findall(r"([^{]*)(?:\{(\w+)\})?", template):
        text += lit
        if not key:
            continue
        val = slots[key]
        if isinstance(val, str):
            text += val
            continue
        typ, value = val
        spans.append([len(text), len(text) + len(value), typ])
        text += value
    return text, spans


def digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    """``n`` random digits, the first drawn from ``first``."""
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def shape(rng: random.Random, pattern: str) -> str:
    """``pattern`` with each ``#`` a random digit and each ``N`` a random non-zero digit."""
    return "".join(rng.choice("0123456789") if c == "#" else rng.choice("123456789") if c == "N" else c
                   for c in pattern)  # fmt: skip


def half(records: list[dict], which: str) -> list[dict]:
    """The ``dev`` half (even record index) or the ``test`` half (odd index) of a set. Fixed by
    index so that the halves never change with the tuning done on the dev half."""
    if which not in ("dev", "test"):
        raise ValueError(f"half must be 'dev' or 'test', not {which!r}")
    return records[0 if which == "dev" else 1 :: 2]


def generate_records(record: Callable[[random.Random], dict], n: int, seed: int) -> list[dict]:
    """``n`` records drawn by ``record``, deterministic for a given seed."""
    rng = random.Random(seed)
    return [record(rng) for _ in range(n)]


def print_records(generate: Callable[[int, int], list[dict]], doc: str | None, argv: list[str] | None) -> None:
    """The generators' command line: ``--n`` records of ``--seed`` as JSON lines on stdout."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    for rec in generate(args.n, args.seed):
        print(json.dumps(rec, ensure_ascii=False))
