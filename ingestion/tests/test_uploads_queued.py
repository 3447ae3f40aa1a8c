"""Large uploads are queued (SPEC 8): 202 with a status URL whose GET gives the outcome once a
worker loaded the file; checks that need no load still answer at once. The threshold is lowered
so a small export counts as large."""

import pytest
from django.conf import settings

from ingestion.models import FacebookUpload, IngestionRun, RunStatus, UploadStatus
from ingestion.tests.test_uploads import EXPORT, upload
from metrics.models import DailyMetric

pytestmark = pytest.mark.django_db

STATUS_PATH = "/api/v1/facebook/uploads/"


@pytest.fixture
def small_threshold(settings):
    settings.UPLOAD_INLINE_MAX_BYTES = 10


def test_the_default_threshold_is_5_mb():
    assert settings.UPLOAD_INLINE_MAX_BYTES == 5 * 1024 * 1024


def test_a_file_at_the_threshold_is_loaded_in_the_request(api, user_a, settings):
    settings.UPLOAD_INLINE_MAX_BYTES = len(EXPORT.encode())
    response = upload(api, user_a)
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["rows_loaded"]) == ("loaded", 3)


def test_a_larger_file_is_queued_then_loaded_by_a_worker(
    api, user_a, small_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(api, user_a)
    assert response.status_code == 202, response.json()
    body = response.json()
    record = FacebookUpload.objects.get()
    assert body == {
        "id": record.pk,
        "status": "processing",
        "status_url": f"http://testserver{STATUS_PATH}{record.pk}",
    }
    # Nothing loaded in the request: the run waits for the worker.
    assert not DailyMetric.objects.exists()
    assert IngestionRun.objects.get().status == RunStatus.PROCESSING
    waiting = api(user_a).get(body["status_url"]).json()
    assert (waiting["id"], waiting["status"], waiting["rows_loaded"], waiting["rows_failed"]) == (
        record.pk,
        "processing",
        0,
        0,
    )

    for callback in queued:  # the commit: the task is queued (and run, Q_CLUSTER is sync)
        callback()
    done = api(user_a).get(body["status_url"]).json()
    assert (done["id"], done["status"], done["rows_loaded"], done["rows_failed"]) == (
        record.pk,
        "loaded",
        3,
        0,
    )
    assert done["row_errors"] == []
    assert DailyMetric.objects.filter(client=user_a.client).count() == 2


def test_the_status_of_another_clients_upload_is_404(
    api, user_a, user_b, small_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = upload(api, user_a).json()
    assert api(user_b).get(body["status_url"]).status_code == 404
    assert api(user_a).get(body["status_url"]).status_code == 200


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "Campaign name,Ad set name,Ad name,Impressions\nSpring,P,Ad 1,100\n",
            "is not a daily export (it has no 'Day' column)",
        ),
        ("Day,Campaign name,Impressions\n2025-11-03,Spring,100\n", "Ad set name"),
    ],
)
def test_a_queued_file_with_a_wrong_header_is_refused_at_once(
    api, user_a, small_threshold, content, expected
):
    response = upload(api, user_a, content=content)
    assert response.status_code == 422
    assert expected in response.json()["detail"]
    assert not FacebookUpload.objects.exists()
    assert not IngestionRun.objects.exists()


def test_a_queued_duplicate_is_409_at_once(
    api, user_a, small_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = upload(api, user_a).json()
    again = upload(api, user_a, name="copy.csv")
    assert again.status_code == 409
    assert f"(upload #{first['id']}, processing)" in again.json()["detail"]
    assert FacebookUpload.objects.get().status == UploadStatus.PROCESSING


def test_a_large_upload_from_the_admin_is_queued(
    admin_user, client_a, small_threshold, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client as BrowserClient

    browser = BrowserClient()
    browser.force_login(admin_user)
    file = SimpleUploadedFile("meta.csv", EXPORT.encode())
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = browser.post(
            "/admin/ingestion/facebookupload/add/",
            {"client": client_a.pk, "file": file},
            follow=True,
        )
    assert response.status_code == 200
    assert "Meta.csv: queued (a large file is loaded by the task cluster)" in (
        response.content.decode()
    )
    assert FacebookUpload.objects.get().status == UploadStatus.PROCESSING
    for callback in queued:
        callback()
    assert FacebookUpload.objects.get().status == UploadStatus.LOADED
