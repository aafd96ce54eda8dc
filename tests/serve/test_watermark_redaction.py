"""Redaction-aware watermark detection: windows touching a PII placeholder are not scored; the
z-score of watermarked text rises after redaction, and unwatermarked text keeps its null
distribution (no false-positive rate moves)."""

from __future__ import annotations

import random
import statistics

import torch

from privtune.serve.guards.placeholders import encode_marking_placeholders, placeholder_spans
from privtune.serve.guards.watermark import WatermarkScheme, detect_ids, detect_text, token_green_bits
from serve_helpers import support_chat_texts

KEY = b"r" * 32


def test_placeholder_spans_cover_every_operator():
    text = "Call [PHONE] or <EMAIL_3fa2c91b>, card **** **** **** 7890, 张*三 and [NOT_A_TYPE]."
    found = [text[a:b] for a, b in placeholder_spans(text)]
    assert found == ["[PHONE]", "<EMAIL_3fa2c91b>", "**** **** **** 7890", "*三"]


def test_windows_touching_a_placeholder_are_not_scored():
    s = WatermarkScheme(KEY)  # context width 4
    r = random.Random(0)
    ids = [r.randrange(5000) for _ in range(40)]
    marked = [False] * 40
    marked[20] = marked[21] = True  # a two-token placeholder
    plain, aware = detect_ids(s, ids), detect_ids(s, ids, placeholder=marked)
    # skipped: positions 20 and 21 (the placeholder) and each later window anchored on them
    anchors, _ = token_green_bits(s, ids)
    anchored = [i for i in range(22, 26) if anchors[i - 4] in (s._h(ids[20]), s._h(ids[21]))]
    assert plain.tokens_scored - aware.tokens_scored == 2 + len(anchored)
    # a window whose anchor is the placeholder token itself is skipped, one anchored elsewhere is not
    ids2 = [7, 8, 9, 10, 11, 12]
    lowest = min(range(5000), key=s._h)  # the smallest keyed hash: anchors every window it is in
    ids2[2] = lowest
    marks2 = [False, False, True, False, False, False]
    assert detect_ids(s, ids2, placeholder=marks2).tokens_scored == 0  # 4 (in it), 5 (anchored on it)
    ids3 = ids2[:]
    ids3[3] = lowest  # now the window of 4 and 5 anchors on a model-written token
    ids3[2] = 9
    assert detect_ids(s, ids3, placeholder=marks2).tokens_scored == 2


def test_redaction_aware_detection_recovers_the_mark(loaded_model):
    """Watermarked text with PII placeholders put in (as the guard does after generation) scores
    higher when the placeholder windows are skipped, on fewer tokens."""
    from transformers import LogitsProcessorList

    from privtune.serve.guards.watermark import WatermarkLogitsProcessor

    model, tok, _ = loaded_model
    scheme = WatermarkScheme(KEY, delta=3.0)
    wm = WatermarkLogitsProcessor(scheme, int(model.get_output_embeddings().weight.shape[0]))
    torch.manual_seed(1)
    prompt = torch.tensor([tok.encode("The order", add_special_tokens=False)] * 4)
    with torch.inference_mode():
        out = model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), do_sample=True, top_k=0,
                             max_new_tokens=120, min_new_tokens=120, logits_processor=LogitsProcessorList([wm]),
                             pad_token_id=tok.pad_token_id)
    gains = []
    for row in out:
        gen = row[prompt.shape[1]:].tolist()
        # every 15th token replaced by a placeholder, as redaction replaces a value
        pieces = [tok.decode(gen[i:i + 14]) + (" [PHONE] " if i + 14 < len(gen) else "") for i in range(0, len(gen), 15)]
        text = "".join(pieces)
        before = detect_text(scheme, tok, text, redaction_aware=False)
        after = detect_text(scheme, tok, text)
        assert after.tokens_scored < before.tokens_scored
        gains.append(after.z_score - before.z_score)
    assert statistics.mean(gains) > 0


def test_false_positive_rate_unchanged_on_redacted_human_text(tiny_tokenizer):
    """The bundled human-written support chats, PII-redacted by the guard (pattern types), under
    12 keys: redaction-aware scoring keeps z near N(0, 1) and flags nothing, as key-only does."""
    from privtune.scan.entities import STRUCTURED_TYPES
    from privtune.serve.guards.pii import PIIGuard

    redactor = PIIGuard(types=sorted(STRUCTURED_TYPES)).redactors["redact"]
    texts = [redactor.redact_text(t) for t in support_chat_texts(120)]
    with_placeholder = [t for t in texts if placeholder_spans(t)]
    assert len(with_placeholder) >= 30  # the set exercises the new path
    encoded = [encode_marking_placeholders(tiny_tokenizer, t) for t in with_placeholder]
    z_plain, z_aware = [], []
    for k in range(12):
        s = WatermarkScheme(bytes([k + 1]) * 32)
        for ids, marked in encoded:
            z_plain.append(detect_ids(s, ids).z_score)
            z_aware.append(detect_ids(s, ids, placeholder=marked).z_score)
    assert max(z_plain) < 4 and max(z_aware) < 4
    assert abs(statistics.mean(z_aware)) < 0.2 and 0.8 < statistics.pstdev(z_aware) < 1.2
    assert sum(z > 2.33 for z in z_aware) <= 2 * 0.01 * len(z_aware) + 3  # ≈ 1 % one-sided tail
