"""Several hosts (issue 13, Deliver 7): queued uploads and exports go through django-storages,
so a web host and a worker host that share no disk work together. Default storage is S3 here
(moto stands in for it): the web request stores the upload in the bucket and the worker reads it
from there; the worker writes the export into the bucket and the web request streams it back."""

import boto3
import pytest
from moto import mock_aws

from ingestion.models import FacebookUpload
from ingestion.tests.test_uploads import upload
from metrics.models import DailyMetric
from reports.models import ExportJob
from reports.tests.test_exports import WEEK, content

pytestmark = pytest.mark.django_db

BUCKET = "dashboard-files"


@pytest.fixture
def s3_storage(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": BUCKET, "location": "files", "file_overwrite": False},
            },
        }
        yield s3


def _keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_queued_upload_and_a_queued_export_go_through_s3(
    api, user_a, settings, s3_storage, django_capture_on_commit_callbacks
):
    settings.UPLOAD_INLINE_MAX_BYTES = 10
    settings.EXPORT_INLINE_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False) as queued:
        accepted = upload(api, user_a)
    assert accepted.status_code == 202
    stored = FacebookUpload.objects.get()
    # The web request put the file in the bucket; the worker finds it there.
    assert _keys(s3_storage) == [f"files/{stored.file.name}"]
    for callback in queued:
        callback()
    loaded = api(user_a).get(accepted.json()["status_url"]).json()
    assert (loaded["status"], loaded["rows_loaded"]) == ("loaded", 3)
    assert DailyMetric.objects.filter(client=user_a.client).count() == 2

    settings.EXPORT_INLINE_MAX_ROWS = 10
    inline = content(
        api(user_a).get("/api/v1/exports/csv?start_date=2025-11-03&end_date=2025-11-09")
    )
    settings.EXPORT_INLINE_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        queued_export = api(user_a).get(f"/api/v1/exports/csv?{WEEK}")
    assert queued_export.status_code == 202
    job = ExportJob.objects.get()
    assert f"files/{job.file.name}" in _keys(s3_storage)
    ready = api(user_a).get(queued_export.json()["status_url"]).json()
    download = api(user_a).get(ready["download_url"])
    assert download.status_code == 200
    assert content(download) == inline
