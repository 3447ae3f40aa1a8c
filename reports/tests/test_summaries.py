import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import AdminFactory
from campaigns.models import Creative, Source
from campaigns.tests.factories import CreativeFactory, StrategyFactory
from clients.models import Client
from ingestion.pipeline import run_ingestion
from metrics.cpm import cpm_rate_add
from metrics.formulas import cpc, ctr
from metrics.models import RollupChange
from metrics.periods import DateRange, Granularity, period_start
from metrics.rollups import rollups_refresh
from metrics.tests.factories import DailyMetricFactory, rollups_built
from reports.models import PeriodType, Summary
from reports.selectors import report_figures
from reports.services import summary_generate
from reports.tasks import summaries_catch_up, summaries_regenerate
from tests.report_data import MONDAY, PREVIOUS_MONDAY, WEEK, measures

pytestmark = pytest.mark.django_db


def test_weekly_summary_of_a_known_week_equals_the_hand_computed_figures(client_a, week):
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert (summary.start, summary.end) == (MONDAY, dt.date(2025, 11, 9))
    assert (summary.previous_start, summary.previous_end) == (
        PREVIOUS_MONDAY,
        dt.date(2025, 11, 2),
    )
    # Ratios of the week's sums, never averages of daily or per-creative ratios.
    assert (summary.impressions, summary.clicks, summary.conversions) == (89_000, 216, 27)
    assert summary.conversion_revenue == Decimal("4550")
    assert summary.spend == Decimal("1335")
    # CTR and CPC over the sources that report clicks: Vibe's 8,000 CTV impressions and $120
    # are left out (216 clicks / 81,000 impressions; $1,215 / 216 clicks).
    assert summary.ctr == Decimal("0.266667")
    assert summary.cpc == Decimal("5.625000")
    assert summary.cpa == Decimal("49.444444")
    assert summary.roas == Decimal("340.823970")
    assert summary.previous == {
        "impressions": 30_000,
        "clicks": 90,
        "conversions": 6,
        "conversion_revenue": "600.000000",
        "spend": "450.000000",
        "ctr": "0.300000",
        "cpc": "5.000000",
        "cpa": "75.000000",
        "roas": "133.333333",
        # What CTR and CPC were made of (the sources that report clicks).
        "click_clicks": 90,
        "click_impressions": 30_000,
        "click_spend": "450.000000",
    }
    assert summary.generated_at is not None


def test_deltas_are_absolute_and_percent_with_points_for_ctr_and_roas(client_a, complete_week):
    # Every day of both weeks: 1,000 / 10 / 1 / $40 / $15 against 500 / 5 / 1 / $20 / $7.50.
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert summary.changes == {
        "impressions": {"absolute": 3_500, "percent": "100.000000"},
        "clicks": {"absolute": 35, "percent": "100.000000"},
        "conversions": {"absolute": 0, "percent": "0.000000"},
        "conversion_revenue": {"absolute": "140.000000", "percent": "100.000000"},
        "spend": {"absolute": "52.500000", "percent": "100.000000"},
        "ctr": {"absolute": "0.000000", "percent": None},
        "cpc": {"absolute": "0.000000", "percent": "0.000000"},
        "cpa": {"absolute": "7.500000", "percent": "100.000000"},
        "roas": {"absolute": "0.000000", "percent": None},
    }
    assert summary.comparison["comparable"] is True
    assert summary.comparison["left_out"] == []


def test_deltas_of_weeks_that_are_not_alike_are_not_given(client_a, week):
    """Issue 12: the week's deltas were +196.67 % impressions against a week with one day of
    Surfside data and none of Vibe; like for like, neither source compares."""
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert summary.changes == dict.fromkeys(summary.changes)
    assert summary.comparison["comparable"] is False
    assert summary.comparison["left_out"] == [
        "Surfside: 1 of 7 days delivered in Oct 27\u2013Nov 2",
        "Vibe: 1 of 7 days pulled, none in Oct 27\u2013Nov 2",
    ]
    # The whole previous week is still stored beside it.
    assert summary.previous["impressions"] == 30_000


