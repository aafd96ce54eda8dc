"""Policies, the redact/mask/hmac operators, keys, and the Anonymizer over whole strings."""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing as mp
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from privtune.errors import ConfigError
from privtune.scan.anonymize import (
    OPERATORS,
    AnonymizationPolicy,
    Anonymizer,
    derive_key,
    detect_language,
    hmac_token,
    load_policy,
    mask,
    new_key_material,
)
from privtune.scan.entities import ENTITY_TYPES, EntityType, Span

KEY = derive_key(hashlib.sha256(b"privtune-test-key-1").digest())
KEY2 = derive_key(hashlib.sha256(b"privtune-test-key-2").digest())
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scan_policy.yaml"

# One realistic value per type (valid checksums where the type has one).
VALUES: dict[str, str] = {
    "PERSON": "张伟",
    "ADDRESS": "北京市朝阳区建国路88号",
    "ORGANIZATION": "深圳市腾讯计算机系统有限公司",
    "EMAIL": "zhang.wei88@company.com.cn",
    "PHONE": "138-1234-5678",
    "ID_CARD": "11010519491231002X",
    "BANK_CARD": "6222 0212 3456 7890 128",
    "IP_ADDRESS": "192.168.1.10",
    "URL": "https://www.acme-corp.com/users/zhangwei?id=12345",
    "USCC": "91350100M000100Y43",
    "PASSPORT": "E12345678",
    "LICENSE_PLATE": "京A12345",
    "IBAN": "GB82 WEST 1234 5698 7654 32",
    "US_SSN": "123-45-6789",
    "DATE_OF_BIRTH": "1990-05-17",
    "USERNAME": "zhangsan_1990",
    "RECORD_ID": "MR-2023-004512",
    "SECRET": "sk-live-4f9a8b7c6d5e4f3a2b1c",
}


def spans_for(text: str, items: list[tuple[str, str]]) -> list[Span]:
    """Spans located with str.find, in text order (each value must occur once)."""
    out = []
    for value, etype in items:
        start = text.index(value)
        out.append(Span(start, start + len(value), etype, 0.9, "test"))
    return sorted(out, key=lambda s: s.start)


# --- policy -----------------------------------------------------------------------------------
def test_default_policy_pseudonymises_every_type_but_secret() -> None:
    p = load_policy(None)
    assert p.default == "pseudonymise"
    assert {p.operator_for(t) for t in ENTITY_TYPES if t != "SECRET"} == {"pseudonymise"}
    assert p.operator_for("SECRET") == "redact"


@pytest.mark.parametrize("name", [*OPERATORS, "pseudonymize", "MASK", " Hmac "])
def test_policy_by_operator_name(name: str) -> None:
    p = load_policy(name)
    expected = {"pseudonymize": "pseudonymise"}.get(name.strip().lower(), name.strip().lower())
    assert p.default == expected
    assert p.operator_for("PHONE") == expected
    assert p.operator_for("SECRET") == "redact"  # whatever the default


def test_unknown_policy_name_suggests_operator() -> None:
    with pytest.raises(ConfigError, match=r"unknown policy 'pseudonym'.*did you mean pseudonymise"):
        load_policy("pseudonym")


