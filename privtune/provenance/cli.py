"""Typer commands for provenance: ``privtune license check``, ``card``, ``bom``, ``sign``, ``verify``.

The main CLI mounts them; each builds its pydantic config (YAML + flags) and calls one function.
`PrivtuneError`s propagate to the main CLI, which prints them and exits with their code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from privtune.config import load_config, parse_set_overrides

license_app = typer.Typer(
    name="license",
    help="The base model's licence: detect it and check an intended use against it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True, highlight=False)

# `privtune license check` exit codes, for CI.
EXIT_ALLOW, EXIT_BLOCK, EXIT_UNKNOWN = 0, 5, 6

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML file with any of these options.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Override a config key: key=value.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout instead of the summary.")]


def _overrides(flags: dict[str, Any], set_: list[str] | None) -> dict[str, Any]:
    return {**{k: v for k, v in flags.items() if v is not None}, **parse_set_overrides(set_)}


def print_licence_record(record: dict[str, Any], out: Console = console) -> None:
    """The human summary of a licence check."""
    det = record["detected"]
    colour = {"allow": "green", "block": "red"}.get(record["decision"], "yellow")
    out.print(f"licence: {escape(record['licence_name'] or 'unknown')}  (from {det['source']}"
              + (f", {det['phrases_matched']} phrases matched" if det["text_match"] else "") + ")")
    for name, digest in det["files"].items():
        out.print(f"  {escape(name)}  {digest}")
    if det["conflict"]:
        out.print(f"[yellow]conflict:[/yellow] {escape(det['conflict'])}")
    for note in det["notes"]:
        out.print(f"[yellow]note:[/yellow] {escape(note)}")
    out.print(f"decision: [bold {colour}]{record['decision'].upper()}[/bold {colour}]")
    for reason in record["reasons"]:
        out.print(f"  - {escape(reason)}")
    if record["obligations"]:
        out.print("obligations:")
        for ob in record["obligations"]:
            out.print(escape(f"  [{ob['kind']}] {ob['text']}"))


@license_app.command("check")
def license_check(
    base: Annotated[Optional[Path], typer.Option("--base", help="Local base-model directory.")] = None,
    use: Annotated[Optional[str], typer.Option("--use", help="commercial | research.")] = None,
    distribution: Annotated[Optional[str], typer.Option("--distribution", help="none | weights | api.")] = None,
    mau: Annotated[Optional[int], typer.Option("--mau", help="Monthly active users of the product.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Name the derivative is distributed under.")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="Comma-separated ISO country codes or EU.")] = None,
    base_model_id: Annotated[Optional[str], typer.Option("--base-model-id", help="Hub id of the base model.")] = None,
    json_out: JsonOpt = False,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Check an intended use against the base model's licence: allow / block / unknown, with obligations.

    Exit code: 0 allow, 5 block, 6 unknown licence (review by hand).
    """
    from privtune.provenance.licence_check import LicenceCheckConfig, licence_record
    from privtune.provenance.licence_policy import IntendedUse

    flags = {"base": base, "use": use, "distribution": distribution, "mau": mau, "name": name,
             "region": region, "base_model_id": base_model_id}
    cfg = load_config(LicenceCheckConfig, config, _overrides(flags, set_))
    use_only = IntendedUse.model_validate(cfg.model_dump(include=set(IntendedUse.model_fields)))
    record = licence_record(cfg.base, use_only, cfg.base_model_id)
    if json_out:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=1))
    else:
        print_licence_record(record)
    code = {"allow": EXIT_ALLOW, "block": EXIT_BLOCK}.get(record["decision"], EXIT_UNKNOWN)
    if code:
        raise typer.Exit(code)



RunDirArg = Annotated[Optional[Path], typer.Argument(help="Training run directory (adapter/, privacy.json).")]


