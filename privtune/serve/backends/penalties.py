"""OpenAI's presence and frequency penalties as a transformers logits processor.

OpenAI's definition (API reference, "parameter details"): the logit of token j becomes
``logit[j] - count[j] * frequency_penalty - (count[j] > 0) * presence_penalty``, where
``count[j]`` is how often j was generated so far in this completion. Prompt tokens do not count
(vLLM counts them the same way; its ``repetition_penalty`` extension, which does count the
prompt, is transformers' own and is passed to ``generate`` as such).
"""

from __future__ import annotations

import torch


class OpenAIPenalties:
    """Subtracts the presence / frequency penalties from the raw logits of already generated tokens."""

    def __init__(self, prompt_len: int, presence: float, frequency: float) -> None:
        self.prompt_len, self.presence, self.frequency = prompt_len, presence, frequency

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        generated = input_ids[:, self.prompt_len:]
        if generated.shape[1] == 0:
            return scores
        counts = torch.zeros_like(scores)
        counts.scatter_add_(1, generated, torch.ones_like(generated, dtype=scores.dtype))
        return scores - counts * self.frequency - (counts > 0).to(scores.dtype) * self.presence
