import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.test import override_settings

from accounts.models import AuditAction, AuditLog
from ingestion.models import FacebookUpload, IngestionRun
from metrics.models import DailyMetric
from portal.tests.test_dashboard import browser_for, text_of

pytestmark = pytest.mark.django_db

# A Meta export by day and region with its totals row; row 5 has a negative impression count.
EXPORT_WITH_A_BAD_ROW = (
    "Day,Campaign name,Ad set name,Ad name,Region,Impressions,Link clicks,Amount spent (USD)\n"
    ",,,,,3000,9,13.50\n"
    "2025-11-03,Spring,Prospecting,Ad 1,New York,1000,3,4.50\n"
    "2025-11-03,Spring,Prospecting,Ad 1,Ohio,1500,4,6.75\n"
    "2025-11-04,Spring,Prospecting,Ad 2,Ohio,-500,2,2.25\n"
)


def export(content=EXPORT_WITH_A_BAD_ROW, name="meta-november.csv"):
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_an_upload_shows_rows_loaded_and_each_refused_row_with_why(user_a):
    browser = browser_for(user_a)
    response = browser.post("/uploads/", {"file": export()})
    upload = FacebookUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/uploads/{upload.pk}/"
    assert upload.client == user_a.client
    page = browser.get(response["Location"])
    text = text_of(page)
    assert "meta-november.csv" in text and "Partially loaded" in text
    assert "Rows loaded 2" in text and "Rows refused 1" in text
    assert "5 Impressions: is negative (-500)" in text
    assert DailyMetric.objects.filter(client=user_a.client).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.UPLOAD, user=user_a).exists()
    listing = text_of(browser.get("/uploads/"))
    assert "meta-november.csv" in listing and "Partially loaded" in listing


def test_the_same_file_again_is_refused_with_a_pointer_to_the_first(user_a):
    browser = browser_for(user_a)
    browser.post("/uploads/", {"file": export()})
    again = browser.post("/uploads/", {"file": export(name="copy.csv")})
    assert again.status_code == 400
    text = text_of(again)
    first = FacebookUpload.objects.get()
    assert "This file was already uploaded as 'meta-november.csv' on " in text
    assert f"(upload #{first.pk}, partially loaded): its rows are in the dashboard." in text
    assert "ask your agency contact to undo that upload first" in text
    assert FacebookUpload.objects.count() == 1


def test_a_wrong_file_type_is_refused_before_anything_is_stored(user_a):
    response = browser_for(user_a).post(
        "/uploads/", {"file": SimpleUploadedFile("report.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 400
    assert "is not a .csv or .xlsx file" in text_of(response)
    assert not FacebookUpload.objects.exists() and not IngestionRun.objects.exists()


def test_a_missing_file_is_asked_for(user_a):
    response = browser_for(user_a).post("/uploads/", {})
    assert response.status_code == 400
    assert "This field is required." in text_of(response)


def test_an_export_without_a_daily_breakdown_says_how_to_export_it(user_a):
    by_range = (
        "Reporting starts,Reporting ends,Campaign name,Ad set name,Ad name,Impressions\n"
        "2025-11-01,2025-11-07,Spring,Prospecting,Ad 1,1000\n"
    )
    response = browser_for(user_a).post("/uploads/", {"file": export(by_range)})
    page = browser_for(user_a).get(response["Location"])
    text = text_of(page)
    assert "Failed" in text
    assert "by day" in text.lower()


def test_admins_choose_the_client(admin_user, client_a):
    browser = browser_for(admin_user)
    response = browser.post("/uploads/", {"file": export()})
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    response = browser.post("/uploads/", {"file": export(), "client_id": client_a.pk})
    assert response.status_code == 302
    assert FacebookUpload.objects.get().client == client_a


def test_the_uploads_page_explains_the_export_when_empty(user_a):
    text = text_of(browser_for(user_a).get("/uploads/"))
    assert "No uploads yet" in text
    assert "By time \u203a Day" in text


def test_uploads_list_query_count_does_not_grow(user_a, django_assert_num_queries):
    browser = browser_for(user_a)
    browser.post("/uploads/", {"file": export()})
    browser.get("/uploads/")
    # Session, user, the client shown, the count and page of uploads (with run and uploader),
    # the user's client in the header.
    with django_assert_num_queries(6):
        assert browser.get("/uploads/").status_code == 200
    for number in range(5):
        browser.post("/uploads/", {"file": export(EXPORT_WITH_A_BAD_ROW + f"\n{',' * number}")})
    assert FacebookUpload.objects.count() == 6
    with django_assert_num_queries(6):
        assert browser.get("/uploads/").status_code == 200


@override_settings(MAX_UPLOAD_BYTES=100)
def test_an_oversized_file_is_refused_before_it_is_read(user_a):
    browser = BrowserClient(enforce_csrf_checks=True)
    browser.force_login(user_a)
    token = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a valid CSRF secret, as the page's form sends
    browser.cookies["csrftoken"] = token
    big = SimpleUploadedFile("big.csv", b"x" * (200 * 1024))
    response = browser.post("/uploads/", {"file": big, "csrfmiddlewaretoken": token})
    assert response.status_code == 413
    text = text_of(response)
    assert "The file is larger than 0 MB. Export a shorter date range." in text
    assert "Nothing was uploaded." in text
    assert not FacebookUpload.objects.exists()


def test_see_it_on_the_dashboard_opens_the_files_own_days(user_a, admin_user, client_a):
    browser = browser_for(user_a)
    upload_page = browser.get(browser.post("/uploads/", {"file": export()})["Location"])
    link = upload_page.content.decode()
    # The loaded day of the file (its Nov 4 row was refused), not the last 30 days.
    assert 'href="/dashboard/?start_date=2025-11-03&amp;end_date=2025-11-03"' in link

    upload = FacebookUpload.objects.get()
    admin_page = browser_for(admin_user).get(f"/uploads/{upload.pk}/").content.decode()
    assert (
        f'href="/dashboard/?start_date=2025-11-03&amp;end_date=2025-11-03'
        f'&amp;client_id={client_a.pk}"'
    ) in admin_page


def test_a_queued_upload_shows_progress_then_the_result(
    user_a, settings, django_capture_on_commit_callbacks
):
    settings.UPLOAD_INLINE_MAX_BYTES = 10  # this small export counts as large
    browser = browser_for(user_a)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = browser.post("/uploads/", {"file": export()})
    upload = FacebookUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/uploads/{upload.pk}/"
    waiting = browser.get(response["Location"])
    text = text_of(waiting)
    assert "Processing" in text
    assert "Loading the file: it is large, so it is loaded in the background." in text
    assert '<meta http-equiv="refresh" content="3">' in waiting.content.decode()
    assert "Rows loaded" not in text
    assert not DailyMetric.objects.exists()

    for callback in queued:  # the commit queues the load (Q_CLUSTER is sync in tests)
        callback()
    done = browser.get(response["Location"])
    text = text_of(done)
    assert "Partially loaded" in text and "Rows loaded 2" in text and "Rows refused 1" in text
    assert "Loading the file" not in text
    assert 'http-equiv="refresh"' not in done.content.decode()
