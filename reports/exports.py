"""CSV and XLSX files of daily metrics, safe to open in a spreadsheet program.

Names come from clients' files and uploads, so every text cell goes through ``core.cells.defuse``
(no formula, no control character); numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.cells import defuse

# Excel's last row, header included.
XLSX_MAX_ROWS = 1_048_576

Cell = str | int | Decimal | dt.date | None


def _safe(value: Cell) -> Cell:
    return defuse(value) if isinstance(value, str) else value


class _Echo:
    """A file-like object whose ``write`` returns what it was given, so ``csv.writer`` produces
    one line at a time for a streaming response instead of writing to a buffer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Iterable[str], rows: Iterable[tuple[Cell, ...]]) -> Iterator[str]:
    """The CSV file line by line: a byte order mark (so Excel reads UTF-8), the header, then one
    line per row. Only the row being written is held in memory."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([defuse(header) for header in headers])
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def _csv_value(value: Cell) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return _safe(value)


# Number formats by column kind; the cells keep full precision, the formats round for display.
NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "count": "#,##0",
    "money": "#,##0.00",
    "percent": "0.00",
}


def xlsx_file(
    *,
    sheet_title: str,
    headers: list[str],
    kinds: list[str],
    rows: Iterable[tuple[Cell, ...]],
    widths: list[int],
) -> IO[bytes]:
    """The rows as an XLSX workbook in a temporary file (rewound, ready to stream).

    openpyxl's write-only mode writes rows to disk as they come, so memory stays flat whatever
    the number of rows. ``kinds`` names each column's number format (text when absent from
    ``NUMBER_FORMATS``).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(defuse(sheet_title)[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=defuse(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = [NUMBER_FORMATS.get(kind) for kind in kinds]
    for row in rows:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=_safe(value))
            if number_format and value is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output
