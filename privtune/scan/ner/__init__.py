"""Named-entity detection beyond regex: PERSON, ADDRESS, ORGANIZATION in Chinese and English.

* Chinese: a CRF over hashed character n-grams (``model.py``), trained on CLUENER2020 by
  ``tools/train_ner.py``; see ``MODEL_CARD.md`` for data, label mapping and scores.
* English: a word CRF (``en_crf.py``, ``en_crf.crfsuite``, trained by ``tools/train_en_ner.py``)
  beside regex candidates + lexicons of names of many nationalities (``english.py``,
  ``lexicon.py``) and cue rules (``en_cues.py``).
* Postal addresses by rule: many countries' street lines and blocks (``postal.py``), Chinese
  addresses down to the room (``zh_postal.py``).
* External models from local directories (spaCy, HF token classification, GLiNER):
  ``backends.py``, chosen by the scan config's ``ner_backend``.
* Readers of the CoNLL-style NER sets for training and ``benchmarks/ner_eval.py``: ``corpora.py``.

The recognizers in :mod:`privtune.scan.recognizers` (person, address, organization, en_model)
wrap these.
"""

from privtune.scan.ner import model

__all__ = ["model"]
