"""Load a repository script (``tools/``, ``benchmarks/``) by path: they are not an installed package.

The module is registered in ``sys.modules`` under its file name before it runs (the first load
keeps the name), so dataclasses and pickling inside it resolve; each call runs the file again.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_script(relative: str) -> ModuleType:
    """Run ``ROOT/relative`` as a module and return it."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None, f"not a Python file: {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(path.stem, module)
    spec.loader.exec_module(module)
    return module


def load_tool(name: str) -> ModuleType:
    """``tools/NAME.py`` as a module."""
    return load_script(f"tools/{name}.py")
