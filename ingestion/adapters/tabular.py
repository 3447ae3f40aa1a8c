"""Reading CSV and XLSX bytes into a table of raw cells, refusing what is not a plain export.

Refuses, with a message that says what to do: empty files, header-only files, HTML error pages,
binary junk, non-UTF-8 text, a CSV named ``.xlsx`` (and the reverse), zip bombs and XML bombs
(entity declarations are refused through defusedxml before anything is expanded).

Parsing is bounded before the work is done (``MAX_FILE_UNCOMPRESSED_BYTES``, ``MAX_FILE_ROWS``,
``MAX_FILE_COLUMNS``): a CSV's lines are counted and its header read before pandas parses it; a
workbook's expanded size is read from the zip directory before it is opened, and its rows and
columns are counted while they are read, so a hostile file stops early instead of filling memory.
A NUL character (the one character PostgreSQL text cannot hold) is refused with its line and
column.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import pandas as pd
from django.conf import settings

from ingestion.adapters.base import SourceFileError

# An XLSX member compressed more than this is refused before it is opened (real exports compress
# about 5-10x); the total expanded size is bounded by settings.MAX_FILE_UNCOMPRESSED_BYTES.
MAX_COMPRESSION_RATIO = 150
_SHORTER = "Export a shorter date range."
_FEWER_COLUMNS = "Export only the report's columns."

_XML_BOMB_MESSAGE = (
    "{file_name} contains XML entity declarations, which real exports never have (a possible "
    "XML bomb); it was not opened. Export the report again."
)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


@dataclass
class Table:
    """Raw cells (strings, or dates/numbers from XLSX) under the file's header row."""

    cells: pd.DataFrame
    # Spreadsheet row number of the first data row (the header is the row before it).
    first_row_number: int


def read_table(content: bytes, *, file_name: str) -> Table:
    """The file's header row and data rows, whatever the format; ``SourceFileError`` otherwise."""
    name = file_name.lower()
    # isspace() reads in place; strip() would copy a 50 MB file that ends with a newline.
    if not content or content.isspace():
        raise SourceFileError(f"{file_name} is empty. Export the report again and upload it.")
    if content.startswith(_ZIP_MAGIC):
        if name.endswith(".csv"):
            raise SourceFileError(
                f"{file_name} is named .csv but is an Excel workbook. Rename it to .xlsx or "
                "save it as CSV, then try again."
            )
        table = _read_xlsx(content, file_name)
    elif content.startswith(_OLE_MAGIC):
        raise SourceFileError(
            f"{file_name} is an old Excel (.xls) workbook. Save it as .xlsx or CSV and try again."
        )
    else:
        _refuse_non_text(content, file_name)
        if name.endswith(".xlsx"):
            raise SourceFileError(
                f"{file_name} is named .xlsx but contains CSV text. Rename it to .csv (or export "
                "it again as an Excel workbook) and try again."
            )
        _check_csv_bounds(content, file_name)
        table = _read_csv(content, file_name)
        # XML cannot carry NUL, so only CSV text can; the byte search runs in C.
        if b"\x00" in content:
            _refuse_nul(table, file_name)
    if table.cells.empty:
        raise SourceFileError(
            f"{file_name} has a header row but no data rows. Check the report's date range and "
            "export it again."
        )
    return table