def test_top_lists_and_underperformers(client_a, week, settings):
    settings.SUMMARY_TOP_N = 5
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    by_conversions = [
        (row["name"], row["conversions"], row["conversion_revenue"])
        for row in summary.top_campaigns_by_conversions
    ]
    assert by_conversions == [
        ("Spring", 23, "2000.000000"),
        ("Retarget", 3, "2500.000000"),
        ("Brand", 1, "50.000000"),
    ]
    by_revenue = [row["name"] for row in summary.top_campaigns_by_revenue]
    assert by_revenue == ["Retarget", "Spring", "Brand"]
    spring = summary.top_campaigns_by_conversions[0]
    assert spring["source"] == Source.SURFSIDE and spring["client"] == "Acme Foods"
    assert (spring["impressions"], spring["clicks"], spring["spend"]) == (
        35_000,
        190,
        "525.000000",
    )
    # Creatives without a conversion (Narrow X) are not "top" anything.
    creatives = [(row["name"], row["size"], row["campaign"]) for row in summary.top_creatives]
    assert creatives == [
        ("Banner A", "300x250", "Spring"),
        ("Banner B", "728x90", "Spring"),
        ("Video V", "", "Retarget"),
        ("Wide U", "300x250", "Brand"),
    ]
    # One creative name recurs across placements: the lists say which placement it ran in.
    creatives = summary.top_creatives
    assert all(row["placement"] for row in creatives)
    assert {row["placement"] for row in creatives} == set(
        Creative.objects.filter(pk__in=[row["id"] for row in creatives]).values_list(
            "placement__name", flat=True
        )
    )
    # CTR < 0.5 %, spend > 100 and conversions < 5, biggest spend first. Banner A's CTR is
    # exactly 0.5 % (not below); Narrow X spent 90 (not above 100); Video V (CTV, 120 spent,
    # 3 conversions) has no CTR to fall short of.
    assert [(row["name"], row["spend"], row["ctr"]) for row in summary.underperformers] == [
        ("Wide U", "600.000000", "0.050000"),
    ]
    assert summary.underperformer_count == 1


def test_top_lists_are_cut_at_the_setting_and_thresholds_come_from_settings(
    client_a, week, settings
):
    settings.SUMMARY_TOP_N = 2
    settings.SUMMARY_UNDERPERFORMER_MIN_SPEND = Decimal("500")
    settings.SUMMARY_UNDERPERFORMERS_SHOWN = 1
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert [row["name"] for row in summary.top_creatives] == ["Banner A", "Banner B"]
    assert [row["name"] for row in summary.underperformers] == ["Wide U"]
    assert summary.underperformer_count == 1


def test_daily_series_and_completeness_per_source(client_a, week):
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert [day["date"] for day in summary.daily] == [day.isoformat() for day in WEEK]
    assert [day["impressions"] for day in summary.daily] == [
        10_000,
        20_000,
        5_000,
        8_000,
        46_000,
        0,
        0,
    ]
    assert summary.completeness == [
        {
            "source": "surfside",
            "days": 7,
            "days_with_data": 4,
            "complete": False,
            "missing": [
                {"date": "2025-11-06", "reason": "no data: not yet pulled"},
                {"date": "2025-11-08", "reason": "no data: file not delivered"},
                {"date": "2025-11-09", "reason": "no data: not yet pulled"},
            ],
        },
        {
            "source": "vibe",
            "days": 7,
            "days_with_data": 1,
            "complete": False,
            # Vibe first delivered on Thursday: the days before it are not missing.
            "missing": [
                {"date": day.isoformat(), "reason": "no data: not yet pulled"} for day in WEEK[4:]
            ],
        },
    ]
    assert summary.is_complete is False


def test_a_complete_week(client_a, complete_week):
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert summary.is_complete is True
    assert summary.completeness == [
        {"source": "surfside", "days": 7, "days_with_data": 7, "complete": True, "missing": []}
    ]


def test_monthly_summary_compares_with_the_previous_calendar_month(client_a, week):
    summary = summary_generate(
        client=client_a, period_type=PeriodType.MONTH, start=dt.date(2025, 11, 1)
    )

    assert (summary.start, summary.end) == (dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    assert (summary.previous_start, summary.previous_end) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 10, 31),
    )
    # November: the week plus Nov 10; October: Oct 26 and Oct 30.
    assert summary.impressions == 89_007
    assert summary.previous["impressions"] == 30_007
    assert len(summary.daily) == 30


