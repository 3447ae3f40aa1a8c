"""Turning a table of raw cells into canonical rows: shared by every file-based adapter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from ingestion.adapters.base import (
    CANONICAL_COLUMNS,
    COUNT_COLUMNS,
    NAME_COLUMNS,
    NUMBER_COLUMNS,
    ParsedFile,
)
from ingestion.adapters.cleaning import (
    as_text,
    blank,
    clean_names,
    clean_numbers,
    map_headers,
    parse_dates,
    require_headers,
)
from ingestion.adapters.tabular import Table

# Measures compared with a file's own totals row, and how they are shown.
RECONCILED = {"impressions": "impressions", "clicks": "clicks", "source_spend": "spend"}
_TOTAL_LABELS = {"total", "totals", "grand total", "total results"}


def build_parsed_file(
    table: Table,
    *,
    file_name: str,
    aliases: Mapping[str, Sequence[str]],
    required: Mapping[str, str],
    default_campaign: str = "",
    hint: str = "",
) -> ParsedFile:
    cells = table.cells
    headers = map_headers(cells.columns, aliases)
    require_headers(headers, required, file_name, hint=hint)

    rows = pd.DataFrame(index=cells.index)
    rows["row_number"] = np.arange(len(cells), dtype=np.int64) + table.first_row_number
    rows["date"] = parse_dates(cells[headers["date"]])
    for name in NAME_COLUMNS:
        rows[name] = clean_names(cells[headers[name]]) if name in headers else ""
    rows["creative_size"] = (
        clean_names(cells[headers["creative_size"]]) if "creative_size" in headers else ""
    )
    for measure in NUMBER_COLUMNS:
        if measure in headers:
            # Platform spend may be genuinely unknown; every other blank number means zero.
            rows[measure] = clean_numbers(
                cells[headers[measure]], blank_is_zero=measure != "source_spend"
            )
        else:
            rows[measure] = "" if measure == "source_spend" else "0"

    names_blank = np.logical_and.reduce(
        [blank(cells[headers[name]]) for name in NAME_COLUMNS if name in headers]
    )
    date_blank = blank(cells[headers["date"]])
    first_text = as_text(cells.iloc[:, 0]).str.strip().str.lower()
    numbers_blank = np.logical_and.reduce(
        [blank(cells[headers[m]]) for m in NUMBER_COLUMNS if m in headers]
    )
    empty_row = names_blank & date_blank & numbers_blank
    totals_row = date_blank & ~numbers_blank & (names_blank | first_text.isin(_TOTAL_LABELS))

    if "campaign" not in headers:
        rows["campaign"] = default_campaign

    reported = _reported_totals(rows[totals_row])
    data = ~(empty_row | totals_row)
    rows = rows[data]
    parsed = ParsedFile(
        rows=rows[["row_number", *CANONICAL_COLUMNS]],
        raw=cells[data],
        headers=headers,
        reported_totals=reported,
    )
    parsed.warnings.extend(_reconcile(reported, rows))
    return parsed


def _decimal_sum(values: pd.Series) -> Decimal:
    total = Decimal(0)
    for value in values:
        try:
            total += Decimal(value) if value != "" else 0
        except InvalidOperation:
            continue
    return total


def _reported_totals(totals_rows: pd.DataFrame) -> dict[str, Decimal]:
    if totals_rows.empty:
        return {}
    first = totals_rows.iloc[[0]]
    return {measure: _decimal_sum(first[measure]) for measure in RECONCILED}


def _reconcile(reported: dict[str, Decimal], rows: pd.DataFrame) -> list[str]:
    """Warnings where the file's totals row disagrees with its rows."""
    warnings = []
    for measure, label in RECONCILED.items():
        if measure not in reported:
            continue
        summed = _decimal_sum(rows[measure])
        expected = reported[measure]
        if measure in COUNT_COLUMNS:
            if summed != expected:
                warnings.append(
                    f"The file's totals row says {expected:,.0f} {label}, its rows sum to "
                    f"{summed:,.0f}."
                )
        elif expected and abs(summed - expected) >= Decimal("0.01"):
            warnings.append(
                f"The file's totals row says {expected:,.2f} of {label}, its rows sum to "
                f"{summed:,.2f}."
            )
    return warnings
