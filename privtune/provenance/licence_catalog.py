"""The model licences privtune recognises: how to spot each one, and what it asks of a derivative.

Each entry holds short, distinctive phrases from the licence text (matched after
`normalise_licence_text`, so line wrapping, curly quotes and case do not matter), the Hub
``license`` / ``license_name`` tags that name it (with common aliases), and the terms that bind
a fine-tuned adapter: commercial use, a monthly-active-user ceiling, attribution, a naming rule,
restrictions that must be passed on, and whether serving over an API counts as distribution.

The terms are a summary for an automated first check, not legal advice; the licence text in the
base model's directory is what binds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["LICENCES", "LicenceTerms", "LicenceInfo", "by_id", "normalise_licence_text", "tag_to_id"]

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a7": " section "})


def normalise_licence_text(text: str) -> str:
    """NFKC, lower case, quotes straightened, every run of non-alphanumerics one space.

    Licence files are re-wrapped, re-quoted and re-formatted (Markdown, plain text) by the
    projects that ship them; only the words are stable.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@dataclass(frozen=True)
class LicenceTerms:
    """What the licence asks of anyone who fine-tunes, distributes or serves a derivative."""

    commercial: bool = True
    mau_limit: int | None = None  # above this many monthly active users: a separate licence is needed
    attribution: str | None = None  # text to display when the derivative is distributed or made available
    name_prefix: str | None = None  # a distributed derivative's name must start with this
    pass_on: tuple[str, ...] = ()  # what must travel with a distributed derivative
    # Obligations of distribution also bind a model that is only served: Gemma counts hosting as
    # distribution; Llama and Qwen bind what is "distributed or made available".
    api_is_distribution: bool = False
    restrictions: tuple[str, ...] = ()  # use restrictions the user must honour (and pass on)
    eu_multimodal_excluded: bool = False  # Llama 3.2: no licence for multimodal models to EU parties


@dataclass(frozen=True)
class LicenceInfo:
    """One licence: identifiers, fingerprint phrases and terms."""

    id: str  # privtune's id; also the Hub tag when the Hub has one
    name: str
    spdx: str | None  # SPDX licence id, where SPDX has one
    hub_license: str  # the Hub card's `license` value
    hub_license_name: str | None  # `license_name` when `license: other`
    aliases: tuple[str, ...]
    phrases: tuple[str, ...]  # distinctive excerpts; normalised at import
    min_hits: int
    terms: LicenceTerms
    url: str | None = None
    norm_phrases: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "norm_phrases", tuple(normalise_licence_text(p) for p in self.phrases))


_LLAMA_PASS_ON = ("a copy of the licence agreement with every copy of the model or a product using it",
                  "the Acceptable Use Policy applies to every use of the derivative")
_LLAMA_MAU = 700_000_000


def _llama31_family(version: str, date: str, *, eu: bool = False) -> LicenceInfo:
    return LicenceInfo(
        id=f"llama{version}", name=f"Llama {version} Community License", spdx=None,
        hub_license=f"llama{version}", hub_license_name=None,
        aliases=(f"llama-{version}", f"llama {version}", f"llama{version.replace('.', '_')}",
                 f"llama{version}-community-license", f"llama-{version}-community-license"),
        phrases=(f"LLAMA {version} COMMUNITY LICENSE AGREEMENT", f"Llama {version} Version Release Date: {date}",
                 "Built with Llama", "Llama Materials", "700 million monthly active users"),
        min_hits=3,
        terms=LicenceTerms(
            mau_limit=_LLAMA_MAU, attribution="Built with Llama", name_prefix="Llama", api_is_distribution=True,
            pass_on=_LLAMA_PASS_ON + (f'the notice "Llama {version} is licensed under the Llama {version} '
                                      'Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."',),
            eu_multimodal_excluded=eu,
        ),
        url=f"https://www.llama.com/llama{version.replace('.', '_')}/license/",
    )


