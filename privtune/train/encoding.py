"""One normalised record -> token ids and a supervised-token mask (the trainer's and the audit's encoding).

Rendering. With a chat template, the conversation goes through ``apply_chat_template``. The
assistant mask comes from ``return_assistant_tokens_mask`` when the template has
``{% generation %}`` blocks; otherwise each assistant turn is located by rendering the
conversation prefix by prefix (``messages[:i]`` + generation prompt vs ``messages[:i+1]``)
and mapping those character spans to tokens (or diffing token counts for slow tokenizers).
A leading assistant message with nothing before it stays context under that fallback, and
so does an assistant turn with no text (a tool call, a dropped message) under every path.
Templates that render the last turn unlike the same turn followed by more (Phi-3's closing
EOS, Qwen3's empty think block, DeepSeek-R1's think-opening prompt) are handled too: see
`_answer_span`. A template without a system role (Gemma 1 and 2) gets the system text at the
start of the first user turn (`chat_messages`; the audit's prompts do the same).
Without a chat template the *plain format* is used, each piece tokenised separately::

    <bos>### System:\\n{system}\\n\\n### User:\\n{prompt}\\n\\n### Assistant:\\n{answer}<eos>

Control tokens. Text that spells a special token (say ``<|im_end|>``) would be encoded *as*
that token by a chat template and could forge turns, so such chat records are skipped
(``control_token_in_text``); in the plain format and for documents it is encoded as ordinary
text instead.

Truncation to ``max_length``: a leading BOS is kept; the prompt before the first supervised
token is cut from the *left* (the text nearest the answer survives), but keeps at least a
quarter of the window when it has that much; the rest is cut from the right. So an over-long
prompt never crowds out the answer, and an over-long answer keeps its beginning.
"""

from __future__ import annotations

import re
from typing import Any, Literal

LossOn = Literal["answer", "all"]
IGNORE_INDEX = -100
Message = tuple[str, str]  # (role, content)

_GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")
PLAIN_ROLE = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}


class _Skip(Exception):
    """A well-formed record that yields no training signal; ``reason`` is the count key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def control_token_pattern(tokenizer: Any) -> re.Pattern[str] | None:
    """One regex matching any special token's text (``None`` when the tokenizer has none)."""
    specials = set(tokenizer.all_special_tokens)
    specials |= {t.content for t in tokenizer.added_tokens_decoder.values() if getattr(t, "special", False)}
    specials.discard("")
    return re.compile("|".join(map(re.escape, sorted(specials)))) if specials else None


def encode_piece(tokenizer: Any, text: str) -> list[int]:
    """Token ids of ``text`` alone (no BOS/EOS); shared by train, audit and serve's plain format."""
    # split_special_tokens: a literal "<|endoftext|>" inside data is text, not a control token.
    return list(tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]) if text else []


def _encode_plain(tokenizer: Any, messages: list[Message] | None, document: str) -> tuple[list[int], list[bool]]:
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    if messages is None:
        body = encode_piece(tokenizer, document)
        return bos + body + eos, [False] * len(bos) + [True] * (len(body) + len(eos))
    ids, mask = list(bos), [False] * len(bos)
    for i, (role, content) in enumerate(messages):
        head = encode_piece(tokenizer, ("\n\n" if i else "") + f"### {PLAIN_ROLE[role]}:\n")
        ids += head
        mask += [False] * len(head)
        body = encode_piece(tokenizer, content) + (eos if role == "assistant" else [])
        ids += body
        # an empty answer (tool call, dropped message) is context, as under a chat template
        mask += [role == "assistant" and bool(content.strip())] * len(body)
    return ids, mask


_TAKES_SYSTEM: dict[str, bool] = {}  # chat template text -> does it render a system turn


def template_takes_system(tokenizer: Any) -> bool:
    """Whether the chat template renders a system turn (Gemma 1 and 2 raise on one)."""
    template = tokenizer.get_chat_template()
    if template not in _TAKES_SYSTEM:
        probe = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
        try:
            tokenizer.apply_chat_template(probe, tokenize=False, add_generation_prompt=True)
            _TAKES_SYSTEM[template] = True
        except Exception as exc:  # jinja's raise_exception; anything else is not about the role
            _TAKES_SYSTEM[template] = not type(exc).__module__.startswith("jinja2")
    return _TAKES_SYSTEM[template]


