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
from metrics.formatting import MEASURES, NOT_APPLICABLE, is_not_applicable, is_undefined
from metrics.formulas import HUNDRED, Totals

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


def kpi_rows(current: Totals, previous: Totals) -> list[tuple[tuple[Any, str], ...]]:
    """The KPI sheet's rows: (value, number kind) cells of measure, this period, previous."""
    now, before = current.as_dict(), previous.as_dict()
    rows: list[tuple[tuple[Any, str], ...]] = []
    for measure in MEASURES:
        kind = "percent" if measure.name in RATES else measure.kind.value
        rows.append(
            (
                (measure.label, "text"),
                (_cell(measure.name, now), kind),
                (_cell(measure.name, before), kind),
            )
        )
    return rows
