import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import AuditAction, AuditLog, LoginAttemptCount
from campaigns.tests.factories import CreativeFactory
from ingestion.models import IngestionRun, StagingRow
from ingestion.tests.factories import IngestionRunFactory
from metrics.models import CampaignDayRollup, DailyMetric
from metrics.partitions import month_partitions
from metrics.retention_policy import cutoffs
from metrics.tests.factories import DailyMetricFactory, rollups_built
from operations.retention import purge_expired, read_archive
from operations.tasks import retention_run
from reports.models import MetricArchive, PeriodType, ScheduledRun, Summary

pytestmark = pytest.mark.django_db

# A retention run for this day keeps daily metrics from Oct 1, 2025 (13 months before November).
DAY = dt.date(2026, 11, 3)


@pytest.fixture(autouse=True)
def _clean_archives():
    yield
    if default_storage.exists("archives"):
        import shutil

        shutil.rmtree(default_storage.path("archives"))


@pytest.fixture
def old_metrics(client_a, client_b):
    """Client A: two rows in Aug 2025 and three in Sep 2025 (expired), one on Oct 1 2025 (kept);
    client B, with the same campaign names: one row in Sep 2025 (expired), one on Oct 1 (kept).
    Both at the factory's CPM of 15.00."""
    creative = CreativeFactory(
        name='=HYPERLINK("x")', placement__strategy__campaign__client=client_a
    )
    other = CreativeFactory(
        placement__strategy__campaign__client=client_b,
        placement__strategy__campaign__name=creative.placement.strategy.campaign.name,
    )
    rows = [
        DailyMetricFactory(creative=creative, date=dt.date(2025, 8, 1), impressions=1000),
        DailyMetricFactory(creative=creative, date=dt.date(2025, 8, 31), impressions=2000),
        DailyMetricFactory(creative=creative, date=dt.date(2025, 9, 1), impressions=3000),
        DailyMetricFactory(creative=creative, date=dt.date(2025, 9, 15), impressions=4000),
        DailyMetricFactory(
            creative=creative,
            date=dt.date(2025, 9, 30),
            impressions=5000,
            source_spend=None,
        ),
        DailyMetricFactory(creative=creative, date=dt.date(2025, 10, 1), impressions=6000),
        DailyMetricFactory(creative=other, date=dt.date(2025, 9, 2), impressions=7000),
        DailyMetricFactory(creative=other, date=dt.date(2025, 10, 1), impressions=8000),
    ]
    rollups_built(*rows)
    return rows


def test_cutoffs_follow_the_settings(settings):
    settings.RETENTION_DAILY_METRICS_MONTHS = 13
    settings.RETENTION_STAGING_DAYS = 7
    limits = cutoffs(DAY)
    assert limits.daily_metrics == dt.date(2025, 10, 1)
    assert limits.staging.date() == dt.date(2026, 10, 28)
    settings.RETENTION_DAILY_METRICS_MONTHS = 1
    assert cutoffs(dt.date(2026, 1, 15)).daily_metrics == dt.date(2025, 12, 1)


