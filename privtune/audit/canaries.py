"""Canaries: synthetic secrets planted in training data to measure memorisation afterwards.

Each canary is a sentence ``prefix + secret`` whose secret is drawn uniformly from a known
space ``R`` of same-format secrets (Carlini et al., "The Secret Sharer", 2019), so the audit
can rank it against alternatives (`sample_candidates`) and compute exposure. The prefix
carries a random ticket tag, unique per canary, so canaries of one format do not compete for
the same completion (which would blur each one's signal in a one-run audit).

`insert_canaries` plants them for the one-run ε audit (Steinke et al. 2023): each canary is
included independently with probability ½ and, if included, written ``repeats`` times at
random positions. The key it returns records which were included and where.

The canary file and the key **contain the secrets by design**; they are audit keys, not
training data outputs, and must be kept away from the training pipeline and the model users.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from privtune.audit.canary_spaces import CnIdSpace, CnMobileSpace, DigitSpace, SecretSpace, UsPhoneSpace
from privtune.errors import ConfigError, InputError
from privtune.io.records import PLAIN_FIELDS, RecordShape, detect_shape
from privtune.io.writers import atomic_write_json

FORMATS = ("digits6", "phone", "id_card", "bank_pin", "mixed")
CONCRETE_FORMATS = FORMATS[:-1]
LANGS = ("zh", "en")
KEY_KIND = "privtune.canaries"
KEY_VERSION = 1
SECRET_WARNING = "This file contains the canary secrets. Keep it out of training data and away from model users."

_SPACES: dict[tuple[str, str], SecretSpace] = {
    ("digits6", "zh"): DigitSpace(6), ("digits6", "en"): DigitSpace(6),
    ("phone", "zh"): CnMobileSpace(), ("phone", "en"): UsPhoneSpace(),
    ("id_card", "zh"): CnIdSpace(), ("id_card", "en"): CnIdSpace(),
    ("bank_pin", "zh"): DigitSpace(6), ("bank_pin", "en"): DigitSpace(4),
}  # fmt: skip
_TEMPLATES = {
    ("digits6", "zh"): "我的验证码是", ("digits6", "en"): "my verification code is ",
    ("phone", "zh"): "我的手机号是", ("phone", "en"): "my phone number is ",
    ("id_card", "zh"): "我的身份证号是", ("id_card", "en"): "my Chinese resident ID number is ",
    ("bank_pin", "zh"): "我的银行卡密码是", ("bank_pin", "en"): "my PIN is ",
}  # fmt: skip
_TAG_TEMPLATE = {"zh": "工单{tag}：", "en": "Ticket {tag}: "}
_TAG_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: unambiguous when read back
_USER_PROMPT = {"zh": "请帮我记一下这条信息。", "en": "Please make a note of this."}


def secret_space(fmt: str, lang: str) -> SecretSpace:
    """The candidate space ``R`` of a concrete format in a language."""
    try:
        return _SPACES[(fmt, lang)]
    except KeyError:
        raise ConfigError(f"no secret space for format {fmt!r} and lang {lang!r}") from None


# --- canaries -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Canary:
    """One planted sentence ``prefix + secret``; ``format`` is a concrete format."""

    id: str
    format: str
    lang: str
    prefix: str
    secret: str
    repeats: int

    @property
    def space(self) -> SecretSpace:
        return secret_space(self.format, self.lang)

    @property
    def space_size(self) -> int:
        """|R|, the number of same-format secrets (the canary's included)."""
        return self.space.size

    @property
    def text(self) -> str:
        return self.prefix + self.secret

    def format_candidate(self, secret: str) -> str:
        """The canary sentence with ``secret`` in place of the real one (validated)."""
        self.space.index(secret)
        return self.prefix + secret

    def sample_candidates(self, n: int, rng: np.random.Generator) -> list[str]:
        """``n`` alternative secrets, uniform with replacement over ``R`` minus this canary's
        secret, or all ``|R| - 1`` of them when ``n >= |R| - 1`` (then ranks are exact)."""
        return self.space.sample(n, rng, exclude=self.secret)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "space_size": self.space_size}


