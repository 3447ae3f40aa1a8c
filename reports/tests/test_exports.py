import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from accounts.models import AuditAction, AuditLog
from campaigns.tests.factories import CreativeFactory
from core.cells import defuse
from metrics.tests.factories import DailyMetricFactory, rollups_built
from reports import pdf as reports_pdf
from tests.report_data import measures

pytestmark = pytest.mark.django_db

WEEK = "start_date=2025-11-03&end_date=2025-11-09"
HEADER = [
    "Date",
    "Client",
    "Source",
    "Campaign",
    "Strategy",
    "Placement",
    "Creative",
    "Creative size",
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


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


@pytest.fixture
def hostile(client_a):
    """A creative whose names were written to attack a spreadsheet user."""
    creative = CreativeFactory(
        name="@SUM(1+1)*cmd|' /C calc'!A0",
        size="\t=1+1",
        placement__name="-2+3",
        placement__strategy__name="+evil\nsecond line\x07",
        placement__strategy__campaign__name='=HYPERLINK("http://x.example","click")',
        placement__strategy__campaign__client=client_a,
    )
    row = DailyMetricFactory(
        creative=creative,
        date=dt.date(2025, 11, 5),
        source_spend=Decimal("120.5"),
        **measures(10_000, 20, 2, "300", "150"),
    )
    rollups_built(row)
    return row


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "' cmd"),
        ("\rcmd", "' cmd"),
        ("line\nbreak\x00\x1b\u2028end", "line break   end"),
        ("Plain name", "Plain name"),
        ("a=b", "a=b"),
    ],
)
def test_defuse(value, safe):
    assert defuse(value) == safe


def test_csv_has_one_row_per_day_and_hierarchy_with_every_measure(api, user_a, week):
    response = api(user_a).get(f"/api/v1/exports/csv?{WEEK}")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="metrics-acme-2025-11-03-2025-11-09.csv"'
    )
    header, *rows = csv_rows(response)
    assert header == HEADER
    # Client A's six rows of the week, by date then names; client B's row is not there.
    assert [(row[0], row[6]) for row in rows] == [
        ("2025-11-03", "Banner A"),
        ("2025-11-04", "Banner A"),
        ("2025-11-05", "Banner B"),
        ("2025-11-06", "Video V"),
        ("2025-11-07", "Narrow X"),
        ("2025-11-07", "Wide U"),
    ]
    first = dict(zip(header, rows[0], strict=True))
    assert first == {
        "Date": "2025-11-03",
        "Client": "Acme Foods",
        "Source": "surfside",
        "Campaign": "Spring",
        "Strategy": "Prospecting",
        "Placement": "Homepage",
        "Creative": "Banner A",
        "Creative size": "300x250",
        "Impressions": "10000",
        "Clicks": "100",
        "Conversions": "10",
        "Revenue": "500.000000",
        "Spend": "150.000000",
        # Rates of the row's own measures: 100 / 10,000 x 100; 150 / 100; 150 / 10; 500 / 150.
        "CTR %": "1.000000",
        "CPC": "1.500000",
        "CPA": "15.000000",
        "ROAS %": "333.333333",
    }
    assert sum(int(row[8]) for row in rows) == 89_000
    assert sum(Decimal(row[12]) for row in rows) == Decimal("1335")


def test_admin_exports_every_client_or_one_and_a_source(api, admin_user, week, client_b):
    header, *rows = csv_rows(api(admin_user).get(f"/api/v1/exports/csv?{WEEK}"))
    assert {row[1] for row in rows} == {"Acme Foods", "Borealis Travel"}
    # Admins also get the agency's cost, headed as such, after the billed spend.
    assert header == [*HEADER[:13], "Platform cost (agency only)", *HEADER[13:]]

    response = api(admin_user).get(f"/api/v1/exports/csv?{WEEK}&client_id={client_b.pk}")
    _, *rows = csv_rows(response)
    assert {row[1] for row in rows} == {"Borealis Travel"}

    response = api(admin_user).get(f"/api/v1/exports/csv?{WEEK}&source=vibe")
    _, *rows = csv_rows(response)
    assert [row[6] for row in rows] == ["Video V"]
    assert "metrics-all-clients-vibe-2025-11-03" in response["Content-Disposition"]


