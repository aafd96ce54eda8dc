"""Regenerate docs/config_reference.md from the pydantic config models (docs match the code).

    python tools/gen_config_reference.py          # write
    python tools/gen_config_reference.py --check  # exit 1 if the file is stale (used by tests)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import BaseModel

from privtune.config import config_flags

OUT = Path(__file__).resolve().parent.parent / "docs" / "config_reference.md"


def _models() -> list[tuple[str, str, type[BaseModel]]]:
    from privtune.scan.config import ScanConfig
    from privtune.train.config import TrainConfig

    models = [("privtune scan", "ScanConfig", ScanConfig), ("privtune train", "TrainConfig", TrainConfig)]
    try:
        from privtune.audit.config import AuditConfig

        models.append(("privtune audit", "AuditConfig", AuditConfig))
    except ImportError:  # pragma: no cover
        pass
    from privtune.demo.config import DemoConfig

    models.append(("privtune demo", "DemoConfig", DemoConfig))
    from privtune.serve.config import ServeConfig

    models.append(("privtune serve", "ServeConfig", ServeConfig))
    return models


def render() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated from the pydantic models by `python tools/gen_config_reference.py`; do not edit by hand.",
        "Every key can be set in the YAML file given to the command, or as a flag (`--key value`,",
        "nested keys joined with `-`, e.g. `--lora-r 8`), or with `--set key=value` (nested keys joined with `.`).",
        "",
    ]
    for command, name, model in _models():
        lines += [f"## `{command}` ({name})", "", "| key | flag | type | default | meaning |", "|---|---|---|---|---|"]
        for flag, (dotted, info) in config_flags(model).items():
            ann = str(info.annotation).replace("typing.", "").replace("pathlib.", "").replace("|", "\\|")
            ann = ann.replace("<class '", "").replace("'>", "")
            default = "required" if info.is_required() else f"`{info.get_default(call_default_factory=True)}`"
            desc = (info.description or "").replace("|", "\\|")
            lines.append(f"| `{dotted}` | `{flag}` | {ann} | {default} | {desc} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale; run python tools/gen_config_reference.py", file=sys.stderr)
            sys.exit(1)
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
