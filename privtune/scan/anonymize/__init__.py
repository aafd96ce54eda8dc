"""Neutralise detected PII: redact, mask, keyed hmac tokens, or consistent pseudonyms.

Typical use::

    policy = load_policy("pseudonymise")            # or a YAML path, see examples/scan_policy.yaml
    anon = Anonymizer(policy, derive_key(os.environ["PRIVTUNE_SCAN_KEY"]))
    clean = anon.apply(text, analyzer.analyze(text))
"""

from privtune.scan.anonymize.anonymizer import Anonymizer, detect_language
from privtune.scan.anonymize.operators import (
    derive_key,
    hmac_token,
    mask,
    new_key_material,
    normalise_value,
    redact,
)
from privtune.scan.anonymize.policy import (
    OPERATORS,
    AnonymizationPolicy,
    Operator,
    load_policy,
    normalise_operator,
)
from privtune.scan.anonymize.surrogates import surrogate

__all__ = [
    "OPERATORS",
    "AnonymizationPolicy",
    "Anonymizer",
    "Operator",
    "derive_key",
    "detect_language",
    "hmac_token",
    "load_policy",
    "mask",
    "new_key_material",
    "normalise_operator",
    "normalise_value",
    "redact",
    "surrogate",
]
