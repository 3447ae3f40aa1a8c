"""Re-runs asked over the API are queued (SPEC 11): 202 with the new run's status URL; a Vibe
re-run creates a report request and returns, without calling Vibe or sleeping in the request."""

import datetime as dt

import pytest

from ingestion.models import IngestionRun, RunStatus, VibeReportRequest
from ingestion.tests.factories import IngestionRunFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 11, 3)


def test_a_surfside_rerun_answers_202_with_the_new_runs_status_url(
    api, admin_user, client_a, django_capture_on_commit_callbacks
):
    run = IngestionRunFactory(client=client_a, requested_date=DAY, status=RunStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api(admin_user).post(f"/api/v1/admin/ingestion-logs/{run.pk}/rerun")
    assert response.status_code == 202, response.json()
    new = IngestionRun.objects.get(rerun_of=run)
    assert response.json() == {
        "detail": f"Re-run of run #{run.pk} queued as run #{new.pk}.",
        "run_id": new.pk,
        "status_url": f"http://testserver/api/v1/admin/ingestion-logs/{new.pk}",
    }
    status_url = response.json()["status_url"]
    assert api(admin_user).get(status_url).json()["status"] == "processing"

    for callback in queued:  # the worker (Q_CLUSTER is sync in tests)
        callback()
    done = api(admin_user).get(status_url).json()
    assert done["status"] == "failed"
    assert "has no Surfside connection" in done["message"]
    assert IngestionRun.objects.filter(rerun_of=run).count() == 1


def test_a_vibe_rerun_creates_a_report_request_and_returns(
    api, admin_user, client_a, django_capture_on_commit_callbacks
):
    run = IngestionRunFactory(
        client=client_a, source="vibe", requested_date=DAY, status=RunStatus.FAILED
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post(f"/api/v1/admin/ingestion-logs/{run.pk}/rerun")
    assert response.status_code == 202, response.json()
    report = VibeReportRequest.objects.get()
    assert (report.client, report.start_date, report.end_date, report.trigger) == (
        client_a,
        DAY,
        DAY,
        "rerun",
    )
    assert report.state == "requested" and report.attempts == 0
    body = response.json()
    assert (body["report_request_id"], body["state"]) == (report.pk, "requested")
    assert IngestionRun.objects.count() == 1  # the run comes when the report is loaded


def test_a_run_whose_input_is_not_kept_is_refused_at_once(api, admin_user, client_a):
    run = IngestionRunFactory(client=client_a, requested_date=None, source="surfside")
    response = api(admin_user).post(f"/api/v1/admin/ingestion-logs/{run.pk}/rerun")
    assert response.status_code == 400
    assert "cannot be re-run: its input is not kept" in str(response.json())
    assert IngestionRun.objects.count() == 1


def test_the_vibe_rerun_has_a_status_url_the_requester_can_follow(
    api, admin_user, user_a, client_a, django_capture_on_commit_callbacks
):
    run = IngestionRunFactory(
        client=client_a, source="vibe", requested_date=DAY, status=RunStatus.FAILED
    )
    with django_capture_on_commit_callbacks(execute=True):
        body = api(admin_user).post(f"/api/v1/admin/ingestion-logs/{run.pk}/rerun").json()
    report = VibeReportRequest.objects.get()
    status_url = f"http://testserver/api/v1/admin/vibe-report-requests/{report.pk}"
    assert body["status_url"] == status_url
    waiting = api(admin_user).get(status_url).json()
    assert {key: waiting[key] for key in ("id", "client_id", "state", "trigger", "run_id")} == {
        "id": report.pk,
        "client_id": client_a.pk,
        "state": "requested",
        "trigger": "rerun",
        "run_id": None,
    }
    assert (waiting["start_date"], waiting["end_date"]) == (DAY.isoformat(), DAY.isoformat())
    # Once the task cluster loaded the report, the status names the run it produced.
    loaded = IngestionRunFactory(client=client_a, source="vibe", requested_date=DAY)
    VibeReportRequest.objects.filter(pk=report.pk).update(state="loaded", run=loaded)
    done = api(admin_user).get(status_url).json()
    assert (done["state"], done["run_id"]) == ("loaded", loaded.pk)
    # Admins only; a client user learns nothing.
    assert api(user_a).get(status_url).status_code in (403, 404)
    assert api(admin_user).get(f"{status_url}0").status_code == 404