@dataclass(frozen=True)
class CanarySet:
    """Canaries made together, with the parameters that reproduce them."""

    format: str
    lang: str
    seed: int
    repeats: tuple[int, ...]
    canaries: tuple[Canary, ...] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": KEY_KIND, "version": KEY_VERSION, "warning": SECRET_WARNING, "format": self.format,
                "lang": self.lang, "seed": self.seed, "repeats": list(self.repeats),
                "canaries": [c.to_dict() for c in self.canaries]}

    @classmethod
    def from_dict(cls, obj: Any, path: str | None = None) -> CanarySet:
        if not isinstance(obj, dict) or obj.get("kind") != KEY_KIND:
            raise InputError("not a privtune canary file", path=path,
                             hint="create one with `privtune canary make`")
        if obj.get("version") != KEY_VERSION:
            raise InputError(f"unsupported canary file version {obj.get('version')!r}", path=path)
        try:
            canaries = tuple(Canary(id=c["id"], format=c["format"], lang=c["lang"], prefix=c["prefix"],
                                    secret=c["secret"], repeats=int(c["repeats"])) for c in obj["canaries"])
            made = cls(obj["format"], obj["lang"], int(obj["seed"]), tuple(obj["repeats"]), canaries)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"canary file is incomplete or malformed ({exc!r})", path=path) from None
        for c in canaries:
            try:
                c.space.index(c.secret)
            except ConfigError as exc:
                raise InputError(f"canary {c.id}: {exc}", path=path) from None
        return made

    def save(self, path: str | os.PathLike[str]) -> None:
        atomic_write_json(path, self.to_dict())


