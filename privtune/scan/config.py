"""`privtune scan` configuration (one pydantic object; YAML file and flags override defaults)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from privtune.config import yaml_off
from privtune.errors import PrivtuneError
from privtune.scan.entities import ENTITY_TYPES
from privtune.scan.ner.backends import NerBackendConfig


class ScanConfig(BaseModel):
    """Everything `privtune scan` needs. Paths may be relative to the working directory."""

    model_config = {"extra": "forbid"}

    input: Path = Field(description="Input data file (.jsonl, .json, .csv, .parquet, .arrow, .xlsx, .txt: one record per line, "
                        ".eml/.mbox: one record per e-mail), "
                        "or a folder of such files (shards, export folders) scanned as one dataset: files of one "
                        "format, read recursively in path order; hidden and non-data files skipped.")
    format: Literal["jsonl", "json", "csv", "parquet", "arrow", "xlsx", "text", "email"] | None = Field(
        None, description="Input format; default: from the file suffix (text: one record per line; email: "
        "one record per message of an .eml file or an mbox); "
        "for a folder, which files are read (those of other formats are skipped)."
    )
    encoding: str | None = Field(
        None,
        description="Text encoding of the input (e.g. gb18030, utf-16); default: sniffed from a "
        "byte-order mark, else UTF-8, else Windows-1252, GB18030 or Big5 (the report and console say which).",
    )
    fields: list[str] | None = Field(
        None,
        description="Training-text fields (paths like messages[0].content); default: auto-detect. "
        "Other fields are scanned and neutralised too, unless listed in passthrough.",
    )
    passthrough: list[str] = Field(
        default_factory=list,
        description="Fields left as they are, unscanned (dotted paths such as ticket_id or customer.id, "
        "a whole subtree by its prefix); every other string or long number in a record is scanned.",
    )
    out: Path | None = Field(
        None, description="Cleaned output (record structure preserved): JSONL (.jsonl, .ndjson or .json), or "
        "CSV (.csv / .tsv) when the input is CSV, one JSON array (.json) when the input is one, lines (.txt) "
        "for a plain-text input; optionally .gz/.zst (written compressed)."
    )
    report: Path | None = Field(
        None, description="Report path: .json (manifest), or .html (also writes the .json beside it); default: "
        "<out>.scan-report.json beside --out, where `privtune train` finds it for the run's provenance."
    )
    findings: Path | None = Field(None, description="FINDINGS.jsonl: one line per entity, offsets only.")
    rejects: Path | None = Field(
        None,
        description="Side file for rejected input records (line, reason, line_hmac: an HMAC of the content "
        "under the scan key, or a per-scan random key when the scan has none); "
        "default: <out or input>.rejects.jsonl.",
    )
    rejects_raw: bool = Field(
        False,
        description="Also store the raw content of rejected records in the rejects file (0600, "
        "with a console warning); by default it holds line, reason and a keyed hash (line_hmac) only.",
    )
    policy: str = Field(
        "pseudonymise",
        description="redact | mask | hmac | pseudonymise | keep, or a YAML policy file with per-type overrides.",
    )
    allow: list[str] = Field(
        default_factory=list,
        description="Values never replaced nor reported (case-insensitive; a detection inside one counts), "
        "e.g. the operator's own organisation; added to the policy file's allow list.",
    )
    keep_system_orgs: bool = Field(
        False,
        description="Leave organisation names in system prompts (chat role system) as they are: "
        "usually the operator's own.",
    )
    key_file: Path | None = Field(
        None,
        description="Key for hmac/pseudonymise consistency (env PRIVTUNE_SCAN_KEY wins); created 0600 if "
        "absent (the console says where).",
    )
    pseudonym_version: Literal[1, 2] | None = Field(
        None,
        description="Surrogate format of pseudonymise: 2 (cheaper to compute) or 1 (the format before "
        "it); each gives other surrogates. Default: the key's own: 2 for a key file the scan creates "
        "(recorded in <key file>.json), 1 for older key files and PRIVTUNE_SCAN_KEY.",
    )
    types: list[str] | None = Field(None, description="Entity types to detect; default: all.")
    min_score: float = Field(0.5, ge=0.0, le=1.0, description="Report entities scoring at least this.")
    dedup: Annotated[Literal["drop", "flag", "off"], BeforeValidator(yaml_off)] = Field(
        "drop", description="What to do with duplicates.")
    near_dup_threshold: float = Field(0.85, gt=0.0, le=1.0, description="MinHash Jaccard threshold.")
    fail_on: list[str] = Field(
        default_factory=list,
        description="Gate rules, e.g. residual:high, residual:ID_CARD>0, input:SECRET>0, rejected>0, "
        "flagged>0. residual: what the policy leaves in the output; input: what the input held; a "
        "bare level or type (high, ID_CARD>0) means input, as before.",
    )
    max_rejected: str = Field(
        "0",
        pattern=r"^\s*\d+(\.\d+)?\s*%?\s*$",
        description="Rejected input records tolerated before the scan fails (exit 2): a count (N) "
        "or a share of the records read (P%). The outputs are written either way.",
    )
    workers: int = Field(1, ge=1, le=64, description="Worker processes for detection/anonymisation.")
    max_flagged_in_report: int = Field(200, ge=0, description="Cap on listed flagged records.")
    report_excerpts: bool = Field(
        False, description="List a masked excerpt (the start of the record's first text, detected PII as "
        "[TYPE], other digit runs as #) beside each flagged record in the scan report. Off by default: "
        "an excerpt is still training text, and the report is meant to be shared.")
    source: Path | dict[str, Any] | None = Field(
        None, description="Dataset manifest (YAML file or mapping): source, owner, collection period, legal basis, "
        "licence, retention, allowed uses; recorded in the report.")
    require_source: bool = Field(False, description="Gate failure when no dataset manifest is given.")
    ner_backend: NerBackendConfig | None = Field(
        None, description="Extra NER model from a local directory (spaCy, HF token classification, GLiNER)."
    )

    @field_validator("types")
    @classmethod
    def _known_types(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        v = [t.strip().upper() for t in v if t.strip()]
        bad = [t for t in v if t not in ENTITY_TYPES]
        if bad:
            raise ValueError(f"unknown entity types {bad}; known: {', '.join(ENTITY_TYPES)}")
        return v

    @field_validator("out", "findings", "rejects")
    @classmethod
    def _jsonl_name(cls, v: Path | None, info: ValidationInfo) -> Path | None:
        """Refused before any work: a misnamed output would be misread by the next stage."""
        from privtune.io.writers import is_csv_output, is_text_output, jsonl_output_problem

        problem = None if v is None else jsonl_output_problem(v)
        if problem and info.field_name == "out" and (is_csv_output(v) or is_text_output(v)):
            problem = None  # checked against the input format in _out_format_fits_input
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("passthrough", mode="before")
    @classmethod
    def _passthrough_paths(cls, v: object) -> object:
        """Comma lists and ``items[].sku`` / ``items[0].sku`` spellings all mean ``items.sku``."""
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list):
            return v
        from privtune.scan.side_fields import dotted

        return [dotted(p.strip()) for item in v for p in str(item).split(",") if p.strip()]

    @model_validator(mode="after")
    def _out_format_fits_input(self) -> "ScanConfig":
        """CSV out holds flat rows: only a CSV input's records are sure to be (a JSONL record's
        lists and objects have no CSV form); text out holds one line per record: only a
        plain-text input's are."""
        from privtune.io.readers import detect_format
        from privtune.io.writers import is_csv_output, is_text_output

        for kind, needed, test in (("CSV", "csv", is_csv_output), ("text", "text", is_text_output)):
            if self.out is not None and test(self.out):
                fmt = self.format
                if fmt is None:
                    try:
                        if self.input.is_dir():
                            from privtune.io.folders import open_folder

                            fmt = open_folder(self.input).fmt
                        else:
                            fmt = detect_format(self.input)
                    except PrivtuneError:
                        fmt = None
                if fmt != needed:
                    raise ValueError(f"--out {self.out.name}: {kind} output needs a {kind} input (this one is "
                                     f"{fmt or 'not ' + kind}); name the output .jsonl")
        return self

    @model_validator(mode="after")
    def _distinct_paths(self) -> "ScanConfig":
        """No output may overwrite the input, the key or another output. Before, ``--out`` equal to
        the input replaced the raw data with the cleaned copy, and the rejected records (kept
        as hashes only) were lost with it."""
        named = {"input": self.input, "out": self.out, "findings": self.findings, "rejects": self.rejects,
                 "report": self.report, "key_file": self.key_file}
        if self.report is not None and self.report.suffix.lower() in {".html", ".htm"}:
            named["report (its .json)"] = self.report.with_suffix(".json")
        seen: dict[Path, str] = {}
        for name, path in named.items():
            if path is None:
                continue
            real = path.expanduser().resolve()
            if real in seen:
                raise ValueError(f"{name} and {seen[real]} are the same file ({path}); "
                                 "give each output its own path (the input is never overwritten)")
            seen[real] = name
            if name != "input" and self.input.is_dir() and real.is_relative_to(self.input.expanduser().resolve()):
                # The next scan of the folder would read it as data.
                raise ValueError(f"{name} ({path}) is inside the input folder {self.input}; write it elsewhere")
        return self
