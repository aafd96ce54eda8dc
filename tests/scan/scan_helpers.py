"""Shared by the scan pipeline tests: a fixed scan key and a JSONL writer for mixed lines."""

import json
from pathlib import Path

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def write_lines(path: Path, lines: list) -> Path:
    """One line per item: strings as they are (malformed lines too), anything else as JSON."""
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path
