"""What a report shows, as plain values: the shape shared by stored summaries, the PDF and pages.

``ReportFigures`` is computed from the metrics by ``reports.selectors.report_figures`` (for any
range a user looks at) and stored by ``reports.services.summary_generate`` (for weeks and months);
a stored summary turns back into the same ``ReportFigures`` with ``figures_from_summary``, so the
PDF of a stored week and the PDF of a range on screen come from one template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from campaigns.models import Source
from metrics.clicks import reports_clicks
from metrics.formulas import ALL_MEASURES, BASE_MEASURES, Change, Totals, changes
from metrics.periods import ONE_DAY, DateRange, Granularity, period_start

if TYPE_CHECKING:
    from reports.models import Summary


@dataclass(frozen=True)
class RankedRow:
    """A campaign or creative in a top list: who it is, where it sits, and its measures."""

    id: int
    name: str
    client: str
    source: str
    campaign: str
    size: str
    totals: Totals
    # Creatives: the placement they run in (one creative name recurs across placements).
    placement: str = ""

    @property
    def source_label(self) -> str:
        return Source(self.source).label

    @property
    def reports_clicks(self) -> bool:
        """False for a source without clicks (CTV): its CTR is written "n/a"."""
        return reports_clicks(self.source)


@dataclass(frozen=True)
class MissingDay:
    day: dt.date
    reason: str


@dataclass(frozen=True)
class SourceCompleteness:
    """Whether one source's data is in for every day of a period.

    Only sources that delivered or ran in the period are listed: a source the client does not
    use is not "missing".
    """

    source: str
    days: int
    days_with_data: int
    missing: tuple[MissingDay, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def label(self) -> str:
        return Source(self.source).label


@dataclass(frozen=True)
class ComparedFigures:
    """What a report's changes compare, like for like (SPEC 9): the paired days of the
    comparable sources on both sides, the reasons of the sources left out, and the compared
    period's days for the chart."""

    current: Totals
    previous: Totals
    comparable: bool
    left_out: tuple[str, ...] = ()
    daily: tuple[tuple[dt.date, Totals], ...] = ()


@dataclass(frozen=True)
class ReportFigures:
    """Totals of a period against the period before, its days, top lists and data completeness."""

    date_range: DateRange
    # None when the reader chose no comparison: no change is given.
    previous_range: DateRange | None
    current: Totals
    previous: Totals
    daily: tuple[tuple[dt.date, Totals], ...] = ()
    top_campaigns_by_conversions: tuple[RankedRow, ...] = ()
    top_campaigns_by_revenue: tuple[RankedRow, ...] = ()
    top_creatives: tuple[RankedRow, ...] = ()
    underperformers: tuple[RankedRow, ...] = ()
    underperformer_count: int = 0
    completeness: tuple[SourceCompleteness, ...] = field(default=())
    # None for a summary stored before comparisons were like for like: its changes compare the
    # whole periods.
    comparison: ComparedFigures | None = None

    @property
    def compared_with(self) -> DateRange:
        """The compared period of figures that always have one (a summary's)."""
        if self.previous_range is None:
            raise ValueError("These figures are compared with nothing.")
        return self.previous_range

    @property
    def changes(self) -> dict[str, Change | None]:
        if self.previous_range is None:
            return dict.fromkeys(ALL_MEASURES)
        if self.comparison is None:
            return changes(self.current, self.previous)
        if not self.comparison.comparable:
            return dict.fromkeys(ALL_MEASURES)
        return changes(self.comparison.current, self.comparison.previous)

    @property
    def not_comparable(self) -> str:
        """ "" when the changes can be given; otherwise why not."""
        if self.comparison is None or self.comparison.comparable:
            return ""
        reasons = "; ".join(self.comparison.left_out) or "no data in either period"
        return f"not comparable: {reasons}"

    @property
    def left_out_text(self) -> str:
        if self.comparison is None or not self.comparison.comparable:
            return ""
        return "; ".join(self.comparison.left_out)

    @property
    def is_complete(self) -> bool:
        return all(source.complete for source in self.completeness)


# --- Calendar periods of summaries -----------------------------------------------------------


def summary_ranges(granularity: Granularity, start: dt.date) -> tuple[DateRange, DateRange]:
    """The week or month that begins on ``start`` and the one before it.

    A month compares with the previous calendar month (not with the 30 or 31 days before it), so
    "March vs February" reads as people expect.
    """
    if granularity not in (Granularity.WEEK, Granularity.MONTH):
        raise ValueError(f"summaries cover weeks or months, not {granularity}")
    if period_start(start, granularity) != start:
        first = "a Monday" if granularity is Granularity.WEEK else "the first of a month"
        raise ValueError(f"a {granularity.value} summary starts on {first}, not {start}")
    if granularity is Granularity.WEEK:
        current = DateRange(start, start + dt.timedelta(days=6))
        return current, current.previous()
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    previous_start = (start - ONE_DAY).replace(day=1)
    return DateRange(start, following - ONE_DAY), DateRange(previous_start, start - ONE_DAY)


