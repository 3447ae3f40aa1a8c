"""Tenant isolation for every API endpoint: anonymous 401, other client 404 with no side effect,
owner and admin as the case says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from annotations.tests.factories import AnnotationFactory
from campaigns.tests.factories import CreativeFactory
from core.api.views import PublicAPIView
from ingestion.models import BackfillJob, FacebookUpload, IngestionRun, VibeReportRequest
from metrics.rollups import rollups_refresh
from metrics.tests.factories import DailyMetricFactory
from pacing.tests.factories import InsertionOrderFactory
from reports.models import ExportJob, ExportStatus
from tests.api_urls import api_endpoints
from tests.isolation_cases import CASES, Case

OUR_APPS = (
    "accounts",
    "clients",
    "campaigns",
    "ingestion",
    "metrics",
    "reports",
    "pacing",
    "scheduled_reports",
    "annotations",
)


@pytest.fixture
def world(user_a, user_b, admin_user):
    run = IngestionRun.objects.create(
        client=user_a.client, source="surfside", requested_date=dt.date(2025, 11, 3)
    )
    job = BackfillJob.objects.create(
        source="surfside",
        start_date=dt.date(2025, 11, 3),
        end_date=dt.date(2025, 11, 3),
        steps_total=1,
    )
    job.clients.set([user_a.client])
    creative = CreativeFactory(placement__strategy__campaign__client=user_a.client)
    day = timezone.localdate() - dt.timedelta(days=2)
    DailyMetricFactory(creative=creative, date=day)
    rollups_refresh(client_id=user_a.client_id, date_from=day, date_to=day)
    placement = creative.placement
    order = InsertionOrderFactory(client=user_a.client, name="Acme November")
    AnnotationFactory(client=user_a.client, start_date=dt.date(2025, 11, 3), text="Acme launch")
    upload = FacebookUpload(
        client=user_a.client,
        original_name="acme.csv",
        size_bytes=len(FACEBOOK_EXPORT),
        checksum="0" * 64,
        uploaded_by=user_a,
        run=run,
    )
    upload.file.save("acme.csv", ContentFile(FACEBOOK_EXPORT.encode()), save=False)
    upload.save()
    export = ExportJob(
        requested_by=user_a,
        export_format="csv",
        client_ids=[user_a.client_id],
        start_date=day,
        end_date=day,
        file_name="acme.csv",
        status=ExportStatus.READY,
        rows=1,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    export.file.save("acme.csv", ContentFile(b"Date\r\n"), save=False)
    export.save()
    vibe_request = VibeReportRequest.objects.create(
        client=user_a.client, start_date=day, end_date=day
    )
    return {
        "vibe_request": vibe_request.pk,
        "order": order.pk,
        "a": user_a.client_id,
        "b": user_b.client_id,
        "run": run.pk,
        "job": job.pk,
        "campaign": placement.strategy.campaign_id,
        "strategy": placement.strategy_id,
        "placement": placement.pk,
        "creative": creative.pk,
        "upload": upload.pk,
        "export": export.pk,
    }


FACEBOOK_EXPORT = (
    "Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
    "2025-11-03,Spring,Prospecting,Ad 1,1000,3,4.50\n"
)


def database_fingerprint() -> dict[str, tuple[int, object]]:
    """Row count and latest change of every model of ours: any write changes it."""
    fingerprint = {}
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        rows = model._default_manager.all()
        latest = None
        if any(f.name == "updated_at" for f in model._meta.fields):
            latest = rows.aggregate(latest=Max("updated_at"))["latest"]
        fingerprint[model._meta.label] = (rows.count(), latest)
    return fingerprint


def body(response) -> str:
    """The response's text, streamed (CSV, XLSX) or not."""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def call(api, user, case: Case, world):
    client = api(user)
    path = case.path.format(**world)
    payload = {
        key: value.format(**world) if isinstance(value, str) else value
        for key, value in case.payload.items()
    }
    if case.upload:
        if user is not None and not user.is_admin:
            payload.pop("client_id") if user.client_id == world["a"] else None
        upload = SimpleUploadedFile("export.csv", FACEBOOK_EXPORT.encode(), "text/csv")
        return client.post(path, {**payload, "file": upload}, format="multipart")
    return getattr(client, case.method)(path, payload or None, format="json")


def test_every_scoped_endpoint_has_an_isolation_case():
    routes = {route for route, view in api_endpoints() if not issubclass(view, PublicAPIView)}
    covered = {case.route for case in CASES}
    assert routes - covered == set()
    assert covered - routes == set()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_anonymous_gets_401(api, world, case):
    before = database_fingerprint()
    assert call(api, None, case, world).status_code == 401
    assert database_fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_other_clients_user_gets_nothing_and_changes_nothing(api, world, user_b, case):
    before = database_fingerprint()
    response = call(api, user_b, case, world)
    assert response.status_code == case.outsider, response.content
    assert database_fingerprint() == before
    assert "Acme" not in body(response)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_owner_gets_what_the_case_says(api, world, user_a, case):
    response = call(api, user_a, case, world)
    assert response.status_code == case.owner, response.content
    assert "Borealis" not in body(response)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_admin_gets_what_the_case_says(api, world, admin_user, case):
    response = call(api, admin_user, case, world)
    assert response.status_code == case.admin, response.content
