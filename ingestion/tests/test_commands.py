"""``manage.py ingest`` and ``manage.py backfill`` as an operator runs them."""

import datetime as dt
import os
import subprocess
import sys

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from moto import mock_aws

from ingestion.models import BackfillJob, IngestionRun
from ingestion.sources.surfside.services import surfside_connection_set
from ingestion.tests.helpers import row, surfside_csv
from metrics.models import DailyMetric
from tests.source_data import SAMPLES

pytestmark = pytest.mark.django_db


def test_ingest_a_local_file_prints_one_summary_line(client_a, capsys):
    call_command(
        "ingest",
        "--source",
        "surfside",
        "--client",
        "acme",
        "--file",
        str(SAMPLES / "surfside/surfside_sample_excel_export.csv"),
    )
    out = capsys.readouterr().out
    run = IngestionRun.objects.get()
    assert out.splitlines()[0].startswith(
        f"surfside acme surfside_sample_excel_export.csv: success - 496 rows read, 496 loaded, "
        f"0 refused (run #{run.pk}, "
    )
    assert DailyMetric.objects.filter(client=client_a).count() == 496


def test_ingest_of_a_refused_file_fails_with_the_reason(client_a):
    with pytest.raises(CommandError, match="not one row per day"):
        call_command(
            "ingest",
            "--source",
            "facebook",
            "--client",
            "acme",
            "--file",
            str(SAMPLES / "facebook/facebook_monthly_export.csv"),
        )


def test_ingest_refuses_an_unknown_client_and_a_bad_date(client_a):
    with pytest.raises(CommandError, match="No client with slug 'nope'. Known clients: acme."):
        call_command("ingest", "--source", "surfside", "--client", "nope")
    with pytest.raises(CommandError, match="--date must be a date as YYYY-MM-DD, not '3/11'."):
        call_command("ingest", "--source", "surfside", "--client", "acme", "--date", "3/11")


def test_facebook_needs_a_file(client_a):
    with pytest.raises(CommandError, match="Facebook data comes from files: pass --file PATH."):
        call_command("ingest", "--source", "facebook", "--client", "acme")


def test_ingest_refuses_an_oversized_file_before_reading_it(client_a, tmp_path, settings):
    settings.MAX_UPLOAD_BYTES = 10
    path = tmp_path / "big.csv"
    path.write_bytes(surfside_csv(row()))
    with pytest.raises(CommandError, match="big.csv is 0.0 MB; the limit is 0 MB."):
        call_command("ingest", "--source", "surfside", "--client", "acme", "--file", str(path))
    assert not IngestionRun.objects.exists()


def test_the_command_exits_non_zero_without_a_traceback(tmp_path):
    """Run as an operator would: a real process (on the test database), its exit code and
    stderr."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@/{database['NAME']}"
        f"?host={database['HOST']}" + (f"&port={database['PORT']}" if database["PORT"] else "")
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "ingest",
            "--source",
            "surfside",
            "--client",
            "ghost",
            "--settings",
            "dashboard_project.settings.test",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "DATABASE_URL": url},
    )
    assert result.returncode == 1
    assert "No client with slug 'ghost'" in result.stderr
    assert "Traceback" not in result.stderr


def test_backfill_runs_every_day_with_a_progress_bar_and_summary(
    client_a, admin_user, capsys, monkeypatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="deliveries")
        for day in (3, 4):
            s3.put_object(
                Bucket="deliveries",
                Key=f"acme/2025-11-0{day}.csv",
                Body=surfside_csv(row(date=f"11/{day}/2025")),
            )
        surfside_connection_set(
            client=client_a,
            bucket="deliveries",
            prefix="acme/",
            file_pattern="{date}.csv",
            campaign_name="",
            by=admin_user,
        )
        call_command(
            "backfill",
            "--source",
            "surfside",
            "--client",
            "all",
            "--start",
            "2025-11-03",
            "--end",
            "2025-11-05",
        )
    out = capsys.readouterr().out
    assert "[##########--------------------] 1/3 acme 2025-11-03 success" in out
    assert "acme                    2025-11-05  missing_file           0" in out
    assert "3 days loaded, 1 without data" in out
    job = BackfillJob.objects.get()
    assert (job.status, job.steps_done) == ("done", 3)
    assert sorted(DailyMetric.objects.values_list("date", flat=True)) == [
        dt.date(2025, 11, 3),
        dt.date(2025, 11, 4),
    ]


def test_backfill_refuses_a_reversed_range(client_a):
    with pytest.raises(CommandError, match="The end date is before the start date."):
        call_command(
            "backfill",
            "--source",
            "surfside",
            "--client",
            "acme",
            "--start",
            "2025-11-05",
            "--end",
            "2025-11-03",
        )