# --- JSON, for the stored summaries ----------------------------------------------------------
# Decimals are stored as strings (no float ever touches money); rates are recomputed from the
# stored sums when read back, so they always agree with them.


def totals_json(totals: Totals) -> dict[str, Any]:
    measures = {
        **totals.as_dict(),
        "click_clicks": totals.click_clicks,
        "click_impressions": totals.click_impressions,
        "click_spend": totals.click_spend,
    }
    return {
        measure: value if value is None or isinstance(value, int) else str(value)
        for measure, value in measures.items()
    }


def totals_from_json(data: dict[str, Any]) -> Totals:
    click_spend = data.get("click_spend")
    return Totals(
        impressions=int(data["impressions"]),
        clicks=int(data["clicks"]),
        conversions=int(data["conversions"]),
        conversion_revenue=Decimal(data["conversion_revenue"]),
        spend=Decimal(data["spend"]),
        click_clicks=data.get("click_clicks"),
        click_impressions=data.get("click_impressions"),
        click_spend=None if click_spend is None else Decimal(click_spend),
    )


def changes_json(figures: ReportFigures) -> dict[str, dict[str, Any] | None]:
    return {
        measure: {
            "absolute": moved.absolute if isinstance(moved.absolute, int) else str(moved.absolute),
            "percent": None if moved.percent is None else str(moved.percent),
        }
        if moved is not None
        else None
        for measure, moved in figures.changes.items()
    }


def ranked_json(rows: tuple[RankedRow, ...]) -> list[dict[str, Any]]:
    return [
        {
            "id": row.id,
            "name": row.name,
            "client": row.client,
            "source": row.source,
            "campaign": row.campaign,
            "size": row.size,
            "placement": row.placement,
            **totals_json(row.totals),
        }
        for row in rows
    ]


def ranked_from_json(rows: list[dict[str, Any]]) -> tuple[RankedRow, ...]:
    return tuple(
        RankedRow(
            id=row["id"],
            name=row["name"],
            client=row["client"],
            source=row["source"],
            campaign=row["campaign"],
            size=row["size"],
            totals=totals_from_json(row),
            placement=row.get("placement", ""),
        )
        for row in rows
    )


def daily_json(daily: tuple[tuple[dt.date, Totals], ...]) -> list[dict[str, Any]]:
    return [{"date": day.isoformat(), **totals_json(totals)} for day, totals in daily]


def comparison_json(compared: ComparedFigures | None) -> dict[str, Any]:
    if compared is None:
        return {}
    return {
        "current": totals_json(compared.current),
        "previous": totals_json(compared.previous),
        "comparable": compared.comparable,
        "left_out": list(compared.left_out),
        "daily": daily_json(compared.daily),
    }


def comparison_from_json(data: dict[str, Any]) -> ComparedFigures | None:
    """The stored comparison; None for a summary stored without one."""
    if not data:
        return None
    return ComparedFigures(
        current=totals_from_json(data["current"]),
        previous=totals_from_json(data["previous"]),
        comparable=data["comparable"],
        left_out=tuple(data["left_out"]),
        daily=tuple(
            (dt.date.fromisoformat(day["date"]), totals_from_json(day)) for day in data["daily"]
        ),
    )


def completeness_json(sources: tuple[SourceCompleteness, ...]) -> list[dict[str, Any]]:
    return [
        {
            "source": source.source,
            "days": source.days,
            "days_with_data": source.days_with_data,
            "complete": source.complete,
            "missing": [
                {"date": missing.day.isoformat(), "reason": missing.reason}
                for missing in source.missing
            ],
        }
        for source in sources
    ]


def figures_from_summary(summary: Summary) -> ReportFigures:
    """The stored summary as the figures it was generated from."""
    current = Totals(
        **{measure: getattr(summary, measure) for measure in BASE_MEASURES},
        click_clicks=summary.click_clicks,
        click_impressions=summary.click_impressions,
        click_spend=summary.click_spend,
    )
    return ReportFigures(
        date_range=DateRange(summary.start, summary.end),
        previous_range=DateRange(summary.previous_start, summary.previous_end),
        current=current,
        previous=totals_from_json(summary.previous),
        daily=tuple(
            (dt.date.fromisoformat(day["date"]), totals_from_json(day)) for day in summary.daily
        ),
        top_campaigns_by_conversions=ranked_from_json(summary.top_campaigns_by_conversions),
        top_campaigns_by_revenue=ranked_from_json(summary.top_campaigns_by_revenue),
        top_creatives=ranked_from_json(summary.top_creatives),
        underperformers=ranked_from_json(summary.underperformers),
        underperformer_count=summary.underperformer_count,
        completeness=tuple(
            SourceCompleteness(
                source=source["source"],
                days=source["days"],
                days_with_data=source["days_with_data"],
                missing=tuple(
                    MissingDay(dt.date.fromisoformat(missing["date"]), missing["reason"])
                    for missing in source["missing"]
                ),
            )
            for source in summary.completeness
        ),
        comparison=comparison_from_json(summary.comparison),
    )
