"""Surfside deliveries from S3 (moto stands in for S3; botocore's Stubber for the faults moto
cannot produce)."""

import datetime as dt
import io

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from django.core import mail
from moto import mock_aws

from ingestion.models import RunStatus, RunTrigger, SurfsideConnection
from ingestion.sources.surfside import s3
from ingestion.sources.surfside.services import surfside_connection_set, surfside_ingest_day
from ingestion.tests.helpers import nothing_loaded, row, surfside_csv
from metrics.models import DailyMetric

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 11, 3)


@pytest.fixture
def bucket(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="surfside-deliveries")
        yield client


@pytest.fixture
def connection(client_a, admin_user):
    return surfside_connection_set(
        client=client_a,
        bucket="surfside-deliveries",
        prefix="acme/",
        file_pattern="acme_{date:%Y%m%d}*.csv",
        campaign_name="Always on",
        by=admin_user,
    )


def test_the_days_file_is_found_downloaded_and_loaded(bucket, connection, client_a):
    bucket.put_object(
        Bucket="surfside-deliveries",
        Key="acme/acme_20251103_v1.csv",
        Body=surfside_csv(row(), row(creative="Skyscraper", size="160x600")),
    )
    bucket.put_object(
        Bucket="surfside-deliveries",
        Key="acme/acme_20251104_v1.csv",
        Body=surfside_csv(row(date="11/4/2025")),
    )
    run = surfside_ingest_day(client=client_a, day=DAY, trigger=RunTrigger.SCHEDULE)
    assert run.status == RunStatus.SUCCESS, run.message
    assert (run.file_key, run.file_name) == ("acme/acme_20251103_v1.csv", "acme_20251103_v1.csv")
    assert DailyMetric.objects.count() == 2
    assert set(DailyMetric.objects.values_list("campaign__name", flat=True)) == {"Always on"}


def test_the_newest_of_several_matching_files_wins(monkeypatch, connection):
    """The key that sorts last is the oldest delivery: LastModified decides, not the name."""
    stubber = _stubbed(monkeypatch)
    stubber.add_response(
        "list_objects_v2",
        {
            "Contents": [
                {
                    "Key": "acme/acme_20251103_a.csv",
                    "Size": 10,
                    "LastModified": dt.datetime(2025, 11, 4, 9, tzinfo=dt.UTC),
                },
                {
                    "Key": "acme/acme_20251103_z.csv",
                    "Size": 10,
                    "LastModified": dt.datetime(2025, 11, 4, 6, tzinfo=dt.UTC),
                },
                {
                    "Key": "acme/acme_20251104_a.csv",
                    "Size": 10,
                    "LastModified": dt.datetime(2025, 11, 5, 6, tzinfo=dt.UTC),
                },
                {
                    "Key": "acme/other_20251103.csv",
                    "Size": 10,
                    "LastModified": dt.datetime(2025, 11, 6, 6, tzinfo=dt.UTC),
                },
            ]
        },
    )
    with stubber:
        found = s3.find_delivery(connection, DAY)
    assert found is not None
    assert found.key == "acme/acme_20251103_a.csv"


def test_a_missing_file_is_logged_alerted_and_changes_nothing(
    bucket, connection, client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = surfside_ingest_day(client=client_a, day=DAY, trigger=RunTrigger.SCHEDULE)
    assert run.status == RunStatus.MISSING_FILE
    assert run.message == (
        "No file delivered for 2025-11-03: nothing matches "
        "s3://surfside-deliveries/acme/acme_20251103*.csv."
    )
    assert nothing_loaded()
    assert len(mail.outbox) == 1
    assert (
        mail.outbox[0].subject == "[Dashboard] Missing daily file: Acme Foods Surfside 2025-11-03"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "acme/acme_20251103.csv is empty (0 bytes). Ask Surfside to deliver it again."),
        (
            b"<html><head><title>403 Forbidden</title></head></html>",
            "is an HTML/XML page, not a CSV export",
        ),
    ],
    ids=["empty", "html-error-page"],
)
def test_empty_objects_and_error_pages_are_refused(
    bucket, connection, client_a, body, message, django_capture_on_commit_callbacks
):
    bucket.put_object(Bucket="surfside-deliveries", Key="acme/acme_20251103.csv", Body=body)
    with django_capture_on_commit_callbacks(execute=True):
        run = surfside_ingest_day(client=client_a, day=DAY, trigger=RunTrigger.SCHEDULE)
    assert run.status == RunStatus.FAILED
    assert message in run.message
    assert nothing_loaded()
    assert len(mail.outbox) == 1


