"""The span decoder's dominance step: the interval programme used for many candidates keeps
exactly the candidates the pairwise test keeps (ties included), and degenerate input (one
character repeated) no longer takes time quadratic in its length."""

import numpy as np
from numba.typed import List

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.kernels import _undominated


def _pairwise(cs, ce, cg):
    keep = []
    for a in range(len(cs)):
        if not any(b != a and cs[b] >= cs[a] and ce[b] <= ce[a] and (cg[b] > cg[a] or (cg[b] == cg[a] and b < a))
                   for b in range(len(cs))):
            keep.append(a)
    return keep


def test_interval_programme_keeps_what_the_pairwise_test_keeps():
    rng = np.random.default_rng(0)
    for trial in range(300):
        n = int(rng.integers(1, 40))
        m = int(rng.integers(1, 120))
        cs, ce, cg = [], [], []
        for _ in range(m):
            s = int(rng.integers(0, n))
            e = int(rng.integers(s + 1, min(n, s + 12) + 1))
            cs.append(s)
            ce.append(e)
            # Few distinct gains, so that ties (decided by list order) are common.
            cg.append(float(rng.integers(1, 4)) if trial % 2 else float(rng.random()))
        got = list(_undominated(List(cs), List(ce), List(cg), n))
        assert got == _pairwise(cs, ce, cg), trial


def test_a_long_run_of_one_character_is_tagged_in_linear_time():
    # 20,000 characters: with the pairwise test this took hours (2.5 s at 1,000, x4 per doubling).
    spans = Analyzer().analyze("张" * 20000)
    assert all(0 <= s.start < s.end <= 20000 for s in spans)


def test_occupied_matches_the_linear_overlap_test():
    from privtune.scan.entities import Span
    from privtune.scan.propagate import _Occupied

    rng = np.random.default_rng(1)
    for _ in range(200):
        spans = []
        for _ in range(int(rng.integers(0, 8))):
            s = int(rng.integers(0, 30))
            spans.append(Span(s, s + int(rng.integers(1, 6)), "PERSON", 0.9, "t"))
        occ = _Occupied(spans)
        for i in range(0, 32):
            for j in range(i + 1, min(i + 6, 36)):
                assert occ.hits(i, j) == any(i < k.end and k.start < j for k in spans)


def test_many_copies_of_a_name_are_propagated_in_linear_time():
    from privtune.scan.entities import Span
    from privtune.scan.propagate import propagate

    text = "王小明来了。" * 20000  # 20,000 copies; the linear overlap test made this minutes
    out = propagate([text], [[Span(0, 3, "PERSON", 0.9, "t")]])[0]
    assert len(out) == 20000 and out[-1].start == 6 * 19999