def _refuse_non_text(content: bytes, file_name: str) -> None:
    head = content[:4096]
    if b"\x00" in head:
        raise SourceFileError(
            f"{file_name} is not a CSV or XLSX file (it contains binary data). Export the report "
            "as CSV or XLSX and try again."
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml", b"<error")):
        raise SourceFileError(
            f"{file_name} is an HTML/XML page, not a CSV export (the sender or S3 returned an "
            "error page instead of the report). Ask for the file to be delivered again."
        )
    if stripped.startswith((b"{", b"[")):
        raise SourceFileError(
            f"{file_name} looks like JSON, not a CSV or XLSX export. Export the report as CSV "
            "or XLSX and try again."
        )


def _line_of_bad_byte(content: bytes) -> tuple[int, int]:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        return content.count(b"\n", 0, error.start) + 1, content[error.start]
    return 0, 0


def _too_many_rows(file_name: str) -> SourceFileError:
    return SourceFileError(
        f"{file_name} has more than {settings.MAX_FILE_ROWS:,} data rows (the limit). {_SHORTER}"
    )


def _check_csv_bounds(content: bytes, file_name: str) -> None:
    """Rows (counted as line breaks, in C) and the header's columns, before pandas parses."""
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    if lines - 1 > settings.MAX_FILE_ROWS:
        raise _too_many_rows(file_name)
    end = content.find(b"\n")
    header_line = content[: end if end >= 0 else len(content)].decode("utf-8", errors="replace")
    columns = len(next(csv.reader([header_line]), []))
    if columns > settings.MAX_FILE_COLUMNS:
        raise SourceFileError(
            f"{file_name} has {columns} columns; at most {settings.MAX_FILE_COLUMNS} are read. "
            f"{_FEWER_COLUMNS}"
        )


def _refuse_nul(table: Table, file_name: str) -> None:
    """PostgreSQL text cannot hold NUL: name the first one's line and column."""
    for position, name in enumerate(table.cells.columns, start=1):
        column = table.cells[name]
        has_nul = column.map(lambda value: isinstance(value, str) and "\x00" in value)
        header_nul = "\x00" in str(name)
        if header_nul or has_nul.any():
            line = table.first_row_number - 1
            if not header_nul:
                line = table.first_row_number + int(has_nul.to_numpy().argmax())
            label = str(name).replace("\x00", "")
            raise SourceFileError(
                f"{file_name} has a NUL character, which cannot be stored, on line {line}, "
                f"column {position} ({label!r}). Remove it and export the report again."
            )


def _read_csv(content: bytes, file_name: str) -> Table:
    try:
        cells = pd.read_csv(
            io.BytesIO(content),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            on_bad_lines="error",
        )
    except UnicodeDecodeError:
        line, byte = _line_of_bad_byte(content)
        raise SourceFileError(
            f"{file_name} is not UTF-8 text (byte 0x{byte:02x} on line {line}). In Excel choose "
            "'CSV UTF-8 (Comma delimited)' when saving, then try again."
        ) from None
    except pd.errors.ParserError as error:
        match = re.search(r"line (\d+)", str(error))
        where = f" on line {match[1]}" if match else ""
        raise SourceFileError(
            f"{file_name} is not a well-formed CSV file{where} (a row has more cells than the "
            "header). Export the report again."
        ) from None
    except pd.errors.EmptyDataError:
        raise SourceFileError(f"{file_name} is empty. Export the report again.") from None
    if not isinstance(cells.index, pd.RangeIndex):
        # Every row had one cell more than the header: pandas took the first column for an
        # index, which would shift each cell under the wrong header.
        raise SourceFileError(
            f"{file_name} is not a well-formed CSV file on line 2 (a row has more cells than the "
            "header). Export the report again."
        )
    return Table(cells=cells, first_row_number=2)


def _check_zip(content: bytes, file_name: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise SourceFileError(
            f"{file_name} is a damaged or truncated Excel file. Export it again and try again."
        ) from None
    with archive:
        total = 0
        for member in archive.infolist():
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if total > settings.MAX_FILE_UNCOMPRESSED_BYTES:
                limit_mb = settings.MAX_FILE_UNCOMPRESSED_BYTES / (1024 * 1024)
                raise SourceFileError(
                    f"{file_name} expands to more than {limit_mb:,.0f} MB once uncompressed (the "
                    f"limit); it was not opened. {_SHORTER}"
                )
            if member.file_size > 10 * 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
                raise SourceFileError(
                    f"{file_name} expands to more than it should once uncompressed (a zip bomb "
                    "or a corrupt workbook); it was not opened. Export the report again."
                )
        if "xl/workbook.xml" not in archive.namelist():
            raise SourceFileError(
                f"{file_name} is a zip archive but not an Excel workbook. Upload the .xlsx or "
                ".csv export itself."
            )
        # A DTD can only appear in an XML prolog: refuse entity tricks before any parser runs.
        for member in archive.infolist():
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as part:
                    prolog = part.read(2048)
                if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise SourceFileError(_XML_BOMB_MESSAGE.format(file_name=file_name))


def check_workbook(content: bytes, file_name: str) -> None:
    """Refuse, without opening the sheets, what is not a sound workbook (damaged, a zip bomb,
    XML entity tricks): what a queued upload is checked for before it is accepted."""
    _check_zip(content, file_name)


def _read_xlsx(content: bytes, file_name: str) -> Table:
    _check_zip(content, file_name)
    import openpyxl
    from defusedxml import DefusedXmlException

    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style": harmless, and common in generated exports.
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except DefusedXmlException:
        raise SourceFileError(_XML_BOMB_MESSAGE.format(file_name=file_name)) from None
    except Exception:
        raise SourceFileError(
            f"{file_name} could not be opened as an Excel workbook. Export it again as .xlsx or "
            "CSV and try again."
        ) from None
    max_columns = settings.MAX_FILE_COLUMNS
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared size (its <dimension>), when it has one: refused before reading.
        declared_columns = sheet.max_column
        if isinstance(declared_columns, int) and declared_columns > max_columns:
            raise SourceFileError(
                f"{file_name} has {declared_columns} columns; at most {max_columns} are read. "
                f"{_FEWER_COLUMNS}"
            )
        # Each row is checked as it is read: the first one with a cell past the limit stops the
        # read, and only the first columns of each row are kept.
        rows = sheet.iter_rows(values_only=True)
        header_number = 0
        header: tuple[object, ...] | None = None
        for header_number, row in enumerate(rows, start=1):  # noqa: B007
            if any(cell not in (None, "") for cell in row):
                header = row
                break
        if header is None:
            raise SourceFileError(f"{file_name} has no rows. Export the report again.")
        data = []
        _check_width(header, header_number, file_name)
        header = header[:max_columns]
        for number, row in enumerate(rows, start=header_number + 1):
            _check_width(row, number, file_name)
            data.append(row[:max_columns])
            if len(data) > settings.MAX_FILE_ROWS:
                raise _too_many_rows(file_name)
    except DefusedXmlException:
        raise SourceFileError(_XML_BOMB_MESSAGE.format(file_name=file_name)) from None
    finally:
        workbook.close()
    names = [("" if cell is None else str(cell)) for cell in header]
    width = len(names)
    cells = pd.DataFrame(
        [tuple(row[:width]) + (None,) * (width - len(row)) for row in data],
        columns=_unique(names),
        dtype=object,
    )
    return Table(cells=cells, first_row_number=header_number + 1)


def _check_width(row: tuple[object, ...], number: int, file_name: str) -> None:
    limit = settings.MAX_FILE_COLUMNS
    if len(row) > limit and any(cell not in (None, "") for cell in row[limit:]):
        raise SourceFileError(
            f"{file_name} has a cell beyond column {limit} on row {number}; at most {limit} "
            f"columns are read. {_FEWER_COLUMNS}"
        )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name}.{count}")
    return unique
