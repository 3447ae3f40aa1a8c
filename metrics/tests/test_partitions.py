"""Monthly partitions of the daily metrics: any date stored after ``migrate``, the months ahead
created idempotently, rows moved out of the DEFAULT partition, ORM deletes on the partitioned
table, and metric rows that outlive their ingestion run."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.tests.factories import CreativeFactory
from ingestion.models import IngestionRun
from metrics.models import DailyMetric
from metrics.partitions import (
    DEFAULT_PARTITION,
    month_partitions,
    partition_name,
    partitions_ensure,
)
from metrics.tests.factories import DailyMetricFactory
from operations.retention import purge_expired

pytestmark = pytest.mark.django_db


def _partition_of(row: DailyMetric) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM metrics_dailymetric WHERE id = %s", [row.pk]
        )
        return cursor.fetchone()[0]


def _month(day: dt.date, ahead: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + ahead
    return dt.date(index // 12, index % 12 + 1, 1)


def test_migrate_leaves_a_partition_for_any_date(client_a):
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    today = timezone.localdate()
    months = [partition.month for partition in month_partitions()]
    assert [_month(today, ahead) for ahead in range(4)] == months[-4:]

    far = DailyMetricFactory(creative=creative, date=dt.date(2199, 12, 31))
    old = DailyMetricFactory(creative=creative, date=dt.date(2000, 1, 1))
    current = DailyMetricFactory(creative=creative, date=today)

    assert _partition_of(far) == DEFAULT_PARTITION
    assert _partition_of(old) == DEFAULT_PARTITION
    assert _partition_of(current) == partition_name(today.replace(day=1))
    assert DailyMetric.objects.filter(client=client_a).count() == 3


def test_the_monthly_job_creates_the_coming_months_once_and_empties_the_default(client_a):
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    old = DailyMetricFactory(creative=creative, date=dt.date(2000, 1, 15), impressions=4321)
    day = dt.date(2031, 6, 20)

    created = partitions_ensure(today=day, months_ahead=2)

    assert created == [
        dt.date(2000, 1, 1),
        dt.date(2031, 6, 1),
        dt.date(2031, 7, 1),
        dt.date(2031, 8, 1),
    ]
    assert partitions_ensure(today=day, months_ahead=2) == []
    # The January 2000 row moved to its own month, unchanged; the DEFAULT partition is empty.
    assert _partition_of(old) == "metrics_dailymetric_y2000m01"
    assert DailyMetric.objects.get(pk=old.pk).impressions == 4321
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION}")
        assert cursor.fetchone()[0] == 0
    # The moved partition enforces the natural key like the others.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_indexes WHERE tablename = 'metrics_dailymetric_y2000m01'"""
        )
        assert cursor.fetchone()[0] == 3  # primary key, natural key, (client, source, date)
    # New rows of the new months land in their partitions.
    later = DailyMetricFactory(creative=creative, date=dt.date(2031, 8, 31))
    assert _partition_of(later) == "metrics_dailymetric_y2031m08"


def test_client_and_campaign_deletes_cascade_through_the_partitions(client_a, client_b):
    """Two tenants with the same names and dates, one in a month partition, one in DEFAULT."""
    today = timezone.localdate()
    for client in (client_a, client_b):
        creative = CreativeFactory(
            name="Banner",
            placement__strategy__campaign__client=client,
            placement__strategy__campaign__name="Spring Sale",
        )
        DailyMetricFactory(creative=creative, date=today)
        DailyMetricFactory(creative=creative, date=dt.date(2001, 3, 4))

    Campaign.objects.filter(client=client_a).delete()
    assert DailyMetric.objects.filter(client=client_a).count() == 0
    assert DailyMetric.objects.filter(client=client_b).count() == 2

    client_b.delete()
    assert not DailyMetric.objects.exists()


def test_a_purged_run_leaves_its_metric_rows_alone(client_a):
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    run = IngestionRun.objects.create(
        client=client_a, source=creative.placement.strategy.campaign.source
    )
    IngestionRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(days=400)
    )
    row = DailyMetricFactory(creative=creative, ingestion_run=run, date=dt.date(2026, 1, 5))

    assert purge_expired(day=timezone.localdate())["ingestion_runs"] == 1

    # No scan of the metrics for the run: the row keeps its (now dangling) run id.
    assert DailyMetric.objects.filter(ingestion_run_id=run.pk).count() == 1
    assert DailyMetric.objects.get(pk=row.pk).impressions == 10_000