def test_cells_that_a_spreadsheet_would_run_are_defused_in_csv(api, user_a, hostile):
    _, row = csv_rows(
        api(user_a).get("/api/v1/exports/csv?start_date=2025-11-05&end_date=2025-11-05")
    )
    assert row[3:8] == [
        '\'=HYPERLINK("http://x.example","click")',
        "'+evil second line ",
        "'-2+3",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        "' =1+1",
    ]
    # Numbers are numbers, never prefixed; the rates are there (the platform's cost is not).
    assert row[8:] == [
        "10000",
        "20",
        "2",
        "300.000000",
        "150.000000",
        "0.200000",
        "7.500000",
        "75.000000",
        "200.000000",
    ]


def test_client_exports_never_carry_the_platform_cost(api, user_a, admin_user, hostile):
    one_day = "start_date=2025-11-05&end_date=2025-11-05"
    header, row = csv_rows(api(user_a).get(f"/api/v1/exports/csv?{one_day}"))
    assert header == HEADER
    assert "120.5" not in ",".join(row)
    sheet = load_workbook(io.BytesIO(content(api(user_a).get(f"/api/v1/exports/xlsx?{one_day}"))))
    values = [cell.value for row in sheet["Daily metrics"].iter_rows() for cell in row]
    assert values[: len(HEADER)] == HEADER
    assert 120.5 not in values

    header, row = csv_rows(api(admin_user).get(f"/api/v1/exports/csv?{one_day}"))
    assert dict(zip(header, row, strict=True))["Platform cost (agency only)"] == "120.500000"
    sheet = load_workbook(
        io.BytesIO(content(api(admin_user).get(f"/api/v1/exports/xlsx?{one_day}")))
    )
    header_cells, row_cells, total_cells = sheet["Daily metrics"].iter_rows()
    assert header_cells[13].value == "Platform cost (agency only)"
    assert row_cells[13].value == 120.5 and row_cells[13].number_format == "#,##0.00"
    assert total_cells[0].value == "Total" and total_cells[13].value == 120.5


def test_xlsx_opens_with_typed_cells_number_formats_and_defused_text(api, user_a, hostile, week):
    response = api(user_a).get(f"/api/v1/exports/xlsx?{WEEK}")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="metrics-acme-2025-11-03-2025-11-09.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(content(response)))
    assert workbook.sheetnames == ["Summary", "Daily metrics"]
    sheet = workbook["Daily metrics"]
    header, *rows, total = list(sheet.iter_rows())
    assert [cell.value for cell in header] == HEADER
    assert len(rows) == 7
    assert sheet.auto_filter.ref == "A1:Q8"
    hostile_row = next(row for row in rows if row[6].value.startswith("'@SUM"))
    assert [cell.value for cell in hostile_row[3:8]] == [
        '\'=HYPERLINK("http://x.example","click")',
        "'+evil second line ",
        "'-2+3",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        "' =1+1",
    ]
    assert all(cell.data_type != "f" for row in rows for cell in row)
    date, impressions, revenue, ctr = (
        hostile_row[0],
        hostile_row[8],
        hostile_row[11],
        hostile_row[13],
    )
    assert date.value == dt.datetime(2025, 11, 5) and date.number_format == "yyyy-mm-dd"
    assert impressions.value == 10_000 and impressions.number_format == "#,##0"
    assert revenue.value == 300 and revenue.number_format == "#,##0.00"
    # A real percentage: 0.2 % is the fraction 0.002, shown "0.20%" as on the page.
    assert ctr.value == 0.002 and ctr.number_format == "0.00%"
    assert sheet.freeze_panes == "A2"
    # Source labels as the page shows them; Vibe (CTV) has no clicks: n/a, as on the page.
    video = next(row for row in rows if row[6].value == "Video V")
    assert [cell.value for cell in (video[2], video[9], video[13], video[14])] == [
        "Vibe",
        "n/a",
        "n/a",
        "n/a",
    ]
    # Blank where the page shows a dash: Narrow X has no conversion, so no CPA.
    narrow = next(row for row in rows if row[6].value == "Narrow X")
    assert narrow[15].value is None
    # The totals row: sums, and rates of the sums (CTR over the sources that report clicks:
    # 236 clicks / 91,000 impressions).
    assert [cell.value for cell in total[:1] + total[8:13]] == [
        "Total",
        99_000,
        236,
        29,
        4850,
        1485,
    ]
    assert total[13].value == pytest.approx(0.00259341) and total[13].number_format == "0.00%"
    assert all(cell.font.b for cell in total if cell.value is not None)
    summary = [[cell.value for cell in row] for row in workbook["Summary"].iter_rows()]
    assert summary[0][:3] == ["Measure", "2025-11-03 to 2025-11-09", "2025-10-27 to 2025-11-02"]
    assert summary[0][3] == "Change vs Oct 27\u2013Nov 2, 2025"
    assert summary[1][:3] == ["Impressions", 99_000, 30_000]
    assert summary[6][:2] == ["Spend", 1485]


