"""The canonical row every adapter produces, and the typed error for files that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

# Name columns of the hierarchy (creative_size is part of a creative's identity).
NAME_COLUMNS = ("campaign", "strategy", "placement", "creative")
# Counts must be whole numbers; money keeps its decimals.
COUNT_COLUMNS = ("impressions", "clicks", "conversions")
MONEY_COLUMNS = ("revenue", "source_spend")
NUMBER_COLUMNS = COUNT_COLUMNS + MONEY_COLUMNS
CANONICAL_COLUMNS = ("date", *NAME_COLUMNS, "creative_size", *NUMBER_COLUMNS)

# How people call the canonical columns in messages.
LABELS = {
    "date": "date",
    "campaign": "campaign",
    "strategy": "strategy",
    "placement": "placement",
    "creative": "creative",
    "creative_size": "creative size",
    "impressions": "impressions",
    "clicks": "clicks",
    "conversions": "conversions",
    "revenue": "revenue",
    "source_spend": "platform spend",
}


class SourceFileError(Exception):
    """The file as a whole cannot be ingested. ``str(error)`` is shown to people as is."""


@dataclass
class ParsedFile:
    """What an adapter made of a file.

    ``rows`` has ``row_number`` (the row as a spreadsheet shows it; the header is row 1) and the
    canonical columns: ``date`` as datetime64 (NaT when unreadable), names as stripped strings,
    numbers as cleaned decimal text ("" where the cell could not be read; the validator reports
    those with the original value from ``raw``). ``raw`` holds the original cells, same index,
    under the file's own headers; ``headers`` maps canonical columns to those headers.
    """

    rows: pd.DataFrame
    raw: pd.DataFrame
    headers: dict[str, str]
    reported_totals: dict[str, Decimal] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # The ad accounts a Meta export names, as (name, id) pairs ("" for an id it does not carry);
    # None when it has no account column.
    accounts: list[tuple[str, str]] | None = None