def test_a_missing_bucket_is_explained(bucket, client_a, admin_user):
    surfside_connection_set(
        client=client_a,
        bucket="no-such-bucket",
        prefix="",
        by=admin_user,
        file_pattern="{date}.csv",
        campaign_name="",
    )
    run = surfside_ingest_day(client=client_a, day=DAY, trigger=RunTrigger.MANUAL)
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "The bucket 'no-such-bucket' does not exist. Check the client's Surfside connection."
    )


def _stubbed(monkeypatch):
    client = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    monkeypatch.setattr(s3, "s3_client", lambda: client)
    return stubber


def test_access_denied_is_explained(monkeypatch, connection, client_a):
    stubber = _stubbed(monkeypatch)
    stubber.add_client_error(
        "list_objects_v2", service_error_code="AccessDenied", http_status_code=403
    )
    with stubber:
        run = surfside_ingest_day(client=client_a, day=DAY, trigger=RunTrigger.MANUAL)
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "Access to s3://surfside-deliveries/acme/ was denied while listing "
        "the deliveries. Check the AWS credentials and the bucket policy."
    )


def test_a_truncated_download_is_refused(monkeypatch, connection, client_a):
    stubber = _stubbed(monkeypatch)
    content = surfside_csv(row())
    stubber.add_response(
        "list_objects_v2",
        {
            "Contents": [
                {
                    "Key": "acme/acme_20251103.csv",
                    "Size": len(content),
                    "LastModified": dt.datetime(2025, 11, 4, tzinfo=dt.UTC),
                }
            ]
        },
    )
    stubber.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(content[:20]), 20), "ContentLength": len(content)},
    )
    with stubber:
        run = surfside_ingest_day(client=client_a, day=DAY, trigger=RunTrigger.MANUAL)
    assert run.status == RunStatus.FAILED
    assert run.message == (
        f"acme/acme_20251103.csv arrived truncated (20 of {len(content)} bytes). Re-run later."
    )
    assert nothing_loaded()


def test_an_oversized_object_is_not_downloaded(monkeypatch, connection, client_a, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    stubber = _stubbed(monkeypatch)
    stubber.add_response(
        "list_objects_v2",
        {
            "Contents": [
                {
                    "Key": "acme/acme_20251103.csv",
                    "Size": 5000,
                    "LastModified": dt.datetime(2025, 11, 4, tzinfo=dt.UTC),
                }
            ]
        },
    )
    with stubber:  # no get_object response is stubbed: a download would fail the test
        run = surfside_ingest_day(client=client_a, day=DAY, trigger=RunTrigger.MANUAL)
    assert run.message == (
        "acme/acme_20251103.csv is 0 MB, above the 0 MB limit; it was not downloaded."
    )


def test_a_client_without_connection_gets_a_clear_failure(client_b):
    run = surfside_ingest_day(client=client_b, day=DAY, trigger=RunTrigger.MANUAL)
    assert run.status == RunStatus.FAILED
    assert "has no Surfside connection" in run.message


def test_an_invalid_file_pattern_is_refused(client_a, admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="is not valid"):
        surfside_connection_set(
            client=client_a,
            bucket="deliveries",
            prefix="",
            by=admin_user,
            file_pattern="{day}.csv",
            campaign_name="",
        )
    assert not SurfsideConnection.objects.exists()