def chat_messages(tokenizer: Any, messages: list[Message]) -> list[Message]:
    """``messages`` as the chat template can render them: for a template without a system role,
    a leading system turn opens the first user turn (what Gemma 3's own template does, and what
    Google advises for Gemma 1 and 2). Every such record was skipped (``chat_template_error``)."""
    if len(messages) < 2 or messages[0][0] != "system" or messages[1][0] != "user" or template_takes_system(tokenizer):
        return messages
    system, user = messages[0][1].strip(), messages[1][1]
    return [("user", f"{system}\n\n{user}" if system else user), *messages[2:]]


def _render(tokenizer: Any, messages: list[Message], gen_prompt: bool = False) -> str:
    conv = [{"role": r, "content": c} for r, c in messages]
    return tokenizer.apply_chat_template(conv, tokenize=False, add_generation_prompt=gen_prompt)


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def _whole_tokens(tokenizer: Any, text: str, n: int) -> int:
    """``n``, moved back to the start of a special token of ``text`` that it would cut."""
    controls = control_token_pattern(tokenizer)
    for m in controls.finditer(text) if controls is not None else ():
        if m.start() < n < m.end():
            return m.start()
    return n


def _answer_span(tokenizer: Any, full: str, messages: list[Message], i: int) -> tuple[int, int]:
    """Character span of assistant turn ``i`` in ``full`` (the whole conversation rendered):
    from the end of its prompt (``messages[:i]`` + generation prompt) through the answer and its
    end-of-turn markup (``upto``: the conversation rendered up to this turn). Raises `_Skip`
    when the turn cannot be located.

    Usually the prompt is a prefix of ``upto`` and ``upto`` one of ``full``. Vendors' templates
    break both; every record was skipped for them:

    - the generation prompt opens what a rendered answer lacks (DeepSeek-R1 distills prompt with
      ``<｜Assistant｜><think>\\n`` but render an answer as ``<｜Assistant｜>answer``): the
      prompt ends where the two part;
    - the last turn renders unlike the same turn with more after it: Phi-3 and Phi-4 close the
      conversation with the EOS token (``<|end|>\\n<|endoftext|>`` last, ``<|end|>\\n<|user|>``
      before a later turn); Qwen3 gives only the final answer an empty ``<think></think>``
      block. The answer is located in ``full`` instead: its text within as much template glue
      after the prompt as ``upto`` has there, and the end-of-turn markup as far as ``full``
      agrees with ``upto``.

    Cuts never split a special token (`control_token_pattern`).
    """
    head = _render(tokenizer, messages[:i], gen_prompt=True)
    # Trailing whitespace after the end-of-turn token is template glue the model never emits.
    upto = _render(tokenizer, messages[: i + 1]).rstrip()
    if upto.startswith(head):
        start = len(head)
    else:
        base = _render(tokenizer, messages[:i])
        if not (head.startswith(base) and upto.startswith(base)):
            raise _Skip("template_not_prefix_stable")
        start = _whole_tokens(tokenizer, head, len(base) + _common_prefix(head[len(base):], upto[len(base):]))
    if not full.startswith(upto[:start]):
        raise _Skip("template_not_prefix_stable")
    if full.startswith(upto):
        return start, len(upto)
    needle = messages[i][1].strip()  # templates that `| trim` the content render it so
    at_upto = upto.find(needle, start) if needle else -1
    at = full.find(needle, start) if needle else -1
    if at_upto < 0 or at < 0 or at - start > at_upto - start:
        raise _Skip("template_not_prefix_stable")
    after = at + len(needle)
    tail = upto[at_upto + len(needle):]
    agree = _whole_tokens(tokenizer, tail, _common_prefix(tail, full[after:]))
    return start, after + len(full[after: after + agree].rstrip())