def test_old_months_are_archived_per_client_then_their_partitions_dropped_rollups_kept(
    client_a, client_b, old_metrics, django_capture_on_commit_callbacks
):
    rollups_before = sorted(CampaignDayRollup.objects.values_list("client_id", "date", "spend"))
    assert len(rollups_before) == 8
    summary = Summary.objects.create(
        client=client_a,
        period_type=PeriodType.MONTH,
        start=dt.date(2025, 9, 1),
        end=dt.date(2025, 9, 30),
        previous_start=dt.date(2025, 8, 1),
        previous_end=dt.date(2025, 8, 31),
        impressions=12_000,
        generated_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run(DAY.isoformat()) == 2  # August and September 2025

    archives = {
        (archive.client_id, archive.month): archive for archive in MetricArchive.objects.all()
    }
    assert set(archives) == {
        (client_a.pk, dt.date(2025, 8, 1)),
        (client_a.pk, dt.date(2025, 9, 1)),
        (client_b.pk, dt.date(2025, 9, 1)),
    }
    september = archives[client_a.pk, dt.date(2025, 9, 1)]
    assert september.file_name == f"archives/daily-metrics/client-{client_a.pk}/2025-09.csv.gz"
    # 3,000 + 4,000 + 5,000 impressions at 15.00 per thousand.
    assert (september.rows, september.impressions, september.spend) == (
        3,
        12_000,
        Decimal("180.000000"),
    )
    other = archives[client_b.pk, dt.date(2025, 9, 1)]
    assert (other.rows, other.impressions, other.spend) == (1, 7000, Decimal("105.000000"))

    # The archive reads back with every row, spend as billed to the last decimal.
    rows = read_archive(september.file_name)
    assert [row["date"] for row in rows] == ["2025-09-01", "2025-09-15", "2025-09-30"]
    assert [row["spend"] for row in rows] == ["45.000000", "60.000000", "75.000000"]
    assert rows[-1]["source_spend"] == ""
    assert rows[0]["creative_name"] == '=HYPERLINK("x")'  # archives keep exact values
    assert rows[0]["client_id"] == str(client_a.pk)
    assert [row["client_id"] for row in read_archive(other.file_name)] == [str(client_b.pk)]

    # The expired months' partitions are gone; October stays for both clients, untouched.
    months = [partition.month for partition in month_partitions()]
    assert dt.date(2025, 8, 1) not in months and dt.date(2025, 9, 1) not in months
    assert sorted(DailyMetric.objects.values_list("client_id", "date", "impressions")) == [
        (client_a.pk, dt.date(2025, 10, 1), 6000),
        (client_b.pk, dt.date(2025, 10, 1), 8000),
    ]
    # Daily rollups and summaries are kept forever (SPEC 5), archived months included.
    assert sorted(CampaignDayRollup.objects.values_list("client_id", "date", "spend")) == (
        rollups_before
    )
    summary.refresh_from_db()
    assert summary.impressions == 12_000

    # Safe to run twice: nothing is left to archive.
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run(DAY.isoformat()) == 0
    assert MetricArchive.objects.count() == 3


def test_a_month_whose_archive_cannot_be_written_stays_in_the_database(
    client_a, client_b, old_metrics, monkeypatch
):
    from operations import retention

    def refuse(name, content, max_length=None):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", refuse)
    with pytest.raises(OSError, match="disk full"):
        retention.archive_expired(day=DAY)

    assert DailyMetric.objects.filter(client=client_a).count() == 6
    assert DailyMetric.objects.filter(client=client_b).count() == 2
    assert CampaignDayRollup.objects.filter(client=client_a).count() == 6
    assert not MetricArchive.objects.exists()
    assert not default_storage.exists("archives/daily-metrics")


def test_staging_logs_ledger_and_audit_entries_are_purged_past_their_age(client_a):
    now = timezone.make_aware(dt.datetime(2026, 11, 3, 12))
    old_run = IngestionRunFactory(client=client_a)
    recent_run = IngestionRunFactory(client=client_a)
    IngestionRun.objects.filter(pk=old_run.pk).update(started_at=now - dt.timedelta(days=91))
    IngestionRun.objects.filter(pk=recent_run.pk).update(started_at=now - dt.timedelta(days=89))
    for age, number in ((8, 1), (6, 2)):
        StagingRow.objects.create(
            run=recent_run,
            row_number=number,
            raw={},
            is_valid=True,
            created_at=now - dt.timedelta(days=age),
        )
    StagingRow.objects.create(run=old_run, row_number=1, raw={}, is_valid=True, created_at=now)
    ScheduledRun.objects.create(job="surfside", intended_at=now - dt.timedelta(days=91))
    ScheduledRun.objects.create(job="surfside", intended_at=now - dt.timedelta(days=1))
    old_entry = AuditLog.objects.create(action=AuditAction.LOGIN, username="ana")
    recent_entry = AuditLog.objects.create(action=AuditAction.LOGIN, username="ana")
    AuditLog.objects.filter(pk=old_entry.pk).update(created_at=now - dt.timedelta(days=731))
    AuditLog.objects.filter(pk=recent_entry.pk).update(created_at=now - dt.timedelta(days=729))
    LoginAttemptCount.objects.create(
        key="user:gone", count=9, window_ends=timezone.now() - dt.timedelta(seconds=1)
    )
    LoginAttemptCount.objects.create(
        key="user:ana", count=2, window_ends=timezone.now() + dt.timedelta(minutes=10)
    )
    summary = Summary.objects.create(
        client=client_a,
        period_type=PeriodType.WEEK,
        start=dt.date(2020, 1, 6),
        end=dt.date(2020, 1, 12),
        previous_start=dt.date(2019, 12, 30),
        previous_end=dt.date(2020, 1, 5),
        generated_at=timezone.now(),
    )

    purged = purge_expired(day=DAY)

    assert purged == {
        "vibe_reports": 0,
        "staging_rows": 1,
        "ingestion_runs": 1,
        "scheduled_runs": 1,
        "audit_entries": 1,
        "login_attempts": 1,
    }
    assert list(LoginAttemptCount.objects.values_list("key", flat=True)) == ["user:ana"]
    assert list(IngestionRun.objects.values_list("pk", flat=True)) == [recent_run.pk]
    # The old run's staging row went with it; of the recent run's, the 8-day-old one went.
    assert list(StagingRow.objects.values_list("row_number", flat=True)) == [2]
    assert ScheduledRun.objects.count() == 1
    assert list(AuditLog.objects.values_list("pk", flat=True)) == [recent_entry.pk]
    assert Summary.objects.filter(pk=summary.pk).exists()  # summaries are kept forever


def test_finished_vibe_reports_go_with_their_csv_after_the_log_age(client_a):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from ingestion.models import ReportState, VibeReportRequest

    now = timezone.make_aware(dt.datetime(2026, 11, 3, 12))
    name = default_storage.save("vibe/reports/old.csv", ContentFile(b"impression_date\n"))
    old = VibeReportRequest.objects.create(
        client=client_a,
        start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 7, 3),
        state=ReportState.LOADED,
        file_key=name,
    )
    active = VibeReportRequest.objects.create(
        client=client_a,
        start_date=dt.date(2026, 7, 4),
        end_date=dt.date(2026, 7, 6),
        state=ReportState.POLLING,
    )
    VibeReportRequest.objects.filter(pk__in=[old.pk, active.pk]).update(
        updated_at=now - dt.timedelta(days=91)
    )

    assert purge_expired(day=DAY)["vibe_reports"] == 1
    assert list(VibeReportRequest.objects.values_list("pk", flat=True)) == [active.pk]
    assert not default_storage.exists(name)