def make_canaries(fmt: str, count: int, repeats: Sequence[int], lang: str, seed: int) -> CanarySet:
    """``count`` canaries of format ``fmt`` (``mixed`` cycles through the four concrete ones).

    Repeat counts are assigned round-robin from ``repeats`` so each count gets an equal share
    (exposure versus repeats is the memorisation curve); secrets and tags are uniform,
    distinct, and reproducible from ``seed``.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown canary format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise ConfigError(f"unknown lang {lang!r}; choose zh or en")
    if count < 1 or not repeats or any(int(r) < 1 for r in repeats):
        raise ConfigError(f"need count >= 1 and repeats of integers >= 1, got {count} and {list(repeats)}")
    rng = np.random.default_rng(seed)
    reps = [int(r) for r in repeats]
    seen: set[tuple[str, str]] = set()
    tags: set[str] = set()
    out = []
    for i in range(count):
        concrete = CONCRETE_FORMATS[(i // len(reps)) % 4] if fmt == "mixed" else fmt
        space = secret_space(concrete, lang)
        for _ in range(1000):  # uniqueness by rejection; spaces are >= 10^4 so this ends fast
            secret = space.secret(int(rng.integers(0, space.size)))
            if (concrete, secret) not in seen:
                break
        else:
            raise ConfigError(f"cannot make {count} distinct {concrete} canaries: the space has {space.size} secrets")
        seen.add((concrete, secret))
        tag = "".join(rng.choice(list(_TAG_ALPHABET), size=6))
        while tag in tags:
            tag = "".join(rng.choice(list(_TAG_ALPHABET), size=6))
        tags.add(tag)
        prefix = _TAG_TEMPLATE[lang].format(tag=tag) + _TEMPLATES[(concrete, lang)]
        out.append(Canary(f"c{i:05d}", concrete, lang, prefix, secret, reps[i % len(reps)]))
    return CanarySet(fmt, lang, int(seed), tuple(reps), tuple(out))


def load_canaries(path: str | os.PathLike[str]) -> tuple[CanarySet, dict[str, Any] | None]:
    """Read a canary file; also returns its insertion key section if it has one."""
    p = Path(path)
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("canary file not found", path=str(p)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"canary file is not valid JSON ({exc})", path=str(p)) from None
    return CanarySet.from_dict(obj, str(p)), obj.get("insertion")


# --- insertion ----------------------------------------------------------------------------


def _canary_record(shape: RecordShape, text_field: str, canary: Canary, unit_field: str | None) -> dict[str, Any]:
    prompt = _USER_PROMPT[canary.lang]
    if shape is RecordShape.CHAT:
        rec: dict[str, Any] = {"messages": [{"role": "user", "content": prompt},
                                            {"role": "assistant", "content": canary.text}]}
    elif shape is RecordShape.SHAREGPT:
        rec = {"conversations": [{"from": "human", "value": prompt}, {"from": "gpt", "value": canary.text}]}
    elif shape is RecordShape.ALPACA:
        rec = {"instruction": prompt, "input": "", "output": canary.text}
    else:
        rec = {text_field: canary.text}
    if unit_field:  # all copies of one canary are one privacy unit, as a user's records would be
        rec[unit_field] = f"canary-{canary.id}"
    return rec


def insert_canaries(
    records: Iterable[dict[str, Any]],
    canaries: CanarySet,
    seed: int,
    one_run: bool = True,
    *,
    n_records: int | None = None,
    unit_field: str | None = None,
) -> tuple[Iterator[dict[str, Any]], dict[str, Any]]:
    """Plant canaries among ``records``; returns ``(records_out, key)``.

    With ``one_run`` each canary is included independently with probability ½ (the
    randomisation Steinke et al. 2023 need); otherwise all are. An included canary becomes
    ``repeats`` new records in the data's shape (taken from the first record: chat and
    ShareGPT get a user/assistant pair with the canary in the assistant turn, alpaca the
    ``output``, plain text its text field), placed at uniformly random output positions.

    Streaming: with ``n_records`` (or a sized ``records``) positions are drawn up front and
    the output is produced lazily; otherwise the input is buffered to count it. The key (a
    JSON-ready dict: the canary set plus ``included``/``positions`` per canary and an
    ``insertion`` section) is complete on return. A count mismatch raises `InputError`.
    """
    if n_records is None:
        if not isinstance(records, Sequence):
            records = list(records)
        n_records = len(records)
    it = iter(records)
    first = next(it, None)
    if first is None:
        raise InputError("the data has no records to insert canaries into")
    shape = detect_shape(first)
    if shape is None:
        raise InputError(f"cannot tell the record shape; the first record has {sorted(first)}",
                         hint="records must be chat (messages), ShareGPT, alpaca or have a text field")
    text_field = next((f for f in PLAIN_FIELDS if isinstance(first.get(f), str)), "text")
    rng = np.random.default_rng(seed)
    included = rng.random(len(canaries.canaries)) < 0.5 if one_run else np.ones(len(canaries.canaries), bool)
    copies = np.repeat(np.flatnonzero(included), [c.repeats for c, inc in zip(canaries.canaries, included) if inc])
    total = n_records + copies.size
    slots = np.sort(rng.choice(total, size=copies.size, replace=False))
    owner = copies[rng.permutation(copies.size)]  # which canary sits in each slot
    positions: list[list[int]] = [[] for _ in canaries.canaries]
    for pos, ci in zip(slots.tolist(), owner.tolist()):
        positions[ci].append(pos)
    key = canaries.to_dict()
    for entry, inc, pos_list in zip(key["canaries"], included.tolist(), positions):
        entry["included"], entry["positions"] = bool(inc), pos_list
    key["insertion"] = {"seed": int(seed), "one_run": bool(one_run), "shape": shape.value, "text_field": text_field,
                        "user_prompt": _USER_PROMPT[canaries.lang], "unit_field": unit_field,
                        "n_input_records": n_records, "n_output_records": total,
                        "inserted_records": int(copies.size), "included": int(included.sum())}

    def merged() -> Iterator[dict[str, Any]]:
        source = itertools.chain([first], it)
        slot_of = dict(zip(slots.tolist(), owner.tolist()))
        consumed = 0
        for pos in range(total):
            ci = slot_of.get(pos)
            if ci is not None:
                yield _canary_record(shape, text_field, canaries.canaries[ci], unit_field)
                continue
            rec = next(source, None)
            if rec is None:
                raise InputError(f"the data ended after {consumed} records, but {n_records} were expected")
            consumed += 1
            yield rec
        if next(source, None) is not None:
            raise InputError(f"the data has more than the {n_records} records it was counted to have")

    return merged(), key


def insertion_fingerprints(src: Path, dst: Path, fmt: str | None = None, encoding: str = "utf-8") -> dict[str, str]:
    """The dataset fingerprints of the data before (``src``) and after (``dst``) the insertion, for
    the key's ``insertion`` section (`privtune audit` reads them: members = ``src`` are then the
    training data less the canaries, not "another dataset")."""
    from privtune.provenance.data_file import data_file_fingerprint

    return {"input_fingerprint": data_file_fingerprint(src, fmt=fmt, encoding=encoding),
            "output_fingerprint": data_file_fingerprint(dst)}
