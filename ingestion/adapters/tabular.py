"""Reading CSV and XLSX bytes into a table of raw cells, refusing what is not a plain export.

Refuses, with a message that says what to do: empty files, header-only files, HTML error pages,
binary junk, non-UTF-8 text, a CSV named ``.xlsx`` (and the reverse), zip bombs and XML bombs
(a DTD in any XML part is refused before anything is parsed).

Parsing is bounded before the work is done (``MAX_FILE_UNCOMPRESSED_BYTES``, ``MAX_FILE_ROWS``,
``MAX_FILE_COLUMNS``): a CSV's lines are counted and its header read before pandas parses it; a
workbook's expanded size is read from the zip directory and its sheet's declared size from the
start of the sheet's XML before any cell is read, and the cells read are counted again, so a
hostile file stops early instead of filling memory.
A NUL character (the one character PostgreSQL text cannot hold) is refused with its line and
column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
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


def _has_blank_line(content: bytes) -> bool:
    return content.startswith((b"\n", b"\r\n")) or b"\n\n" in content or b"\n\r\n" in content


def _read_csv(content: bytes, file_name: str) -> Table:
    # Arrow's reader is ~4x faster than pandas' own on a 50,000-row file, but it drops blank
    # lines (which would shift every later row number) and its errors name no line: a file it
    # cannot read exactly is read again by pandas' C reader, whose errors this module words.
    if not _has_blank_line(content):
        try:
            cells = pd.read_csv(
                io.BytesIO(content),
                engine="pyarrow",
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
            )
        except Exception:  # noqa: S110 - the exact reader below says what is wrong
            pass
        else:
            return Table(cells=cells, first_row_number=2)
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


_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')


def _declared_size(content: bytes) -> tuple[int, int] | None:
    """The first sheet's declared last column and row (its ``<dimension>``), read from the start
    of its XML without parsing the sheet; None when it declares none."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        workbook = archive.read("xl/workbook.xml")
        first = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
        rels = archive.read("xl/_rels/workbook.xml.rels") if first else b""
        target = b""
        for attributes in re.findall(rb"<Relationship\b([^>]*)>", rels):
            if first and re.search(rb'\bId="' + re.escape(first[1]) + rb'"', attributes):
                found = re.search(rb'\bTarget="([^"]+)"', attributes)
                target = found[1] if found else b""
        path = target.decode(errors="replace").lstrip("/")
        path = path if path.startswith("xl/") else f"xl/{path}"
        if path not in names:
            return None
        with archive.open(path) as sheet:
            head = sheet.read(4096)
    match = _DIMENSION.search(head)
    if match is None:
        return None
    column = 0
    for letter in match[1].decode():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column, int(match[2])


def _read_xlsx(content: bytes, file_name: str) -> Table:
    """The first sheet through calamine (Rust; ~15x openpyxl on 50,000 rows). The zip's size,
    ratio and XML prologs are checked first, then the sheet's declared size, before any cell is
    read; the cells read are checked again (a declared size can lie or be missing)."""
    _check_zip(content, file_name)
    max_columns = settings.MAX_FILE_COLUMNS
    declared = _declared_size(content)
    if declared is not None:
        if declared[0] > max_columns:
            raise SourceFileError(
                f"{file_name} has {declared[0]} columns; at most {max_columns} are read. "
                f"{_FEWER_COLUMNS}"
            )
        if declared[1] - 1 > settings.MAX_FILE_ROWS:
            raise _too_many_rows(file_name)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        # From A1, so that row numbers are the spreadsheet's.
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise SourceFileError(
            f"{file_name} could not be opened as an Excel workbook. Export it again as .xlsx or "
            "CSV and try again."
        ) from None
    header_number = next(
        (number for number, row in enumerate(rows, start=1) if any(c != "" for c in row)), 0
    )
    if header_number == 0:
        raise SourceFileError(f"{file_name} has no rows. Export the report again.")
    if len(rows) - header_number > settings.MAX_FILE_ROWS:
        raise _too_many_rows(file_name)
    # Calamine's rows all span the sheet's used width: only a sheet wider than the limit can
    # have a cell beyond it.
    if rows and len(rows[0]) > max_columns:
        for number, row in enumerate(rows[header_number - 1 :], start=header_number):
            _check_width(tuple(row), number, file_name)
    header = rows[header_number - 1][:max_columns]
    names = [_header_text(cell) for cell in header]
    cells = pd.DataFrame(rows[header_number:], columns=range(len(rows[0])), dtype=object)
    cells = cells.iloc[:, : len(names)]
    cells.columns = pd.Index(_unique(names))
    # Each column becomes text once, as the sheet shows it (as a CSV export of it would read):
    # the cleaning that follows then runs in Arrow instead of Python per cell and per use.
    for name in cells.columns:
        column = cells[name]
        if pd.api.types.infer_dtype(column, skipna=False) == "string":
            cells[name] = column.astype(str)
        else:
            cells[name] = column.map(_sheet_text).astype(str)
    return Table(cells=cells, first_row_number=header_number + 1)


def _sheet_text(value: object) -> str:
    """A calamine cell as text: whole numbers without ".0", days as ISO dates, a time of day
    after a space (a form ``cleaning.parse_dates`` reads)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _header_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


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
