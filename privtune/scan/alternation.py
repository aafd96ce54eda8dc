"""Regex alternations with their leading literal characters factored out (`factor_alternation`).

sre tries every branch of an alternation at each position it reaches: a cue list of ~70
phrases ("my name is|name is|i am|…|my wife|my husband|…") costs ~70 first-character tests
per position of a lower-cased chat, most of which fail. With the branches grouped by their
first character, recursively ("m(?:y (?:name is|wife|…)|r\\.?|…)|n(?:ame is|…)|…"), a
position costs one test per distinct first character and a few more where one matches
(`en_cues._cue_ends`, with `guard_first`: ~7.7 -> ~3.7 µs per demo record).

`registry.literal_alternation` does this for plain words; this module does it for branches
that are regex fragments ("spoke (?:to|with)", "mr\\.?", "fianc[eé]e?"), leaving each branch
verbatim from its first character that is no plain literal.
"""

from __future__ import annotations

import re

# A character that, unescaped and outside a class, stands for itself.
_PLAIN = re.compile(r"[^\\.^$*+?{}()\[\]|]")
_QUANTIFIERS = frozenset("?*+{")


def split_branches(src: str) -> list[str]:
    """The top-level branches of the regex source ``src`` (split at ``|`` outside groups,
    classes and escapes)."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if src[i + 1 : i + 2] == "^":
                i += 1
            if src[i + 1 : i + 2] == "]":  # "[]…]" / "[^]…]": a literal "]" first
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(src[start:i])
            start = i + 1
        i += 1
    out.append(src[start:])
    return out


def _leading_literal(branch: str) -> tuple[str, str] | None:
    """``(character, its spelling)`` when ``branch`` opens with a literal character that no
    quantifier follows, else None."""
    if not branch:
        return None
    if branch[0] == "\\":
        if len(branch) < 2 or branch[1].isalnum():  # \d, \b, \1 …: classes, anchors, references
            return None
        spelling = branch[:2]
    elif _PLAIN.match(branch[0]):
        spelling = branch[0]
    else:
        return None
    if branch[len(spelling) : len(spelling) + 1] in _QUANTIFIERS and len(branch) > len(spelling):
        return None
    return spelling[-1], spelling


def factor_alternation(src: str) -> str:
    """A regex source equivalent to ``src`` (a top-level alternation, case-sensitive), with the
    branches that open with the same literal character grouped under it, recursively.

    Equivalent match for match, groups included: at a position, the branches whose first
    character differs from the text's fail at once without effect, so sre meets the others in
    the same order as before, with the same backtracking. Only branches with no other branch
    between them are grouped (a branch that opens otherwise, such as ``[a-z]x``, may match at
    the same character, and its place in the order is kept). Not for IGNORECASE patterns,
    where branches opening with "a" and "A" may both match one character."""
    if re.compile(src).flags & (re.IGNORECASE | re.VERBOSE):
        raise ValueError("factor_alternation: an IGNORECASE or VERBOSE pattern's branches cannot be grouped by character")
    branches = split_branches(src)
    if len(branches) < 2:
        return src
    # Runs of consecutive keyed branches; in a run, branches grouped by their first character.
    parts: list[str] = []
    run: dict[str, tuple[str, list[str]]] = {}

    def close_run() -> None:
        for _, (spelling, rests) in run.items():
            parts.append(spelling + _group(rests))
        run.clear()

    for branch in branches:
        lead = _leading_literal(branch)
        if lead is None:
            close_run()
            parts.append(branch)
            continue
        char, spelling = lead
        run.setdefault(char, (spelling, []))[1].append(branch[len(spelling) :])
    close_run()
    return "|".join(parts)


def _group(rests: list[str]) -> str:
    """The rests of branches sharing a first character, factored, as one regex item."""
    if len(rests) == 1:
        rest = rests[0]
        return rest if len(split_branches(rest)) == 1 else f"(?:{rest})"
    return f"(?:{factor_alternation('|'.join(rests))})"


def guard_first(src: str, guard: str) -> str:
    """``src`` (an alternation whose every top-level branch opens with a literal character, as
    `factor_alternation` makes them) with ``guard`` (a zero-width assertion) after each
    branch's first character.

    A look-behind at the start of a pattern, ``(?<![a-z])(?:…)``, makes sre try the pattern at
    every position; after the first character, ``…(?<![a-z].)…``, it still skips to the
    branches' first characters and rejects a match inside a word there, in C. (Not always
    faster than a search and the test in Python: a look-behind costs more than a literal, so
    where most candidates fail at their second character, as the account cue words do, it
    lost.)"""
    out = []
    for branch in split_branches(src):
        lead = _leading_literal(branch)
        if lead is None:
            raise ValueError(f"guard_first: the branch {branch!r} opens with no literal character")
        out.append(lead[1] + guard + branch[len(lead[1]) :])
    return "|".join(out)
