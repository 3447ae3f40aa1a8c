import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Source
from clients.models import Client
from metrics.comparison import ComparisonMode
from metrics.formulas import Change
from metrics.periods import DateRange
from metrics.selectors.comparison import comparison
from metrics.selectors.hierarchy import CAMPAIGNS, object_metric_rows
from metrics.tests.factories import rollups_built
from tests.comparison_data import PREVIOUS, RANGE, creative, day_rows, facebook_gap_weeks

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def gap_weeks(client_a, client_b):
    facebook_gap_weeks(client_a, client_b)


def days(start, end):
    return list(DateRange(start, end).each_day())


def only(client):
    return Client.objects.filter(pk=client.pk)


def test_a_source_missing_days_is_not_comparable_and_left_out_of_the_blend(gap_weeks, client_a):
    found = comparison(clients=only(client_a), date_range=RANGE, mode=ComparisonMode.PREVIOUS)

    assert found.comparison_range == PREVIOUS
    facebook, surfside = found.sources
    assert (facebook.source, facebook.comparable) == (Source.FACEBOOK, False)
    assert (facebook.current_days, facebook.comparison_days, facebook.paired_days) == (1, 7, 1)
    assert facebook.reason() == "Facebook: 1 of 7 days uploaded"
    assert (surfside.source, surfside.comparable) == (Source.SURFSIDE, True)
    assert surfside.paired_days == 7
    # Surfside only: 7 x 10 clicks against 7 x 10.
    assert (found.current.clicks, found.previous.clicks) == (70, 70)
    assert (found.current.impressions, found.current.conversion_revenue) == (7000, Decimal(140))
    assert found.changes["clicks"] == Change(absolute=0, percent=Decimal("0.000000"))
    assert found.compared_text == "vs Nov 17\u201323"
    assert found.left_out_text == "Leaves out Facebook: 1 of 7 days uploaded"
    assert found.not_comparable_text == ""


def test_the_other_tenant_with_the_same_names_is_comparable(gap_weeks, client_b):
    found = comparison(clients=only(client_b), date_range=RANGE, mode=ComparisonMode.PREVIOUS)

    assert [(entry.source, entry.comparable) for entry in found.sources] == [
        (Source.FACEBOOK, True),
        (Source.SURFSIDE, True),
    ]
    assert (found.current.clicks, found.previous.clicks) == (7 * 95, 7 * 95)
    assert found.left_out_text == ""


def test_every_client_names_the_client_left_out(gap_weeks, client_a, client_b):
    found = comparison(clients=Client.objects.all(), date_range=RANGE, mode=ComparisonMode.PREVIOUS)

    assert found.reasons() == ["Acme Foods · Facebook: 1 of 7 days uploaded"]
    # Acme's Surfside and Borealis' two sources: 70 + 35 + 630 clicks on each side.
    assert (found.current.clicks, found.previous.clicks) == (735, 735)


def test_one_source_alone_not_comparable_gives_no_change(gap_weeks, client_a):
    found = comparison(
        clients=only(client_a),
        date_range=RANGE,
        mode=ComparisonMode.PREVIOUS,
        source=Source.FACEBOOK,
    )

    assert found.comparable is False
    assert found.changes == {}
    assert found.not_comparable_text == "not comparable: Facebook: 1 of 7 days uploaded"


def test_a_comparison_period_without_data_says_so(gap_weeks, client_a):
    found = comparison(clients=only(client_a), date_range=PREVIOUS, mode=ComparisonMode.PREVIOUS)

    assert found.reasons() == [
        "Facebook: no data uploaded in Nov 10\u201316",
        "Surfside: no data delivered in Nov 10\u201316",
    ]


def test_a_drilldown_sums_its_object_over_the_source_days(gap_weeks, client_a):
    campaign = Campaign.objects.get(client=client_a, source=Source.SURFSIDE)
    rows = object_metric_rows(CAMPAIGNS, campaign, start=PREVIOUS.start, end=RANGE.end)
    found = comparison(
        clients=only(client_a),
        date_range=RANGE,
        mode=ComparisonMode.PREVIOUS,
        source=Source.SURFSIDE,
        metric_rows=rows,
    )

    assert (found.current.clicks, found.previous.clicks) == (70, 70)
    assert [entry.source for entry in found.sources] == [Source.SURFSIDE]


