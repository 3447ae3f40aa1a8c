"""The ``comparison`` of the PDF and XLSX exports (SPEC 9: previous period, same period last
year, none), inline and queued, on two tenants sharing names and dates.

``last_year_weeks``: both clients run a Surfside campaign "Holiday" every day of Nov 24-30, 2025
(the range) and of Nov 24-30, 2024 (the same dates last year); nothing ran Nov 17-23, 2025.

    Acme      2025: 1,000 imps, 10 clicks, 1 conv a day    2024: 500 imps, 5 clicks, 1 conv
    Borealis  2025:   300 imps,  3 clicks, 1 conv a day    2024: 600 imps, 6 clicks, 1 conv

Acme against last year: impressions 7,000 against 3,500 (+100.00 %), clicks 70 against 35
(+100.00 %), conversions 7 against 7 (0.00 %). Borealis would read -50.00 %.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from campaigns.models import Source
from metrics.periods import DateRange
from metrics.tests.factories import rollups_built
from reports.models import ExportJob
from reports.tests.test_exports import content
from tests.comparison_data import QUERY, RANGE, creative, day_rows, facebook_gap_weeks

pytestmark = pytest.mark.django_db

LAST_YEAR = DateRange(RANGE.start.replace(year=2024), RANGE.end.replace(year=2024))


@pytest.fixture
def last_year_weeks(client_a, client_b):
    rows = []
    for client, now, before in ((client_a, 1000, 500), (client_b, 300, 600)):
        banner = creative(client, Source.SURFSIDE)
        rows += day_rows(banner, list(RANGE.each_day()), now, now // 100, 1, "20")
        rows += day_rows(banner, list(LAST_YEAR.each_day()), before, before // 100, 1, "20")
    rollups_built(*rows)


def pdf_text(body: bytes) -> str:
    """The PDF's text, its whitespace collapsed."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())


def test_the_pdf_compares_with_the_same_dates_last_year(api, user_a, last_year_weeks):
    response = api(user_a).get(f"/api/v1/exports/pdf?{QUERY}&comparison=last_year")

    assert response.status_code == 200
    text = pdf_text(content(response))
    assert "Compared with November 24 - 30, 2024" in text
    assert "IMPRESSIONS 7,000 +100.00% vs Nov 24\u201330, 2024" in text
    assert "Clicks 70 35 +100.00%" in text
    assert "Conversions 7 7 0.00%" in text
    assert "each day against the day at the same place in Nov 24\u201330, 2024" in text
    assert "-50.00%" not in text  # Borealis's change


def test_the_pdf_by_default_compares_with_the_previous_period(api, user_a, last_year_weeks):
    # Nothing ran Nov 17-23, 2025: no change, and why.
    text = pdf_text(content(api(user_a).get(f"/api/v1/exports/pdf?{QUERY}")))

    assert "Compared with November 17 - 23, 2025" in text
    assert "No change is given: Surfside: no data delivered in Nov 17\u201323." in text
    assert "+100.00%" not in text


def test_the_pdf_without_comparison_shows_no_change(api, user_a, last_year_weeks):
    text = pdf_text(content(api(user_a).get(f"/api/v1/exports/pdf?{QUERY}&comparison=none")))

    assert "Compared with No comparison" in text
    assert "No comparison was chosen: no change is given." in text
    assert "Impressions 7,000 Clicks 70" in text  # no compared value, no change
    assert "%" not in text.split("Key figures", 1)[1].split("CTR", 1)[0]
    assert "2024" not in text and "Nov 17" not in text


@pytest.mark.parametrize("export", ["pdf", "xlsx", "csv"])
def test_an_unknown_comparison_is_a_400(api, user_a, export):
    response = api(user_a).get(f"/api/v1/exports/{export}?{QUERY}&comparison=yesterday")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        'comparison: "yesterday" is not a comparison; use previous, last_year, none.'
    )


def test_a_queued_pdf_keeps_its_comparison(
    api, user_a, last_year_weeks, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 2  # Acme has 7 detail rows in the range
    with django_capture_on_commit_callbacks(execute=True):  # the build runs (sync cluster)
        response = api(user_a).get(f"/api/v1/exports/pdf?{QUERY}&comparison=last_year")

    assert response.status_code == 202
    assert ExportJob.objects.get().comparison == "last_year"
    ready = api(user_a).get(response.json()["status_url"]).json()
    assert ready["status"] == "ready"
    text = pdf_text(content(api(user_a).get(ready["download_url"])))
    assert "Compared with November 24 - 30, 2024" in text
    assert "Clicks 70 35 +100.00%" in text


def summary_sheet(body: bytes) -> list[list[object]]:
    workbook = load_workbook(io.BytesIO(body))
    return [[cell.value for cell in row] for row in workbook["Summary"].iter_rows()]


def test_the_xlsx_key_figures_leave_out_a_source_not_comparable(api, user_a, client_b):
    """tests.comparison_data: Acme's Facebook has 1 of 7 days; Surfside's 70 clicks compare
    with its 70 (0.00 %) while the columns show every source's 110 against 350."""
    facebook_gap_weeks(user_a.client, client_b)

    sheet = summary_sheet(content(api(user_a).get(f"/api/v1/exports/xlsx?{QUERY}")))

    assert sheet[0] == [
        "Measure",
        "2025-11-24 to 2025-11-30",
        "2025-11-17 to 2025-11-23",
        "Change vs Nov 17\u201323, 2025",
    ]
    assert sheet[1] == ["Impressions", 9000, 21000, "0.00%"]
    assert sheet[2] == ["Clicks", 110, 350, "0.00%"]
    assert sheet[-1][0] == "Leaves out Facebook: 1 of 7 days uploaded"

    # Facebook alone: no change, and why.
    sheet = summary_sheet(content(api(user_a).get(f"/api/v1/exports/xlsx?{QUERY}&source=facebook")))
    assert sheet[2] == ["Clicks", 40, 280, "not comparable: Facebook: 1 of 7 days uploaded"]


def test_the_xlsx_key_figures_follow_the_chosen_comparison(api, user_a, last_year_weeks):
    body = content(api(user_a).get(f"/api/v1/exports/xlsx?{QUERY}&comparison=last_year"))
    sheet = summary_sheet(body)

    assert sheet[0][2:] == ["2024-11-24 to 2024-11-30", "Change vs Nov 24\u201330, 2024"]
    assert sheet[2] == ["Clicks", 70, 35, "+100.00%"]

    sheet = summary_sheet(content(api(user_a).get(f"/api/v1/exports/xlsx?{QUERY}&comparison=none")))
    assert sheet[0] == ["Measure", "2025-11-24 to 2025-11-30"]
    assert sheet[2] == ["Clicks", 70]
