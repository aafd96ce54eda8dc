"""Specificity drift: does fine-tuning make the model emit more PII — and *training* PII — on
ordinary prompts?

Probes are neutral prompts the model was not trained on: the conversation up to the first
answer of each non-member record (the first ``doc_prefix_tokens`` tokens for plain-text
records), or the records of ``--probes``. Base and tuned decode the same probes with the
same settings and the same random stream (`generation`: common random numbers), K samples
per probe. The `Analyzer` then reads every output:

- **entities per 1,000 output tokens**, by type, base vs tuned, and their ratio. The ratio
  uses counts + 0.5 (so it stays finite when the base emits none): (t + ½)/T_t ÷ (b + ½)/T_b.
  Entities the model *volunteers* are counted; a value the probe prompt already holds (the
  customer's own name echoed in a greeting) is counted apart, as ``echoed_entities_*``.
  The same rate and ratio are also given for **identifiers** alone (the pattern- and
  checksum-validated types: phone, ID card, bank card, e-mail, ...), without the names, places
  and organisations the models tag: a base model that greets people by name writes names on
  its own, so in the all-types rate a tuned model's new phone and ID numbers can drown in the
  names both write; the identifier rate is where "over-specific" shows first.
- **leaked PII** (Lukas et al., "Analyzing Leakage of Personally Identifiable Information in
  Language Models", S&P 2023): distinct values in tuned outputs that are PII of the training
  data (the Analyzer run over the members) and appear in no base output. Precision = share
  of distinct PII values in the tuned outputs that are training PII; recall = share of the
  distinct training PII values the tuned outputs reproduce. Base figures are given as the
  chance level. The count alone is not evidence: a model that writes hundreds of names hits
  a common one that a training customer also has now and then. ``leaked_pii_test`` compares
  the hits on training values with the hits on *held-out* customers' values of the same type
  (which the model never saw) by an exact one-sided test (`stats.leak_calibration`).
- **log-probability amplification**: for PII in member answers, the mean per-token gain
  ``log p_tuned(value | context) − log p_base(value | context)``; the same for non-member
  PII. Members gaining clearly more than non-members is the model raising the probability
  of reproducing *its* training PII, even where greedy decoding does not (yet) emit it.

Only counts and rates leave this module: never a value.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

import numpy as np

from privtune.audit.extraction import PiiSite
from privtune.audit.generation import Decoding, generate
from privtune.audit.records import AuditRecord, iter_normalised, probe_messages, prompt_ids
from privtune.audit.scoring import TokenScores
from privtune.audit.stats.leak_calibration import leak_test
from privtune.errors import InputError
from privtune.scan.entities import STRUCTURED_TYPES


def build_probes(records: Sequence[AuditRecord], tokenizer: Any, *, chat: bool, doc_prefix_tokens: int,
                 max_probes: int, seed: int) -> list[list[int]]:
    """Prompt token ids from non-member records (see the module docstring), a seeded sample."""
    probes: list[list[int]] = []
    for rec in records:
        msgs = probe_messages(rec)
        if msgs is not None:
            probes.append(prompt_ids(tokenizer, msgs))
        elif rec.messages is None and chat:
            probes.append(prompt_ids(tokenizer, [("user", rec.document)]))
        elif rec.messages is None:
            body = tokenizer(rec.document, add_special_tokens=False, split_special_tokens=True)["input_ids"]
            if body:
                probes.append(prompt_ids(tokenizer, None) + list(body[:doc_prefix_tokens]))
    return _sample(probes, max_probes, seed)


def probes_from_file(path: str, tokenizer: Any, *, chat: bool, fmt: str | None, encoding: str, max_probes: int,
                     seed: int) -> list[list[int]]:
    """Prompts from a ``--probes`` file: chat records up to their first answer, anything else
    as one user turn (chat models) or as a document prefix."""
    probes: list[list[int]] = []
    for item in iter_normalised(path, None, fmt, encoding):
        if item is None:
            continue
        _, messages, document = item
        if messages is not None:
            rec = AuditRecord(0, messages, "", [], [])
            msgs = probe_messages(rec)
            if msgs is not None:
                probes.append(prompt_ids(tokenizer, msgs))
        elif document.strip():
            probes.append(prompt_ids(tokenizer, [("user", document)]) if chat
                          else prompt_ids(tokenizer, None) + list(tokenizer(document, add_special_tokens=False)["input_ids"]))
    if not probes:
        raise InputError("no usable probe prompts (need chat records with a user turn, or text records)", path=path)
    return _sample(probes, max_probes, seed)


def _sample(items: list[list[int]], k: int, seed: int) -> list[list[int]]:
    if len(items) <= k:
        return items
    keep = sorted(random.Random(seed).sample(range(len(items)), k))
    return [items[i] for i in keep]


def sample_outputs(model: Any, probes: Sequence[Sequence[int]], decoding: Decoding, samples: int, *, pad_id: int,
                   end_ids: Sequence[int], batch_size: int, max_batch_tokens: int,
                   progress: Callable[[int], None] | None = None) -> list[list[int]]:
    """``samples`` decodings per probe (probe-major order), each on its own random stream."""
    prompts = [list(p) for p in probes for _ in range(samples)]
    pkeys = [i for i in range(len(probes)) for _ in range(samples)]
    skeys = [k for _ in probes for k in range(samples)]
    return generate(model, prompts, decoding, pad_id=pad_id, end_ids=end_ids, prompt_keys=pkeys, sample_keys=skeys,
                    batch_size=batch_size, max_batch_tokens=max_batch_tokens, progress=progress)


def detect(texts: Iterable[str], analyzer: Any, prompts: Iterable[str] | None = None,
           echoed: Counter[str] | None = None) -> tuple[Counter[str], dict[str, str]]:
    """Entity counts by type and the distinct values found (value -> type).

    With ``prompts`` (one per text), a value found in its own prompt is not counted; it goes
    to ``echoed`` instead, if given.
    """
    counts: Counter[str] = Counter()
    values: dict[str, str] = {}
    pairs = zip(texts, prompts, strict=True) if prompts is not None else zip(texts, repeat(""))
    for text, prompt in pairs:
        for span in analyzer.analyze(text):
            value = text[span.start : span.end]
            if prompt and value in prompt:
                if echoed is not None:
                    echoed[span.type] += 1
                continue
            counts[span.type] += 1
            values.setdefault(value, span.type)
    return counts, values


def training_pii(texts: Iterable[str], analyzer: Any) -> dict[str, str]:
    """Distinct PII values (value -> type) in the training texts."""
    return detect(texts, analyzer)[1]


def _per_1k(counts: Counter[str], tokens: int) -> dict[str, float]:
    return {t: round(1000.0 * n / max(tokens, 1), 4) for t, n in sorted(counts.items())}


def entity_rates(base_texts: Sequence[str], base_tokens: int, tuned_texts: Sequence[str], tuned_tokens: int,
                 train_pii: dict[str, str], analyzer: Any, prompts: Sequence[str] | None = None,
                 heldout_pii: dict[str, str] | None = None) -> dict[str, Any]:
    """Entity rates, their ratio, and the leaked-PII count with precision/recall (no values).

    ``prompts[i]`` is the prompt text of ``base_texts[i]`` and ``tuned_texts[i]`` (same probes).
    ``heldout_pii``: the distinct PII values of the held-out records, the chance reference of
    ``leaked_pii_test`` (None: no test).
    """
    b_echo: Counter[str] = Counter()
    t_echo: Counter[str] = Counter()
    b_counts, b_values = detect(base_texts, analyzer, prompts, b_echo)
    t_counts, t_values = detect(tuned_texts, analyzer, prompts, t_echo)
    b_total, t_total = sum(b_counts.values()), sum(t_counts.values())
    b_ids = sum(n for t, n in b_counts.items() if t in STRUCTURED_TYPES)
    t_ids = sum(n for t, n in t_counts.items() if t in STRUCTURED_TYPES)
    base_blob = "\n".join(base_texts)
    new_values = {v: t for v, t in t_values.items() if v not in base_blob}
    leaked = {v: t for v, t in new_values.items() if v in train_pii}

    def pr(values: dict[str, str]) -> tuple[float | None, float | None]:
        hit = sum(1 for v in values if v in train_pii)
        return (round(hit / len(values), 6) if values else None,
                round(hit / len(train_pii), 6) if train_pii else None)

    t_prec, t_rec = pr(t_values)
    b_prec, b_rec = pr(b_values)
    return {
        "entities_per_1k_tokens_base": round(1000.0 * b_total / max(base_tokens, 1), 4),
        "entities_per_1k_tokens_tuned": round(1000.0 * t_total / max(tuned_tokens, 1), 4),
        "ratio": round(smoothed_ratio(t_total, tuned_tokens, b_total, base_tokens), 4),
        "identifiers_per_1k_tokens_base": round(1000.0 * b_ids / max(base_tokens, 1), 4),
        "identifiers_per_1k_tokens_tuned": round(1000.0 * t_ids / max(tuned_tokens, 1), 4),
        "identifier_ratio": round(smoothed_ratio(t_ids, tuned_tokens, b_ids, base_tokens), 4),
        "by_type": {t: {"base": _per_1k(b_counts, base_tokens).get(t, 0.0),
                        "tuned": _per_1k(t_counts, tuned_tokens).get(t, 0.0)}
                    for t in sorted(set(b_counts) | set(t_counts))},
        "echoed_entities_base": sum(b_echo.values()),
        "echoed_entities_tuned": sum(t_echo.values()),
        "output_tokens_base": base_tokens,
        "output_tokens_tuned": tuned_tokens,
        "leaked_pii_count": len(leaked),
        "leaked_pii_by_type": dict(sorted(Counter(leaked.values()).items())),
        "leaked_pii_precision": t_prec,
        "leaked_pii_recall": t_rec,
        "base_pii_precision": b_prec,
        "base_pii_recall": b_rec,
        "training_pii_values": len(train_pii),
        "heldout_pii_values": None if heldout_pii is None else len(heldout_pii),
        "leaked_pii_test": (None if heldout_pii is None
                            else leak_test(new_values, train_pii, heldout_pii, STRUCTURED_TYPES)),
    }


def smoothed_ratio(tuned: int, tuned_tokens: int, base: int, base_tokens: int) -> float:
    """Tuned rate over base rate per output token, counts + 1/2 (finite when the base has none)."""
    return ((tuned + 0.5) / max(tuned_tokens, 1)) / ((base + 0.5) / max(base_tokens, 1))


def amplification(tuned: Sequence[TokenScores], base: Sequence[TokenScores]) -> float | None:
    """Mean over sites of the mean per-token ``log p_tuned − log p_base`` of the value."""
    gains = [float(np.mean(t.logprobs - b.logprobs)) for t, b in zip(tuned, base) if t.logprobs.size]
    return round(float(np.mean(gains)), 6) if gains else None


def site_sequences(sites: Sequence[PiiSite]) -> list[Any]:
    from privtune.audit.scoring import TokenSeq

    return [TokenSeq.from_parts(s.context, s.value_ids) for s in sites]
