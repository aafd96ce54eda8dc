"""The `privtune` command line: a thin layer that builds a config object and calls a stage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from privtune import __version__
from privtune.config import deep_merge, load_config, parse_set_overrides
from privtune.errors import ConfigError, PrivtuneError
from privtune.help_format import hide_flag_value_labels, reflow_help_paragraphs
from privtune.progress import LOADING_DETECTORS, progress_bar

hide_flag_value_labels()
reflow_help_paragraphs()
app = typer.Typer(
    name="privtune",
    help="Fine-tune LLMs on sensitive data and prove they did not learn to leak it.\n\n"
    "Stages: scan (find and neutralise PII) -> train (DP-SGD LoRA) -> audit -> serve.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)


def _csv(value: Optional[str]) -> Optional[list[str]]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _version(value: bool) -> None:
    if value:
        print(f"privtune {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    pass


@app.command()
def scan(
    input: Annotated[Path, typer.Argument(help="Data file: .jsonl, .json (array or lines), .csv/.tsv, .parquet, .arrow, .xlsx (every sheet), .txt/.md/.log (one record per line) or .eml/.mbox (one record per e-mail); a folder of such files (shards) is scanned as one dataset; - reads standard input.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Cleaned output (structure preserved): .jsonl, optionally .gz/.zst; .csv/.tsv for a CSV input; .json for a JSON array input (written as an array); .txt for a text input.")] = None,
    report: Annotated[Optional[Path], typer.Option(help="REPORT.json, or report.html (writes the .json beside it); default: <out>.scan-report.json.")] = None,
    findings: Annotated[Optional[Path], typer.Option(help="FINDINGS.jsonl: one line per entity, offsets only.")] = None,
    rejects: Annotated[Optional[Path], typer.Option(help="Side file for rejected records: line, reason, line_hmac (keyed hash) (default: <out>.rejects.jsonl).")] = None,
    rejects_raw: Annotated[bool, typer.Option("--rejects-raw", help="Also store rejected records' raw content (personal data) in the rejects file, 0600.")] = False,
    policy: Annotated[Optional[str], typer.Option(help="redact | mask | hmac | pseudonymise | keep, or a YAML policy file.")] = None,
    key_file: Annotated[Optional[Path], typer.Option(help="Key for consistent hmac/pseudonyms; env PRIVTUNE_SCAN_KEY wins.")] = None,
    allow: Annotated[Optional[list[str]], typer.Option(help="Value never replaced nor reported, e.g. your own organisation 'Acme, Inc.' (repeatable).")] = None,
    keep_system_orgs: Annotated[bool, typer.Option("--keep-system-orgs", help="Leave organisation names in system prompts as they are.")] = False,
    fields: Annotated[Optional[str], typer.Option(help="Comma-separated training-text fields, e.g. 'body,title' or 'messages'; other fields are still scanned.")] = None,
    passthrough: Annotated[Optional[list[str]], typer.Option(help="Field left unscanned (repeatable or comma list; dotted paths: customer.id).")] = None,
    types: Annotated[Optional[str], typer.Option(help="Comma-separated entity types to detect (default: all).")] = None,
    min_score: Annotated[Optional[float], typer.Option(help="Minimum detector score to report (default: 0.5).")] = None,
    dedup: Annotated[Optional[str], typer.Option(help="drop | flag | off for exact and near duplicates (default: drop).")] = None,
    near_dup_threshold: Annotated[Optional[float], typer.Option(help="MinHash Jaccard threshold (default: 0.85).")] = None,
    fail_on: Annotated[Optional[list[str]], typer.Option(help="Gate rule(s): residual:high (left in the output), input:high (in the input; a bare 'high' means input), residual:ID_CARD>0, rejected>0, flagged>0. Exit 3 if any holds.")] = None,
    max_rejected: Annotated[Optional[str], typer.Option(help="Rejected records tolerated before the scan fails (exit 2): N or P% (default: 0).")] = None,
    report_excerpts: Annotated[Optional[bool], typer.Option("--report-excerpts", help="List a masked excerpt of each flagged record's text in the report (PII as [TYPE], digit runs as #). Off by default: an excerpt is still training text.")] = None,
    workers: Annotated[Optional[int], typer.Option(help="Worker processes (default: 1).")] = None,
    format: Annotated[Optional[str], typer.Option(help="Input format if the suffix is ambiguous (or for standard input): jsonl|json|csv|parquet|arrow|xlsx|text|email.")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="Input text encoding (default: sniffed: BOM, else UTF-8, else Windows-1252, GB18030 or Big5).")] = None,
    source: Annotated[Optional[Path], typer.Option(help="Dataset manifest YAML (source, owner, legal basis, ...).")] = None,
    require_source: Annotated[Optional[bool], typer.Option("--require-source", help="Gate failure without a dataset manifest.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML file with any of these options.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a config key: key=value.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary table.")] = False,
) -> None:
    """Find and neutralise PII (zh + en), deduplicate, flag poisoned/outlier records, gate CI.

    Writes the cleaned data, the findings (offsets, never values), a rejects side file for
    unparseable lines, and a report that later stages read as the provenance manifest.
    """
    import contextlib

    from privtune.io.sources import spooled_stdin

    stdin = str(input) == "-"
    if stdin and out is None and rejects is None:
        raise ConfigError("reading standard input (-) needs --out (or --rejects): the rejected records "
                          "are written beside it")
    with spooled_stdin(format) if stdin else contextlib.nullcontext((input, format)) as (src, fmt):
        _scan(src, fmt, out, report, findings, rejects, rejects_raw, policy, key_file, allow, keep_system_orgs,
              fields, passthrough, types, min_score, dedup, near_dup_threshold, fail_on, max_rejected, workers,
              encoding, source, require_source, config, set_, quiet, report_excerpts,
              input_name="-" if stdin else None)


def _scan(input, format, out, report, findings, rejects, rejects_raw, policy, key_file, allow,  # noqa: PLR0913
          keep_system_orgs, fields, passthrough, types, min_score, dedup, near_dup_threshold, fail_on,
          max_rejected, workers, encoding, source, require_source, config, set_, quiet,
          report_excerpts=None, input_name=None) -> None:  # type: ignore[no-untyped-def]
    """The scan command's body, on a file (standard input already spooled to one)."""
    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import gate_error, rejects_error, run_scan

    flags = {
        "input": str(input), "out": out, "report": report, "findings": findings, "rejects": rejects,
        "policy": policy, "key_file": key_file, "allow": allow,
        "keep_system_orgs": keep_system_orgs or None, "fields": _csv(fields), "passthrough": passthrough, "types": _csv(types),
        "min_score": min_score, "dedup": dedup, "near_dup_threshold": near_dup_threshold,
        "fail_on": fail_on, "max_rejected": max_rejected, "rejects_raw": rejects_raw or None, "workers": workers,
        "format": format, "encoding": encoding, "source": source, "require_source": require_source,
        "report_excerpts": report_excerpts,
    }
    overrides = {**{k: v for k, v in flags.items() if v is not None}, **parse_set_overrides(set_)}
    cfg = load_config(ScanConfig, config, overrides)
    # Detectors (NER models, dictionaries) load before the first record, up to a minute on a
    # cold start: say so instead of a counter standing at 0.
    with progress_bar(SpinnerColumn(), TextColumn("{task.fields[phase]}"), BarColumn(),
                      TextColumn("{task.fields[count]}"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                      console=console, disable=quiet, transient=True, command="privtune scan") as bar:
        task = bar.add_task(LOADING_DETECTORS, total=None, phase=LOADING_DETECTORS, count="", rate="", loading=True)

        def tick(n: int) -> None:
            # 1, 2, 4 ... 128, then every 200th: a small input still shows its count move.
            if n % 200 == 0 or (n < 200 and n & (n - 1) == 0):
                el = bar.tasks[0].elapsed or 0
                bar.update(task, description="records scanned", completed=n, phase="scanning", loading=False,
                           count=f"{n:,} records", rate=f"{n / el:,.0f} rec/s" if el else "")

        result = run_scan(cfg, progress=tick, input_name=input_name)
    for line in result.notices:
        console.print(escape(line), style="bold red" if line.startswith("WARNING") else None)
    if not quiet:
        _print_scan_summary(result.report, result.paths)
        if cfg.out is not None:  # what `privtune train` and the ledger will call this data
            from privtune.provenance.data_file import data_file_fingerprint

            console.print(f"dataset fingerprint of {cfg.out}: {data_file_fingerprint(cfg.out, cfg.fields)}", highlight=False)
    if not result.rejects_passed:
        raise rejects_error(result)
    if not result.gate_passed:
        raise gate_error(result)


def _print_scan_summary(r: dict, paths: dict) -> None:
    c = r["counts"]
    t = Table(title="privtune scan", show_header=True)
    for col in ("records in", "out", "dropped", "rejected", "with PII", "flagged", "high risk in/left"):
        t.add_column(col, justify="right")
    t.add_row(str(c["records_in"]), str(c["records_out"]), str(sum(c["dropped"].values())), str(c["rejected"]),
              str(c["records_with_pii"]), str(c["flagged"]), f"{c['risk']['high']}/{c['residual']['risk']['high']}")
    console.print(t)
    if c["entities"]:
        et = Table(title="entities", show_header=True)
        et.add_column("type")
        et.add_column("count", justify="right")
        for k, v in sorted(c["entities"].items(), key=lambda kv: -kv[1]):
            et.add_row(k, str(v))
        console.print(et)
    for kind, label in (("side", "other fields scanned"), ("passthrough", "passed through unscanned")):
        if r["fields"][kind]:
            console.print(f"{label}: {escape(', '.join(r['fields'][kind]))}")
    if c["rejected"]:
        console.print(f"[yellow]{c['rejected']} rejected line(s) written to {r['rejects_file']}[/yellow]")
    for k, v in paths.items():
        console.print(f"{k}: {v}")
    console.print(f"{r['timing']['records_per_s']:,} records/s")


def _train_epilog() -> str:
    from privtune.config import config_help
    from privtune.train.config import TrainConfig

    return "Every config key is also a flag:\n\n" + "\n\n".join(config_help(TrainConfig).splitlines())


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog=_train_epilog(),
    options_metavar="[CONFIG.yaml] [OPTIONS]",
)
def train(
    ctx: typer.Context,
    config: Annotated[Optional[Path], typer.Option(
        "--config", "-c", help="YAML config (see examples/train_*.yaml); may also be given as the first argument. "
        "Optional: every key is also a flag.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a config key: key=value.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """LoRA fine-tuning of a local causal LM with DP-SGD, a privacy-budget ledger and encrypted checkpoints.

    Writes OUTPUT_DIR/adapter/ (PEFT), privacy.json and train_report.json. A run whose planned
    epsilon exceeds the dataset's remaining budget is refused before it starts (exit 4).
    """
    from privtune.config import parse_config_args
    from privtune.train.config import TrainConfig
    from privtune.train.loop import train as run_train

    # No typer Argument for the file: it would swallow the value of the first config flag
    # (`train --model DIR ...` made DIR the "config file").
    bare_config, flag_overrides = parse_config_args(TrainConfig, list(ctx.args))
    if bare_config is not None and config is not None:
        raise ConfigError(f"two config files given: {bare_config} and --config {config}")
    config = config or bare_config
    overrides = deep_merge(flag_overrides, parse_set_overrides(set_))
    cfg = load_config(TrainConfig, config, overrides)
    with progress_bar(SpinnerColumn(), TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, disable=quiet, command="privtune train") as bar:
        task = bar.add_task("steps", total=None)

        def tick(step: int, total: int) -> None:
            bar.update(task, completed=step, total=total)

        privacy = run_train(cfg, progress=tick, log=(lambda m: None) if quiet else bar.console.print,
                            warn=lambda m: bar.console.print(m, style="yellow", markup=False))  # even when quiet
    eps = f"epsilon={privacy['epsilon']:.3f}, delta={privacy['delta']:.2e}" if privacy["dp"] else "non-private (dp: false)"
    console.print(f"adapter: {cfg.output_dir / 'adapter'}  ({eps})")
    console.print(f"dataset fingerprint: {privacy['dataset_fingerprint']}", highlight=False)  # the ledger's key


def _demo_epilog() -> str:
    from privtune.config import config_help
    from privtune.demo.config import DemoConfig

    return "Every config key is also a flag:\n\n" + "\n\n".join(config_help(DemoConfig).splitlines())


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog=_demo_epilog(),
)
def demo(
    ctx: typer.Context,
    quick: Annotated[bool, typer.Option("--quick", help="Reduced run (27 s on 2 quiet cores, 3+ min on a busy machine); the tests run it.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="YAML with DemoConfig keys (over --quick's).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a config key: key=value.")] = None,
) -> None:
    """The whole story on one laptop: naive fine-tune leaks, privtune's pipeline does not.

    Generates bilingual support chats, pre-trains a small base model locally (cached under
    the user cache dir), fine-tunes three arms (naive / scan / scan + DP at epsilon 8) with
    canaries planted, audits each against the base, and prints one side-by-side table.
    Writes OUT/summary.json and OUT/report.html linking the three audit reports.
    """
    from privtune.config import parse_config_flags
    from privtune.demo.config import DemoConfig
    from privtune.demo.run import run_demo
    from privtune.demo.summary import print_table
    from privtune.progress import bar_factory

    preset = DemoConfig.quick(Path("demo_out")).model_dump(mode="json", exclude={"out"}) if quick else {}
    overrides = deep_merge(parse_config_flags(DemoConfig, list(ctx.args)), parse_set_overrides(set_))
    cfg = load_config(DemoConfig, config, overrides, preset=preset)
    with progress_bar(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True, command="privtune demo") as bar:
        summary = run_demo(cfg, log=lambda m: bar.console.print(escape(m)), progress=bar_factory(bar))
    print_table(summary["rows"], console)
    console.print(f"{cfg.out / 'report.html'} · {cfg.out / 'summary.json'} · {summary['seconds']:.0f} s")


def _mount_stage_apps() -> None:
    """Stage sub-apps; each import is cheap (heavy imports happen inside the commands)."""
    from privtune.audit.canary_cli import canary_app
    from privtune.audit.cli import AUDIT_CONTEXT, audit_command, audit_epilog
    from privtune.models.cli import model_app
    from privtune.privacy.cli import ledger_app, privacy_app
    from privtune.provenance.cli import register as register_provenance

    app.add_typer(privacy_app, name="privacy", help="Privacy accounting: epsilon for a run, noise for a target.")
    app.add_typer(ledger_app, name="ledger", help="The per-dataset privacy-budget ledger.")
    app.add_typer(canary_app, name="canary", help="Make canaries and insert them into training data.")
    app.add_typer(model_app, name="model", help="Local model directories to try train and audit (no download).")
    app.command("audit", context_settings=AUDIT_CONTEXT, epilog=audit_epilog())(audit_command)
    register_provenance(app)  # license check, card, bom, sign, verify
    from privtune.serve.cli import keys_app, serve_app, token_app

    app.add_typer(serve_app, name="serve", help="Serve the model behind an OpenAI-compatible gateway (docs/serving.md).")
    app.add_typer(keys_app, name="keys", help="Gateway API keys: create, list, revoke, rotate.")
    app.add_typer(token_app, name="token", help="Gateway JWTs: issue, revoke.")
    from privtune.serve.watermark_cli import watermark_app

    app.add_typer(watermark_app, name="watermark", help="Test text for the gateway's keyed watermark.")


_mount_stage_apps()


def main() -> None:
    """Console entry point: user errors become one clear message and an exit code, not a traceback.

    Click handles its own usage errors (standalone mode); `PrivtuneError`s raised inside a
    command propagate to here.
    """
    try:
        app()
    except PrivtuneError as exc:
        console.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
