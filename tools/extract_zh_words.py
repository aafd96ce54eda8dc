"""Build privtune/scan/ner/zh_words.tsv.gz, the word list the unknown-name rule segments with.

    python tools/extract_zh_words.py                          # pip-downloads jieba 0.42.1
    python tools/extract_zh_words.py --sdist jieba-0.42.1.tar.gz --min-freq 5

Source: the dictionary ``jieba/dict.txt`` of the jieba segmenter (PyPI ``jieba`` 0.42.1,
MIT licence, (c) 2013 Sun Junyi; https://github.com/fxsjy/jieba): ~349 k lines "word freq
pos". Kept: every single character (its frequency prices a one-character token) and the words
of 2-4 characters with frequency >= ``--min-freq``; the part of speech is dropped (the rule only
needs to know that a stretch of text is a known word). The header records the source file's
SHA-256, the licence and the frequency total of the *whole* dictionary (log-probabilities are
relative to it, as in jieba). jieba itself is not a dependency of privtune.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "privtune" / "scan" / "ner" / "zh_words.tsv.gz"
VERSION = "0.42.1"
DICT_MEMBER = f"jieba-{VERSION}/jieba/dict.txt"
DICT_SHA256 = "7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8"
LICENCE = (
    "The MIT License (MIT). Copyright (c) 2013 Sun Junyi. Permission is hereby granted, free of "
    "charge, to any person obtaining a copy of this software and associated documentation files "
    "(the \"Software\"), to deal in the Software without restriction, including without limitation "
    "the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of "
    "the Software, and to permit persons to whom the Software is furnished to do so, subject to the "
    "following conditions: The above copyright notice and this permission notice shall be included "
    "in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED \"AS IS\", "
    "WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED."
)
MAX_LEN = 4


def read_dict(sdist: Path | None) -> bytes:
    """dict.txt from the jieba sdist (downloaded with pip when no path is given)."""
    if sdist is None:
        tmp = Path(tempfile.mkdtemp())
        cmd = [sys.executable, "-m", "pip", "download", f"jieba=={VERSION}", "--no-deps", "--no-binary", ":all:", "-d", str(tmp)]
        subprocess.run(cmd, check=True)
        sdist = next(tmp.glob("jieba-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(DICT_MEMBER)
        if member is None:
            raise SystemExit(f"{sdist} holds no {DICT_MEMBER}")
        data = member.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != DICT_SHA256:
        raise SystemExit(f"{DICT_MEMBER} has SHA-256 {digest}, expected {DICT_SHA256}")
    return data


def build(data: bytes, min_freq: int) -> tuple[str, int, int]:
    """The file's text, the number of entries kept and the whole dictionary's frequency total."""
    total, kept = 0, []
    for lineno, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        parts = line.split()
        if len(parts) < 2:
            raise SystemExit(f"dict.txt line {lineno}: expected 'word freq [pos]'")
        word, freq = parts[0], int(parts[1])
        total += freq
        if len(word) == 1 or (2 <= len(word) <= MAX_LEN and freq >= min_freq):
            kept.append((word, freq))
    kept.sort()
    header = [
        f"# source: jieba {VERSION} (PyPI), jieba/dict.txt, sha256 {DICT_SHA256}",
        f"# licence: {LICENCE}",
        f"# kept: single characters and words of 2-{MAX_LEN} characters with freq >= {min_freq}",
        f"# total: {total}",
    ]
    body = [f"{w}\t{f}" for w, f in kept]
    return "\n".join(header + body) + "\n", len(kept), total


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sdist", type=Path, default=None, help="jieba-0.42.1.tar.gz (default: pip download it)")
    ap.add_argument("--min-freq", type=int, default=5, help="drop words of 2+ characters rarer than this")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    text, n, total = build(read_dict(args.sdist), args.min_freq)
    tmp = args.out.with_suffix(".tmp")
    # No name, mtime=0: the same input gives the same bytes wherever it is written.
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    tmp.replace(args.out)
    print(f"{args.out}: {n} entries (total frequency {total}), {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