def test_yaml_policy_with_aliases_lowercase_types_and_overrides(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("default: redact\nper_type:\n  email: HMAC\n  Phone: pseudonymize\nmin_score: 0.7\n", encoding="utf-8")
    p = load_policy(str(f), {"per_type": {"BANK_CARD": "mask"}, "keep_birth_year": True})
    assert p.per_type == {"EMAIL": "hmac", "PHONE": "pseudonymise", "BANK_CARD": "mask"}
    assert (p.operator_for("EMAIL"), p.operator_for("PHONE"), p.operator_for("PERSON")) == (
        "hmac",
        "pseudonymise",
        "redact",
    )
    assert p.min_score == 0.7 and p.keep_birth_year is True


@pytest.mark.parametrize(
    ("yaml_text", "pattern"),
    [
        ("per_type:\n  EMIAL: hmac\n", r"unknown entity type 'EMIAL' \(did you mean EMAIL\?\)"),
        ("per_type:\n  EMAIL: hash\n", r"EMAIL: unknown operator 'hash'"),
        ("default: scramble\n", r"default: .*unknown operator 'scramble'"),
        ("per_type:\n  SECRET: pseudonymise\n", r"SECRET can only be 'redact'"),
        ("per_type:\n  secret: keep\n", r"SECRET can only be 'redact'"),
        ("per_types:\n  EMAIL: hmac\n", r"per_types: Extra inputs are not permitted"),
        ("min_score: 1.5\n", r"min_score"),
        ("per_type: [EMAIL]\n", r"per_type must be a mapping"),
        ("- redact\n", r"expected a mapping"),
    ],
)
def test_yaml_policy_errors_name_the_problem(tmp_path: Path, yaml_text: str, pattern: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=pattern):
        load_policy(str(f))


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_policy(str(tmp_path / "nope.yaml"))


def test_example_policy_file_loads() -> None:
    p = load_policy(str(EXAMPLE))
    assert p.default == "pseudonymise"
    assert (p.operator_for("SECRET"), p.operator_for("EMAIL"), p.operator_for("BANK_CARD")) == (
        "redact",
        "hmac",
        "mask",
    )


# --- keys -------------------------------------------------------------------------------------
def test_derive_key_is_deterministic_and_separates_materials() -> None:
    material = new_key_material()
    assert re.fullmatch(r"[0-9a-f]{64}", material)
    k = derive_key(material)
    assert len(k) == 32 and k == derive_key(material) == derive_key(f"  {material}\n")
    assert k != derive_key(new_key_material())
    passphrase = "correct horse battery staple"
    assert derive_key(passphrase) == derive_key(passphrase.encode()) != derive_key(passphrase + "!")


def test_derive_key_rejects_short_material_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as err:
        derive_key("hunter2secret")
    assert "hunter2secret" not in str(err.value) and "at least 16" in str(err.value)


def test_anonymizer_repr_and_errors_do_not_show_key() -> None:
    a = Anonymizer(AnonymizationPolicy(), KEY)
    assert KEY.hex() not in repr(a) and str(KEY) not in repr(a)
    with pytest.raises(ConfigError):
        Anonymizer(AnonymizationPolicy(), b"short")


# --- redact / mask / hmac ---------------------------------------------------------------------
@pytest.mark.parametrize("etype", ENTITY_TYPES)
def test_redact_every_type(etype: str) -> None:
    a = Anonymizer(load_policy("redact"), KEY)
    text = f"值: {VALUES[etype]} 。"
    assert a.apply(text, spans_for(text, [(VALUES[etype], etype)])) == f"值: [{etype}] 。"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "*******5678"),
        ("138-1234-5678", "***-****-5678"),
        ("6222 0212 3456 7890", "**** **** **** 7890"),
        ("zhang.wei88@qq.com", "*****.*****@*q.com"),
        ("张三", "*三"),
        ("Bob", "**b"),
        ("--", "--"),
    ],
)
def test_mask_keeps_last_four_and_separators(value: str, expected: str) -> None:
    assert mask(value) == expected


@pytest.mark.parametrize("etype", ENTITY_TYPES)
def test_mask_every_type_hides_at_least_half(etype: str) -> None:
    a = Anonymizer(load_policy("mask"), KEY)
    value = VALUES[etype]
    out = a.replacement(etype, value)
    if etype == "SECRET":
        assert out == "[SECRET]"
        return
    assert len(out) == len(value)
    assert [c for c in out if not c.isalnum() and c != "*"] == [c for c in value if not c.isalnum()]
    shown = sum(1 for c in out if c.isalnum())
    assert shown <= 4 and shown <= sum(1 for c in value if c.isalnum()) / 2
    assert out.endswith(value[-1]) if value[-1].isalnum() else True


@pytest.mark.parametrize("etype", ENTITY_TYPES)
def test_hmac_every_type(etype: str) -> None:
    a = Anonymizer(load_policy("hmac"), KEY)
    out = a.replacement(etype, VALUES[etype])
    if etype == "SECRET":
        assert out == "[SECRET]"
        return
    assert re.fullmatch(rf"<{etype}_[0-9a-f]{{8}}>", out)
    assert out == Anonymizer(load_policy("hmac"), KEY).replacement(etype, VALUES[etype])
    assert out != Anonymizer(load_policy("hmac"), KEY2).replacement(etype, VALUES[etype])


