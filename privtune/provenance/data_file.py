"""The dataset fingerprint of a data file, computed exactly as `privtune train` computes it.

`privtune scan` prints it for its cleaned output so a user can set a ledger budget
(`privtune ledger set-budget FP ...`) before the first training run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from privtune.errors import InputError
from privtune.provenance.fingerprint import dataset_fingerprint


def data_file_fingerprint(path: str | os.PathLike[str], fields: Sequence[str] | None = None,
                          fmt: str | None = None, encoding: str = "utf-8") -> str:
    """`dataset_fingerprint` over the well-formed records of ``path``, as training reads them with ``fields``.

    Unparseable or malformed records are left out, as in training (which refuses them by default).
    """
    # Imported here: the training data module pulls in torch, which scan does not otherwise need.
    from privtune.io.readers import Rejected, iter_records
    from privtune.train.data import record_fingerprint_text

    def texts() -> Iterator[str]:
        for item in iter_records(path, fmt, encoding):
            if isinstance(item, Rejected):
                continue
            try:
                yield record_fingerprint_text(item.data, fields, path=str(path), line=item.line)
            except InputError:
                continue

    return dataset_fingerprint(texts())