def card_command(
    run_dir: RunDirArg = None,
    audit_report: Annotated[Optional[Path], typer.Option("--audit-report", help="Link this audit report.json first.")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Write RUN_DIR/adapter/README.md: the model card (Hugging Face format) from the run's files.

    Front matter: base_model (Hub id), base_model_relation: adapter, library_name: peft, licence.
    Body: intended use, data summary (hashes and counts, never values), privacy guarantee,
    audit results, attribution, limitations.
    """
    from privtune.provenance.card import write_card
    from privtune.provenance.config import CardConfig
    from privtune.provenance.refresh import link_audit

    cfg = load_config(CardConfig, config, _overrides({"run_dir": run_dir, "audit_report": audit_report}, set_))
    if cfg.audit_report is not None:
        link_audit(cfg.run_dir, cfg.audit_report)
    typer.echo(str(write_card(cfg.run_dir)))


def bom_command(
    run_dir: RunDirArg = None,
    spec_version: Annotated[Optional[str], typer.Option("--spec-version", help="CycloneDX version: 1.6 (default) or 1.7.")] = None,
    reproducible: Annotated[Optional[bool], typer.Option("--reproducible", help="No timestamp (SOURCE_DATE_EPOCH if set), content-derived serial: byte-identical output.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Where to write [default: RUN_DIR/bom.cdx.json].")] = None,
    check: Annotated[Optional[Path], typer.Option("--check", help="Validate this existing BOM file (edited by hand or received) instead of writing one.")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Write the ML-BOM (CycloneDX JSON) of a run, then validate it: official schema (offline) + semantic lint.

    Exit code 8 when either check fails (the file is still written, for inspection). With
    --check FILE, only validate that file (schema of its own specVersion, then lint).
    """
    from privtune.errors import BomInvalid
    from privtune.provenance.bom import write_bom
    from privtune.provenance.bom_check import check_bom_file
    from privtune.provenance.config import BomConfig

    flags = {"run_dir": run_dir, "spec_version": spec_version, "reproducible": reproducible, "out": out,
             "check": check}
    cfg = load_config(BomConfig, config, _overrides(flags, set_))
    if cfg.check is not None:
        path = cfg.check
    else:
        assert cfg.run_dir is not None  # the config requires one of run_dir / check
        path = write_bom(cfg.run_dir, spec_version=cfg.spec_version, reproducible=cfg.reproducible, out=cfg.out)
    errors, problems = check_bom_file(path)
    version = json.loads(path.read_text(encoding="utf-8")).get("specVersion")
    console.print(f"{path}: CycloneDX {version} schema: " + ("valid" if not errors else f"{len(errors)} error(s)"))
    console.print(f"{path}: lint: " + ("not run (schema errors first)" if errors else "clean" if not problems
                                       else f"{len(problems)} problem(s)"))
    for msg in errors + problems:
        console.print(f"  - {escape(msg)}")
    if errors or problems:
        raise BomInvalid(f"{path} failed validation ({len(errors)} schema error(s), {len(problems)} lint problem(s))")


def sign_command(
    run_dir: RunDirArg = None,
    key: Annotated[Optional[Path], typer.Option("--key", help="Ed25519 private key (PEM, PKCS#8).")] = None,
    generate_key: Annotated[Optional[bool], typer.Option("--generate-key", help="Create KEY (0600) and KEY.pub first.")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Sign every file of RUN_DIR (adapter, card, BOM, privacy.json, ...): Ed25519, DSSE envelope of an in-toto statement.

    Writes RUN_DIR/signature.dsse.json and RUN_DIR/signature.pub.pem.
    """
    from privtune.errors import InputError
    from privtune.provenance.config import SignConfig
    from privtune.provenance.signing import generate_key as new_key
    from privtune.provenance.signing import key_id, load_private_key, sign

    cfg = load_config(SignConfig, config, _overrides({"run_dir": run_dir, "key": key, "generate_key": generate_key}, set_))
    if not cfg.run_dir.is_dir():  # before --generate-key creates a key for nothing
        raise InputError("run directory not found", path=str(cfg.run_dir))
    private = new_key(cfg.key) if cfg.generate_key else load_private_key(cfg.key)
    path = sign(cfg.run_dir, private)
    console.print(f"signed {cfg.run_dir} with key {key_id(private.public_key())}: {path}")


def verify_command(
    run_dir: RunDirArg = None,
    key: Annotated[Optional[Path], typer.Option("--key", help="Pinned public key (PEM) [default: the one beside the signature].")] = None,
    json_out: JsonOpt = False,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Verify RUN_DIR against its signature: fails (exit 7) on any changed byte, added or removed file or directory."""
    from privtune.errors import InputError, SignatureInvalid
    from privtune.provenance.config import VerifyConfig
    from privtune.provenance.signing import load_public_key, verify

    cfg = load_config(VerifyConfig, config, _overrides({"run_dir": run_dir, "key": key}, set_))
    if not cfg.run_dir.is_dir():  # a mistyped path is a usage error (2), not an unsigned run (7)
        raise InputError("run directory not found" if not cfg.run_dir.exists() else "not a directory",
                         path=str(cfg.run_dir))
    status = verify(cfg.run_dir, load_public_key(cfg.key) if cfg.key else None)
    if json_out:
        typer.echo(json.dumps(status.to_json(), indent=1))
    else:
        console.print(f"{status.state}: {escape(status.reason)}" + ("" if status.pinned or not status.ok else
                      " (key not pinned: pass --key to check who signed)"))
        for problem in status.problems:
            console.print(f"  - {escape(problem)}")
    if not status.ok:
        raise SignatureInvalid(f"{cfg.run_dir}: signature {status.state}: {status.reason}")


def register(app: typer.Typer) -> None:
    """Mount the provenance commands on the main CLI."""
    app.add_typer(license_app, name="license", help="The base model's licence: detect it, check a use against it.")
    app.command("card")(card_command)
    app.command("bom")(bom_command)
    app.command("sign")(sign_command)
    app.command("verify")(verify_command)
