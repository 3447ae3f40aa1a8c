"""Pipeline guarantees: atomic loads, no interleaving, one alert per run."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction

from ingestion import loader
from ingestion.models import IngestionRun, RunStatus, StagingRow
from ingestion.pipeline import run_ingestion
from ingestion.tests.helpers import row, surfside_csv
from metrics.models import DailyMetric


def ingest(client, content):
    return run_ingestion(client=client, source="surfside", content=content, file_name="d.csv")


@pytest.mark.django_db
def test_a_failure_mid_load_leaves_the_previous_data(client_a):
    ingest(client_a, surfside_csv(row(impressions="1000")))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
            CREATE TRIGGER refuse_update BEFORE UPDATE ON metrics_dailymetric
            FOR EACH ROW EXECUTE FUNCTION refuse_update();
            """
        )
    run = ingest(client_a, surfside_csv(row(impressions="5000"), row(creative="New")))
    assert run.status == RunStatus.FAILED
    assert run.message.startswith(
        f"The run failed unexpectedly and nothing was changed (run #{run.pk}"
    )
    assert list(DailyMetric.objects.values_list("creative__name", "impressions")) == [
        ("Banner", 1000)
    ]
    assert not StagingRow.objects.filter(run=run).exists()


@pytest.mark.django_db
def test_one_alert_per_run_not_per_row(client_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = ingest(
            client_a, surfside_csv(row(), *(row(creative=f"C{n}", clicks="x") for n in range(20)))
        )
    assert run.status == RunStatus.PARTIAL
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Dashboard] Rows refused: Acme Foods Surfside 2025-11-03"
    assert message.to == ["alerts@agency.example"]
    assert "Rows: 21 read, 1 loaded, 20 refused" in message.body
    assert f"/admin/ingestion/ingestionrun/{run.pk}/change/" in message.body


@pytest.mark.django_db
def test_a_clean_run_sends_no_alert(client_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(client_a, surfside_csv(row()))
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_runs_for_the_same_client_and_source_never_interleave(client_a):
    """While one run holds the client's Surfside lock, a second run waits without writing."""
    holding = threading.Event()
    release = threading.Event()

    def hold_lock():
        with transaction.atomic():
            loader.lock_client_source(client_id=client_a.pk, source="surfside")
            holding.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    holding.wait(10)
    results = {}

    def second_run():
        results["run"] = ingest(client_a, surfside_csv(row()))
        connection.close()

    runner = threading.Thread(target=second_run)
    runner.start()
    time.sleep(0.5)
    waiting = IngestionRun.objects.get()
    assert waiting.status == RunStatus.PROCESSING
    assert not StagingRow.objects.exists()
    assert not DailyMetric.objects.exists()
    release.set()
    runner.join(20)
    holder.join(20)
    assert results["run"].status == RunStatus.SUCCESS
    assert DailyMetric.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_another_source_of_the_same_client_is_not_blocked(client_a):
    holding = threading.Event()
    release = threading.Event()

    def hold_lock():
        with transaction.atomic():
            loader.lock_client_source(client_id=client_a.pk, source="facebook")
            holding.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    holding.wait(10)
    try:
        run = ingest(client_a, surfside_csv(row()))
        assert run.status == RunStatus.SUCCESS
    finally:
        release.set()
        holder.join(10)