LICENCES: tuple[LicenceInfo, ...] = (
    LicenceInfo(
        id="llama3", name="Meta Llama 3 Community License", spdx=None, hub_license="llama3",
        hub_license_name=None,
        aliases=("llama-3", "llama 3", "meta-llama-3", "llama3-community-license", "meta-llama-3-community-license"),
        phrases=("META LLAMA 3 COMMUNITY LICENSE AGREEMENT", "Meta Llama 3 Version Release Date: April 18, 2024",
                 "Built with Meta Llama 3",
                 "to improve any other large language model (excluding Meta Llama 3 or derivative works thereof)",
                 "Llama Materials", "700 million monthly active users"),
        min_hits=3,
        terms=LicenceTerms(
            mau_limit=_LLAMA_MAU, attribution="Built with Meta Llama 3", name_prefix="Llama 3", api_is_distribution=True,
            pass_on=_LLAMA_PASS_ON + ('the notice "Meta Llama 3 is licensed under the Meta Llama 3 Community '
                                      'License, Copyright © Meta Platforms, Inc. All Rights Reserved."',),
            restrictions=("§1.b.v: the model and its outputs may not be used to improve any other large "
                          "language model (Llama 3 derivatives excepted)",),
        ),
        url="https://www.llama.com/llama3/license/",
    ),
    _llama31_family("3.1", "July 23, 2024"),
    _llama31_family("3.2", "September 25, 2024", eu=True),
    _llama31_family("3.3", "December 6, 2024"),
    LicenceInfo(
        id="qwen", name="Qwen License Agreement", spdx=None, hub_license="other", hub_license_name="qwen",
        aliases=("qwen-license", "qwen-license-agreement", "tongyi-qianwen", "tongyi-qianwen-license"),
        phrases=("Qwen LICENSE AGREEMENT", "Alibaba Cloud", "100 million monthly active users",
                 "Built with Qwen", "Improved using Qwen"),
        min_hits=3,
        terms=LicenceTerms(
            mau_limit=100_000_000, attribution='Built with Qwen" or "Improved using Qwen', api_is_distribution=True,
            pass_on=("a copy of the Qwen License Agreement with every distributed copy",),
        ),
        url="https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE",
    ),
    LicenceInfo(
        id="qwen-research", name="Qwen Research License Agreement", spdx=None, hub_license="other",
        hub_license_name="qwen-research",
        aliases=("qwen-research-license", "qwen-research-license-agreement"),
        phrases=("Qwen RESEARCH LICENSE AGREEMENT", "Non-Commercial", "research or evaluation purposes",
                 "Alibaba Cloud", "Built with Qwen"),
        min_hits=3,
        terms=LicenceTerms(
            commercial=False, attribution='Built with Qwen" or "Improved using Qwen', api_is_distribution=True,
            pass_on=("a copy of the Qwen Research License Agreement with every distributed copy",),
            restrictions=("non-commercial research and evaluation use only",),
        ),
        url="https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE",
    ),
    LicenceInfo(
        id="gemma", name="Gemma Terms of Use", spdx=None, hub_license="gemma", hub_license_name=None,
        aliases=("gemma-terms-of-use", "gemma-license"),
        phrases=("Gemma Terms of Use", "ai.google.dev/gemma/terms", "Model Derivatives", "Hosted Service",
                 "Gemma Prohibited Use Policy"),
        min_hits=3,
        terms=LicenceTerms(
            api_is_distribution=True,
            pass_on=("the use restrictions of §3.2 as an enforceable provision in every agreement governing "
                     "use or distribution, and notice of them to recipients",
                     'the notice "Gemma is provided under and subject to the Gemma Terms of Use found at '
                     'ai.google.dev/gemma/terms"',
                     "a copy of the Gemma Terms of Use",
                     "a statement that modified files were modified"),
            restrictions=("the Gemma Prohibited Use Policy",),
        ),
        url="https://ai.google.dev/gemma/terms",
    ),
    LicenceInfo(
        id="deepseek", name="DeepSeek License Agreement", spdx=None, hub_license="other",
        hub_license_name="deepseek",
        aliases=("deepseek-license", "deepseek-license-agreement"),
        phrases=("DEEPSEEK LICENSE AGREEMENT", "Version 1.0, 23 October 2023", "Attachment A",
                 "Use Restrictions", "personal identifiable information"),
        min_hits=3,
        terms=LicenceTerms(
            api_is_distribution=True,
            pass_on=("the use-based restrictions of Attachment A as an enforceable provision in every agreement "
                     "governing use or distribution", "a copy of the DeepSeek License Agreement",
                     "a statement that modified files were modified"),
            restrictions=("Attachment A, incl. no generating or disseminating personal identifiable information "
                          "without due authorisation or for unreasonable use",),
        ),
        url="https://github.com/deepseek-ai/DeepSeek-LLM/blob/main/LICENSE-MODEL",
    ),
    LicenceInfo(
        id="mrl", name="Mistral AI Research License", spdx=None, hub_license="other", hub_license_name="mrl",
        aliases=("mistral-research-license", "mistral-ai-research-license", "mistral ai research license"),
        phrases=("Mistral AI Research License", "Research Purposes", "Mistral AI",
                 "non-commercial purposes", "must request a license from Mistral AI"),
        min_hits=3,
        terms=LicenceTerms(
            commercial=False,
            pass_on=("a copy of the Mistral AI Research License with every distributed copy",
                     'the notice "Licensed by Mistral AI under the Mistral AI Research License"'),
            restrictions=("Research Purposes only: personal, scientific or academic, non-profit and non-commercial",),
        ),
        url="https://mistral.ai/licenses/MRL-0.1.md",
    ),
    LicenceInfo(
        id="apache-2.0", name="Apache License 2.0", spdx="Apache-2.0", hub_license="apache-2.0",
        hub_license_name=None,
        aliases=("apache2", "apache-2", "apache 2.0", "apache2.0", "apache license 2.0", "apache-license-2.0",
                 "apache license, version 2.0", "apache-2.0-license"),
        phrases=("Apache License", "Version 2.0, January 2004",
                 "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "Grant of Patent License",
                 "http://www.apache.org/licenses/"),
        min_hits=3,
        terms=LicenceTerms(pass_on=("a copy of the Apache License 2.0", "the NOTICE file, if the base model has one",
                                    "a statement that modified files were modified")),
        url="https://www.apache.org/licenses/LICENSE-2.0",
    ),
    LicenceInfo(
        id="mit", name="MIT License", spdx="MIT", hub_license="mit", hub_license_name=None,
        aliases=("mit license", "mit-license", "expat"),
        phrases=("Permission is hereby granted, free of charge, to any person obtaining a copy",
                 "The above copyright notice and this permission notice shall be included in all copies or "
                 "substantial portions", "WITHOUT WARRANTY OF ANY KIND"),
        min_hits=2,
        terms=LicenceTerms(pass_on=("the copyright notice and the MIT permission notice",)),
        url="https://opensource.org/license/mit",
    ),
)

_BY_ID = {lic.id: lic for lic in LICENCES}


def by_id(licence_id: str) -> LicenceInfo:
    return _BY_ID[licence_id]


def _tag_key(tag: str) -> str:
    return " ".join(re.sub(r"[\s_]+", " ", tag.strip().lower()).split())


_TAGS: dict[str, str] = {}
for _lic in LICENCES:
    for _t in (_lic.id, *_lic.aliases, *((_lic.hub_license_name,) if _lic.hub_license_name else ())):
        _TAGS[_tag_key(_t)] = _lic.id
        _TAGS[_tag_key(_t).replace(" ", "-")] = _lic.id


def tag_to_id(tag: str) -> str | None:
    """The licence a Hub tag or alias names (``"Apache 2.0"``, ``"llama3_1"``), or None."""
    key = _tag_key(tag)
    return _TAGS.get(key) or _TAGS.get(key.replace(" ", "-"))
