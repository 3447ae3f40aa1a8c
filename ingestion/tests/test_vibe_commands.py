"""Vibe through the operator's entry points: ``ingest``, ``backfill`` and the trigger API,
against the fake Vibe over real HTTP (real clock, intervals shortened by settings)."""

import pytest
from django.core.management import call_command

from devtools.fake_vibe import FakeVibe, FakeVibeConfig, FakeVibeServer
from ingestion.models import IngestionRun, ReportState, VibeReportRequest
from ingestion.sources.vibe.services import vibe_connection_set
from metrics.models import DailyMetric
from tests.source_data import VIBE_ADVERTISER, VIBE_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_vibe(settings):
    settings.VIBE_FIRST_POLL_DELAY_SECONDS = 0
    settings.VIBE_POLL_MIN_INTERVAL_SECONDS = 0
    with FakeVibeServer(FakeVibe(FakeVibeConfig(api_keys={VIBE_KEY: None}))) as server:
        yield server


@pytest.fixture
def connected(client_a, live_vibe):
    return vibe_connection_set(
        client=client_a,
        advertiser_id=VIBE_ADVERTISER,
        api_key=VIBE_KEY,
        base_url=live_vibe.base_url,
        by=None,
    )


def test_ingest_runs_the_whole_report_flow_in_the_foreground(connected, client_a, capsys):
    call_command("ingest", "--source", "vibe", "--client", "acme", "--date", "2025-11-03")
    captured = capsys.readouterr()
    run = IngestionRun.objects.get(source="vibe")
    assert captured.out.startswith(f"vibe acme 2025-11-03: success - {run.rows_read:,} rows read")
    assert "Vibe report request #" in captured.err
    assert DailyMetric.objects.filter(client=client_a, source="vibe").exists()
    assert VibeReportRequest.objects.get().state == ReportState.LOADED
    assert VIBE_KEY not in captured.out + captured.err


def test_ingest_without_a_connection_fails_cleanly(client_a):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Vibe connection"):
        call_command("ingest", "--source", "vibe", "--client", "acme", "--date", "2025-11-03")


def test_backfill_splits_a_long_range_into_45_day_reports(connected, capsys):
    call_command(
        "backfill",
        "--source",
        "vibe",
        "--client",
        "all",
        "--start",
        "2025-06-01",
        "--end",
        "2025-09-30",
    )
    out = capsys.readouterr().out
    requests = list(VibeReportRequest.objects.order_by("start_date"))
    assert [(r.start_date.isoformat(), r.end_date.isoformat()) for r in requests] == [
        ("2025-06-01", "2025-07-15"),
        ("2025-07-16", "2025-08-29"),
        ("2025-08-30", "2025-09-30"),
    ]
    assert "3 Vibe report(s) queued" in out


def test_trigger_api_queues_a_vibe_report(api, admin_user, connected, client_a):
    response = api(admin_user).post(
        "/api/v1/admin/ingestion/trigger",
        {"client_id": client_a.pk, "source": "vibe", "date": "2025-11-03"},
        format="json",
    )
    assert response.status_code == 202
    assert response.json()["state"] == "requested"
    assert VibeReportRequest.objects.get().pk == response.json()["report_request_id"]


def test_the_scheduled_pull_asks_for_the_trailing_window_of_its_intended_day(connected, settings):
    from ingestion.sources.vibe.tasks import vibe_daily_all

    settings.VIBE_TRAILING_DAYS = 3
    [request_id] = vibe_daily_all(day="2025-11-03")
    request = VibeReportRequest.objects.get(pk=request_id)
    assert (request.start_date.isoformat(), request.end_date.isoformat()) == (
        "2025-11-01",
        "2025-11-03",
    )
    assert vibe_daily_all(day="2025-11-03") == [request_id]  # running twice asks Vibe once
