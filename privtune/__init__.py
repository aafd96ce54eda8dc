"""privtune: fine-tune LLMs on sensitive data and prove they did not learn to leak it.

Stages (data flows one way, through documented files):
scan -> train -> audit -> serve.
"""

import logging as _logging
import os as _os

__version__ = "0.1.0"

# privtune never downloads: models are local directories. Some libraries reach for the Hugging
# Face Hub on import (bitsandbytes >= 0.48, which PEFT imports whenever it is installed, fetches
# an optional CPU kernel from it), so the Hub is offline unless the user sets HF_HUB_OFFLINE=0.
# Set before anything imports huggingface_hub, which reads it once.
_os.environ.setdefault("HF_HUB_OFFLINE", "1")


class _NoBnbHubKernelNotice(_logging.Filter):
    """That kernel only speeds up 4-bit matmuls on some CPUs; bitsandbytes and the `kernels`
    package each log a warning per process when it is not fetched. Only those two are dropped."""

    def filter(self, record: _logging.LogRecord) -> bool:
        msg = record.getMessage()
        return "quantization-bitsandbytes" not in msg and "gemm_4bit_forward from kernels-community" not in msg


for _name in ("bitsandbytes.backends.cpu.ops", "kernels._internals.hf_hub"):
    _logging.getLogger(_name).addFilter(_NoBnbHubKernelNotice())
