"""The console that prints a command's tables to standard output (`ledger show`, `keys list`).

Rich fits a table into the terminal's width, and when the output is a file or a pipe (a CI log,
`| less`) it assumes 80 columns: `ledger show` cut its last column (runs) off and `keys list`
shortened key names (`support-app…`). Piped output gets room for the whole table instead; a
terminal, or a width set with COLUMNS, keeps its own.
"""

from __future__ import annotations

import os

from rich.console import Console

PIPE_WIDTH = 200  # wide enough for every table these commands print


def table_console() -> Console:
    """A stdout console that does not crop tables when the output is not a terminal."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console