def test_xlsx_refuses_more_rows_than_its_sheets_hold_and_says_what_to_do(
    api, user_a, week, monkeypatch
):
    # Sheets of 2 rows (header + 1), at most 5 of them: the week's 6 rows are one too many.
    monkeypatch.setattr("reports.exports.XLSX_MAX_ROWS", 2)
    monkeypatch.setattr("reports.exports.XLSX_MAX_SHEETS", 5)
    response = api(user_a).get(f"/api/v1/exports/xlsx?{WEEK}")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The range holds more than 5 rows at grain creative_day; an XLSX export holds at most 5 "
        "sheets of 1. Export CSV, a coarser grain (campaign_day or campaign), or a shorter range."
    )
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()
    # At the campaign x day grain the week is 5 rows (Spring on Nov 3, 4, 5, Retarget on
    # Nov 6, Brand on Nov 7): it fits.
    response = api(user_a).get(f"/api/v1/exports/xlsx?{WEEK}&grain=campaign_day")
    assert response.status_code == 200


def test_pdf_report_of_the_range(api, user_a, week):
    response = api(user_a).get(f"/api/v1/exports/pdf?{WEEK}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="report-acme-2025-11-03-2025-11-09.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Acme Foods" in text
    assert "Performance report" in text
    assert "November 3 - 9, 2025" in text and "October 27 - November 2, 2025" in text
    # Like for like (issue 12): the week before had one Surfside day and no Vibe, so no change
    # is given (it was +196.67 %), and the report says why.
    assert "89,000" in text and "$1,335.00" in text and "+196.67%" not in text
    assert "not comparable" in text and "Surfside: 1 of 7 days delivered in Oct 27" in text
    assert "Top campaigns by conversions" in text and "Retarget" in text
    assert "Wide U" in text  # an underperformer
    # Missing days as the page writes them, in spans per reason; Vibe first delivered on Nov 6,
    # so the three days before it are not missing.
    assert "Vibe: Not yet pulled: Nov 7\u20139." in text
    assert "Surfside: Not yet pulled: Nov 6, Nov 9; File not delivered: Nov 8." in text
    assert "Borealis" not in text
    # Vibe (CTV) reports no clicks: its creative's CTR is n/a, not 0.00%.
    assert re.search(r"Video V\n.*\nRetarget\nVibe\n 8,000\n n/a\n", text)


def test_pdf_escapes_client_controlled_text(api, user_a, hostile, client_a):
    client_a.name = "Acme <b>Foods</b> & Co"
    client_a.save()
    response = api(user_a).get("/api/v1/exports/pdf?start_date=2025-11-05&end_date=2025-11-05")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Acme <b>Foods</b> & Co" in text


@pytest.mark.parametrize("export", ["csv", "xlsx", "pdf"])
def test_every_export_is_audited(api, user_a, week, client_a, export):
    response = api(user_a).get(f"/api/v1/exports/{export}?{WEEK}&source=surfside")
    content(response)

    entry = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert entry.user == user_a
    assert entry.new_values == {
        "format": export,
        "start_date": "2025-11-03",
        "end_date": "2025-11-09",
        "client_ids": [client_a.pk],
        "source": "surfside",
        "grain": "creative_day",
    }


def test_bad_parameters_are_a_400_that_says_why(api, user_a):
    response = api(user_a).get("/api/v1/exports/csv?start_date=2025-11-09&end_date=2025-11-03")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The range starts on Nov 9, 2025, after it ends on Nov 3, 2025: choose a start on or "
        "before the end."
    )
    assert api(user_a).get("/api/v1/exports/csv?source=tv").status_code == 400


