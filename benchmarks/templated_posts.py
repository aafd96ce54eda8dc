"""Shared by the generated check sets (social_en_data, social_zh_data): filling a post template
and drawing records with Faker locales in turn."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from faker import Faker


def fill(template: str, fields: dict[str, str], other: dict[str, str]) -> tuple[str, list[list]]:
    """The text of ``template`` with its ``{key}`` slots filled, and the PERSON spans of the
    slots filled from ``fields`` (``other`` holds the slots that are no name)."""
    text, spans = "", []
    for lit, key in re.findall(r"([^{]*)(?:\{(\w+)\})?", template):
        text += lit
        if not key:
            continue
        if key in other:
            text += other[key]
            continue
        spans.append([len(text), len(text) + len(fields[key]), "PERSON"])
        text += fields[key]
    return text, spans


def by_locale(n: int, seed: int, locales: Sequence[str],
              record: Callable[[Faker, random.Random, str], dict]) -> list[dict]:
    """``n`` records, ``locales`` in turn, one seeded Faker per locale and one shared rng:
    deterministic for a given seed."""
    rng = random.Random(seed)
    fakers: dict[str, Faker] = {}
    out = []
    for i in range(n):
        loc = locales[i % len(locales)]
        if loc not in fakers:
            fakers[loc] = Faker(loc)
            fakers[loc].seed_instance(seed)
        out.append(record(fakers[loc], rng, loc))
    return out
