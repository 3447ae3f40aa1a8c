"""What the platforms charged never reaches a client (SPEC 9 "Confidential").

A client user walks every GET operation of the API (read from the OpenAPI schema), every export
format, every portal page and the weekly summary email, on data whose platform cost is a
distinctive number; neither that number nor any name of a cost field may appear anywhere.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from campaigns.tests.factories import CreativeFactory
from ingestion.models import IngestionRun
from ingestion.sources.facebook.services import facebook_upload_create
from metrics.tests.factories import DailyMetricFactory, rollups_built
from metrics.visibility import CLIENT_VISIBLE_MEASURES, COST_TERMS, field_visible, sees_cost
from pacing.tests.factories import InsertionOrderFactory
from reports.api.outputs import MeasuresOutput
from reports.models import PeriodType
from reports.services import summary_generate
from scheduled_reports.sending import schedule_send_latest
from scheduled_reports.tests.factories import schedule_for
from tests.test_page_isolation import CASES as PAGE_CASES

pytestmark = pytest.mark.django_db

PLATFORM_COST = Decimal("987654.321")
# The cost as any output could write it: raw, rounded, with thousands separators.
COST_VALUE = re.compile(r"987[,.\s]?654")
COST_WORDS = re.compile("|".join(re.escape(term) for term in COST_TERMS), re.IGNORECASE)
# CSS and markup say "margin" for layout; what must not appear is the word in visible text.
_STYLE = re.compile(r"<style.*?</style>|style=\"[^\"]*\"", re.DOTALL)

FACEBOOK_EXPORT = (
    "Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
    "{day},Autumn,Prospecting,Ad 9,1000,3,4.50\n"
)


def _last_full_week(today: dt.date) -> dt.date:
    """The Monday of the last Monday-Sunday week that ended before yesterday."""
    sunday = today - dt.timedelta(days=(today.weekday() + 1) % 7 or 7)
    if sunday >= today - dt.timedelta(days=1):
        sunday -= dt.timedelta(days=7)
    return sunday - dt.timedelta(days=6)


@pytest.fixture
def world(user_a):
    """Client A's week of Surfside delivery, each day's platform cost the distinctive number; a
    Facebook upload, a weekly summary and an ingestion run to point the walk at."""
    today = timezone.localdate()
    monday = _last_full_week(today)
    creative = CreativeFactory(placement__strategy__campaign__client=user_a.client)
    rows = [
        DailyMetricFactory(
            creative=creative,
            date=monday + dt.timedelta(days=offset),
            source_spend=PLATFORM_COST,
        )
        for offset in range(7)
    ]
    rollups_built(*rows)
    upload = facebook_upload_create(
        client=user_a.client,
        upload=SimpleUploadedFile(
            # The Monday after: the week itself stays complete, so its summary is emailed.
            "week.csv",
            FACEBOOK_EXPORT.format(day=monday + dt.timedelta(days=7)).encode(),
        ),
        by=user_a,
    )
    summary = summary_generate(client=user_a.client, period_type=PeriodType.WEEK, start=monday)
    placement = creative.placement
    # A budget order: its pacing shows billed spend, which a client may see; never platform cost.
    order = InsertionOrderFactory(
        client=user_a.client, name="Acme November", contracted_budget=Decimal("5000")
    )
    schedule = schedule_for(user_a.client, [user_a], name="Acme weekly")
    return {
        "order": order.pk,
        "schedule": schedule.pk,
        "ana": user_a.pk,
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "today": today,
        "a": user_a.client_id,
        "client": user_a.client_id,
        "campaign": placement.strategy.campaign_id,
        "strategy": placement.strategy_id,
        "placement": placement.pk,
        "creative": creative.pk,
        "upload": upload.pk,
        "summary": summary.pk,
        "run": IngestionRun.objects.filter(client=user_a.client).latest("pk").pk,
    }


def _path_ids(world: dict[str, Any]) -> dict[str, int]:
    return {
        "campaigns": world["campaign"],
        "strategies": world["strategy"],
        "placements": world["placement"],
        "creatives": world["creative"],
        "clients": world["client"],
        "ingestion-logs": world["run"],
        "insertion-orders": world["order"],
        "backfill": 1,
    }


def _filled(path: str, world: dict[str, Any]) -> str:
    """The schema's path with its one path parameter filled with client A's object of that kind."""
    collection = path.split("{", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"\{[^}]+\}", str(_path_ids(world).get(collection, 1)), path)


def _json_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {str(key) for key in value} | {
            key for child in value.values() for key in _json_keys(child)
        }
    if isinstance(value, list):
        return {key for child in value for key in _json_keys(child)}
    return set()


def _body_text(response: Any) -> str:
    """What a response says, as text: CSV and JSON as they are, XLSX cells, PDF text."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        workbook = load_workbook(io.BytesIO(body))
        return "\n".join(
            str(cell.value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    if "pdf" in content_type:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8-sig")


def _leaks(text: str) -> list[str]:
    return COST_VALUE.findall(text) + COST_WORDS.findall(text)


def test_the_declared_list_governs_the_api_measures_and_refuses_undeclared_fields(
    user_a, admin_user
):
    assert set(MeasuresOutput().fields) == set(CLIENT_VISIBLE_MEASURES)
    assert field_visible("campaign__name", with_cost=False)
    assert not field_visible("source_spend", with_cost=False)
    assert field_visible("source_spend", with_cost=True)
    with pytest.raises(ValueError, match="'secret' is not declared"):
        field_visible("secret", with_cost=True)
    assert not sees_cost(user_a)
    assert sees_cost(admin_user)


def test_no_api_operation_shows_a_client_the_platform_cost(api, user_a, world):
    schema = yaml.safe_load(BrowserClient().get("/api/v1/schema").content)
    dates = f"start_date={world['monday']}&end_date={world['sunday']}"
    client_api = api(user_a)
    answered: list[str] = []
    leaks: dict[str, list[str]] = {}
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        for query in ("", f"?{dates}&client_id={world['a']}"):
            url = _filled(path, world) + query
            response = client_api.get(url)
            assert response.status_code < 500, url
            if response.status_code != 200:
                continue
            answered.append(path)
            text = _body_text(response)
            found = _leaks(text)
            if response.get("Content-Type", "").startswith("application/json"):
                found += [key for key in _json_keys(json.loads(text)) if COST_WORDS.search(key)]
            if found:
                leaks[url] = found
    assert leaks == {}
    # The walk reached every read a client has: data, hierarchy, exports and uploads.
    assert {
        "/api/v1/dashboard/overview",
        "/api/v1/dashboard/summary",
        "/api/v1/metrics/daily",
        "/api/v1/metrics/weekly",
        "/api/v1/metrics/monthly",
        "/api/v1/campaigns/{id}/metrics",
        "/api/v1/creatives/{id}/metrics",
        "/api/v1/creatives",
        "/api/v1/exports/csv",
        "/api/v1/exports/xlsx",
        "/api/v1/exports/pdf",
        "/api/v1/facebook/uploads",
    } <= set(answered)


def test_an_admin_export_carries_the_platform_cost_labelled_as_the_agencys(api, admin_user, world):
    dates = f"start_date={world['monday']}&end_date={world['sunday']}"
    text = _body_text(api(admin_user).get(f"/api/v1/exports/csv?{dates}&client_id={world['a']}"))
    assert "Platform cost (agency only)" in text.splitlines()[0]
    assert "987654.321000" in text


def test_no_page_shows_a_client_the_platform_cost(user_a, world):
    browser = BrowserClient()
    browser.force_login(user_a)
    dates = f"start_date={world['monday']}&end_date={world['sunday']}"
    leaks = {}
    seen = 0
    for case in PAGE_CASES:
        if case.method != "get":
            continue
        path = case.path.format(**world)
        for url in (path, f"{path}{'&' if '?' in path else '?'}{dates}"):
            response = browser.get(url)
            assert response.status_code in (200, 302), url
            if response.status_code == 200:
                seen += 1
                found = _leaks(_STYLE.sub("", _body_text(response)))
                if found:
                    leaks[url] = found
    assert leaks == {}
    assert seen >= 20


def test_the_scheduled_report_never_shows_a_client_the_platform_cost(user_a, world):
    schedule = schedule_for(user_a.client, [user_a])
    summary_generate(client=user_a.client, period_type=PeriodType.WEEK, start=world["monday"])
    assert schedule_send_latest(schedule=schedule, today=world["sunday"] + dt.timedelta(days=1))
    (delivery,) = schedule.deliveries.all()
    assert _leaks(json.dumps(delivery.figures)) == []
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    (attachment,) = message.attachments
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment[1])).pages)
    assert _leaks(message.subject + message.body + _STYLE.sub("", str(html)) + pdf_text) == []
    assert "Spend" in message.body
