"""CSV and XLSX files of daily metrics, safe to open in a spreadsheet program.

Names come from clients' files and uploads, so every text cell goes through ``core.cells.defuse``
(no formula, no control character); numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.cells import defuse

# Excel's last row, header included: a sheet holds this many rows; more are split across sheets.
XLSX_MAX_ROWS = 1_048_576
# An XLSX export holds at most this many sheets of rows; a larger one is refused (CSV, a coarser
# grain or a shorter range).
XLSX_MAX_SHEETS = 5
TOTALS_SHEET = "Totals"


def xlsx_max_rows() -> int:
    """The most data rows an XLSX export holds (read at call time: tests lower the limits)."""
    return XLSX_MAX_SHEETS * (XLSX_MAX_ROWS - 1)


Cell = str | int | Decimal | dt.date | None


def _safe(value: Cell) -> Cell:
    return defuse(value) if isinstance(value, str) else value


# Number formats by column kind; the cells keep full precision, the formats round for display
# as the pages do (2 places). Percent cells hold fractions (0.0235 for 2.35 %).
NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "count": "#,##0",
    "money": "#,##0.00",
    "percent": "0.00%",
}

XlsxCell = tuple[Cell, str]


def xlsx_file(
    *,
    sheet_title: str,
    headers: list[str],
    kinds: list[str],
    rows: Iterable[tuple[Cell, ...]],
    widths: list[int],
    totals: tuple[Cell, ...] | None = None,
    first_sheet: tuple[str, list[str], list[tuple[XlsxCell, ...]]] | None = None,
) -> IO[bytes]:
    """The rows as an XLSX workbook in a temporary file (rewound, ready to stream).

    openpyxl's write-only mode writes rows to disk as they come, so memory stays flat whatever
    the number of rows. More rows than a sheet holds continue on "Data 2", "Data 3"... (the first
    sheet is then "Data 1") and the totals row gets a "Totals" sheet.
    ``kinds`` names each column's number format (text when absent from
    ``NUMBER_FORMATS``). The header row is bold, frozen and carries an autofilter; ``totals``
    is a bold last row; ``first_sheet`` (title, headers, rows of (value, kind) cells) comes
    before the rows' sheet.
    """
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    if first_sheet is not None:
        title, first_headers, first_rows = first_sheet
        summary = workbook.create_sheet(defuse(title)[:31])
        summary.column_dimensions["A"].width = 30
        for letter in ("B", "C", "D"):
            summary.column_dimensions[letter].width = 24
        summary.append([_xlsx_cell(summary, header, "text", bold) for header in first_headers])
        for first_row in first_rows:
            summary.append([_xlsx_cell(summary, value, kind) for value, kind in first_row])

    def data_sheet(title: str) -> Any:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.append([_xlsx_cell(sheet, header, "text", bold) for header in headers])
        return sheet

    def close(sheet: Any, count: int) -> None:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count}"

    # Rows beyond a sheet's capacity (XLSX_MAX_ROWS, header included) go on to "Data 2", ...;
    # the first sheet is then renamed "Data 1" and the totals get a sheet of their own.
    sheets = [data_sheet(defuse(sheet_title)[:31])]
    count = 1
    for row in rows:
        if count >= XLSX_MAX_ROWS:
            close(sheets[-1], count)
            if len(sheets) == 1:
                sheets[0].title = "Data 1"
            sheets.append(data_sheet(f"Data {len(sheets) + 1}"))
            count = 1
        sheets[-1].append(
            [_xlsx_cell(sheets[-1], value, kind) for value, kind in zip(row, kinds, strict=True)]
        )
        count += 1
    close(sheets[-1], count)
    if totals is not None:
        target = sheets[-1]
        if len(sheets) > 1 or count >= XLSX_MAX_ROWS:
            target = data_sheet(TOTALS_SHEET)
        target.append(
            [
                _xlsx_cell(target, value, kind, bold)
                for value, kind in zip(totals, kinds, strict=True)
            ]
        )
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


CHANGE_KIND = "change"


def _xlsx_cell(sheet: Any, value: Cell, kind: str, font: Font | None = None) -> WriteOnlyCell:
    # A change ("+12.50%", "-0.40 pts") is our own text, never a formula: its sign stays as is.
    signed = kind == CHANGE_KIND and isinstance(value, str) and value.startswith(("+", "-"))
    cell = WriteOnlyCell(sheet, value=value if signed else _safe(value))
    number_format = NUMBER_FORMATS.get(kind)
    if number_format and value is not None and not isinstance(value, str):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell
