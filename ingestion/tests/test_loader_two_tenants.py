"""The loader with two tenants and two sources that share names: rows attach to their own
client's and source's hierarchy, are priced at their own client's rate on their own day, and a
restated file replaces what it restates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from campaigns.models import Campaign, Creative, Placement, Source, Strategy
from clients.models import CpmRate
from clients.tests.factories import ClientFactory
from ingestion import loader
from ingestion.models import RunStatus, StagingRow
from ingestion.pipeline import run_ingestion
from metrics.models import CampaignDayRollup, DailyMetric
from metrics.pricing import with_row_measures
from tests.two_tenants import CAMPAIGN, surfside_file

pytestmark = pytest.mark.django_db


def ingest(client, content, *, source=Source.SURFSIDE, file_name="d.csv", **kwargs):
    return run_ingestion(
        client=client, source=source, content=content, file_name=file_name, **kwargs
    )


# Detail rows with their spend and rates, derived in SQL from the CPM of each row's day.
METRICS = with_row_measures(DailyMetric.objects.all())


def spend_by_day(client, source=Source.SURFSIDE):
    return {m.date: m.spend for m in METRICS.filter(client=client, source=source).order_by("date")}


def test_a_campaign_name_shared_by_two_clients_stays_two_campaigns(two_tenants):
    a, b = two_tenants.client_a, two_tenants.client_b
    assert (two_tenants.run_a.status, two_tenants.run_b.status) == ("success", "success")
    assert (two_tenants.run_a.rows_loaded, two_tenants.run_b.rows_loaded) == (3, 3)
    campaigns = Campaign.objects.filter(name=CAMPAIGN)
    assert sorted(campaigns.values_list("client__slug", flat=True)) == ["acme", "borealis"]
    for client in (a, b):
        expected = two_tenants.expected(client)
        rows = METRICS.filter(client=client)
        assert spend_by_day(client) == expected.spend_by_day
        assert set(rows.values_list("campaign__client", flat=True)) == {client.pk}
        assert set(rows.values_list("strategy__campaign__client", flat=True)) == {client.pk}
        assert set(rows.values_list("placement__strategy__campaign__client", flat=True)) == {
            client.pk
        }
        assert set(
            rows.values_list("creative__placement__strategy__campaign__client", flat=True)
        ) == {client.pk}
        sums = rows.aggregate(
            impressions=Sum("impressions"),
            clicks=Sum("clicks"),
            conversions=Sum("conversions"),
            revenue=Sum("conversion_revenue"),
        )
        assert sums == {
            "impressions": expected.impressions,
            "clicks": expected.clicks,
            "conversions": expected.conversions,
            "revenue": expected.revenue,
        }
    # One strategy, placement and creative per client: nothing attached across tenants.
    assert Strategy.objects.count() == 2
    assert Placement.objects.count() == 2
    assert Creative.objects.count() == 2
    assert METRICS.count() == 6


def test_the_rollups_of_each_client_hold_only_its_own_rows(two_tenants):
    for client in (two_tenants.client_a, two_tenants.client_b):
        rollups = CampaignDayRollup.objects.filter(client=client)
        assert {r.date: r.spend for r in rollups} == two_tenants.expected(client).spend_by_day
        assert set(rollups.values_list("campaign__client", flat=True)) == {client.pk}


def test_reloading_one_client_leaves_the_other_alone(two_tenants):
    a, b = two_tenants.client_a, two_tenants.client_b
    run = ingest(a, surfside_file([("11/2/2025", 9000, 20, 2, "60.00")]))
    assert (run.status, run.rows_replaced) == ("success", 1)
    assert spend_by_day(a)[dt.date(2025, 11, 2)] == Decimal("180.00")  # 9,000 x 20 / 1000
    assert spend_by_day(b) == two_tenants.expected_b.spend_by_day
    assert METRICS.get(client=b, date=dt.date(2025, 11, 2)).impressions == 4000


def test_a_campaign_name_shared_by_two_sources_of_one_client(client_a):
    surfside = ingest(client_a, surfside_file([("11/3/2025", 1000, 10, 1, "30.00")]))
    vibe = ingest(
        client_a,
        (
            "impression_date,campaign_name,strategy_name,channel_name,creative_name,impressions,"
            "clicks,number_of_purchases,amount_of_purchases,spend\n"
            f"2025-11-03,{CAMPAIGN},Prospecting,Top,Banner,3000,5,1,10.00,2.00\n"
            f"2025-11-03,{CAMPAIGN},Prospecting,Top,Banner,1000,1,0,0,1.00\n"
        ).encode(),
        source=Source.VIBE,
        file_name="vibe.csv",
    )
    assert (surfside.status, vibe.status) == ("success", "success")
    campaigns = dict(
        Campaign.objects.filter(client=client_a, name=CAMPAIGN).values_list("source", "pk")
    )
    assert set(campaigns) == {Source.SURFSIDE, Source.VIBE}
    rows = {
        m.source: (m.campaign_id, m.impressions, m.clicks, m.spend, m.source_spend)
        for m in METRICS.filter(client=client_a)
    }
    assert rows == {
        Source.SURFSIDE: (campaigns[Source.SURFSIDE], 1000, 10, Decimal("15"), Decimal("1")),
        # Vibe's two rows share a key: summed once, priced at Acme's 15.00.
        Source.VIBE: (campaigns[Source.VIBE], 4000, 6, Decimal("60"), Decimal("3")),
    }
    # The Vibe creative is the Vibe campaign's, not the Surfside one of the same name.
    vibe_row = METRICS.get(client=client_a, source=Source.VIBE)
    assert vibe_row.creative.placement.strategy.campaign_id == campaigns[Source.VIBE]
    assert vibe_row.creative.size == ""


def test_the_first_cpm_that_refuses_rows_is_the_clients_own(client_a):
    """Acme's first rate is 2020; Borealis' is 2025-11-02: its 11-01 row is refused, not
    silently dropped (and not accepted because another client had a rate then)."""
    late = ClientFactory(name="Late Starter", cpm="30.00", cpm__effective_date=dt.date(2025, 11, 2))
    run = ingest(
        late,
        surfside_file([("11/1/2025", 1000, 1, 0, "0"), ("11/2/2025", 2000, 2, 0, "0")]),
    )
    assert run.status == RunStatus.PARTIAL
    assert (run.rows_read, run.rows_loaded, run.rows_failed) == (2, 1, 1)
    refused = StagingRow.objects.get(run=run, is_valid=False)
    assert refused.row_number == 2
    # Refused once priced, yet staged with its cells as the file has them.
    assert (refused.raw["Event Date"], refused.raw["Impressions"]) == ("11/1/2025", "1000")
    assert StagingRow.objects.filter(run=run).count() == 1
    assert refused.errors == [
        {
            "column": "Event Date",
            "message": "no CPM in effect on 2025-11-01: add a CPM rate for Late Starter "
            "starting on or before 2025-11-01, then re-run",
        }
    ]
    assert spend_by_day(late) == {dt.date(2025, 11, 2): Decimal("60")}
    # And the other way round: Acme's own early rate prices its early row.
    run_a = ingest(client_a, surfside_file([("11/1/2025", 1000, 1, 0, "0")]))
    assert (run_a.status, run_a.rows_loaded) == (RunStatus.SUCCESS, 1)
    assert spend_by_day(client_a) == {dt.date(2025, 11, 1): Decimal("15")}


def test_a_file_spanning_a_cpm_change_prices_each_day_once_at_its_rate():
    client = ClientFactory(cpm="10.00", cpm__effective_date=dt.date(2025, 11, 1))
    CpmRate.objects.create(client=client, cpm=Decimal("20.00"), effective_date=dt.date(2025, 11, 3))
    CpmRate.objects.create(client=client, cpm=Decimal("30.00"), effective_date=dt.date(2025, 11, 4))
    days = [(f"{11}/{day}/2025", 1000, 1, 0, "0") for day in (10 + 21, 1, 2, 3, 4, 5)]
    days[0] = ("10/31/2025", 1000, 1, 0, "0")
    run = ingest(client, surfside_file(days))
    assert (run.rows_read, run.rows_loaded, run.rows_failed) == (6, 5, 1)
    assert spend_by_day(client) == {
        dt.date(2025, 11, 1): Decimal("10"),  # the first rate's own effective date
        dt.date(2025, 11, 2): Decimal("10"),
        dt.date(2025, 11, 3): Decimal("20"),  # exactly on a change
        dt.date(2025, 11, 4): Decimal("30"),  # a rate that governs one day
        dt.date(2025, 11, 5): Decimal("30"),
    }
    assert METRICS.filter(client=client).count() == 5
    assert run.date_from == dt.date(2025, 11, 1)
    assert run.date_to == dt.date(2025, 11, 5)


def test_a_restated_file_updates_billed_spend_and_the_derived_rates(client_a):
    first = ingest(client_a, surfside_file([("11/3/2025", 1000, 10, 2, "30.00")]))
    assert spend_by_day(client_a) == {dt.date(2025, 11, 3): Decimal("15")}
    again = ingest(client_a, surfside_file([("11/3/2025", 4000, 10, 2, "30.00")]))
    assert (again.status, again.rows_replaced) == (RunStatus.SUCCESS, 1)
    row = METRICS.get(client=client_a)
    assert (row.impressions, row.spend) == (4000, Decimal("60"))
    assert row.ctr == Decimal("0.25")  # 10 / 4,000 x 100
    assert row.cpc == Decimal("6")  # 60 / 10
    assert row.cpa == Decimal("30")  # 60 / 2
    assert row.roas == Decimal("50")  # 30 / 60 x 100
    assert row.ingestion_run_id == again.pk != first.pk
    rollup = CampaignDayRollup.objects.get(client=client_a)
    assert (rollup.impressions, rollup.spend) == (4000, Decimal("60"))


def test_a_restated_file_that_changes_nothing_keeps_the_run_that_wrote_it(client_a):
    content = surfside_file([("11/3/2025", 1000, 10, 2, "30.00")])
    first = ingest(client_a, content)
    again = ingest(client_a, content, file_name="again.csv")
    assert again.rows_replaced == 0
    assert "0 new, 0 updated and 1 unchanged metric rows" in again.message
    assert METRICS.get(client=client_a).ingestion_run_id == first.pk


def test_refused_rows_create_no_campaign_strategy_placement_or_creative(client_a):
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,Real,S,P,C,1x1,100,1,0,0,0\n"
        + "11/3/2025,Ghost,Ghost S,Ghost P,Ghost C,1x1,-5,1,0,0,0\n"
        + "11/3/2025,Real,Ghost S2,Ghost P2,Ghost C2,1x1,abc,1,0,0,0\n"
        + "1/1/2019,Too Early,E,E,E,1x1,100,1,0,0,0\n"
    ).encode()
    run = ingest(client_a, content)
    assert (run.status, run.rows_loaded, run.rows_failed) == (RunStatus.PARTIAL, 1, 3)
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Real"]
    assert list(Strategy.objects.values_list("name", flat=True)) == ["S"]
    assert list(Placement.objects.values_list("name", flat=True)) == ["P"]
    assert list(Creative.objects.values_list("name", flat=True)) == ["C"]


def test_names_with_trailing_spaces_are_one_campaign(client_a):
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,Spring Sale ,Prospecting,Top,Banner,300x250,100,1,0,0,0\n"
        + "11/3/2025, Spring\tSale,Prospecting ,Top,Banner ,300x250,200,1,0,0,0\n"
    ).encode()
    run = ingest(client_a, content)
    assert run.status == RunStatus.SUCCESS
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Spring Sale"]
    (metric,) = METRICS.all()
    assert (metric.impressions, metric.spend) == (300, Decimal("4.5"))


def test_the_same_creative_in_two_sizes_is_two_rows(client_a):
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,C,S,P,Banner,300x250,100,1,0,0,0\n"
        + "11/3/2025,C,S,P,Banner,728x90,200,1,0,0,0\n"
    ).encode()
    ingest(client_a, content)
    sizes = dict(METRICS.values_list("creative__size", "impressions"))
    assert sizes == {"300x250": 100, "728x90": 200}


def test_blank_platform_spend_is_stored_as_unknown_not_zero(client_a):
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,C,S,P,Unknown,1x1,100,1,,0,0\n"
        + "11/3/2025,C,S,P,Zero,1x1,100,1, $ -   ,0,0\n"
    ).encode()
    ingest(client_a, content)
    spends = dict(METRICS.values_list("creative__name", "source_spend"))
    assert spends == {"Unknown": None, "Zero": Decimal("0")}


def test_a_number_too_large_for_its_column_refuses_the_row_not_the_run(client_a):
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,C,S,P,Fine,1x1,100,1,0,0,0\n"
        + "11/3/2025,C,S,P,Huge imps,1x1,1000000000000000,1,0,0,0\n"
        + "11/3/2025,C,S,P,Huge value,1x1,100,1,0,0,1000000000000\n"
        + '11/3/2025,C,S,P,Huge spend,1x1,100,1,"1,000,000,000,000",0,0\n'
    ).encode()
    run = ingest(client_a, content)
    assert (run.status, run.rows_loaded, run.rows_failed) == (RunStatus.PARTIAL, 1, 3)
    messages = {
        s.row_number: [e["message"] for e in s.errors]
        for s in StagingRow.objects.filter(run=run, is_valid=False)
    }
    assert messages == {
        3: ["is too large (1000000000000000)"],
        4: ["is too large (1000000000000)"],
        5: ["is too large (1000000000000)"],
    }
    assert list(METRICS.values_list("creative__name", flat=True)) == ["Fine"]


def test_numbers_that_overflow_once_priced_or_summed_refuse_their_rows_not_the_run(client_a):
    """Each value passed validation, but priced at 15.00 (or summed with the rows sharing its
    key) the spend would not fit numeric(18,6): those rows are refused, the rest load."""
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,C,S,P,Fine,1x1,100,1,0,0,0\n"
        + "11/3/2025,C,S,P,Largest,1x1,999999999999999,1,0,0,0\n"
        + "11/3/2025,Alone,S,P,Big but fits,1x1,66666666666666,1,0,0,0\n"
        + "11/3/2025,C,S,P,Breakdown,1x1,1,0,0,0,999999999999\n"
        + "11/3/2025,C,S,P,Breakdown,1x1,1,0,0,0,999999999999\n"
        + "11/3/2025,C,S,P,Rate,1x1,1,999999999999,0,0,0\n"
    ).encode()
    run = ingest(client_a, content)
    assert (run.status, run.rows_loaded, run.rows_failed) == (RunStatus.PARTIAL, 3, 3)
    refused = {s.row_number: s.errors for s in StagingRow.objects.filter(run=run, is_valid=False)}
    too_large = [{"column": "Impressions", "message": loader.TOO_LARGE_MESSAGE}]
    assert refused == {3: too_large, 5: too_large, 6: too_large}
    loaded = dict(METRICS.values_list("creative__name", "spend"))
    # 66,666,666,666,666 x 15 / 1000 = 999,999,999,999.99: the largest spend that fits. A CTR
    # of 99,999,999,999,900 % is no longer stored, so its row loads (reads compute it).
    assert loaded == {
        "Fine": Decimal("1.5"),
        "Big but fits": Decimal("999999999999.99"),
        "Rate": Decimal("0.015"),
    }
    assert not Creative.objects.filter(name__in=["Largest", "Breakdown"]).exists()


def test_a_huge_roas_on_a_tiny_spend_loads_now_that_rates_are_not_stored(client_a):
    """1 impression at 15.00 costs 0.015; 100,000,000,000 of revenue on it is a ROAS of
    666,666,666,666,666.67 %: more than numeric(18,6) held when rates were stored per row.
    Rates are computed by the reads now, so the row loads and reads back exactly."""
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,C,S,P,Fine,1x1,1000,1,0,0,10\n"
        + "11/3/2025,C,S,P,Windfall,1x1,1,0,0,0,100000000000\n"
    ).encode()
    run = ingest(client_a, content)
    assert (run.status, run.rows_loaded, run.rows_failed) == (RunStatus.SUCCESS, 2, 0)
    windfall = METRICS.get(creative__name="Windfall")
    assert (windfall.spend, windfall.roas) == (
        Decimal("0.015"),
        Decimal("666666666666666.666667"),
    )


def test_revenue_that_overflows_when_summed_is_refused_even_with_no_impressions(client_a):
    """Late-attributed conversions come on rows with no impressions: two such rows of one key
    sum to 1,999,999,999,998 of revenue, more than numeric(18,6) holds."""
    header = (
        "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,"
        "Impressions,Clicks,Media Spend,Conversions,Conversion Value\n"
    )
    content = (
        header
        + "11/3/2025,C,S,P,Late,1x1,0,0,0,1,999999999999\n"
        + "11/3/2025,C,S,P,Late,1x1,0,0,0,1,999999999999\n"
        + "11/3/2025,C,S,P,Fine,1x1,0,0,0,1,10\n"
    ).encode()
    run = ingest(client_a, content)
    assert (run.status, run.rows_loaded, run.rows_failed) == (RunStatus.PARTIAL, 1, 2)
    refused = sorted(
        StagingRow.objects.filter(run=run, is_valid=False).values_list("row_number", flat=True)
    )
    assert refused == [2, 3]


def test_today_in_the_agency_time_zone_is_valid_and_tomorrow_is_not(client_a, monkeypatch):
    """At 02:00 UTC on 4 November it is still 3 November in New York (the agency's zone):
    a row dated 4 November is in the future there."""
    instant = dt.datetime(2025, 11, 4, 2, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    run = ingest(
        client_a,
        surfside_file([("11/3/2025", 100, 1, 0, "0"), ("11/4/2025", 100, 1, 0, "0")]),
    )
    assert (run.rows_loaded, run.rows_failed) == (1, 1)
    refused = StagingRow.objects.get(run=run, is_valid=False)
    assert refused.errors == [{"column": "Event Date", "message": "2025-11-04 is in the future"}]
    assert list(METRICS.values_list("date", flat=True)) == [dt.date(2025, 11, 3)]


def test_a_blank_date_is_an_error_in_the_run(client_a):
    run = ingest(client_a, surfside_file([("11/3/2025", 100, 1, 0, "0"), ("", 100, 1, 0, "0")]))
    assert run.status == RunStatus.PARTIAL
    refused = StagingRow.objects.get(run=run, is_valid=False)
    assert refused.errors == [{"column": "Event Date", "message": "is empty"}]


def test_rows_that_all_have_one_cell_too_many_are_refused_with_a_reason(client_a):
    """pandas would read the first column as an index and shift every cell by one."""
    content = surfside_file([("11/3/2025", 100, 1, 0, "0")]).replace(b"\n11", b"\nextra,11")
    run = ingest(client_a, content)
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "d.csv is not a well-formed CSV file on line 2 (a row has more cells than the "
        "header). Export the report again."
    )
    assert not METRICS.exists()