def test_hmac_token_matches_spec_and_normalises_formats() -> None:
    expected = hmac.new(KEY, b"PHONE:13812345678", hashlib.sha256).hexdigest()[:8]
    assert hmac_token(KEY, "PHONE", "13812345678") == f"<PHONE_{expected}>"
    same = {
        hmac_token(KEY, "PHONE", v)
        for v in ("13812345678", "+86 138-1234-5678", "138 1234 5678", "１３８１２３４５６７８")
    }
    assert same == {f"<PHONE_{expected}>"}
    assert hmac_token(KEY, "EMAIL", "Zhang.Wei@QQ.com") == hmac_token(KEY, "EMAIL", "zhang.wei@qq.com")
    assert hmac_token(KEY, "BANK_CARD", "6222 0212 3456 7890") == hmac_token(KEY, "BANK_CARD", "6222021234567890")
    assert hmac_token(KEY, "PERSON", "Dr. Jane Roe") == hmac_token(KEY, "PERSON", "jane  roe")
    assert hmac_token(KEY, "PHONE", "13812345678") != hmac_token(KEY, "PHONE", "13812345679")


def test_keep_leaves_values_but_not_secrets() -> None:
    a = Anonymizer(load_policy("keep"), KEY)
    text = f"key {VALUES['SECRET']} phone {VALUES['PHONE']}"
    out = a.apply(text, spans_for(text, [(VALUES["SECRET"], "SECRET"), (VALUES["PHONE"], "PHONE")]))
    assert out == f"key [SECRET] phone {VALUES['PHONE']}"


@pytest.mark.parametrize("default", OPERATORS)
def test_secret_is_never_pseudonymised(default: str) -> None:
    a = Anonymizer(AnonymizationPolicy(default=default), KEY)  # type: ignore[arg-type]
    for secret in ("sk-live-4f9a8b7c6d5e4f3a2b1c", "AKIAIOSFODNN7EXAMPLE", "password=Tr0ub4dor&3"):
        assert a.replacement("SECRET", secret) == "[SECRET]"


# --- whole strings ----------------------------------------------------------------------------
CHAT = (
    "客户张伟（电话138-1234-5678，身份证11010519491231002X）住在北京市朝阳区建国路88号，"
    "邮箱zhang.wei88@company.com.cn；张伟说卡号6222 0212 3456 7890 128。Call John Smith at (212) 555-0143."
)
CHAT_ITEMS = [
    ("客户张伟", None),
    ("138-1234-5678", "PHONE"),
    ("11010519491231002X", "ID_CARD"),
    ("北京市朝阳区建国路88号", "ADDRESS"),
    ("zhang.wei88@company.com.cn", "EMAIL"),
    ("6222 0212 3456 7890 128", "BANK_CARD"),
    ("John Smith", "PERSON"),
    ("(212) 555-0143", "PHONE"),
]


def chat_spans() -> list[Span]:
    spans = [
        Span(2, 4, "PERSON", 0.9, "t"),
        Span(CHAT.index("；张伟") + 1, CHAT.index("；张伟") + 3, "PERSON", 0.9, "t"),
    ]
    spans += spans_for(CHAT, [(v, t) for v, t in CHAT_ITEMS if t])
    return sorted(spans, key=lambda s: s.start)


def test_multiple_replacements_keep_surrounding_text() -> None:
    a = Anonymizer(AnonymizationPolicy(), KEY)
    spans = chat_spans()
    out = a.apply(CHAT, spans)
    # Expected: the original text between spans, each span replaced by its own surrogate.
    expected, pos = [], 0
    for s in spans:
        expected += [CHAT[pos : s.start], a.replacement(s.type, CHAT[s.start : s.end], CHAT)]
        pos = s.end
    assert out == "".join([*expected, CHAT[pos:]])
    for value, etype in CHAT_ITEMS[1:]:
        assert value not in out, etype
    assert "张伟" not in out and "John Smith" not in out
    fake_name = a.replacement("PERSON", "张伟", CHAT)
    assert out.count(fake_name) == 2 and out.startswith("客户" + fake_name + "（电话")
    assert out.endswith(".") and "。Call " in out


