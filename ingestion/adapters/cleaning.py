"""Vectorised cleaning shared by the adapters: headers, names, numbers and dates as they appear in
real exports (padded headers, accounting values like `` $ 6,250.00 ``, `` $ -   `` for zero,
M/D/YYYY and ISO dates, Excel date cells and serial numbers, TABs inside names)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ingestion.adapters.base import SourceFileError

# Patterns are plain strings without \s (literal whitespace characters instead) so pandas hands
# them to pyarrow's vectorised regex engine rather than calling Python's re per cell.
_WHITESPACE = " \t\r\n\f\v\u00a0"
_SPACES = f"[{_WHITESPACE}]+"


# Everything a header may be written with besides letters and digits: spaces, underscores,
# hyphens, brackets, dots...
_NOT_LETTERS_OR_DIGITS = re.compile(r"[\W_]+")


def normalize_header(header: object) -> str:
    """A header as it is matched: case, spaces, underscores and punctuation ignored, so
    ``Campaign Name``, ``campaign_name``, ``Campaign-Name`` and ``CAMPAIGN NAME`` are one name."""
    text = str(header if header is not None else "")
    return _NOT_LETTERS_OR_DIGITS.sub("", text).casefold()


def map_headers(columns: Iterable[str], aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Canonical column -> the file's header, trying each canonical column's aliases in order
    (both sides compared by ``normalize_header``)."""
    by_normal: dict[str, str] = {}
    for column in columns:
        by_normal.setdefault(normalize_header(column), column)
    found = {}
    for canonical, names in aliases.items():
        for name in map(normalize_header, names):
            if name in by_normal:
                found[canonical] = by_normal[name]
                break
    return found


def require_headers(
    found: Mapping[str, str], required: Mapping[str, str], file_name: str, *, hint: str = ""
) -> None:
    """Refuse a file missing required columns, naming every missing one as people call it."""
    missing = [label for canonical, label in required.items() if canonical not in found]
    if missing:
        names = ", ".join(f"'{label}'" for label in missing)
        plural = "columns" if len(missing) > 1 else "column"
        raise SourceFileError(
            f"{file_name} is missing the required {plural} {names}.{hint}".rstrip()
        )


def as_text(cells: pd.Series) -> pd.Series:
    """Cells as strings ("" for empty); numbers from XLSX keep their exact shortest repr."""
    if cells.dtype == object:
        return cells.map(_cell_text).astype(str)
    return cells.fillna("").astype(str)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float):
        # A spreadsheet's whole numbers arrive as floats (calamine): 865.0 is the cell "865".
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value)


def clean_names(cells: pd.Series) -> pd.Series:
    """Names with runs of whitespace (TABs included) collapsed and the ends stripped."""
    return as_text(cells).str.replace(_SPACES, " ", regex=True).str.strip()


_MONEY_NOISE = f"[{_WHITESPACE}$€£,\"']|USD|EUR|GBP"


def clean_numbers(cells: pd.Series, *, blank_is_zero: bool = True) -> pd.Series:
    """Decimal text from accounting-formatted cells (the validator reports what is unreadable).

    `` $ 4.76 `` -> ``4.76``; `` $ -   `` -> ``0``; ``" $ 6,250.00 "`` -> ``6250.00``;
    ``(12.50)`` -> ``-12.50``; blank -> ``0`` (or ``""`` when ``blank_is_zero`` is false).
    """
    text = as_text(cells)
    cleaned = text.str.replace(_MONEY_NOISE, "", regex=True)
    cleaned = cleaned.str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    cleaned = cleaned.mask(cleaned == "-", "0")
    if blank_is_zero:
        cleaned = cleaned.mask(cleaned == "", "0")
    return cleaned


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S")


def parse_dates(cells: pd.Series) -> pd.Series:
    """Dates from date cells, ISO or M/D/YYYY text, or Excel serial numbers; NaT otherwise.

    A file holds few distinct dates, so each distinct cell value is parsed once.
    """
    uniques = pd.Series(pd.unique(cells.astype(object)), dtype=object)
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[ns]")
    is_date = uniques.map(lambda value: isinstance(value, dt.date))
    if is_date.any():
        parsed[is_date] = pd.to_datetime(uniques[is_date].map(_as_date))
    text = as_text(uniques.where(~is_date, None)).str.strip()
    text = text.str.replace(r"T00:00:00(\.0+)?$", "", regex=True)
    for date_format in _DATE_FORMATS:
        pending = parsed.isna() & (text != "")
        if not pending.any():
            break
        parsed[pending] = pd.to_datetime(text[pending], format=date_format, errors="coerce")
    pending = parsed.isna() & text.str.fullmatch(r"\d{5}(\.0+)?")
    if pending.any():
        serials = pd.to_numeric(text[pending], errors="coerce")
        parsed[pending] = _EXCEL_EPOCH + pd.to_timedelta(serials, unit="D")
    lookup = dict(zip(uniques, parsed.dt.normalize(), strict=True))
    return pd.Series(cells.astype(object).map(lookup), index=cells.index, dtype="datetime64[ns]")


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def blank(cells: pd.Series) -> pd.Series:
    return as_text(cells).str.strip() == ""
