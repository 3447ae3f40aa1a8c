"""The ingestion admin an operator reads daily: the runs list keeps its file and row columns in
view (nine compact columns, counts written as the portal writes them), the refused-rows CSV
carries only the file's own columns, and a Vibe report is titled by its client's name."""

import datetime as dt
import re

import pytest
from django.test import Client as BrowserClient

from ingestion.models import RunStatus, VibeReportRequest
from ingestion.pipeline import run_ingestion
from ingestion.tests.helpers import row, surfside_csv

pytestmark = pytest.mark.django_db

FACEBOOK_EXPORT = (
    b"Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
    b"2025-11-03,Spring,Prospecting,Ad 1,1000,3,4.50\n"
    b"2025-11-03,Spring,Prospecting,Ad 2,-5,3,4.50\n"
)


@pytest.fixture
def browser(admin_user):
    client = BrowserClient()
    client.force_login(admin_user)
    return client


def cells(page: str, field: str) -> list[str]:
    found = re.findall(rf'<t[dh] class="field-{field}[^"]*"[^>]*>(.*?)</t[dh]>', page, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def test_the_runs_list_keeps_file_and_rows_in_view_with_counts_formatted(
    browser, client_a, client_b
):
    long_name = "acme-foods_20251103_delivery_final_v2.csv"
    rows = [row(date="11/3/2025", placement=f"P{n}") for n in range(1200)]
    bad = row(date="11/3/2025", impressions="-1")
    run_ingestion(
        client=client_a, source="surfside", file_name=long_name, content=surfside_csv(*rows, bad)
    )
    run_ingestion(
        client=client_b, source="surfside", file_name="b.csv", content=surfside_csv(row())
    )

    page = browser.get("/admin/ingestion/ingestionrun/").content.decode()

    assert re.findall(r'<th scope="col" class="[^"]*column-(\w+)', page) == [
        "id",
        "client",
        "source",
        "status_label",
        "days",
        "file_shown",
        "rows_shown",
        "started_shown",
        "resolution_status",
    ]
    # Newest first: Borealis' one-row file, then Acme's long-named one.
    assert cells(page, "file_shown") == ["b.csv", "acme-foods_20251103_deliver…"]
    assert f'<span title="{long_name}">' in page
    assert cells(page, "rows_shown") == ["1 of 1", "1,200 of 1,201, 1 refused"]
    assert cells(page, "days") == ["2025-11-03", "2025-11-03"]


def test_refused_rows_csv_has_no_internal_column(browser, client_a):
    run = run_ingestion(
        client=client_a, source="facebook", file_name="meta.csv", content=FACEBOOK_EXPORT
    )
    assert run.status == RunStatus.PARTIAL, run.message
    assert "__ad_name__" in run.columns  # the adapter's own copy of "Ad name"

    response = browser.get(f"/admin/ingestion/ingestionrun/{run.pk}/errors.csv")

    # The file's own columns (the adapter names the spend column "Amount spent"); a cell that
    # starts with "-" is defused for spreadsheets.
    assert response.content.decode().splitlines() == [
        "row,errors,Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent",
        "3,Impressions: is negative (-5),2025-11-03,Spring,Prospecting,Ad 2,'-5,3,4.50",
    ]


def test_a_vibe_report_is_titled_by_its_clients_name(browser, client_a, client_b):
    report = VibeReportRequest.objects.create(
        client=client_b, start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 11, 3)
    )
    assert str(report) == "Vibe report 2025-11-01..2025-11-03 for Borealis Travel"
    page = browser.get(f"/admin/ingestion/vibereportrequest/{report.pk}/change/").content.decode()
    assert "Vibe report 2025-11-01..2025-11-03 for Borealis Travel" in page
    assert "for client " not in page
