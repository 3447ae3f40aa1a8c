"""Exports over EXPORT_INLINE_MAX_ROWS are queued (SPEC 8): 202 with a status URL whose GET gives
``download_url`` once a worker built the file into storage; downloadable for a day, only by the
person who asked, while they may still see every client in it. The threshold is lowered so a
few rows count as many."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from core import leases
from core.models import Lease
from metrics.tests.factories import DailyMetricFactory
from operations.sweeper import sweep_dead_leases
from reports.export_jobs import export_jobs_purge_expired
from reports.models import ExportJob, ExportStatus
from reports.tests.test_exports import WEEK, content, csv_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_rows(client_a, client_b):
    # The other client shares the names and dates: its rows must never appear.
    for day in (3, 4, 5):
        for client in (client_a, client_b):
            DailyMetricFactory(
                creative__placement__strategy__campaign__client=client,
                creative__name="Banner",
                date=dt.date(2025, 11, day),
            )


def test_the_default_threshold_is_200000_rows(settings):
    assert settings.EXPORT_INLINE_MAX_ROWS == 200_000


def test_a_range_at_the_threshold_is_built_in_the_request(api, user_a, three_rows, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    response = api(user_a).get(f"/api/v1/exports/csv?{WEEK}")
    assert response.status_code == 200
    assert len(csv_rows(response)) == 4
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_a_larger_range_is_queued_then_downloadable(
    api, user_a, three_rows, settings, django_capture_on_commit_callbacks, export
):
    inline = api(user_a).get(f"/api/v1/exports/{export}?{WEEK}")
    settings.EXPORT_INLINE_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api(user_a).get(f"/api/v1/exports/{export}?{WEEK}")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    status_url = f"http://testserver/api/v1/exports/jobs/{job.pk}"
    assert response.json() == {"id": job.pk, "status": "queued", "status_url": status_url}
    assert (job.client_ids, job.export_format) == ([user_a.client_id], export)
    waiting = api(user_a).get(status_url).json()
    assert waiting["status"] == "queued" and "download_url" not in waiting

    for callback in queued:  # the commit queues the build (Q_CLUSTER is sync in tests)
        callback()
    ready = api(user_a).get(status_url).json()
    assert (ready["status"], ready["rows"]) == ("ready", 3)
    assert ready["download_url"] == f"{status_url}/download"
    job.refresh_from_db()
    assert job.file.name.startswith("exports/") and job.file.name.endswith(f".{export}")
    assert dt.timedelta(hours=23) < job.expires_at - timezone.now() <= dt.timedelta(days=1)

    download = api(user_a).get(ready["download_url"])
    assert download.status_code == 200
    assert (
        f'filename="metrics-{user_a.client.slug}-2025-11-03-2025-11-09.{export}"'
        in (download["Content-Disposition"])
    )
    if export == "csv":
        assert content(download) == content(inline)
    else:
        built, expected = load_workbook(_file(download)), load_workbook(_file(inline))
        assert built.sheetnames == expected.sheetnames == ["Summary", "Daily metrics"]
        for name in built.sheetnames:
            assert [list(r) for r in built[name].iter_rows(values_only=True)] == [
                list(r) for r in expected[name].iter_rows(values_only=True)
            ]
        assert built["Daily metrics"].max_row == 5  # header, 3 rows, totals


def _file(response):
    return io.BytesIO(content(response))


def test_only_the_person_who_asked_sees_the_export(
    api, user_a, user_b, admin_user, three_rows, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        body = api(user_a).get(f"/api/v1/exports/csv?{WEEK}").json()
    for other in (user_b, admin_user):
        assert api(other).get(body["status_url"]).status_code == 404
        assert api(other).get(f"{body['status_url']}/download").status_code == 404
    # Someone who no longer sees a client of the export cannot fetch it any more.
    user_a.client = user_b.client
    user_a.save()
    assert api(user_a).get(body["status_url"]).status_code == 404


def test_an_export_expires_after_a_day_and_its_file_is_removed(
    api, user_a, three_rows, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        body = api(user_a).get(f"/api/v1/exports/csv?{WEEK}").json()
    job = ExportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    status = api(user_a).get(body["status_url"]).json()
    assert status["status"] == "expired" and "download_url" not in status
    gone = api(user_a).get(f"{body['status_url']}/download")
    assert gone.status_code == 410
    assert gone.json()["detail"].startswith("This export expired")
    assert export_jobs_purge_expired() == 1
    assert not storage.exists(name)
    assert not ExportJob.objects.exists()


def test_a_build_whose_worker_died_is_failed_by_the_sweeper(user_a):
    job = ExportJob.objects.create(
        requested_by=user_a,
        export_format="csv",
        client_ids=[user_a.client_id],
        start_date=dt.date(2025, 11, 3),
        end_date=dt.date(2025, 11, 9),
        file_name="x.csv",
        status=ExportStatus.RUNNING,
    )
    leases.take(leases.EXPORT, job.pk)
    Lease.objects.update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    sweep_dead_leases()
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.message.startswith("The export was not built: the process running it stopped")


def test_a_large_pdf_is_queued_then_downloadable(
    api, user_a, three_rows, settings, django_capture_on_commit_callbacks
):
    # The PDF counts the range's detail rows (3 here) against the threshold, like the CSV.
    settings.EXPORT_INLINE_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):  # the build runs (sync cluster)
        response = api(user_a).get(f"/api/v1/exports/pdf?{WEEK}&chart=clicks")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert (job.export_format, job.chart) == ("pdf", "clicks")
    ready = api(user_a).get(response.json()["status_url"]).json()
    assert (ready["status"], ready["rows"], ready["format"]) == ("ready", 3, "pdf")
    download = api(user_a).get(ready["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="report-acme-2025-11-03-2025-11-09.pdf"' in download["Content-Disposition"]
    pdf = content(download)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Acme Foods" in text and "Performance report" in text
    assert "Borealis" not in text


def test_a_queued_export_keeps_its_grain(
    api, user_a, two_tenants, settings, django_capture_on_commit_callbacks
):
    query = "start_date=2025-11-01&end_date=2025-11-04&grain=campaign_day"
    inline = content(api(user_a).get(f"/api/v1/exports/csv?{query}"))
    settings.EXPORT_INLINE_MAX_ROWS = 2  # Acme has 3 campaign days
    with django_capture_on_commit_callbacks(execute=True):
        response = api(user_a).get(f"/api/v1/exports/csv?{query}")
    assert response.status_code == 202
    assert ExportJob.objects.get().grain == "campaign_day"
    ready = api(user_a).get(response.json()["status_url"]).json()
    assert ready["rows"] == 3
    assert content(api(user_a).get(ready["download_url"])) == inline
