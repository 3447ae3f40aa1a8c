"""Facebook / Meta Ads Manager exports (CSV or XLSX) -> canonical rows.

Real exports: a header row, then a totals row with blank names (skipped, compared with the rows);
``Day`` (or ``Reporting starts``/``Reporting ends`` of one day); ``Campaign name``, ``Ad set name``,
``Ad name``; ``Link clicks`` preferred over ``Clicks (all)``; ``Amount spent (<currency>)``;
``Purchases``/``Purchases conversion value`` or ``Results`` with a purchase ``Result indicator``.
Breakdown rows (Region, Age...) share a key and are summed by the loader. An export without a daily
breakdown is refused with how to re-export it. Ad set -> strategy; ad -> placement and creative.
"""

from __future__ import annotations

import pandas as pd

from clients.models import Client
from ingestion.adapters.base import LABELS, ParsedFile, SourceFileError
from ingestion.adapters.cleaning import as_text, clean_names, normalize_header
from ingestion.adapters.common import build_parsed_file
from ingestion.adapters.tabular import read_table

_PURCHASES_FROM_RESULTS = "__purchases_from_results__"
_AD_NAME_AS_CREATIVE = "__ad_name__"

ALIASES = {
    "date": ["day", "date", "reporting starts"],
    "campaign": ["campaign name", "campaign"],
    "strategy": ["ad set name", "ad set", "adset name"],
    "placement": ["ad name", "ad"],
    "creative": [_AD_NAME_AS_CREATIVE],
    "impressions": ["impressions"],
    "clicks": ["link clicks", "clicks (all)", "clicks"],
    "conversions": [
        "purchases",
        "website purchases",
        "conversions",
        _PURCHASES_FROM_RESULTS,
    ],
    "revenue": [
        "purchases conversion value",
        "purchase conversion value",
        "website purchases conversion value",
        "revenue",
        "conversion value",
    ],
    "source_spend": ["amount spent", "spend", "cost"],
}
REQUIRED = ("date", "campaign", "strategy", "placement", "impressions")

REEXPORT_BY_DAY = (
    "In Ads Manager choose Breakdown > By time > Day (or set the report's time breakdown to "
    "'Day'), export again and upload that file."
)


class _Headers(dict[str, str]):
    """The file's headers by their ``normalize_header`` form, looked up by any spelling."""

    def __contains__(self, name: object) -> bool:
        return super().__contains__(normalize_header(name))

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(normalize_header(name))


def parse_facebook(content: bytes, *, file_name: str) -> ParsedFile:
    table = read_table(content, file_name=file_name)
    cells = table.cells
    headers = _Headers({normalize_header(column): column for column in cells.columns})
    _refuse_non_daily(cells, headers, file_name)

    # "Amount spent (USD)", "Amount spent (EUR)"...: the currency varies.
    for normal, column in headers.items():
        if normal.startswith(normalize_header("amount spent")):
            cells = cells.rename(columns={column: "Amount spent"})
            break
    if "ad name" in headers:
        cells[_AD_NAME_AS_CREATIVE] = cells[headers["ad name"]]
    elif "ad" in headers:
        cells[_AD_NAME_AS_CREATIVE] = cells[headers["ad"]]
    if "results" in headers and "result indicator" in headers:
        indicator = as_text(cells[headers["result indicator"]]).str.lower()
        results = cells[headers["results"]].where(indicator.str.contains("purchase"), "")
        cells[_PURCHASES_FROM_RESULTS] = results
    table.cells = cells
    parsed = build_parsed_file(
        table,
        file_name=file_name,
        aliases=ALIASES,
        required={name: LABELS[name] for name in REQUIRED},
        hint=" A Facebook export needs Day, Campaign name, Ad set name, Ad name and Impressions.",
    )
    parsed.accounts = _accounts(cells, headers)
    return parsed


def _accounts(cells: pd.DataFrame, headers: _Headers) -> list[tuple[str, str]] | None:
    """The distinct (account name, account id) pairs of the export's rows (the totals row has
    none), or None when it has no account column."""
    if "account name" not in headers and "account id" not in headers:
        return None
    names = (
        clean_names(cells[headers["account name"]])
        if "account name" in headers
        else pd.Series("", index=cells.index)
    )
    ids = (
        clean_names(cells[headers["account id"]])
        if "account id" in headers
        else pd.Series("", index=cells.index)
    )
    pairs = pd.DataFrame({"name": names, "id": ids})
    pairs = pairs[(pairs["name"] != "") | (pairs["id"] != "")].drop_duplicates()
    return sorted(zip(pairs["name"], pairs["id"], strict=True))


def _refuse_non_daily(cells: pd.DataFrame, headers: _Headers, file_name: str) -> None:
    if "day" in headers or "date" in headers:
        return
    if "reporting starts" in headers and "reporting ends" in headers:
        starts = as_text(cells[headers["reporting starts"]]).str.strip()
        ends = as_text(cells[headers["reporting ends"]]).str.strip()
        multi_day = (starts != ends) & (starts != "")
        if not multi_day.any():
            return
        first = multi_day.idxmax()
        raise SourceFileError(
            f"{file_name} has one row per period ({starts[first]} to {ends[first]}), not one row "
            f"per day, so its figures cannot be priced by day. {REEXPORT_BY_DAY}"
        )
    period = next((headers[name] for name in ("month", "week", "year") if name in headers), None)
    detail = f"it is broken down by '{period}'" if period else "it has no 'Day' column"
    raise SourceFileError(f"{file_name} is not a daily export ({detail}). {REEXPORT_BY_DAY}")


def parse_for_client(content: bytes, file_name: str, client: Client) -> ParsedFile:
    """``parse_facebook`` as the pipeline calls it (the client changes nothing here)."""
    return parse_facebook(content, file_name=file_name)
