"""Two weeks of two tenants for the comparison tests: a week where Facebook has 1 of 7 days.

The range is Nov 24-30, 2025 ("last 7 days" on Dec 1); the previous period Nov 17-23. Both
clients run a Surfside and a Facebook campaign with the same names on the same days.

    Acme     Surfside  every day of both weeks: 1,000 imps, 10 clicks, 1 conv, $20 revenue
             Facebook  every day of Nov 17-23, and only Nov 30 of the range:
                       2,000 imps, 40 clicks, 2 conv, $50 revenue
    Borealis Surfside  every day of both weeks: 500 imps, 5 clicks, 1 conv, $10 revenue
             Facebook  every day of both weeks: 3,000 imps, 90 clicks, 3 conv, $60 revenue

For Acme, all sources summed: clicks 7x10 + 40 = 110 against 7x10 + 7x40 = 350, the -68.57 %
the dashboard showed (Facebook's six missing days counted as a fall). Like for like, Facebook is
left out (1 of 7 days uploaded) and Surfside's 70 clicks compare with 70: no change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from campaigns.models import Source
from campaigns.tests.factories import CreativeFactory
from clients.models import Client
from metrics.periods import DateRange
from metrics.tests.factories import DailyMetricFactory, rollups_built

RANGE = DateRange(dt.date(2025, 11, 24), dt.date(2025, 11, 30))
PREVIOUS = DateRange(dt.date(2025, 11, 17), dt.date(2025, 11, 23))
BOTH_WEEKS = DateRange(PREVIOUS.start, RANGE.end)
QUERY = "start_date=2025-11-24&end_date=2025-11-30"


def creative(client: Client, source: str) -> object:
    return CreativeFactory(
        placement__strategy__campaign__client=client,
        placement__strategy__campaign__source=source,
        placement__strategy__campaign__name="Holiday",
        placement__strategy__name="Prospecting",
        placement__name="Feed",
        name="Banner",
    )


def day_rows(
    creative: object, days: list[dt.date], impressions: int, clicks: int, conv: int, revenue: str
) -> list[object]:
    return [
        DailyMetricFactory(
            creative=creative,
            date=day,
            impressions=impressions,
            clicks=clicks,
            conversions=conv,
            conversion_revenue=Decimal(revenue),
        )
        for day in days
    ]


def facebook_gap_weeks(client_a: Client, client_b: Client) -> None:
    both_weeks = list(BOTH_WEEKS.each_day())
    rows = [
        *day_rows(creative(client_a, Source.SURFSIDE), both_weeks, 1000, 10, 1, "20"),
        *day_rows(
            creative(client_a, Source.FACEBOOK),
            [*PREVIOUS.each_day(), RANGE.end],
            2000,
            40,
            2,
            "50",
        ),
        *day_rows(creative(client_b, Source.SURFSIDE), both_weeks, 500, 5, 1, "10"),
        *day_rows(creative(client_b, Source.FACEBOOK), both_weeks, 3000, 90, 3, "60"),
    ]
    rollups_built(*rows)  # type: ignore[arg-type]
