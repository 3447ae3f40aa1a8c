"""Row validation shared by every source (SPEC section 4, step 2), vectorised.

Errors carry the file's row number and column header and say what is wrong; invalid rows are
staged with their errors and never loaded. Clicks above impressions and conversions above clicks
are warnings only: real exports carry late-attributed clicks and view-through conversions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from campaigns.models import NAME_MAX_LENGTH
from ingestion.adapters.base import COUNT_COLUMNS, LABELS, MONEY_COLUMNS, NAME_COLUMNS, ParsedFile
from ingestion.adapters.cleaning import as_text

SIZE_MAX_LENGTH = 64
# numeric(18,6) holds up to 10^12; bigint far more, but no real day has 10^15 impressions.
MONEY_LIMIT = 10**12
COUNT_LIMIT = 10**15
# How many row numbers a warning lists before "and N more".
LISTED_ROWS = 10


@dataclass
class ValidatedRows:
    """The rows that may be loaded (typed) and, per invalid row, its errors."""

    valid: pd.DataFrame
    # Index of the parsed rows -> list of {"column", "message"}.
    errors: dict[int, list[dict[str, str]]]
    warnings: list[str] = field(default_factory=list)


class _Errors:
    """Collects errors per row. Messages are built only for the rows a check flags (usually none),
    never for the whole file."""

    def __init__(self) -> None:
        self.by_row: dict[int, list[dict[str, str]]] = {}

    def add(
        self,
        mask: pd.Series,
        column: str,
        message: str | Callable[[pd.Series], pd.Series],
    ) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        flagged = mask.index[mask]
        texts = message(mask) if callable(message) else pd.Series(message, index=flagged)
        for index, text in texts.items():
            self.by_row.setdefault(int(index), []).append({"column": column, "message": text})


def _around(before: str, values: pd.Series, after: str) -> Callable[[pd.Series], pd.Series]:
    """A message builder: ``before + value + after`` for the flagged rows only."""

    def build(mask: pd.Series) -> pd.Series:
        return before + values[mask].astype(str) + after

    return build


def _rows(count: int) -> str:
    return "1 row has" if count == 1 else f"{count:,} rows have"


def _row_list(row_numbers: pd.Series) -> str:
    shown = ", ".join(str(n) for n in row_numbers.head(LISTED_ROWS))
    more = len(row_numbers) - LISTED_ROWS
    return f"{shown} and {more} more" if more > 0 else shown


def validate_rows(parsed: ParsedFile, *, today: dt.date) -> ValidatedRows:
    rows = parsed.rows
    errors = _Errors()

    def header(canonical: str) -> str:
        return parsed.headers.get(canonical, LABELS[canonical])

    def raw(canonical: str) -> pd.Series:
        if canonical in parsed.headers:
            return as_text(parsed.raw[parsed.headers[canonical]]).str.strip()
        return pd.Series("", index=rows.index)

    # Dates: present, readable, not in the future.
    date_missing = rows["date"].isna()
    raw_date = raw("date")
    errors.add(date_missing & (raw_date == ""), header("date"), "is empty")
    errors.add(
        date_missing & (raw_date != ""),
        header("date"),
        _around("'", raw_date, "' is not a date (use YYYY-MM-DD or M/D/YYYY)"),
    )
    future = rows["date"] > pd.Timestamp(today)
    errors.add(
        future,
        header("date"),
        _around("", rows["date"].dt.date, " is in the future"),
    )

    # Names: present and not too long.
    for name in NAME_COLUMNS:
        values = rows[name]
        label = header(name)
        errors.add(values == "", label, "is empty")
        lengths = values.str.len()
        errors.add(
            lengths > NAME_MAX_LENGTH,
            label,
            _around(f"is longer than {NAME_MAX_LENGTH} characters (", lengths, ")"),
        )
    size_lengths = rows["creative_size"].str.len()
    errors.add(
        size_lengths > SIZE_MAX_LENGTH,
        header("creative_size"),
        f"is longer than {SIZE_MAX_LENGTH} characters",
    )

    # Numbers: readable, not negative, counts whole, within storage range.
    numbers: dict[str, pd.Series] = {}
    for measure in (*COUNT_COLUMNS, *MONEY_COLUMNS):
        text = rows[measure]
        value = pd.to_numeric(text, errors="coerce")
        numbers[measure] = value
        unreadable = value.isna() & (text != "")
        label = header(measure)
        if unreadable.any():
            errors.add(unreadable, label, _around("'", raw(measure), "' is not a number"))
        errors.add(value < 0, label, _around("is negative (", text, ")"))
        limit = COUNT_LIMIT if measure in COUNT_COLUMNS else MONEY_LIMIT
        errors.add(value >= limit, label, _around("is too large (", text, ")"))
        if measure in COUNT_COLUMNS:
            fractional = value.notna() & (np.floor(value) != value)
            errors.add(fractional, label, _around("must be a whole number (", text, ")"))

    invalid = rows.index.isin(list(errors.by_row))
    valid = rows[~invalid].copy()
    for measure in COUNT_COLUMNS:
        valid[measure] = numbers[measure][~invalid].astype("int64")
    valid["date"] = valid["date"].dt.date

    warnings = list(parsed.warnings)
    ok = ~invalid
    more_clicks = ok & (numbers["clicks"] > numbers["impressions"])
    if more_clicks.any():
        warnings.append(
            f"{_rows(int(more_clicks.sum()))} more clicks than impressions (rows "
            f"{_row_list(rows['row_number'][more_clicks])}); loaded as delivered."
        )
    more_conversions = ok & (numbers["conversions"] > numbers["clicks"])
    if more_conversions.any():
        warnings.append(
            f"{_rows(int(more_conversions.sum()))} more conversions than clicks (rows "
            f"{_row_list(rows['row_number'][more_conversions])}), e.g. view-through "
            "conversions; loaded as delivered."
        )
    return ValidatedRows(valid=valid, errors=errors.by_row, warnings=warnings)