def _encode_chat(tokenizer: Any, messages: list[Message], *, use_generation_tags: bool | None = None,
                 use_offsets: bool | None = None) -> tuple[list[int], list[bool]]:
    """Token ids and assistant mask via the chat template; the flags force a path (for tests).

    An assistant turn with no text (an exported tool call, a dropped message) stays context:
    supervising it taught the model to end its turn at once, with nothing said.
    """
    conv = [{"role": r, "content": c} for r, c in messages]
    empty_turn = any(r == "assistant" and not c.strip() for r, c in messages)
    if use_generation_tags is None:
        # {% generation %} would mark an empty turn's end-of-turn token; the prefix path can leave it out
        use_generation_tags = bool(_GENERATION_TAG.search(tokenizer.get_chat_template())) and not empty_turn
    if use_offsets is None:
        use_offsets = bool(getattr(tokenizer, "is_fast", False))
    if use_generation_tags:
        out = tokenizer.apply_chat_template(conv, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
        return list(out["input_ids"]), [bool(x) for x in out["assistant_masks"]]
    full = _render(tokenizer, messages)
    spans: list[tuple[int, int]] = []  # character spans of the supervised answers in `full`
    for i, (role, content) in enumerate(messages):
        if role != "assistant" or i == 0 or not content.strip():
            continue
        spans.append(_answer_span(tokenizer, full, messages, i))
    if use_offsets:
        enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
        ids = list(enc["input_ids"])
        mask = [any(a <= start < b for a, b in spans) for start, _ in enc["offset_mapping"]]
        return ids, mask
    ids = list(tokenizer(full, add_special_tokens=False)["input_ids"])
    mask = [False] * len(ids)
    for start, end in spans:  # slow tokenizers have no offsets: diff prefix token counts instead
        a, b = (list(tokenizer(full[:n], add_special_tokens=False)["input_ids"]) for n in (start, end))
        if ids[: len(b)] != b or b[: len(a)] != a:
            raise _Skip("template_not_prefix_stable")
        mask[len(a): len(b)] = [True] * (len(b) - len(a))
    return ids, mask


def _truncate(ids: list[int], mask: list[bool], max_length: int, bos_id: int | None) -> tuple[list[int], list[bool]]:
    n = len(ids)
    if n <= max_length:
        return ids, mask
    pin = 1 if bos_id is not None and ids and ids[0] == bos_id else 0
    first = next((i for i in range(pin, n) if mask[i]), n)
    budget, prompt_len, rest = max_length - pin, first - pin, n - first
    keep_prompt = min(prompt_len, max(budget - rest, budget // 4))
    sel = list(range(pin)) + list(range(first - keep_prompt, first)) + list(range(first, first + budget - keep_prompt))
    return [ids[i] for i in sel], [mask[i] for i in sel]


def encode_record(tokenizer: Any, messages: list[Message] | None, document: str, *, loss_on: LossOn,
                  max_length: int, controls: re.Pattern[str] | None = None) -> tuple[list[int], list[int], bool]:
    """``(input_ids, labels, truncated)`` for one normalised record; raises `_Skip`.

    ``controls`` is `control_token_pattern(tokenizer)`, passed in so it is built once per run.
    """
    if messages is not None:
        if not any(r == "assistant" for r, _ in messages) and loss_on == "answer":
            raise _Skip("no_assistant_turn")
        if loss_on == "answer" and not any(c.strip() for r, c in messages if r == "assistant"):
            raise _Skip("empty_answer")
    elif not document.strip():
        raise _Skip("empty_text")
    if messages is not None and tokenizer.chat_template:
        pattern = controls if controls is not None else control_token_pattern(tokenizer)
        if pattern is not None and any(pattern.search(c) for _, c in messages):
            raise _Skip("control_token_in_text")
        try:
            ids, mask = _encode_chat(tokenizer, chat_messages(tokenizer, messages))
        except _Skip:
            raise
        except Exception as exc:  # jinja raise_exception (e.g. roles must alternate) and friends
            if type(exc).__module__.startswith("jinja2"):
                raise _Skip("chat_template_error") from None
            raise
    else:
        ids, mask = _encode_plain(tokenizer, messages, document)
    if loss_on == "all":
        mask = [True] * len(ids)
    truncated = len(ids) > max_length
    ids, mask = _truncate(ids, mask, max_length, tokenizer.bos_token_id)
    # Position 0 is never predicted (causal shift), so it cannot count as supervision.
    if not any(mask[1:]):
        raise _Skip("no_supervised_tokens")
    labels = [t if m and i > 0 else IGNORE_INDEX for i, (t, m) in enumerate(zip(ids, mask, strict=True))]
    return ids, labels, truncated