def test_a_client_user_asking_for_the_file_type_gets_it(user_a, week):
    from conftest import api_client_for

    client = api_client_for(user_a)
    response = client.get(f"/api/v1/exports/csv?{WEEK}", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    response = client.get("/api/v1/exports/csv?start_date=bad", HTTP_ACCEPT="text/csv")
    assert response.status_code == 400 and b"detail" in response.content


def _count_queries(api, user, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api(user).get(path)
        content(response)
    assert response.status_code == 200
    return len(queries)


# The PDF's count includes the insertion orders of its pacing section (none here), one query
# per kind of annotation (manual, CPM changes, missing files, flights, restatements) and the
# like-for-like comparison (both periods per source and day, and the compared days); each has a
# capped count (queued above EXPORT_INLINE_MAX_ROWS) and the CSV and XLSX a transaction. The
# rows themselves are read by psycopg directly (COPY, server-side cursors: one per day of the
# range, whatever its rows), outside Django's query log.
@pytest.mark.parametrize(("export", "expected"), [("csv", 7), ("xlsx", 8), ("pdf", 29)])
def test_export_queries_do_not_grow_with_the_rows(
    api, user_a, client_a, export, expected, django_assert_num_queries
):
    creatives = [CreativeFactory(placement__strategy__campaign__client=client_a) for _ in range(3)]
    first = [DailyMetricFactory(creative=creatives[0], date=dt.date(2025, 11, 3))]
    rollups_built(*first)
    path = f"/api/v1/exports/{export}?{WEEK}"
    few = _count_queries(api, user_a, path)
    many = [
        DailyMetricFactory(creative=creative, date=dt.date(2025, 11, 3) + dt.timedelta(days=day))
        for creative in creatives[1:]
        for day in range(7)
    ]
    rollups_built(*many)
    with django_assert_num_queries(expected):
        content(api(user_a).get(path))
    assert few == expected


def test_exports_are_in_the_openapi_schema_with_examples():
    schema = APIClient().get("/api/v1/schema?format=json").json()
    for export, media_type in (
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ):
        operation = schema["paths"][f"/api/v1/exports/{export}"]["get"]
        parameters = {parameter["name"] for parameter in operation["parameters"]}
        assert {"start_date", "end_date", "client_id", "source"} <= parameters
        body = operation["responses"]["200"]["content"][media_type]
        assert body["examples"], export
        assert "audit log" in operation["description"]
    csv_example = schema["paths"]["/api/v1/exports/csv"]["get"]["responses"]["200"]["content"][
        "text/csv"
    ]["examples"]["CSV"]["value"]
    assert csv_example.startswith("Date,Client,Source,Campaign")


def test_the_pdf_draws_the_chart_picked_on_the_dashboard(api, user_a, week, monkeypatch):
    drawn = []
    real = reports_pdf.trend_chart_svg

    def spy(series, **kwargs):
        drawn.append((kwargs["measures"], dict(kwargs["gaps"])))
        return real(series, **kwargs)

    monkeypatch.setattr(reports_pdf, "trend_chart_svg", spy)
    response = api(user_a).get(f"/api/v1/exports/pdf?{WEEK}&chart=ctr,roas")
    assert response.status_code == 200
    ((measures, gaps),) = drawn
    assert measures == ("ctr", "roas")
    # Nov 8 and 9 hold no data at all: gaps, with the page's reason.
    assert gaps == {
        dt.date(2025, 11, 8): "no data: file not delivered",
        dt.date(2025, 11, 9): "no data: not yet pulled",
    }
