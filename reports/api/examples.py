"""Example responses for the OpenAPI schema, rendered by the real serializers from real totals
so the documentation cannot drift from what the API returns."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from ingestion.availability import REASON_FILE_NOT_DELIVERED, STATUS_OK
from metrics.comparison import COMPARISON_HELP, ComparisonMode
from metrics.formulas import Totals
from metrics.periods import DateRange, Granularity, periods
from metrics.selectors.comparison import Comparison, SourceComparison, totals_sum
from reports.api import outputs

RANGE = DateRange(dt.date(2025, 10, 1), dt.date(2025, 10, 3))
CURRENT = Totals(
    impressions=541_210,
    clicks=1_190,
    conversions=61,
    conversion_revenue=Decimal("9150.00"),
    spend=Decimal("8118.15"),
)
PREVIOUS = Totals(
    impressions=498_400,
    clicks=1_046,
    conversions=52,
    conversion_revenue=Decimal("7400.00"),
    spend=Decimal("7476.00"),
)
DAY_ONE = Totals(
    impressions=270_000,
    clicks=600,
    conversions=30,
    conversion_revenue=Decimal("4500.00"),
    spend=Decimal("4050.00"),
)
DAY_TWO = Totals(
    impressions=271_210,
    clicks=590,
    conversions=31,
    conversion_revenue=Decimal("4650.00"),
    spend=Decimal("4068.15"),
)
# Facebook's one uploaded day of the range, against its three days before: left out.
FACEBOOK_DAY = Totals(
    impressions=40_000,
    clicks=800,
    conversions=4,
    conversion_revenue=Decimal("600.00"),
    spend=Decimal("400.00"),
)
COMPARED_RANGE = RANGE.previous()


def _source(source: str, days: tuple[int, int, int], current: Totals, previous: Totals) -> Any:
    paired, current_days, comparison_days = days
    return SourceComparison(
        client_id=3,
        client_name="Acme Foods",
        source=source,
        days=RANGE.days,
        paired_days=paired,
        current_days=current_days,
        comparison_days=comparison_days,
        comparison_range=COMPARED_RANGE,
        current=current,
        previous=previous,
    )


COMPARISON = Comparison(
    mode=ComparisonMode.PREVIOUS,
    date_range=RANGE,
    comparison_range=COMPARED_RANGE,
    sources=(
        _source("facebook", (1, 1, 3), FACEBOOK_DAY, FACEBOOK_DAY),
        _source("surfside", (3, 3, 3), CURRENT, PREVIOUS),
    ),
)
SHOWN = totals_sum([CURRENT, FACEBOOK_DAY])
SHOWN_BEFORE = totals_sum([PREVIOUS, FACEBOOK_DAY, FACEBOOK_DAY, FACEBOOK_DAY])
CAMPAIGN = {"id": 12, "name": "Fall Sale", "source": "surfside", "client_id": 3}
STRATEGY = {**CAMPAIGN, "id": 40, "name": "Retargeting", "campaign_id": 12}
PLACEMENT = {**STRATEGY, "id": 77, "name": "Homepage", "strategy_id": 40}
CREATIVE = {**PLACEMENT, "id": 301, "name": "Banner A", "placement_id": 77, "size": "300x250"}


def _render(serializer_class: type[serializers.Serializer], data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(serializer_class(data).data, cls=JSONEncoder))


def _daily() -> list[dict[str, Any]]:
    days = [DAY_ONE, DAY_TWO, Totals()]
    return [
        {"date": day, **totals.as_dict()}
        for day, totals in zip(RANGE.each_day(), days, strict=True)
    ]


def summary() -> list[OpenApiExample]:
    """Like for like, with Facebook left out; and the same range with comparison=none."""
    compared = outputs.summary_data(SHOWN, SHOWN_BEFORE, RANGE, COMPARISON)
    none = outputs.summary_data(
        SHOWN,
        None,
        RANGE,
        Comparison(mode=ComparisonMode.NONE, date_range=RANGE, comparison_range=None),
    )
    return [
        OpenApiExample(
            "Previous period, a source left out",
            value=_render(outputs.SummaryOutput, compared),
            description="Facebook has 1 of 3 days uploaded: the change compares Surfside only.",
        ),
        OpenApiExample("comparison=none", value=_render(outputs.SummaryOutput, none)),
    ]


def comparison_parameter() -> OpenApiParameter:
    """The ``comparison`` query parameter, with an example of each value."""
    return OpenApiParameter(
        "comparison",
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=[mode.value for mode in ComparisonMode],
        description=COMPARISON_HELP + " Any other value is a 400 naming the allowed ones.",
        examples=[
            OpenApiExample("previous", value="previous", summary="Previous period (default)"),
            OpenApiExample("last_year", value="last_year", summary="Same period last year"),
            OpenApiExample("none", value="none", summary="No comparison: change is null"),
        ],
    )


def overview() -> OpenApiExample:
    daily = _daily()
    for day in daily:
        day["status"] = STATUS_OK if day["impressions"] else REASON_FILE_NOT_DELIVERED
    data = {
        **outputs.summary_data(SHOWN, SHOWN_BEFORE, RANGE, COMPARISON),
        "daily": daily,
        "freshness": [
            {
                "source": "surfside",
                "last_loaded_at": dt.datetime(2025, 10, 3, 9, 4, 11, tzinfo=dt.UTC),
                "latest_date": dt.date(2025, 10, 2),
            },
            {"source": "vibe", "last_loaded_at": None, "latest_date": None},
            {"source": "facebook", "last_loaded_at": None, "latest_date": None},
        ],
        "by_source": [
            {"source": "surfside", **CURRENT.as_dict()},
            {"source": "vibe", **Totals().as_dict()},
            {"source": "facebook", **Totals().as_dict()},
        ],
    }
    return OpenApiExample("Overview", value=_render(outputs.OverviewOutput, data))


_SERIES = {
    Granularity.DAY: (RANGE, [DAY_ONE, DAY_TWO, Totals()]),
    # Two Monday-Sunday weeks.
    Granularity.WEEK: (DateRange(dt.date(2025, 9, 29), dt.date(2025, 10, 12)), [PREVIOUS, CURRENT]),
    # The first month is clipped to the range.
    Granularity.MONTH: (
        DateRange(dt.date(2025, 9, 15), dt.date(2025, 10, 31)),
        [PREVIOUS, CURRENT],
    ),
}


def series(granularity: Granularity) -> OpenApiExample:
    date_range, found = _SERIES[granularity]
    rows = [
        {"period_start": period.start, "period_end": period.end, **totals.as_dict()}
        for period, totals in zip(periods(date_range, granularity), found, strict=True)
    ]
    data = {"granularity": granularity.value, "date_range": date_range.as_dict(), "series": rows}
    return OpenApiExample(
        f"{granularity.value.title()} series", value=_render(outputs.SeriesOutput, data)
    )


def hierarchy_row(
    identity: dict[str, Any], row_output: type[serializers.Serializer]
) -> OpenApiExample:
    """One row of a list; drf-spectacular wraps it in the page envelope."""
    return OpenApiExample("Page", value=_render(row_output, {**identity, **CURRENT.as_dict()}))


def hierarchy_detail(
    identity: dict[str, Any], detail_output: type[serializers.Serializer]
) -> OpenApiExample:
    surfside_only = Comparison(
        mode=ComparisonMode.PREVIOUS,
        date_range=RANGE,
        comparison_range=COMPARED_RANGE,
        sources=(_source("surfside", (3, 3, 3), CURRENT, PREVIOUS),),
    )
    data = {**identity, **outputs.summary_data(CURRENT, PREVIOUS, RANGE, surfside_only)}
    return OpenApiExample("Detail", value=_render(detail_output, data))


def hierarchy_metrics(
    identity: dict[str, Any], metrics_output: type[serializers.Serializer]
) -> OpenApiExample:
    data = {**identity, "date_range": RANGE.as_dict(), "daily": _daily()}
    return OpenApiExample("Daily metrics", value=_render(metrics_output, data))
