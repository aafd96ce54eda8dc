"""The embedded backend: base model + LoRA adapter in this process (transformers + PEFT, CPU or GPU).

Loading follows the audit's rules (local directories only, no downloads, the adapter checked
against the base; encrypted adapters opened with the training key). Generation runs on one
worker thread, never on the event loop, so health checks, auth failures and admin calls answer
while a long generation runs. Requests beyond the worker wait in a bounded queue; past
``queue_size`` (running + waiting) the backend raises `BackendBusy` (503 + Retry-After) instead
of queueing without bound. A client that goes away stops its generation at the next token.

Prompts are rendered as training rendered them (train/encoding.py): the tokenizer's chat
template with the generation prompt, else the plain ``### Role:`` format. Message text that
spells a control token (``<|im_end|>``...) is refused, as training skips it: it would forge turns.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import torch

from privtune.models.padding import ensure_pad_token
from privtune.serve.backends.base import (BackendBusy, BadPrompt, GenProgress, GenRequest, GenResult, apply_stop,
                                          check_window)
from privtune.serve.backends.penalties import OpenAIPenalties
from privtune.train.encoding import PLAIN_ROLE, chat_messages, control_token_pattern, encode_piece


def load_model(base: Path, adapter: Path | None, device: str = "auto", adapter_key_file: Path | None = None
               ) -> tuple[Any, Any, torch.device]:
    """(model, tokenizer, device): base + adapter via the audit's loader, or the base alone."""
    from privtune.audit.models import load_models, pick_device

    if adapter is not None:
        loaded = load_models(base, adapter, device=device, adapter_key_file=adapter_key_file)
        return loaded.model, loaded.tokenizer, loaded.device
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from privtune.errors import InputError

    hf_logging.disable_progress_bar()
    if not base.is_dir() or not (base / "config.json").exists():
        raise InputError("not a local Hugging Face model directory (needs config.json and weights)", path=str(base))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    dev = pick_device(device)
    tok = AutoTokenizer.from_pretrained(base, local_files_only=True)
    ensure_pad_token(tok, base)  # neither pad nor EOS: a clear error, not a crash at the first request
    model = AutoModelForCausalLM.from_pretrained(base, local_files_only=True).to(dev).eval()
    return model, tok, dev


class _Stop:
    """Stopping criterion: the client left (``cancel``), the gateway asked to halt (``halt``: a
    stop string in the guarded text) or a stop string appeared in the output."""

    def __init__(self, tokenizer: Any, prompt_len: int, stop: list[str], cancel: threading.Event,
                 halt: threading.Event | None = None, progress: GenProgress | None = None) -> None:
        self.tok, self.prompt_len, self.stop, self.cancel, self.halt = tokenizer, prompt_len, stop, cancel, halt
        self.progress = progress

    def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
        if self.progress is not None:  # called once per generated token
            self.progress.completion_tokens = int(input_ids.shape[1]) - self.prompt_len
        done = self.cancel.is_set() or (self.halt is not None and self.halt.is_set())
        if not done and self.stop:
            text = self.tok.decode(input_ids[0, self.prompt_len:], skip_special_tokens=True)
            done = apply_stop(text, self.stop)[1]
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class _DeltaStreamer:
    """transformers streamer -> text deltas (held back while a UTF-8 character is incomplete)."""

    def __init__(self, tokenizer: Any, emit: Callable[[str], None]) -> None:
        self.tok, self.emit = tokenizer, emit
        self.ids: list[int] = []
        self.sent = 0
        self.prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self.prompt_seen:  # generate() first hands over the prompt
            self.prompt_seen = True
            return
        self.ids.extend(int(t) for t in value.reshape(-1).tolist())
        text = self.tok.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return
        if len(text) > self.sent:
            self.emit(text[self.sent:])
            self.sent = len(text)

    def end(self) -> None:
        pass


