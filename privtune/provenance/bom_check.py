"""Check an ML-BOM: the official CycloneDX JSON schema (offline) plus what the schema cannot see.

Schema: cyclonedx-python-lib's strict JSON validator, which ships the 1.6/1.7 schemas and the
SPDX licence list and resolves them locally (no network).

Lint (`lint`), for mistakes that are schema-valid:

- a ``modelParameters.datasets[].ref`` that names no ``data`` component (dangling dataset);
- a ``modelCard`` on a component that is not a ``machine-learning-model``;
- a licence ``id`` that is not an SPDX licence id (non-SPDX licences belong in ``name``);
- a ``bom-ref`` used twice, or a dependency naming an unknown ``bom-ref``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["lint", "schema_errors", "spdx_ids"]


@lru_cache(maxsize=1)
def spdx_ids() -> frozenset[str]:
    """SPDX licence ids from the list bundled with cyclonedx-python-lib (offline)."""
    text = resources.files("cyclonedx.schema._res").joinpath("spdx.SNAPSHOT.schema.json").read_text(encoding="utf-8")
    return frozenset(json.loads(text)["enum"])


def schema_errors(bom_text: str) -> list[str]:
    """Messages of every schema violation (empty when valid), for the BOM's own specVersion."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    version = json.loads(bom_text).get("specVersion")
    versions = {"1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}
    if version not in versions:
        return [f"specVersion {version!r}: privtune checks 1.6 and 1.7"]
    errors = JsonStrictValidator(versions[version]).validate_str(bom_text, all_errors=True)
    if errors is None:
        return []
    errors = [errors] if not isinstance(errors, (list, tuple)) and not hasattr(errors, "__next__") else list(errors)
    out = []
    for err in errors:
        data = getattr(err, "data", None)
        path = "/".join(str(p) for p in getattr(data, "absolute_path", []) or [])
        out.append(f"{path or '(root)'}: {getattr(data, 'message', err)}")
    return out


def _components(items: list[dict[str, Any]], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every component, nested ones (``components``, ``pedigree.ancestors``) included, with a JSON path."""
    for i, comp in enumerate(items):
        path = f"{where}/{i}"
        yield path, comp
        yield from _components(comp.get("components") or [], f"{path}/components")
        for key in ("ancestors", "descendants", "variants"):
            yield from _components((comp.get("pedigree") or {}).get(key) or [], f"{path}/pedigree/{key}")


def lint(bom: dict[str, Any]) -> list[str]:
    """Semantic problems the schema does not catch (see module docstring); empty when clean."""
    comps = list(_components(bom.get("components") or [], "components"))
    meta = (bom.get("metadata") or {}).get("component")
    if meta:
        comps.insert(0, ("metadata/component", meta))
    problems = []
    refs = Counter(c["bom-ref"] for _, c in comps if "bom-ref" in c)
    problems += [f"bom-ref {r!r} is used {n} times" for r, n in refs.items() if n > 1]
    data_refs = {c["bom-ref"] for _, c in comps if c.get("type") == "data" and "bom-ref" in c}
    for path, comp in comps:
        card = comp.get("modelCard")
        if card is not None and comp.get("type") != "machine-learning-model":
            problems.append(f"{path}: modelCard on a {comp.get('type')!r} component (only machine-learning-model)")
        for j, ds in enumerate(((card or {}).get("modelParameters") or {}).get("datasets") or []):
            if "ref" in ds and ds["ref"] not in data_refs:
                problems.append(f"{path}/modelCard/modelParameters/datasets/{j}: ref {ds['ref']!r} names no data component")
        for j, entry in enumerate(comp.get("licenses") or []):
            lic_id = (entry.get("license") or {}).get("id")
            if lic_id is not None and lic_id not in spdx_ids():
                problems.append(f"{path}/licenses/{j}: {lic_id!r} is not an SPDX licence id (use 'name')")
    for dep in bom.get("dependencies") or []:
        for ref in [dep.get("ref"), *(dep.get("dependsOn") or [])]:
            if ref not in refs:
                problems.append(f"dependencies: {ref!r} names no bom-ref")
    return problems


def check_bom_file(path: Path) -> tuple[list[str], list[str]]:
    """(schema errors, lint problems) of a BOM file on disk, e.g. one edited by hand or received.

    Not JSON, or JSON that is not an object, is an `InputError` naming the line and column; the
    lint runs only on a schema-valid BOM (it reads the structure the schema guarantees).
    """
    from privtune.errors import InputError

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("BOM file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the BOM: {exc}", path=str(path)) from None
    try:
        bom = json.loads(text)
        if not isinstance(bom, dict):
            raise InputError(f"not a CycloneDX BOM: the JSON is a {type(bom).__name__}, not an object", path=str(path))
        errors = schema_errors(text)
        return errors, ([] if errors else lint(bom))
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", path=str(path)) from None
    except RecursionError:
        # A received file is untrusted: a few hundred nested levels (a few kB) was a RecursionError
        # traceback from the parser or the schema validator. A real BOM nests a dozen levels.
        raise InputError("not a usable BOM: it nests too deeply (hundreds of levels of arrays or objects)",
                         path=str(path)) from None
