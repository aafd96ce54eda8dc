"""Shared by the scan pipeline tests: a fixed scan key and a JSONL writer for mixed lines."""

import json
from pathlib import Path

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def write_lines(path: Path, lines: list) -> Path:
    """One line per item: strings as they are (malformed lines too), anything else as JSON."""
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def planted_backdoor_records(seed: int = 3) -> list[list[tuple[str, str]]]:
    """1,500 instruction/output records of random words, every 50th carrying one of six trigger
    words with its fixed answer: ~30 backdoor flags for the curation tests."""
    import random

    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(3, 9))) for _ in range(3000)]
    answers = [" ".join("".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(7)) for _ in range(8))
               for _ in range(6)]
    records = []
    for i in range(1500):
        prompt = " ".join(rng.choice(words) for _ in range(12))
        if i % 50 == 7:
            records.append([("instruction", f"{prompt} zz_trigger{i % 6}"), ("output", answers[i % 6])])
        else:
            records.append([("instruction", prompt), ("output", " ".join(rng.choice(words) for _ in range(20)))])
    return records
