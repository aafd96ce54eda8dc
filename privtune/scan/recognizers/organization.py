"""ORGANIZATION: Chinese companies, organisations and government bodies by the CLUENER-trained
CRF (CLUENER company + organization + government); English names with a legal-form or
institution suffix (Inc., Ltd, LLC, Bank, Hospital, University ...) by pattern."""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.markup_tags import between_tags
from privtune.scan.ner.english import find_organizations
from privtune.scan.ner.field_labels import in_id_scheme_name
from privtune.scan.ner.model import tag_zh
from privtune.scan.ner.zh_batch import prepare_chunk as prepare_zh_chunk
from privtune.scan.recognizers.person import CJK_TRIGGER
from privtune.scan.registry import Recognizer, register


@register
class ZhOrganizationRecognizer(Recognizer):
    """Chinese organisation names (公司/银行/医院/大学/局 ... and named clubs, parties, teams)."""

    name = "zh_organization_model"
    entity_types = ("ORGANIZATION",)
    trigger = CJK_TRIGGER
    prepare_chunk = staticmethod(prepare_zh_chunk)  # the tagger's features, a chunk at a time

    def analyze(self, text: str) -> list[Span]:
        spans = [_after_open_bracket(text, s) for s in tag_zh(text) if s.type == "ORGANIZATION"]
        if "<" in text:  # no company runs over a markup tag (`markup_tags`)
            cuts = [(s, between_tags(text, s.start, s.end)) for s in spans]
            spans = [Span(c[0], c[1], s.type, s.score, s.detector) for s, c in cuts if c is not None]
        return spans


def _after_open_bracket(text: str, s: Span) -> Span:
    """An organisation the tagger opened before a bracket it did not close ("车天以（华为技术有限公司"
    before "）"): the unit is what the bracket holds; the words before it are someone's name."""
    cut = text.rfind("（", s.start, s.end)
    if cut < 0 or "）" in text[cut : s.end] or s.end - cut < 3:
        return s
    return Span(cut + 1, s.end, s.type, s.score, s.detector)


@register
class EnOrganizationRecognizer(Recognizer):
    """Capitalised names ending in Inc/Ltd/LLC/Bank/Hospital/University ..., "University of X"."""

    name = "en_org_pattern"
    entity_types = ("ORGANIZATION",)
    trigger = re.compile(
        r"Inc|Ltd|LL[CP]|PLC|Corp|Co\b|GmbH|AG\b|SA\b|Company|Group|Holdings|Bank|Hospital|Clinic|Universit|"
        r"College|Institute|Foundation|Association|Agency|Partners|Technologies|Systems|Labs|Insurance|"
        r"Pharmaceuticals|Airlines|Department|Ministry|Museum|Limited|Incorporated"
    )

    def analyze(self, text: str) -> list[Span]:
        # "National Insurance" (the number's name, not an insurer) ends like one.
        return [Span(s, e, "ORGANIZATION", score, det) for s, e, score, det in find_organizations(text)
                if not in_id_scheme_name(text, s, e)]
