"""privtune reaches for no hub: importing it turns the Hugging Face Hub offline (unless the user
says otherwise), before PEFT pulls in bitsandbytes, which would fetch a kernel from the Hub."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = ("import privtune, os, peft, huggingface_hub.constants as c; "
         "print(os.environ['HF_HUB_OFFLINE'], c.HF_HUB_OFFLINE)")


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env.update(PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)


def test_import_turns_the_hub_offline_and_bitsandbytes_stays_quiet():
    res = _run({})
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["1", "True"]
    assert "kernels-community" not in res.stderr and "Failed to load" not in res.stderr


def test_the_user_can_turn_it_back_on():
    res = _run({"HF_HUB_OFFLINE": "0"})
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["0", "False"]
