"""The CLI starts without importing torch: `privtune scan --help` must not pay for a model stack."""

import subprocess
import sys


def test_cli_import_does_not_load_torch():
    code = "import sys, privtune.cli; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
