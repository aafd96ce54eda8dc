"""``privtune canary make|insert``: create canaries and plant them in a training file.

Mounted by `privtune.cli` as a sub-app. Commands raise `PrivtuneError`s for user mistakes;
the top-level entry point turns those into one clear message and an exit code.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from privtune.audit.canaries import FORMATS, LANGS, insert_canaries, insertion_fingerprints, load_canaries, make_canaries
from privtune.errors import ConfigError, InputError
from privtune.io import JsonlWriter, Rejected, atomic_write_json, iter_records
from privtune.io.writers import jsonl_output_problem

canary_app = typer.Typer(
    help="Canaries: synthetic secrets planted in training data to measure memorisation.\n\n"
    "make -> insert -> train on the output -> audit with the key. The canary and key files hold "
    "the secrets themselves: keep them out of the training data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
_console = Console(stderr=True)


def _parse_repeats(value: str) -> list[int]:
    try:
        reps = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(f"--repeats must be comma-separated integers such as 1,4,16, got {value!r}") from None
    if not reps or min(reps) < 1:
        raise ConfigError(f"--repeats needs integers >= 1, got {value!r}")
    return reps


@canary_app.command("make")
def make(
    format: Annotated[str, typer.Option("--format", "-f", help=f"Secret format: {', '.join(FORMATS)}. "
                                        "digits6 = 6-digit code; phone = CN mobile (zh) or US number (en); "
                                        "id_card = 18-digit CN ID with valid check char; bank_pin = 6 (zh) or "
                                        "4 (en) digits; mixed = all four in turn.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Canary file to write (JSON; contains the secrets).")],
    count: Annotated[int, typer.Option("--count", "-n", help="Number of canaries. The one-run epsilon audit "
                                       "needs hundreds to bound epsilon usefully.")] = 100,
    repeats: Annotated[str, typer.Option(help="Comma-separated repeat counts, assigned in turn: "
                                         "each included canary appears that many times.")] = "1,4,16",
    lang: Annotated[str, typer.Option(help="zh or en: language of the sentence around the secret.")] = "zh",
    seed: Annotated[int | None, typer.Option(help="Seed for reproducible canaries (default: fresh "
                                                "randomness, recorded in the file). A well-known seed "
                                                "makes secrets others could have seen.")] = None,
) -> None:
    """Create canary sentences with uniformly random secrets of a known format.

    Each canary records its candidate-space size |R|, so the audit can rank it against same-format alternatives and compute exposure.
    """
    if lang not in LANGS:
        raise ConfigError(f"--lang must be zh or en, got {lang!r}")
    used_seed = seed if seed is not None else secrets.randbits(63)
    made = make_canaries(format, count, _parse_repeats(repeats), lang, used_seed)
    made.save(out)
    sizes = sorted({(c.format, c.space_size) for c in made.canaries})
    # A fresh seed regenerates every secret: it stays in the file, never in a (CI) log.
    origin = f"seed {seed}" if seed is not None else "fresh random seed, recorded in the file only"
    _console.print(f"wrote {len(made.canaries)} canaries to {out} ({origin})")
    for fmt, size in sizes:
        _console.print(f"  {fmt}: |R| = {size:,} (max exposure {math.log2(size):.1f} bits)")
    _console.print("[yellow]this file contains the secrets; keep it out of the training data[/yellow]")


def _count_records(path: Path, fmt: str | None, encoding: str) -> int:
    n = 0
    for item in iter_records(path, fmt, encoding):
        if isinstance(item, Rejected):
            raise InputError(item.reason, path=str(path), line=item.line,
                             hint="fix or drop unparseable lines first (`privtune scan` writes them to a side file)")
        n += 1
    return n


def _records(path: Path, fmt: str | None, encoding: str) -> Iterator[dict[str, Any]]:
    for item in iter_records(path, fmt, encoding):
        if isinstance(item, Rejected):  # the file changed since it was counted
            raise InputError(item.reason, path=str(path), line=item.line)
        yield item.data


@canary_app.command("insert")
def insert(
    data: Annotated[Path, typer.Argument(help="Training data: .jsonl, .json, .csv, .parquet or .txt (chat, "
                                         "ShareGPT, alpaca or text records; .txt one per line).")],
    canaries: Annotated[Path, typer.Option("--canaries", "-c", help="Canary file from `privtune canary make`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL: the data with canary records added.")],
    one_run: Annotated[bool, typer.Option("--one-run/--all", help="--one-run: include each canary with "
                                          "probability 1/2 (needed for the one-run epsilon audit); "
                                          "--all: include every canary (exposure only). The epsilon audit "
                                          "treats a canary as one unit: use --repeats 1 canaries "
                                          "for a per-record bound, or --unit-field.")] = True,
    key_out: Annotated[Path | None, typer.Option(help="Key file recording which canaries were included and "
                                                    "where (default: update the canary file).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for inclusion and positions (default: fresh "
                                                "randomness, recorded in the key).")] = None,
    unit_field: Annotated[str | None, typer.Option(help="Privacy-unit field to set on canary records, "
                                                      "e.g. customer_id; all copies of a canary share one unit.")] = None,
    format: Annotated[str | None, typer.Option(help="Input format if the suffix is ambiguous.")] = None,
    encoding: Annotated[str, typer.Option(help="Input text encoding.")] = "utf-8",
    force: Annotated[bool, typer.Option(help="Overwrite an existing insertion key.")] = False,
) -> None:
    """Plant canaries at random positions in a copy of DATA and write the secret key.

    The data is read twice (once to count it, once to copy it), so memory stays flat. The output and the key are written atomically.
    """
    made, previous = load_canaries(canaries)
    target = key_out or canaries
    if target.resolve() == canaries.resolve() and previous is not None and not force:
        # Overwriting would silently lose the only record of which canaries the other run holds.
        raise InputError(f"already holds the key of an earlier insertion into {previous.get('output', 'a dataset')}",
                         path=str(canaries), hint="pass --key-out NEW.json to keep both, or --force to replace it")
    for other, what in ((data, "the input"), (target, "the key file")):
        if out.resolve() == other.resolve():
            raise ConfigError(f"--out must differ from {what} ({other})")
    problem = jsonl_output_problem(out)
    if problem:
        raise ConfigError(f"--out: {problem}")
    n = _count_records(data, format, encoding)
    used_seed = seed if seed is not None else secrets.randbits(63)
    stream, key = insert_canaries(_records(data, format, encoding), made, used_seed, one_run,
                                  n_records=n, unit_field=unit_field)
    key["insertion"].update({"input": str(data), "output": str(out)})
    with JsonlWriter(out) as writer:
        for rec in stream:
            writer.write(rec)
    key["insertion"].update(insertion_fingerprints(data, out, format, encoding))
    atomic_write_json(target, key)
    ins = key["insertion"]
    _console.print(f"{n} records in, {ins['inserted_records']} canary records added "
                   f"({ins['included']} of {len(made.canaries)} canaries included) -> {out}")
    _console.print(f"key: {target} [yellow](contains the secrets and the inclusion key)[/yellow]")