def test_same_period_last_year_across_feb_29(client_a, client_b):
    leap_week = DateRange(D(2024, 2, 23), D(2024, 2, 29))
    surfside_a = creative(client_a, Source.SURFSIDE)
    surfside_b = creative(client_b, Source.SURFSIDE)
    rows = [
        *day_rows(surfside_a, [D(2024, 2, day) for day in range(23, 29)], 100, 1, 1, "10"),
        # Feb 29 has no partner in 2023: left out of the change.
        *day_rows(surfside_a, [D(2024, 2, 29)], 9000, 9, 9, "90"),
        *day_rows(surfside_a, [D(2023, 2, day) for day in range(23, 29)], 80, 1, 1, "10"),
        *day_rows(surfside_b, [D(2023, 2, day) for day in range(23, 29)], 7, 7, 7, "7"),
    ]
    rollups_built(*rows)

    found = comparison(clients=only(client_a), date_range=leap_week, mode=ComparisonMode.LAST_YEAR)

    assert found.comparison_range == DateRange(D(2023, 2, 23), D(2023, 2, 28))
    assert found.compared_text == "vs Feb 23\u201328"
    (surfside,) = found.sources
    assert (surfside.paired_days, surfside.current_days, surfside.comparison_days) == (6, 7, 6)
    assert (found.current.impressions, found.previous.impressions) == (600, 480)
    assert found.changes["impressions"] == Change(absolute=120, percent=Decimal("25.000000"))


def test_month_to_date_compares_the_same_days_of_the_previous_month(client_a):
    surfside = creative(client_a, Source.SURFSIDE)
    rows = [
        *day_rows(surfside, days(D(2024, 3, 1), D(2024, 3, 29)), 10, 1, 0, "0"),
        # Mar 30 pairs with nothing: February 2024 has 29 days.
        *day_rows(surfside, [D(2024, 3, 30)], 1000, 1, 0, "0"),
        *day_rows(surfside, days(D(2024, 2, 1), D(2024, 2, 29)), 5, 1, 0, "0"),
        # Before the comparison: never counted.
        *day_rows(surfside, [D(2024, 1, 31)], 7777, 7, 0, "0"),
    ]
    rollups_built(*rows)

    found = comparison(
        clients=only(client_a),
        date_range=DateRange(D(2024, 3, 1), D(2024, 3, 30)),
        mode=ComparisonMode.PREVIOUS,
    )

    assert found.comparison_range == DateRange(D(2024, 2, 1), D(2024, 2, 29))
    assert found.compared_text == "vs Feb 1\u201329"
    (entry,) = found.sources
    assert (entry.paired_days, entry.current_days, entry.comparison_days) == (29, 30, 29)
    assert (found.current.impressions, found.previous.impressions) == (290, 145)
    assert found.changes["impressions"] == Change(absolute=145, percent=Decimal("100.000000"))


def test_none_compares_nothing_and_reads_only_the_totals(gap_weeks, client_a):
    with CaptureQueriesContext(connection) as queries:
        found = comparison(clients=only(client_a), date_range=RANGE, mode=ComparisonMode.NONE)

    assert (found.comparison_range, found.sources, found.changes) == (None, (), {})
    assert found.compared_text == ""
    assert (found.total.clicks, found.compared_total) == (110, None)
    assert len(queries) == 1


def test_one_query_whatever_the_range(gap_weeks, client_a):
    with CaptureQueriesContext(connection) as queries:
        found = comparison(clients=only(client_a), date_range=RANGE, mode=ComparisonMode.PREVIOUS)

    assert len(queries) == 1
    # The whole periods, every source: 7 x 10 + 40 clicks against 7 x 10 + 7 x 40.
    assert (found.total.clicks, found.compared_total.clicks) == (110, 350)
