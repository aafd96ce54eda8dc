"""Named-entity detection beyond regex: PERSON, ADDRESS, ORGANIZATION in Chinese and English.

* Chinese: a CRF over hashed character n-grams (``model.py``), trained on CLUENER2020 by
  ``tools/train_ner.py``; see ``MODEL_CARD.md`` for data, label mapping and scores.
* English: regex candidates + name/suffix lexicons (``english.py``, ``lexicon.py``).

The recognizers in :mod:`privtune.scan.recognizers` (person, address, organization) wrap these.
"""

from privtune.scan.ner import model  # noqa: F401
