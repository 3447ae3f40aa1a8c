"""Tenant isolation for every page: anonymous goes to the login page, a user of client B asking
for client A's objects or client_id gets 404 and changes nothing, the owner sees only their own
client. A new page without a case here fails ``test_every_page_has_an_isolation_case``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.utils import timezone

from campaigns.tests.factories import CreativeFactory
from ingestion.sources.facebook.services import facebook_upload_create
from metrics.tests.factories import DailyMetricFactory, rollups_built
from pacing.tests.factories import InsertionOrderFactory
from reports.models import PeriodType
from reports.services import summary_generate
from scheduled_reports.tests.factories import schedule_for
from tests.page_urls import page_routes
from tests.test_isolation import database_fingerprint

# Pages anyone may open: logging in and resetting a forgotten password.
PUBLIC_ROUTES = {
    "accounts/login/",
    "accounts/logout/",
    "accounts/password/reset/",
    "accounts/password/reset/sent/",
    "accounts/password/reset/<uidb64>/<token>/",
    "accounts/password/reset/done/",
}


@dataclass(frozen=True)
class PageCase:
    route: str
    path: str
    owner: int
    outsider: int = 404
    method: str = "get"
    # Attach a small valid Facebook export as "file" (multipart).
    upload: bool = False
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


CASES = [
    PageCase("", "/", owner=302, outsider=302),
    PageCase("dashboard/", "/dashboard/?client_id={a}", owner=200),
    PageCase("campaigns/<int:pk>/", "/campaigns/{campaign}/", owner=200),
    PageCase("campaigns/<int:pk>/", "/campaigns/{campaign}/?client_id={a}", owner=200),
    PageCase("strategies/<int:pk>/", "/strategies/{strategy}/", owner=200),
    PageCase("placements/<int:pk>/", "/placements/{placement}/", owner=200),
    PageCase("summaries/weekly/", "/summaries/weekly/?client_id={a}", owner=200),
    PageCase("summaries/monthly/", "/summaries/monthly/?client_id={a}", owner=200),
    PageCase("summaries/<int:pk>/", "/summaries/{summary}/", owner=200),
    PageCase("summaries/<int:pk>/pdf", "/summaries/{summary}/pdf", owner=200),
    PageCase("uploads/", "/uploads/?client_id={a}", owner=200),
    PageCase(
        "uploads/", "/uploads/", owner=302, method="post", upload=True, payload={"client_id": "{a}"}
    ),
    PageCase("uploads/<int:pk>/", "/uploads/{upload}/", owner=200),
    PageCase("insertion-orders/<int:pk>/", "/insertion-orders/{order}/", owner=200),
    PageCase("schedules/", "/schedules/", owner=200, outsider=200),
    PageCase("schedules/new/", "/schedules/new/", owner=200, outsider=200),
    PageCase("schedules/<int:pk>/", "/schedules/{schedule}/", owner=200),
    PageCase(
        "schedules/<int:pk>/",
        "/schedules/{schedule}/",
        owner=302,
        method="post",
        payload={
            "name": "Acme weekly",
            "frequency": "week",
            "sections": "kpis",
            "recipients": "{ana}",
            "is_active": "on",
        },
    ),
    PageCase(
        "schedules/<int:pk>/pause/",
        "/schedules/{schedule}/pause/",
        owner=302,
        method="post",
        payload={"active": "0"},
    ),
    PageCase("accounts/password/", "/accounts/password/", owner=200, outsider=200),
    PageCase("accounts/password/changed/", "/accounts/password/changed/", owner=200, outsider=200),
]

EXPORT = (
    "Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
    "2025-11-04,Autumn,Prospecting,Ad 9,1000,3,4.50\n"
)


@pytest.fixture
def world(user_a, user_b):
    creative = CreativeFactory(placement__strategy__campaign__client=user_a.client)
    row = DailyMetricFactory(creative=creative, date=timezone.localdate() - dt.timedelta(days=2))
    rollups_built(row)
    first_export = EXPORT.replace("Autumn", "Spring").encode()
    upload = facebook_upload_create(
        client=user_a.client, upload=SimpleUploadedFile("first.csv", first_export), by=user_a
    )
    summary = summary_generate(
        client=user_a.client, period_type=PeriodType.WEEK, start=dt.date(2025, 11, 3)
    )
    placement = creative.placement
    order = InsertionOrderFactory(client=user_a.client, name="Acme November")
    schedule = schedule_for(user_a.client, [user_a], name="Acme weekly")
    return {
        "schedule": schedule.pk,
        "ana": user_a.pk,
        "order": order.pk,
        "summary": summary.pk,
        "a": user_a.client_id,
        "campaign": placement.strategy.campaign_id,
        "strategy": placement.strategy_id,
        "placement": placement.pk,
        "upload": upload.pk,
    }


def call(browser: BrowserClient, case: PageCase, world: dict[str, int]):
    path = case.path.format(**world)
    if case.method == "get":
        return browser.get(path)
    data = {key: value.format(**world) for key, value in case.payload.items()}
    if case.upload:
        data["file"] = SimpleUploadedFile("export.csv", EXPORT.encode(), "text/csv")
    return browser.post(path, data)


def logged_in(user) -> BrowserClient:
    browser = BrowserClient()
    if user is not None:
        browser.force_login(user)
    return browser


def test_every_page_has_an_isolation_case():
    routes = set(page_routes()) - PUBLIC_ROUTES
    covered = {case.route for case in CASES}
    assert routes - covered == set()
    assert covered - routes == set()


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(PUBLIC_ROUTES))
def test_public_pages_are_only_the_login_and_reset_pages(route):
    path = "/" + route.replace("<uidb64>/<token>", "MQ/set-password")
    response = BrowserClient().get(path)
    assert response.status_code in (200, 302, 405), (path, response.status_code)
    if response.status_code == 302:
        assert "/dashboard/" not in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_anonymous_goes_to_the_login_page(world, case):
    before = database_fingerprint()
    response = call(logged_in(None), case, world)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert database_fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_another_clients_user_gets_nothing_and_changes_nothing(world, user_b, case):
    browser = logged_in(user_b)
    before = database_fingerprint()
    response = call(browser, case, world)
    assert response.status_code == case.outsider
    assert database_fingerprint() == before
    assert "Acme" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_owner_sees_only_their_client(world, user_a, case):
    response = call(logged_in(user_a), case, world)
    assert response.status_code == case.owner
    # A PDF is bytes (its text is compressed: the summary PDF tests read it).
    assert "Borealis" not in response.content.decode(errors="replace")