def test_min_score_leaves_low_confidence_spans() -> None:
    a = Anonymizer(AnonymizationPolicy(default="redact", min_score=0.8), KEY)
    text = "电话13812345678或13900001111"
    spans = [Span(2, 13, "PHONE", 0.95, "t"), Span(14, 25, "PHONE", 0.6, "t")]
    assert a.apply(text, spans) == "电话[PHONE]或13900001111"


@pytest.mark.parametrize(
    "spans",
    [
        [Span(2, 6, "PHONE", 1, "t"), Span(4, 8, "PHONE", 1, "t")],
        [Span(6, 8, "PHONE", 1, "t"), Span(0, 2, "PHONE", 1, "t")],
        [Span(0, 99, "PHONE", 1, "t")],
        [Span(3, 3, "PHONE", 1, "t")],
    ],
)
def test_bad_spans_rejected_without_pii_in_message(spans: list[Span]) -> None:
    text = "电话13812345678"
    with pytest.raises(ValueError) as err:
        Anonymizer(AnonymizationPolicy(), KEY).apply(text, spans)
    assert "138" not in str(err.value)


def test_entity_type_enum_members_accepted() -> None:
    a = Anonymizer(load_policy("redact"), KEY)
    assert a.replacement(EntityType.PHONE, "13812345678") == "[PHONE]"  # type: ignore[arg-type]
    assert a.apply("x 13812345678", [Span(2, 13, EntityType.PHONE, 1.0, "t")]) == "x [PHONE]"  # type: ignore[arg-type]


def test_unknown_type_rejected() -> None:
    with pytest.raises(ValueError, match="unknown entity type"):
        Anonymizer(AnonymizationPolicy(), KEY).replacement("CREDIT_SCORE", "700")


def test_detect_language() -> None:
    assert detect_language("客户说他的订单还没到，请帮忙查一下 order 123") == "zh"
    assert detect_language("The customer says the order has not arrived yet 谢谢") == "en"
    assert detect_language("12345 !!") == "en"


def test_cache_is_bounded_and_used() -> None:
    a = Anonymizer(AnonymizationPolicy(), KEY, cache_size=8)
    for i in range(20):
        a.replacement("PHONE", f"1381234{i:04d}")
    a.replacement("PHONE", "13812340019")
    info = a.cache_info()
    assert info.currsize == 8 and info.hits == 1


# --- determinism across threads and processes -------------------------------------------------
WORK = [(t, v) for t, v in VALUES.items()] + [
    ("PERSON", "John Smith"),
    ("PERSON", "王小明"),
    ("ADDRESS", "123 Main Street, Springfield, IL 62704"),
    ("ORGANIZATION", "Acme Corp."),
    ("PHONE", "+1 (415) 555-0100"),
    ("DATE_OF_BIRTH", "May 17, 1990"),
]


def _worker_replace(anon: Anonymizer, items: list[tuple[str, str]]) -> list[str]:
    return [anon.replacement(t, v) for t, v in items]


def test_same_results_in_threads() -> None:
    expected = _worker_replace(Anonymizer(AnonymizationPolicy(), KEY), WORK)
    shared = Anonymizer(AnonymizationPolicy(), KEY)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: _worker_replace(shared, WORK[i:] + WORK[:i]), range(len(WORK))))
    for i, got in enumerate(results):
        assert got == expected[i:] + expected[:i]


def test_same_results_in_spawned_processes() -> None:
    """Fresh interpreters (spawn: new hash seed, new Faker) must produce identical surrogates,
    and the Anonymizer must survive pickling to get there."""
    anon = Anonymizer(AnonymizationPolicy(), KEY)
    expected = _worker_replace(anon, WORK)
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        got = pool.starmap(_worker_replace, [(anon, WORK[:10]), (anon, WORK[10:])])
    assert got[0] + got[1] == expected
    assert len(set(expected)) == len(expected)  # and they are real, distinct replacements