def test_generating_again_replaces_the_summary(client_a, week):
    first = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    again = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert Summary.objects.count() == 1
    assert again.pk == first.pk and again.generated_at >= first.generated_at


@pytest.mark.parametrize(
    ("period_type", "start", "message"),
    [
        (PeriodType.WEEK, dt.date(2025, 11, 4), "starts on a Monday"),
        (PeriodType.MONTH, dt.date(2025, 11, 2), "starts on the first of a month"),
    ],
)
def test_a_period_must_start_on_its_first_day(client_a, period_type, start, message):
    with pytest.raises(ValueError, match=message):
        summary_generate(client=client_a, period_type=period_type, start=start)
    assert not Summary.objects.exists()


# --- Regeneration -----------------------------------------------------------------------------


def test_a_cpm_change_regenerates_the_summaries_it_touches(
    client_a, week, django_capture_on_commit_callbacks
):
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    untouched = summary_generate(
        client=client_a, period_type=PeriodType.WEEK, start=dt.date(2025, 10, 13)
    )

    with django_capture_on_commit_callbacks(execute=True):
        cpm_rate_add(client=client_a, cpm=Decimal("30"), effective_date=WEEK[2], by=AdminFactory())

    summary.refresh_from_db()
    # From Nov 5 every row is re-priced at 30 per thousand: 5,000 + 8,000 + 40,000 + 6,000
    # impressions = 1,770.00; Nov 3 and 4 keep 150 + 300.
    assert summary.spend == Decimal("2220")
    assert summary.roas == Decimal("204.954955")
    assert summary.generated_at > untouched.generated_at
    untouched_after = Summary.objects.get(pk=untouched.pk)
    assert untouched_after.generated_at == untouched.generated_at


def test_late_data_loaded_by_the_pipeline_regenerates_the_week_and_the_week_after(
    client_a, week, django_capture_on_commit_callbacks
):
    this_week = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    next_week = summary_generate(
        client=client_a, period_type=PeriodType.WEEK, start=dt.date(2025, 11, 10)
    )
    assert next_week.previous["impressions"] == 89_000
    export = (
        b"Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
        b"2025-11-09,Late,Prospecting,Ad 1,1000,3,4.50\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        run = run_ingestion(
            client=client_a, source=Source.FACEBOOK, content=export, file_name="late.csv"
        )

    assert run.status == "success"
    this_week.refresh_from_db()
    next_week.refresh_from_db()
    assert this_week.impressions == 90_000
    assert [source["source"] for source in this_week.completeness] == [
        "surfside",
        "vibe",
        "facebook",
    ]
    # The week after compares with this week: its deltas changed too.
    assert next_week.previous["impressions"] == 90_000


