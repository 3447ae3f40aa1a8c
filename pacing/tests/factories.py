import datetime as dt

import factory

from campaigns.tests.factories import CreativeFactory
from metrics.rollups import rollups_refresh
from metrics.tests.factories import DailyMetricFactory
from pacing.models import InsertionOrder


class InsertionOrderFactory(factory.django.DjangoModelFactory):
    """An order of November 2025 for 300,000 impressions, evenly (SPEC 8's example)."""

    class Meta:
        model = InsertionOrder

    name = factory.Sequence(lambda n: f"Order {n}")
    start_date = dt.date(2025, 11, 1)
    end_date = dt.date(2025, 11, 30)
    contracted_impressions = 300_000


def delivered(campaign, days: dict[dt.date, int]) -> None:
    """Load ``days`` (day -> impressions) for one new creative of ``campaign``, priced at the
    client's CPM history as ingestion does, and build the rollups."""
    creative = CreativeFactory(placement__strategy__campaign=campaign)
    for day, impressions in days.items():
        DailyMetricFactory(creative=creative, date=day, impressions=impressions)
    first, last = min(days), max(days)
    rollups_refresh(client_id=campaign.client_id, date_from=first, date_to=last)


def nov(day: int) -> dt.date:
    return dt.date(2025, 11, day)


def span(first: int, last: int, impressions: int) -> dict[dt.date, int]:
    """The same impressions on each day of November ``first``..``last``."""
    return {nov(day): impressions for day in range(first, last + 1)}
