"""`privtune watermark detect`: test a text for this server's green-list watermark (needs the key)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from privtune.errors import ConfigError, InputError

watermark_app = typer.Typer(no_args_is_help=True, add_completion=False)


@watermark_app.command("detect")
def detect_cmd(
    text_file: Annotated[str, typer.Argument(help="Text file to test, or - for standard input.")],
    key_file: Annotated[Path, typer.Option("--key-file", help="The server's watermark secret (watermark.key_file).")],
    base: Annotated[Path, typer.Option("--base", help="Model directory whose tokenizer generated the text.")],
    gamma: Annotated[float, typer.Option(help="Green fraction the server used.")] = 0.25,
    delta: Annotated[float, typer.Option(help="Bias the server used (the lr, combined, joint and posterior detectors need it; weighted and linear need gamma only).")] = 2.0,
    context_width: Annotated[int, typer.Option(help="Self-hash context width the server used.")] = 4,
    z_threshold: Annotated[float, typer.Option(help="z-score above which the text is called watermarked.")] = 4.0,
    entropy_threshold: Annotated[Optional[float], typer.Option(
        "--entropy-threshold", min=0.0,
        help="Entropy-aware detection (SWEET): score only tokens whose entropy (nats) under the model "
             "--base [+ --adapter] exceeds this; loads the model. Unset: key-only detection.")] = None,
    entropy_weight_power: Annotated[Optional[float], typer.Option(
        "--entropy-weight-power", min=0.0, max=16.0,
        help="Entropy-weighted detection (EWD): each scored token weighs (its entropy in nats under the model) "
             "** this; loads the model. Combines with --entropy-threshold. 0: unweighted (key-only with "
             "--detector weighted, no model run).")] = 0.5,
    entropy_distribution: Annotated[str, typer.Option(
        "--entropy-distribution",
        help="With --entropy-threshold/--entropy-weight-power or --detector lr/combined/joint/linear/posterior: the next-token "
             "distribution read (entropies, candidates): "
             "visible (special tokens removed; the server's default), visible-canonical (also the canonical-split "
             "mask) or model (the full distribution).")] = "visible",
    detector: Annotated[str, typer.Option(
        "--detector",
        help="weighted (green count: key-only, or with --entropy-threshold/--entropy-weight-power), lr (likelihood "
             "ratio over the model's top --lr-top-k candidates; loads the model), combined (both, p = 2·min(p)) or "
             "joint (both as one z with their null correlation; loads the model) or linear (the green excess over "
             "the top --lr-top-k candidates' green mass at every position plus the weighted count, one linear "
             "statistic with an exact key null; loads the model) or posterior (the green bits of the top --lr-top-k "
             "candidates weighted by their posterior under the watermark given the model and --delta, a repeated "
             "bit at most one coin; loads the model). Default posterior, as the gateway's.")] = "posterior",
    lr_top_k: Annotated[int, typer.Option(
        "--lr-top-k", min=1, max=14, help="lr/combined/joint/linear/posterior: candidates whose green bits enter the likelihood ratio (linear: the green mass) exactly.")] = 10,
    adapter: Annotated[Optional[Path], typer.Option(
        "--adapter", help="Adapter the server served (whenever the model is loaded): "
                          "entropies and candidates of base + adapter.")] = None,
    adapter_key_file: Annotated[Optional[Path], typer.Option(
        "--adapter-key-file", help="Key of an encrypted adapter (as for privtune serve).")] = None,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda (whenever the model is loaded).")] = "auto",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the JSON result here too.")] = None,
) -> None:
    """Print z-score, p-value and tokens scored (JSON); exit 0 either way (read `watermarked`).

    z_score is the standardised statistic (the threshold reads it); for weighted, linear and
    posterior p_value is its exact key-null tail and z_exact the z-score of that p (the Gaussian
    p of z was up to ~3x too small near z 4). lr and joint report the Gaussian p of z, an
    approximation; every answer names its method in p_value_method.

    By default as the gateway detects (--detector posterior: the green bits of the model's top
    candidates and the written tokens, each weighted by its posterior under the watermark given the
    model and --delta, one statistic with an exact null; loads the model). Key-only,
    without the model: --detector weighted --entropy-weight-power 0. --entropy-threshold scores
    only the tokens the model was unsure of; joint: both tests as one z with their null correlation.
    PII placeholders ([PHONE], <PHONE_3fa2c91b>, masked stars) and windows anchored on them are not scored.
    """
    from transformers import AutoTokenizer

    from privtune.serve.guards.watermark import WatermarkScheme, load_watermark_key

    scheme = WatermarkScheme(load_watermark_key(key_file), gamma, delta, context_width)
    # Bytes, decoded without newline translation: a "\r" turned into "\n" is another token.
    try:
        raw = sys.stdin.buffer.read() if text_file == "-" else Path(text_file).read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise InputError(f"{text_file}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{text_file}: not UTF-8 text (byte {exc.start})") from None
    if not (base / "tokenizer_config.json").exists() and not (base / "tokenizer.json").exists():
        raise ConfigError(f"--base {base}: no tokenizer files there")
    from privtune.serve.guards.entropy import ENTROPY_DISTRIBUTIONS

    if entropy_distribution not in ENTROPY_DISTRIBUTIONS:
        raise ConfigError(f"--entropy-distribution {entropy_distribution!r}: use one of {', '.join(ENTROPY_DISTRIBUTIONS)}")
    from privtune.serve.guards.detectors import DETECTORS, detect_text_with, needs_model

    if detector not in DETECTORS:
        raise ConfigError(f"--detector {detector!r}: use one of {', '.join(DETECTORS)}")
    if entropy_weight_power == 0:
        entropy_weight_power = None  # every weight 1: the unweighted count, which needs no model
    if not needs_model(detector, entropy_threshold, entropy_weight_power):
        if adapter is not None:
            raise ConfigError("--adapter is used only with --entropy-threshold, --entropy-weight-power or "
                              "--detector lr/combined/joint/linear/posterior (key-only detection needs no model)")
        tok = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
        det = detect_text_with(scheme, tok, text)
    else:
        from privtune.serve.backends.embedded import load_model

        model, tok, _ = load_model(base, adapter, device, adapter_key_file)
        det = detect_text_with(scheme, tok, text, detector, model, entropy_threshold, entropy_weight_power,
                               entropy_distribution, lr_top_k)
    result = det.as_dict(z_threshold)
    line = json.dumps(result)
    if out is not None:
        from privtune.io.writers import atomic_write_text

        atomic_write_text(out, line + "\n")
    typer.echo(line)
