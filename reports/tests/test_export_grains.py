"""Exports streamed from PostgreSQL (issue 15 part 4): the CSV is ``COPY``, spend is priced in SQL
from the CPM rate periods, the grain is selectable, and XLSX splits across sheets.

Two tenants share every name and date (tests/two_tenants.py) at different CPMs that change inside
the range: every number below is worked out by hand.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from openpyxl import load_workbook
from rest_framework.test import APIClient

from metrics.periods import DateRange
from reports.export_sql import ExportQuery, Grain, copy_csv
from reports.models import ExportJob
from reports.selectors import export_columns
from reports.tests.test_exports import HEADER, WEEK, content, csv_rows

pytestmark = pytest.mark.django_db

RANGE = "start_date=2025-11-01&end_date=2025-11-04"
NAMES = ["surfside", "Spring Sale", "Prospecting", "Top", "Banner", "300x250"]
MEASURES = [
    "Impressions",
    "Clicks",
    "Conversions",
    "Revenue",
    "Spend",
    "CTR %",
    "CPC",
    "CPA",
    "ROAS %",
]


def _row(day_and_client: str, measures: str) -> list[str]:
    """A CSV row of the shared names: "date,client", then the measures, comma-separated."""
    return [*day_and_client.split(","), *NAMES, *measures.split(",")]


# The rows the ORM exporter wrote before (stored spend and rates; checked against it before it
# was removed), now computed in SQL: Acme's CPM moves from 15.00 to 20.00 on Nov 2, inside the
# range. Spend = impressions / 1000 x CPM; CTR = clicks / impressions x 100; CPC = spend /
# clicks; CPA = spend / conversions; ROAS = revenue / spend x 100.
ACME_ROWS = [
    _row(
        "2025-11-01,Acme Foods",
        "1000,10,1,30.000000,15.000000,1.000000,1.500000,15.000000,200.000000",
    ),
    _row(
        "2025-11-02,Acme Foods",
        "2000,20,2,60.000000,40.000000,1.000000,2.000000,20.000000,150.000000",
    ),
    _row(
        "2025-11-03,Acme Foods",
        "3000,30,3,90.000000,60.000000,1.000000,2.000000,20.000000,150.000000",
    ),
]
# Borealis: 40.00 until 50.00 from Nov 3.
BOREALIS_ROWS = [
    _row(
        "2025-11-02,Borealis Travel",
        "4000,8,1,100.000000,160.000000,0.200000,20.000000,160.000000,62.500000",
    ),
    _row(
        "2025-11-03,Borealis Travel",
        "5000,10,2,200.000000,250.000000,0.200000,25.000000,125.000000,80.000000",
    ),
    _row(
        "2025-11-04,Borealis Travel",
        "6000,12,3,300.000000,300.000000,0.200000,25.000000,100.000000,100.000000",
    ),
]


def test_csv_is_the_old_exporters_rows_priced_across_a_rate_change(api, user_a, two_tenants):
    response = api(user_a).get(f"/api/v1/exports/csv?{RANGE}")
    assert response.status_code == 200 and response.streaming
    raw = content(response)
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == HEADER
    # Client A's rows only: B shares every name and date, and none of its rows is here.
    assert rows == ACME_ROWS


def test_the_csv_of_one_client_never_carries_the_others_rows(api, user_b, admin_user, two_tenants):
    _, *rows = csv_rows(api(user_b).get(f"/api/v1/exports/csv?{RANGE}"))
    assert rows == BOREALIS_ROWS
    # The admin's export of both: by day, then client name.
    header, *rows = csv_rows(api(admin_user).get(f"/api/v1/exports/csv?{RANGE}"))
    cost = header.index("Platform cost (agency only)")
    assert [row[:cost] + row[cost + 1 :] for row in rows] == [
        ACME_ROWS[0],
        ACME_ROWS[1],
        BOREALIS_ROWS[0],
        ACME_ROWS[2],
        BOREALIS_ROWS[1],
        BOREALIS_ROWS[2],
    ]


def test_csv_totals_equal_the_dashboard_totals(api, user_a, two_tenants):
    header, *rows = csv_rows(api(user_a).get(f"/api/v1/exports/csv?{RANGE}"))
    summary = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    column = {name: header.index(name) for name in MEASURES}
    sums = {name: sum(Decimal(row[column[name]]) for row in rows) for name in MEASURES[:5]}
    assert sums == {
        "Impressions": 6000,
        "Clicks": 60,
        "Conversions": 6,
        "Revenue": Decimal("180"),
        "Spend": Decimal("115"),
    }
    assert (summary["impressions"], summary["clicks"], summary["conversions"]) == (6000, 60, 6)
    assert Decimal(summary["conversion_revenue"]) == sums["Revenue"]
    assert Decimal(summary["spend"]) == sums["Spend"]


def test_the_campaign_by_day_grain_reads_the_rollups(api, user_a, two_tenants):
    response = api(user_a).get(f"/api/v1/exports/csv?{RANGE}&grain=campaign_day")
    assert (
        'filename="metrics-acme-campaign_day-2025-11-01-2025-11-04.csv"'
        in (response["Content-Disposition"])
    )
    header, *rows = csv_rows(response)
    assert header == ["Date", "Client", "Source", "Campaign", *MEASURES]
    assert rows == [[*row[:3], row[3], *row[8:]] for row in ACME_ROWS]


def test_the_campaign_grain_sums_the_range(api, user_a, admin_user, two_tenants):
    header, *rows = csv_rows(api(user_a).get(f"/api/v1/exports/csv?{RANGE}&grain=campaign"))
    assert header == ["Client", "Source", "Campaign", *MEASURES]
    # 6,000 impressions, 60 clicks, 6 conversions, 180 revenue, 15 + 40 + 60 = 115 spend:
    # CTR 1 %, CPC 115 / 60, CPA 115 / 6, ROAS 180 / 115 x 100 (rates of the sums).
    assert rows == [
        [
            *("Acme Foods", "surfside", "Spring Sale", "6000", "60", "6", "180.000000"),
            *("115.000000", "1.000000", "1.916667", "19.166667", "156.521739"),
        ]
    ]
    header, *rows = csv_rows(api(admin_user).get(f"/api/v1/exports/csv?{RANGE}&grain=campaign"))
    assert [row[:4] + row[7:8] for row in rows] == [
        ["Acme Foods", "surfside", "Spring Sale", "6000", "115.000000"],
        ["Borealis Travel", "surfside", "Spring Sale", "15000", "710.000000"],
    ]
    assert header[8] == "Platform cost (agency only)"


def test_an_xlsx_at_the_campaign_grain_has_its_totals(api, user_a, two_tenants):
    response = api(user_a).get(f"/api/v1/exports/xlsx?{RANGE}&grain=campaign")
    workbook = load_workbook(io.BytesIO(content(response)))
    assert workbook.sheetnames == ["Summary", "Campaigns"]
    header, row, total = [
        [cell.value for cell in line] for line in workbook["Campaigns"].iter_rows()
    ]
    assert header == ["Client", "Source", "Campaign", *MEASURES]
    assert row[:8] == ["Acme Foods", "Surfside", "Spring Sale", 6000, 60, 6, 180, 115]
    assert total[:8] == ["Total", None, None, 6000, 60, 6, 180, 115]


def test_a_bad_grain_is_a_400_that_lists_the_grains(api, user_a):
    response = api(user_a).get(f"/api/v1/exports/csv?{RANGE}&grain=week")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(
        'grain: "week" is not a grain; use one of creative_day, campaign_day, campaign '
        "(creative_day: one row per day x campaign x strategy x placement x creative;"
    )


def test_the_grain_is_in_the_openapi_schema():
    schema = APIClient().get("/api/v1/schema?format=json").json()
    for export in ("csv", "xlsx"):
        parameters = schema["paths"][f"/api/v1/exports/{export}"]["get"]["parameters"]
        grain = next(parameter for parameter in parameters if parameter["name"] == "grain")
        assert grain["schema"]["enum"] == ["creative_day", "campaign_day", "campaign"]
        assert grain["schema"]["default"] == "creative_day"


@pytest.mark.parametrize(("grain", "queued"), [("creative_day", True), ("campaign", False)])
def test_the_inline_or_queued_decision_counts_rows_at_the_grain(
    api, user_a, two_tenants, settings, grain, queued
):
    # Acme has 3 rows per creative and day, 1 campaign.
    settings.EXPORT_INLINE_MAX_ROWS = 2
    response = api(user_a).get(f"/api/v1/exports/csv?{RANGE}&grain={grain}")
    assert response.status_code == (202 if queued else 200)
    assert ExportJob.objects.exists() == queued


def test_xlsx_beyond_a_sheet_is_split_with_a_totals_sheet(api, user_a, week, monkeypatch):
    # A sheet of 3 rows (header + 2): the week's 6 rows of client A fill Data 1..3.
    monkeypatch.setattr("reports.exports.XLSX_MAX_ROWS", 3)
    response = api(user_a).get(f"/api/v1/exports/xlsx?{WEEK}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(content(response)))
    assert workbook.sheetnames == ["Summary", "Data 1", "Data 2", "Data 3", "Totals"]
    sheets = {
        name: [[cell.value for cell in row] for row in workbook[name].iter_rows()]
        for name in workbook.sheetnames[1:]
    }
    assert all(rows[0] == HEADER for rows in sheets.values())
    assert [
        [(row[0].date().isoformat(), row[6]) for row in sheets[name][1:]]
        for name in ("Data 1", "Data 2", "Data 3")
    ] == [
        [("2025-11-03", "Banner A"), ("2025-11-04", "Banner A")],
        [("2025-11-05", "Banner B"), ("2025-11-06", "Video V")],
        [("2025-11-07", "Narrow X"), ("2025-11-07", "Wide U")],
    ]
    assert workbook["Data 2"].freeze_panes == "A2"
    assert workbook["Data 3"].auto_filter.ref == "A1:Q3"
    # The totals: 89,000 impressions, 216 clicks, 27 conversions, 4,550 revenue, 1,335 spend.
    (_, total) = sheets["Totals"]
    assert total[:1] + total[8:13] == ["Total", 89_000, 216, 27, 4550, 1335]


def test_copy_csv_streams_the_same_bytes_as_the_api(client_a, two_tenants):
    query = ExportQuery(
        client_ids=(client_a.pk,),
        date_range=DateRange(dt.date(2025, 11, 1), dt.date(2025, 11, 4)),
        source=None,
        grain=Grain.CREATIVE_DAY,
    )
    data = b"".join(copy_csv(query, export_columns(with_cost=False)))
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[0] == ",".join(HEADER)
    # The day's temporary table of names is dropped once the export is read.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'export_names_%%'")
        assert cursor.fetchone() == (0,)