class EmbeddedBackend:
    """Serves one loaded model; see the module docstring for the threading model."""

    def __init__(self, model: Any, tokenizer: Any, device: torch.device, model_id: str, queue_size: int = 8,
                 description: dict[str, Any] | None = None) -> None:
        self.model, self.tok, self.device, self.model_id = model, tokenizer, device, model_id
        self.queue_size = queue_size
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="privtune-generate")
        self._pending = 0
        self.tokens_generated = 0  # by the worker, finished or cut short (cancelled streams included)
        self._controls = control_token_pattern(tokenizer)
        self._description = description or {}
        self.watermark: Any = None  # a `WatermarkLogitsProcessor` when the server has a watermark key
        self.watermark_scheme: Any = None
        self.canonical: Any = None  # a `CanonicalSplitProcessor`, run after the watermark's
        self._entropy_sources: dict[str, Any] = {}  # detection: `entropy.EntropySource` per distribution
        eos = model.generation_config.eos_token_id
        self._eos = set(eos if isinstance(eos, list) else [eos]) - {None}
        from privtune.models.window import context_window

        found = context_window(model)
        self.window: int | None = found[0] if found else None

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` as this model's tokenizer splits it (the usage of a guarded answer)."""
        return len(self.tok(text, add_special_tokens=False)["input_ids"]) if text else 0

    def describe(self) -> dict[str, Any]:
        return {"backend": "embedded", "device": self.device.type, **self._description}

    def enable_watermark(self, scheme: Any, canonical_splits: bool = True) -> None:
        """Watermark every output from now on with ``scheme`` (a `WatermarkScheme`); with
        ``canonical_splits``, sample only token splits the tokenizer would produce from the text."""
        from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
        from privtune.serve.guards.watermark import WatermarkLogitsProcessor

        vocab = max(len(self.tok), int(self.model.get_output_embeddings().weight.shape[0]))
        self.watermark, self.watermark_scheme = WatermarkLogitsProcessor(scheme, vocab), scheme
        self.canonical = CanonicalSplitProcessor(CanonicalPairs(self.tok), end_ids=self._eos) if canonical_splits else None

    async def detect_watermark(self, text: str, entropy_threshold: float | None,
                               entropy_weight_power: float | None = None,
                               entropy_distribution: str = "visible", detector: str = "weighted",
                               top_k: int = 10) -> Any:
        """Detection with ``detector`` (`detectors.DETECTORS`): key-only needs no model; entropy-aware
        weighting, ``lr``, ``combined``, ``joint`` and ``linear`` read the served model (on the generation worker: the model
        is not shared between threads, so a detection waits for a running generation).
        ``entropy_distribution``: the next-token distribution read (`entropy.ENTROPY_DISTRIBUTIONS`);
        ``top_k``: the likelihood ratio's candidates."""
        from privtune.serve.guards.detectors import check_detector, detect_text_with, needs_model

        check_detector(detector)
        loop = asyncio.get_running_loop()
        if not needs_model(detector, entropy_threshold, entropy_weight_power):
            return await loop.run_in_executor(None, detect_text_with, self.watermark_scheme, self.tok, text)
        from privtune.serve.guards.entropy import entropy_source

        source = self._entropy_sources.get(entropy_distribution)
        if source is None:  # built once per distribution: the canonical mask keeps its pair cache
            source = self._entropy_sources[entropy_distribution] = entropy_source(
                self.tok, entropy_distribution, self.canonical)
        self._admit()
        try:
            return await loop.run_in_executor(self._pool, detect_text_with, self.watermark_scheme, self.tok, text,
                                              detector, self.model, entropy_threshold, entropy_weight_power,
                                              source, top_k)
        finally:
            self._pending -= 1

    # -- prompt rendering -------------------------------------------------------------------
    def encode(self, req: GenRequest) -> list[int]:
        if req.kind == "completion":
            return encode_piece(self.tok, req.prompt or "") or [self.tok.bos_token_id or 0]
        messages = req.messages or []
        if self._controls is not None and any(self._controls.search(m["content"]) for m in messages):
            raise BadPrompt("a message contains a control token of this model's chat format")
        if self.tok.chat_template:
            try:
                # As training rendered them: a template without a system role (Gemma 1/2) gets the
                # system text at the start of the first user turn, not a refusal.
                folded = chat_messages(self.tok, [(m["role"], m["content"]) for m in messages])
                turns = [{"role": r, "content": c} for r, c in folded]
                text = self.tok.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)
            except Exception as exc:  # jinja raise_exception: roles must alternate, and the like
                if type(exc).__module__.startswith("jinja2"):
                    raise BadPrompt(f"the chat template refused these messages: {exc}") from None
                raise
            return list(self.tok(text, add_special_tokens=False)["input_ids"])
        ids = [self.tok.bos_token_id] if self.tok.bos_token_id is not None else []
        for i, m in enumerate(messages):
            ids += encode_piece(self.tok, ("\n\n" if i else "") + f"### {PLAIN_ROLE.get(m['role'], 'User')}:\n")
            ids += encode_piece(self.tok, m["content"])
        return ids + encode_piece(self.tok, ("\n\n" if messages else "") + "### Assistant:\n")

    # -- generation (worker thread) -----------------------------------------------------------
    def _run(self, ids: list[int], req: GenRequest, cancel: threading.Event,
             emit: Callable[[str], None] | None) -> GenResult:
        from transformers import StoppingCriteriaList

        max_new = check_window(len(ids), self.window, req)
        input_ids = torch.tensor([ids], device=self.device)
        req.progress.prompt_tokens = len(ids)
        kwargs: dict[str, Any] = {"max_new_tokens": max_new, "max_time": req.timeout_s,
                                  "pad_token_id": self.tok.pad_token_id,
                                  "stopping_criteria": StoppingCriteriaList(
                                      [_Stop(self.tok, len(ids), req.stop, cancel, req.halt, req.progress)])}
        if req.temperature > 0:
            kwargs.update(do_sample=True, temperature=req.temperature, top_p=req.top_p, top_k=req.top_k,
                          min_p=req.min_p or None)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if req.repetition_penalty != 1.0:
            kwargs["repetition_penalty"] = req.repetition_penalty
        if req.ignore_eos:
            kwargs["min_new_tokens"] = max_new
        procs: list[Any] = []
        if req.presence_penalty or req.frequency_penalty:
            procs.append(OpenAIPenalties(len(ids), req.presence_penalty, req.frequency_penalty))
        if self.watermark is not None:
            # bias on the raw logits first; the canonical mask then sees the biased distribution
            procs += [self.watermark] + ([self.canonical] if self.canonical is not None else [])
        if procs:
            from transformers import LogitsProcessorList

            kwargs["logits_processor"] = LogitsProcessorList(procs)
        if emit is not None:
            kwargs["streamer"] = _DeltaStreamer(self.tok, emit)
        with torch.inference_mode(), torch.random.fork_rng(devices=[]):
            if req.seed is not None:
                torch.manual_seed(req.seed)
            out = self.model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), **kwargs)
        gen = out[0, len(ids):].tolist()
        self.tokens_generated += len(gen)
        text, stopped = apply_stop(self.tok.decode(gen, skip_special_tokens=True), req.stop)
        ended = stopped or (bool(gen) and gen[-1] in self._eos)
        # Not ended by EOS or a stop string: cut by max_tokens, the context window or the time limit.
        return GenResult(text, len(ids), len(gen), "stop" if ended else "length")

    def _admit(self) -> None:
        if self._pending >= self.queue_size:
            raise BackendBusy(retry_after_s=max(1, self.queue_size))
        self._pending += 1

    async def generate(self, req: GenRequest) -> GenResult:
        ids = self.encode(req)
        check_window(len(ids), self.window, req)  # before the queue: a 400 needs no worker
        self._admit()
        cancel = threading.Event()
        try:
            fut = asyncio.get_running_loop().run_in_executor(self._pool, self._run, ids, req, cancel, None)
            try:
                return await asyncio.shield(fut)
            except asyncio.CancelledError:
                cancel.set()  # the client went away: stop at the next token
                raise
        finally:
            self._pending -= 1

    async def stream(self, req: GenRequest) -> AsyncIterator[str | GenResult]:
        ids = self.encode(req)
        check_window(len(ids), self.window, req)
        self._admit()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue()
        cancel = threading.Event()
        hold = max((len(s) for s in req.stop), default=1) - 1  # a stop string may still be forming

        def emit(delta: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, delta)

        try:
            fut = loop.run_in_executor(self._pool, self._run, ids, req, cancel, emit)
            buffered, sent = "", 0
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, fut}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    break
                buffered += getter.result()
                visible, stopped = apply_stop(buffered, req.stop)
                upto = len(visible) if stopped else max(sent, len(visible) - hold)
                if upto > sent:
                    yield visible[sent:upto]
                    sent = upto
                if stopped:
                    cancel.set()
                    break
            result = await fut
            while not queue.empty():
                buffered += queue.get_nowait()
            if len(result.text) > sent:
                yield result.text[sent:]
            yield result
        finally:
            cancel.set()
            self._pending -= 1

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
