"""The admins' operations API: ingestion logs, triggers, backfills, audit logs."""

import pytest

from accounts.models import AuditAction, AuditLog
from ingestion.models import IngestionRun, RunStatus
from ingestion.pipeline import run_ingestion
from ingestion.tests.helpers import row, surfside_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(client_a, client_b):
    good = run_ingestion(
        client=client_a, source="surfside", file_name="a.csv", content=surfside_csv(row())
    )
    bad = run_ingestion(
        client=client_b,
        source="surfside",
        file_name="b.csv",
        content=surfside_csv(row(impressions="-1"), row()),
    )
    return good, bad


def test_logs_filter_by_client_source_and_status(api, admin_user, runs, client_b):
    good, bad = runs
    listed = api(admin_user).get("/api/v1/admin/ingestion-logs").json()
    assert [r["id"] for r in listed["results"]] == [bad.pk, good.pk]
    partial = api(admin_user).get("/api/v1/admin/ingestion-logs?status=partial").json()
    assert [r["id"] for r in partial["results"]] == [bad.pk]
    by_client = api(admin_user).get(f"/api/v1/admin/ingestion-logs?client_id={client_b.pk}")
    assert [r["client_name"] for r in by_client.json()["results"]] == ["Borealis Travel"]


def test_a_log_shows_its_refused_rows(api, admin_user, runs):
    _, bad = runs
    body = api(admin_user).get(f"/api/v1/admin/ingestion-logs/{bad.pk}").json()
    assert body["status"] == "partial"
    assert body["row_errors"] == [
        {"row": 2, "errors": [{"column": "Impressions", "message": "is negative (-1)"}]}
    ]


def test_resolve_with_notes(api, admin_user, runs):
    _, bad = runs
    response = api(admin_user).post(
        f"/api/v1/admin/ingestion-logs/{bad.pk}/resolve",
        {"notes": "Asked Surfside to fix row 2"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["resolution_status"], response.json()["resolved_by"]) == (
        "resolved",
        "agency-admin",
    )


def test_resolve_needs_notes(api, admin_user, runs):
    response = api(admin_user).post(
        f"/api/v1/admin/ingestion-logs/{runs[1].pk}/resolve", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "notes: This field is required."


def test_trigger_queues_a_run_that_can_be_followed(
    api, admin_user, client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post(
            "/api/v1/admin/ingestion/trigger",
            {"client_id": client_a.pk, "source": "surfside", "date": "2025-11-03"},
            format="json",
        )
    assert response.status_code == 202
    run = IngestionRun.objects.get(pk=response.json()["id"])
    # The task ran (synchronously in tests): no connection, so the run failed with a reason.
    assert run.status == RunStatus.FAILED
    assert "has no Surfside connection" in run.message
    assert AuditLog.objects.filter(action=AuditAction.INGESTION_TRIGGER).exists()


def test_backfill_starts_a_job_whose_progress_can_be_polled(
    api, admin_user, client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post(
            "/api/v1/admin/backfill",
            {
                "source": "surfside",
                "client_id": client_a.pk,
                "start_date": "2025-11-03",
                "end_date": "2025-11-04",
            },
            format="json",
        )
    assert response.status_code == 202
    job_id = response.json()["id"]
    status_url = f"http://testserver/api/v1/admin/backfill/{job_id}"
    assert response.json()["status_url"] == status_url
    polled = api(admin_user).get(status_url).json()
    assert (polled["status"], polled["steps_done"], polled["steps_total"]) == ("done", 2, 2)
    assert polled["progress_percent"] == 100
    assert [step["date"] for step in polled["results"]] == ["2025-11-03", "2025-11-04"]


def test_backfill_refuses_a_reversed_range(api, admin_user, client_a):
    response = api(admin_user).post(
        "/api/v1/admin/backfill",
        {
            "source": "surfside",
            "client_id": client_a.pk,
            "start_date": "2025-11-05",
            "end_date": "2025-11-03",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The end date is before the start date."


def test_audit_logs_filter_by_action(api, admin_user, runs):
    api(admin_user).post(
        f"/api/v1/admin/ingestion-logs/{runs[1].pk}/resolve", {"notes": "ok"}, format="json"
    )
    body = api(admin_user).get("/api/v1/admin/audit-logs?action=resolve").json()
    assert [entry["action"] for entry in body["results"]] == ["resolve"]
    assert body["results"][0]["username"] == "agency-admin"


@pytest.mark.parametrize("path", ["/api/v1/admin/ingestion-logs", "/api/v1/admin/audit-logs"])
def test_a_malformed_date_filter_is_a_400_naming_it(api, admin_user, path):
    response = api(admin_user).get(f"{path}?date_from=3/11/2025")
    assert response.status_code == 400
    assert response.json()["detail"] == "date_from: Use YYYY-MM-DD, not '3/11/2025'."
