"""Reading CSV and XLSX bytes into a table of raw cells, refusing what is not a plain export.

Refuses, with a message that says what to do: empty files, header-only files, HTML error pages,
binary junk, non-UTF-8 text, a CSV named ``.xlsx`` (and the reverse), zip bombs and XML bombs
(entity declarations are refused through defusedxml before anything is expanded).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import pandas as pd

from ingestion.adapters.base import SourceFileError

# An XLSX holding more than this once uncompressed, or compressed more than MAX_RATIO times,
# is refused before it is opened (real exports compress about 5-10x).
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150

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
        table = _read_csv(content, file_name)
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
            if total > MAX_UNCOMPRESSED_BYTES or (
                member.file_size > 10 * 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
            ):
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
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_number = 0
        header: tuple[object, ...] | None = None
        for header_number, row in enumerate(rows, start=1):  # noqa: B007
            if any(cell not in (None, "") for cell in row):
                header = row
                break
        if header is None:
            raise SourceFileError(f"{file_name} has no rows. Export the report again.")
        data = list(rows)
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


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name}.{count}")
    return unique