def test_a_rollup_change_is_recorded_and_its_catch_up_queued_once_it_commits(
    client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        rollups_refresh(client_id=client_a.pk, date_from=WEEK[6], date_to=None)

    assert list(RollupChange.objects.values_list("client_id", "date_from", "date_to")) == [
        (client_a.pk, WEEK[6], None)
    ]
    assert len(callbacks) == len(settings.ROLLUP_CHANGE_TASKS) == 1


def test_catch_up_regenerates_what_the_changes_touch_and_only_for_their_client(
    client_a, client_b, week
):
    """No callback ran (a worker died before it): the scheduled catch-up still finds the
    change. Client B's change over the same days must not touch client A's summaries."""
    a_week = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    a_later = summary_generate(
        client=client_a, period_type=PeriodType.WEEK, start=dt.date(2025, 11, 24)
    )
    b_week = summary_generate(client=client_b, period_type=PeriodType.WEEK, start=MONDAY)
    RollupChange.objects.all().delete()  # the fixture's own loads recorded changes too
    RollupChange.objects.create(client=client_b, date_from=WEEK[0], date_to=WEEK[6])
    RollupChange.objects.create(client=client_a, date_from=WEEK[1], date_to=WEEK[2])
    RollupChange.objects.create(client=client_a, date_from=WEEK[0], date_to=WEEK[0])

    b_week.spend = Decimal("1")  # so B's regeneration shows, and cannot come from A's change
    b_week.save()

    assert summaries_catch_up() == 2

    assert Summary.objects.get(pk=a_week.pk).generated_at > a_week.generated_at
    assert Summary.objects.get(pk=a_later.pk).generated_at == a_later.generated_at
    assert Summary.objects.get(pk=b_week.pk).spend != Decimal("1")
    assert not RollupChange.objects.exists()
    assert summaries_catch_up() == 0


def test_catch_up_keeps_the_changes_when_regeneration_fails(client_a, week, monkeypatch):
    summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    RollupChange.objects.all().delete()
    RollupChange.objects.create(client=client_a, date_from=WEEK[1], date_to=WEEK[1])

    def broken(**kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr("reports.tasks.summary_generate", broken)
    with pytest.raises(RuntimeError):
        summaries_catch_up()

    assert RollupChange.objects.count() == 1


def test_regeneration_leaves_summaries_of_archived_periods_alone(client_a):
    recent_monday = period_start(timezone.localdate() - dt.timedelta(days=14), Granularity.WEEK)
    recent = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=recent_monday)
    old = Summary.objects.create(
        client=client_a,
        period_type=PeriodType.MONTH,
        start=dt.date(2020, 1, 1),
        end=dt.date(2020, 1, 31),
        previous_start=dt.date(2019, 12, 1),
        previous_end=dt.date(2019, 12, 31),
        impressions=123,
        generated_at=timezone.now(),
    )

    # Its days are gone (archived by retention): regenerating would wipe its figures.
    assert summaries_regenerate(client_a.pk, "2019-12-01", None) == 1

    old.refresh_from_db()
    assert old.impressions == 123
    assert Summary.objects.get(pk=recent.pk).generated_at > recent.generated_at


def test_top_creatives_are_grouped_by_creative_not_by_placement(client_a):
    # One CTV spot on four channels (placements) of one Vibe campaign, and a banner elsewhere.
    strategy = StrategyFactory(
        name="CTV", campaign__name="Winter", campaign__source=Source.VIBE, campaign__client=client_a
    )
    spot_on = [
        CreativeFactory(
            name="Spot 30s", size="", placement__name=channel, placement__strategy=strategy
        )
        for channel in ("News", "Sports", "Movies", "Kids")
    ]
    banner = CreativeFactory(name="Banner", placement__strategy__campaign__client=client_a)
    rows = [
        DailyMetricFactory(creative=creative, date=MONDAY, **measures(1_000, 0, 2, "100", "15"))
        for creative in spot_on
    ] + [DailyMetricFactory(creative=banner, date=MONDAY, **measures(5_000, 9, 5, "90", "75"))]
    rollups_built(*rows)

    figures = report_figures(
        clients=Client.objects.filter(pk=client_a.pk), date_range=DateRange(MONDAY, MONDAY)
    )

    assert [
        (row.name, row.campaign, row.placement, row.totals.conversions, row.totals.impressions)
        for row in figures.top_creatives
    ] == [
        ("Spot 30s", "Winter", "4 placements", 8, 4_000),
        ("Banner", banner.placement.strategy.campaign.name, banner.placement.name, 5, 5_000),
    ]


# --- Click rates of stored summaries (SPEC 9: over click-reporting sources only) ---------------


def test_a_stored_summary_rates_clicks_over_the_sources_that_report_them(client_a, week):
    """The week's 216 clicks come from Surfside's 81,000 impressions and $1,215; Vibe's 8,000
    CTV impressions and $120 cannot be clicked and must not dilute CTR or CPC, read back from the
    stored summary as when it was generated."""
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    stored = Summary.objects.get(pk=summary.pk).figures().current

    assert stored.ctr == ctr(216, 81_000) == Decimal("0.266667")
    assert stored.cpc == cpc(Decimal("1215"), 216) == Decimal("5.625")
    assert (summary.ctr, summary.cpc) == (stored.ctr, stored.cpc)


def test_a_week_of_ctv_alone_is_summarised_with_no_click_rates(client_b):
    video = CreativeFactory(
        name="Video only",
        placement__strategy__campaign__source=Source.VIBE,
        placement__strategy__campaign__client=client_b,
    )
    rollups_built(
        DailyMetricFactory(creative=video, date=WEEK[0], **measures(9_000, 0, 2, "80", "135"))
    )

    summary = summary_generate(client=client_b, period_type=PeriodType.WEEK, start=MONDAY)

    assert (summary.impressions, summary.ctr, summary.cpc) == (9_000, None, None)
    assert summary.figures().current.reports_clicks is False
