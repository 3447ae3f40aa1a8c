"""Text cells that are safe to open in a spreadsheet program.

Names come from clients' files and uploads, so a name can be written to attack whoever opens a
CSV or XLSX file we produce: a cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR is a
formula to Excel and LibreOffice (CSV injection), so such a text cell is prefixed with ``'``,
which makes it text. Control characters (which openpyxl refuses and which split lines in naive
CSV readers) become spaces.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def defuse(value: str) -> str:
    """A text cell that no spreadsheet program will evaluate, on one line."""
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return _CONTROL_CHARACTERS.sub(" ", value)
