"""Name-substitution augmentation for the Chinese CRF (used by tools/train_ner.py).

The CRF fitted on the four zh sets finds the names it was fitted on far better than names it
never saw (PERSON recall 0.72 on People's Daily's unfitted training sentences, 0.86 on its dev
sentences that share names with the fitted part): it learns name *strings*. Extra copies of the
training sentences whose surname-shaped gold names are replaced by freshly sampled ones keep
every context and change only the name, so what stays constant for the model is the context.

Sampling (seeded, so a training run is reproducible):
* surname: 3 % a compound surname (欧阳, 司马 ...); otherwise the surname distribution of the
  gold names being replaced (realistic: 张 李 王 陈 lead), mixed 1 : 1 with a Zipf-like
  weight over the ~320 common surnames of ``ZH_SURNAMES`` (rank r weighs 1 / (r + 10)) so that
  rarer surnames are seen too;
* given name: one or two characters as often as in the replaced names (about 1 : 2), each
  drawn half from the given-name characters of the training names (their frequencies), half
  uniformly from the generic ``ZH_GIVEN_CHARS``;
* social text (Weibo sentences): 20 % of the names take an informal form instead — 阿 or 小
  + a surname or given character, or a doubled given character (乐乐) — the nickname shapes
  Weibo's gold labels as names.

Only surname-shaped gold names (a surname of ``ZH_SURNAMES`` or a compound one + 1-2 Han
characters) are replaced: transliterated and foreign names keep their strings, and every other
span keeps its place (offsets are shifted when a name changes length).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence

from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_GIVEN_CHARS, ZH_SURNAMES

COMPOUND_SHARE = 0.03
INFORMAL_SHARE = 0.2  # of the names replaced in social-media sentences
SOCIAL_SOURCES = frozenset({"weibo.train"})
_COMPOUNDS = tuple(sorted(ZH_COMPOUND_SURNAMES))


def _is_han(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in text)


def split_name(name: str) -> tuple[str, str] | None:
    """(surname, given) of a surname-shaped name — surname + 1-2 Han characters — else None."""
    if not _is_han(name):
        return None
    if name[:2] in ZH_COMPOUND_SURNAMES and 3 <= len(name) <= 4:
        return name[:2], name[2:]
    if name[0] in ZH_SURNAMES and 2 <= len(name) <= 3:
        return name[0], name[1:]
    return None


class NameSampler:
    """Draws fresh Chinese names from distributions read off the names being replaced."""

    def __init__(self, names: Iterable[str], rng: random.Random) -> None:
        parts = [p for p in (split_name(n) for n in names) if p is not None]
        if not parts:
            raise ValueError("no surname-shaped names to learn the distributions from")
        self.rng = rng
        surnames = Counter(s for s, _ in parts if len(s) == 1)
        self._surnames = sorted(surnames)
        self._surname_w = [surnames[s] for s in self._surnames]
        self._zipf = list(ZH_SURNAMES)
        self._zipf_w = [1.0 / (rank + 10) for rank in range(len(self._zipf))]
        given = Counter(c for _, g in parts for c in g)
        self._given = sorted(given)
        self._given_w = [given[c] for c in self._given]
        self.two_given_share = sum(len(g) == 2 for _, g in parts) / len(parts)

    def surname(self) -> str:
        r = self.rng
        if r.random() < COMPOUND_SHARE:
            return r.choice(_COMPOUNDS)
        if r.random() < 0.5:
            return r.choices(self._surnames, self._surname_w)[0]
        return r.choices(self._zipf, self._zipf_w)[0]

    def given_char(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return r.choices(self._given, self._given_w)[0]
        return r.choice(ZH_GIVEN_CHARS)

    def formal(self) -> str:
        n_given = 2 if self.rng.random() < self.two_given_share else 1
        return self.surname() + "".join(self.given_char() for _ in range(n_given))

    def informal(self) -> str:
        r = self.rng
        shape = r.randrange(3)
        if shape == 2:
            return self.given_char() * 2  # 乐乐
        return ("阿", "小")[shape] + (self.surname()[-1] if r.random() < 0.5 else self.given_char())

    def name(self, social: bool) -> str:
        return self.informal() if social and self.rng.random() < INFORMAL_SHARE else self.formal()


def substitute(record: dict, spans: Sequence[tuple[int, int, str]], sampler: NameSampler) -> dict | None:
    """A copy of ``record`` with each surname-shaped PERSON span replaced by a sampled name (the
    same name string twice in a sentence gets the same new name); None if none is replaceable."""
    text = record["text"]
    social = record.get("source") in SOCIAL_SOURCES
    new_for: dict[str, str] = {}
    out, new_spans, pos, shift = [], [], 0, 0
    spans = sorted(spans)
    # names overlapping another gold span (nested labels) keep their string
    free = {sp for sp in spans if not any(o != sp and o[0] < sp[1] and sp[0] < o[1] for o in spans)}
    for start, end, typ in spans:
        old = text[start:end]
        if typ == "PERSON" and (start, end, typ) in free and split_name(old) is not None:
            new = new_for.setdefault(old, sampler.name(social))
            out += [text[pos:start], new]
            new_spans.append((start + shift, start + shift + len(new), typ))
            shift += len(new) - len(old)
            pos = end
        else:
            new_spans.append((start + shift, end + shift, typ))
    if not new_for:
        return None
    out.append(text[pos:])
    return {"text": "".join(out), "spans": new_spans, "source": record.get("source", "") + "+names"}


def augment(records: Sequence[dict], spans_of, copies: int, seed: int) -> list[dict]:
    """``copies`` substituted copies of every record that holds a surname-shaped gold name,
    in record order (deterministic for a given ``seed``)."""
    if copies <= 0:
        return []
    names = [r["text"][s:e] for r in records for s, e, t in spans_of(r) if t == "PERSON"]
    sampler = NameSampler(names, random.Random(seed))
    out = []
    for r in records:
        spans = spans_of(r)
        if not any(t == "PERSON" for _, _, t in spans):
            continue
        for _ in range(copies):
            copy = substitute(r, spans, sampler)
            if copy is None:
                break
            out.append(copy)
    return out


def swap(records: Sequence[dict], spans_of, share: float, seed: int) -> list[dict]:
    """``records`` with a seeded ``share`` of those holding a surname-shaped gold name replaced
    by a substituted copy (in place: the data's size and its share of sentences with names stay
    as they are, unlike :func:`augment`'s extra copies)."""
    if share <= 0:
        return list(records)
    names = [r["text"][s:e] for r in records for s, e, t in spans_of(r) if t == "PERSON"]
    rng = random.Random(seed)
    sampler = NameSampler(names, random.Random(seed + 2))
    out = []
    for r in records:
        spans = spans_of(r)
        copy = None
        if any(t == "PERSON" for _, _, t in spans) and rng.random() < share:
            copy = substitute(r, spans, sampler)
        out.append(copy if copy is not None else r)
    return out
