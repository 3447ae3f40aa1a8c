"""Facebook uploads through the API and the admin: outcomes, duplicates, limits, undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient

from accounts.models import AuditAction, AuditLog
from ingestion.models import FacebookUpload, IngestionRun, StagingRow, UploadStatus
from ingestion.services import ingestion_run_rerun
from ingestion.sources.facebook.services import facebook_upload_undo
from metrics.models import CampaignDayRollup, DailyMetric

pytestmark = pytest.mark.django_db

EXPORT = (
    "Day,Campaign name,Ad set name,Ad name,Region,Impressions,Link clicks,Amount spent (USD)\n"
    ",,,,,3000,9,13.50\n"
    "2025-11-03,Spring,Prospecting,Ad 1,New York,1000,3,4.50\n"
    "2025-11-03,Spring,Prospecting,Ad 1,Ohio,1500,4,6.75\n"
    "2025-11-04,Spring,Prospecting,Ad 2,Ohio,500,2,2.25\n"
)


def upload(api, user, content=EXPORT, name="meta.csv", **extra):
    file = SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)
    return api(user).post("/api/v1/facebook/upload", {"file": file, **extra}, format="multipart")


def test_a_client_user_uploads_an_export_for_their_client(api, user_a):
    response = upload(api, user_a)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["rows_read"], body["rows_loaded"], body["rows_failed"]) == (
        "loaded",
        3,
        3,
        0,
    )
    assert body["row_errors"] == []
    # Two regions of Ad 1 on Nov 3 share a key and are summed.
    ad1 = DailyMetric.objects.get(creative__name="Ad 1")
    assert (ad1.impressions, ad1.clicks) == (2500, 7)
    assert ad1.client == user_a.client
    stored = FacebookUpload.objects.get()
    assert stored.file.name.startswith(f"uploads/facebook/{user_a.client_id}/")
    assert stored.original_name == "meta.csv"
    assert AuditLog.objects.filter(action=AuditAction.UPLOAD, user=user_a).exists()


def test_the_same_file_again_is_409_naming_the_first_upload(api, user_a):
    first = upload(api, user_a).json()
    again = upload(api, user_a, name="copy.csv")
    assert again.status_code == 409
    assert f"(upload #{first['id']}, loaded)" in again.json()["detail"]
    assert again.json()["detail"].startswith(
        "This file was already uploaded as 'meta.csv' by ana on "
    )
    assert FacebookUpload.objects.count() == 1
    assert IngestionRun.objects.count() == 1


def test_a_new_file_over_loaded_days_replaces_the_rows_it_carries(api, user_a):
    upload(api, user_a)
    revised = EXPORT.replace(
        "2025-11-04,Spring,Prospecting,Ad 2,Ohio,500,2,2.25",
        "2025-11-04,Spring,Prospecting,Ad 2,Ohio,800,2,2.25",
    )
    body = upload(api, user_a, revised, name="meta-v2.csv").json()
    assert body["rows_replaced"] == 1
    assert "0 new, 1 updated and 1 unchanged" in body["message"]
    assert DailyMetric.objects.get(creative__name="Ad 2").impressions == 800


def test_admins_must_name_the_client(api, admin_user, client_a):
    response = upload(api, admin_user)
    assert response.status_code == 400
    assert response.json()["detail"] == "client_id: Admins must say which client this is for."
    assert upload(api, admin_user, client_id=client_a.pk).status_code == 201


def test_a_refused_export_is_422_with_the_reason(api, user_a):
    monthly = (
        "Campaign name,Ad set name,Ad name,Impressions,Reporting starts,Reporting ends\n"
        "Spring,Prospecting,Ad 1,100,2025-12-01,2025-12-13\n"
    )
    response = upload(api, user_a, monthly)
    assert response.status_code == 422
    assert "not one row per day" in response.json()["detail"]
    assert not DailyMetric.objects.exists()
    assert FacebookUpload.objects.get().status == UploadStatus.FAILED
    # A refused upload does not block trying the same bytes again.
    assert upload(api, user_a, monthly).status_code == 422


def test_wrong_file_types_are_refused_before_reading(api, user_a):
    response = upload(api, user_a, b"%PDF-1.4", name="report.pdf")
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "'report.pdf' is not a .csv or .xlsx file. Export the report from Ads Manager as CSV "
        "or Excel and upload that."
    )
    assert not FacebookUpload.objects.exists()


def test_a_file_over_the_limit_is_refused_from_its_content_length(api, user_a, settings):
    settings.MAX_UPLOAD_BYTES = 100
    response = upload(api, user_a, "x" * (200 * 1024))
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The file is larger than 0 MB. Export a shorter date range."
    )
    assert not FacebookUpload.objects.exists()


def test_a_body_longer_than_announced_is_cut_off_at_the_limit(api, user_a, settings):
    settings.MAX_UPLOAD_BYTES = len(EXPORT) - 1
    response = upload(api, user_a)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The file is larger than 0 MB. Export a shorter date range."
    )
    assert not FacebookUpload.objects.exists()


def test_a_session_upload_over_the_limit_is_refused_before_the_csrf_check_reads_it(
    user_a, settings
):
    from django.test import Client as BrowserClient

    settings.MAX_UPLOAD_BYTES = 100
    browser = BrowserClient(enforce_csrf_checks=True)
    browser.force_login(user_a)
    token = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a valid CSRF secret, as a portal page sets
    browser.cookies["csrftoken"] = token
    file = SimpleUploadedFile("big.csv", b"x" * (200 * 1024))
    response = browser.post("/api/v1/facebook/upload", {"file": file}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 413, response.content
    assert not FacebookUpload.objects.exists()


def test_a_path_in_the_file_name_is_never_used_as_a_path(api, user_a):
    response = upload(api, user_a, name="../../etc/x.csv")
    assert response.status_code == 201
    stored = FacebookUpload.objects.get()
    assert ".." not in stored.file.name
    assert stored.original_name == "x.csv"


def test_undo_removes_the_rows_the_upload_wrote(api, user_a, admin_user):
    upload(api, user_a)
    record = FacebookUpload.objects.get()
    removed = facebook_upload_undo(upload=record, by=admin_user)
    assert removed == 2
    assert not DailyMetric.objects.exists()
    assert not CampaignDayRollup.objects.exists()
    record.refresh_from_db()
    assert record.status == UploadStatus.UNDONE
    # After an undo the same file may be uploaded again.
    assert upload(api, user_a).status_code == 201


def test_undo_keeps_rows_a_later_upload_rewrote(api, user_a, admin_user):
    upload(api, user_a)
    later = EXPORT.replace("Ohio,500,2,2.25", "Ohio,900,2,2.25")
    upload(api, user_a, later, name="later.csv")
    first = FacebookUpload.objects.order_by("created_at").first()
    assert facebook_upload_undo(upload=first, by=admin_user) == 1
    assert list(DailyMetric.objects.values_list("creative__name", "impressions")) == [("Ad 2", 900)]


def test_rerun_of_an_upload_reloads_the_stored_file(api, user_a, admin_user):
    upload(api, user_a)
    record = FacebookUpload.objects.get()
    DailyMetric.objects.all().delete()
    new_run = ingestion_run_rerun(run=record.run, by=admin_user)
    assert new_run.status == "success"
    assert DailyMetric.objects.count() == 2
    record.refresh_from_db()
    assert record.run == new_run
    assert new_run.rerun_of_id is not None


def test_admins_upload_for_a_client_from_the_admin(admin_user, client_a):
    browser = BrowserClient()
    browser.force_login(admin_user)
    file = SimpleUploadedFile("meta.csv", EXPORT.encode())
    response = browser.post(
        "/admin/ingestion/facebookupload/add/", {"client": client_a.pk, "file": file}, follow=True
    )
    assert response.status_code == 200
    assert "3 of 3 rows loaded" in response.content.decode()
    assert FacebookUpload.objects.get().client == client_a


def test_the_upload_list_shows_past_uploads_of_the_client_only(api, user_a, user_b):
    upload(api, user_a)
    upload(api, user_b, EXPORT.replace("Spring", "Winter"))
    mine = api(user_a).get("/api/v1/facebook/uploads").json()
    assert [row["client_id"] for row in mine["results"]] == [user_a.client_id]


def test_refused_rows_of_an_upload_keep_their_source_row_numbers(api, user_a):
    # Row 2 is the export's totals row; rows 3 and 5 are refused, row 4 loads.
    content = EXPORT.replace("Ad 1,New York,1000", "Ad 1,New York,lots").replace(
        "Ad 2,Ohio,500", "Ad 2,Ohio,-5"
    )
    response = upload(api, user_a, content)
    assert response.json()["rows_failed"] == 2
    staged = StagingRow.objects.order_by("row_number")
    assert [(row.row_number, row.raw["Impressions"]) for row in staged] == [
        (3, "lots"),
        (5, "-5"),
    ]
