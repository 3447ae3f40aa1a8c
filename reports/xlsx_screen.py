"""The XLSX export as the screen shows it (SPEC 9, issue 11): source labels as shown, rates as
real percentages, a blank cell where the page shows a dash, "n/a" for the clicks of sources
without clicks, a totals row, and a first sheet with the KPIs. The CSV stays raw, for machines.

Cells keep full precision; number formats round for display with the page's rule (2 places).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from campaigns.models import Source
from metrics.comparison import range_text
from metrics.formatting import (
    MEASURES,
    NOT_APPLICABLE,
    change_text,
    is_not_applicable,
    is_undefined,
)
from metrics.formulas import HUNDRED, Totals
from metrics.periods import DateRange
from metrics.selectors.comparison import Comparison
from reports.exports import CHANGE_KIND

# Rates stored in percent (2.35 for 2.35 %), written as fractions with a percent format.
RATES = ("ctr", "roas")


def _cell(name: str, values: Mapping[str, Any]) -> Any:
    """A measure's cell: n/a, blank for a dash, a fraction for a rate, else the value."""
    if is_not_applicable(name, values):
        return NOT_APPLICABLE
    if is_undefined(name, values):
        return None
    value = values.get(name)
    if value is None:
        return None
    if name in RATES:
        return Decimal(value) / HUNDRED
    return value


def screen_rows(paths: list[str], rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Export rows (values in ``paths`` order) as the screen writes them."""
    for row in rows:
        values = dict(zip(paths, row, strict=True))
        yield tuple(
            Source(value).label
            if path == "source" and value
            else _cell(path, values)
            if path in MEASURE_NAMES
            else value
            for path, value in values.items()
        )


MEASURE_NAMES = frozenset(measure.name for measure in MEASURES)


def totals_row(paths: list[str], totals: Totals, extra: Mapping[str, Any]) -> tuple[Any, ...]:
    """The totals row: "Total" in the first column, the measures of the sums (ratios of sums),
    and ``extra`` values by path (the agency's cost for admins)."""
    values = totals.as_dict()
    cells: list[Any] = []
    for index, path in enumerate(paths):
        if index == 0:
            cells.append("Total")
        elif path in MEASURE_NAMES:
            cells.append(_cell(path, values))
        else:
            cells.append(extra.get(path))
    return tuple(cells)


def kpi_headers(compared: Comparison) -> list[str]:
    """The KPI sheet's headings: measure, this range, and with a comparison the compared range
    and the change."""
    headers = ["Measure", range_heading(compared.date_range)]
    if compared.comparison_range is not None:
        compared_range = compared.comparison_range
        headers += [
            range_heading(compared_range),
            f"Change vs {range_text(compared_range, with_year=True)}",
        ]
    return headers


def kpi_rows(compared: Comparison) -> list[tuple[tuple[Any, str], ...]]:
    """The KPI sheet's rows: (value, number kind) cells of measure, this range, and with a
    comparison the compared range and the change as the dashboard's cards give it (like for
    like: the paired days of the comparable sources; "not comparable: <reason>" when none), then
    which sources the change leaves out."""
    now = compared.total.as_dict()
    before = compared.compared_total.as_dict() if compared.compared_total else None
    moved = compared.changes
    not_comparable = compared.not_comparable_text
    rows: list[tuple[tuple[Any, str], ...]] = []
    for measure in MEASURES:
        kind = "percent" if measure.name in RATES else measure.kind.value
        row: tuple[tuple[Any, str], ...] = (
            (measure.label, "text"),
            (_cell(measure.name, now), kind),
        )
        if before is not None:
            change = moved.get(measure.name)
            text = (
                change_text(measure.name, change).text
                if change is not None
                else not_comparable or NOT_APPLICABLE
            )
            row += ((_cell(measure.name, before), kind), (text, CHANGE_KIND))
        rows.append(row)
    if compared.left_out_text:
        rows.append(((compared.left_out_text, "text"),))
    return rows


def range_heading(date_range: DateRange) -> str:
    return f"{date_range.start.isoformat()} to {date_range.end.isoformat()}"
