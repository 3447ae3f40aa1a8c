"""The bad-input catalogue: each refusal says what is wrong and what to do, and writes nothing
(the run itself is logged as failed); row-level problems refuse only their rows."""

import datetime as dt
import zipfile

import pytest
from django.utils import timezone

from ingestion.models import RunStatus, StagingRow
from ingestion.pipeline import run_ingestion
from ingestion.tests.helpers import (
    SURFSIDE_HEADER,
    nothing_loaded,
    rewrite_member,
    row,
    surfside_csv,
    xlsx_bytes,
)
from metrics.models import DailyMetric

pytestmark = pytest.mark.django_db


def ingest(client, content, name="delivery.csv", source="surfside"):
    return run_ingestion(client=client, source=source, content=content, file_name=name)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty.csv is empty. Export the report again and upload it."),
        (b"  \r\n \n", "blank.csv", "blank.csv is empty. Export the report again and upload it."),
        (
            surfside_csv(),
            "header.csv",
            "header.csv has a header row but no data rows. Check the report's date range and "
            "export it again.",
        ),
        (
            b"Date,Campaign\n2025-11-03,Spring\n",
            "thin.csv",
            "thin.csv is missing the required columns 'strategy', 'placement', 'creative', "
            "'impressions', 'clicks', 'conversions', 'revenue'.",
        ),
        (
            surfside_csv(row()),
            "report.xlsx",
            "report.xlsx is named .xlsx but contains CSV text. Rename it to .csv (or export it "
            "again as an Excel workbook) and try again.",
        ),
        (
            bytes(range(256)) * 20,
            "junk.csv",
            "junk.csv is not a CSV or XLSX file (it contains binary data). Export the report as "
            "CSV or XLSX and try again.",
        ),
        (
            b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>",
            "page.csv",
            "page.csv is an HTML/XML page, not a CSV export (the sender or S3 returned an error "
            "page instead of the report). Ask for the file to be delivered again.",
        ),
        (b'{"rows": []}', "data.csv", "data.csv looks like JSON, not a CSV or XLSX export."),
        (
            (SURFSIDE_HEADER + "\n" + row(placement="Caf\xe9")).encode("latin-1"),
            "latin.csv",
            "latin.csv is not UTF-8 text (byte 0xe9 on line 2). In Excel choose 'CSV UTF-8 "
            "(Comma delimited)' when saving, then try again.",
        ),
        (
            b"PK\x03\x04 not really a zip",
            "broken.xlsx",
            "broken.xlsx is a damaged or truncated Excel file.",
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "header-only",
        "missing-columns",
        "csv-named-xlsx",
        "binary",
        "html-page",
        "json",
        "not-utf8",
        "broken-zip",
    ],
)
def test_unreadable_files_are_refused_with_a_reason_and_nothing_is_written(
    client_a, content, name, message
):
    run = ingest(client_a, content, name)
    assert run.status == RunStatus.FAILED
    assert message in run.message
    assert nothing_loaded()


def test_an_xlsx_named_csv_is_refused(client_a):
    content = xlsx_bytes([["Event Date", "Impressions"], ["2025-11-03", 10]])
    run = ingest(client_a, content, "sheet.csv")
    assert run.message.startswith("sheet.csv is named .csv but is an Excel workbook.")
    assert nothing_loaded()


def test_a_zip_bomb_is_refused_without_expanding(client_a, settings):
    workbook = xlsx_bytes([["Event Date", "Impressions"], ["2025-11-03", 10]])
    bomb = rewrite_member(
        workbook, "xl/worksheets/sheet1.xml", lambda data: data + b" " * (12 * 1024 * 1024)
    )
    assert len(bomb) < 200_000
    run = ingest(client_a, bomb, "bomb.xlsx")
    assert run.status == RunStatus.FAILED
    assert "expands to more than it should once uncompressed (a zip bomb" in run.message
    assert nothing_loaded()


def test_a_billion_laughs_workbook_is_refused_without_expanding(client_a):
    workbook = xlsx_bytes([["Event Date", "Impressions"], ["2025-11-03", 10]])
    entities = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )
    bomb = rewrite_member(
        workbook, "xl/worksheets/sheet1.xml", lambda data: entities + data.split(b"?>", 1)[-1]
    )
    run = ingest(client_a, bomb, "laughs.xlsx")
    assert run.status == RunStatus.FAILED
    assert "contains XML entity declarations" in run.message
    assert nothing_loaded()


def test_a_zip_that_is_not_a_workbook_is_refused(client_a):
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.csv", "a,b\n")
    run = ingest(client_a, buffer.getvalue(), "export.xlsx")
    assert "is a zip archive but not an Excel workbook" in run.message
    assert nothing_loaded()


def test_invalid_rows_are_staged_with_their_errors_and_valid_rows_still_load(client_a):
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%m/%d/%Y")
    content = surfside_csv(
        row(creative="Good"),
        row(creative="Negative", impressions="-5"),
        row(creative="Future", date=future),
        row(creative="X" * 256),
        row(creative="Words", clicks="twelve"),
        row(creative="Half", impressions="10.5"),
        row(creative="Undated", date="yesterday"),
        row(creative=""),
    )
    run = ingest(client_a, content)
    assert run.status == RunStatus.PARTIAL
    assert (run.rows_read, run.rows_loaded, run.rows_failed) == (8, 1, 7)
    errors = {
        staged.row_number: staged.errors
        for staged in StagingRow.objects.filter(run=run, is_valid=False)
    }
    assert errors == {
        3: [{"column": "Impressions", "message": "is negative (-5)"}],
        4: [
            {
                "column": "Event Date",
                "message": f"{dt.datetime.strptime(future, '%m/%d/%Y').date()} is in the future",
            }
        ],
        5: [{"column": "Creative Name", "message": "is longer than 255 characters (256)"}],
        6: [{"column": "Clicks", "message": "'twelve' is not a number"}],
        7: [{"column": "Impressions", "message": "must be a whole number (10.5)"}],
        8: [
            {
                "column": "Event Date",
                "message": "'yesterday' is not a date (use YYYY-MM-DD or M/D/YYYY)",
            }
        ],
        9: [{"column": "Creative Name", "message": "is empty"}],
    }
    assert list(DailyMetric.objects.values_list("creative__name", flat=True)) == ["Good"]
    assert "row 3: Impressions is negative (-5)" in run.message


def test_rows_before_the_first_cpm_are_refused_not_priced_by_a_default(client_a):
    content = surfside_csv(row(date="12/31/2019", creative="Early"), row(creative="Priced"))
    run = ingest(client_a, content)
    assert run.status == RunStatus.PARTIAL
    staged = StagingRow.objects.get(run=run, is_valid=False)
    assert staged.row_number == 2
    assert staged.errors == [
        {
            "column": "Event Date",
            "message": "no CPM in effect on 2019-12-31: add a CPM rate for Acme Foods starting on "
            "or before 2019-12-31, then re-run",
        }
    ]
    assert list(DailyMetric.objects.values_list("creative__name", flat=True)) == ["Priced"]


def test_when_no_row_is_valid_the_run_fails_and_nothing_is_loaded(client_a):
    run = ingest(client_a, surfside_csv(row(impressions="-1"), row(clicks="x")))
    assert run.status == RunStatus.FAILED
    assert run.message.startswith("None of the 2 rows could be loaded.")
    assert not DailyMetric.objects.exists()
    assert StagingRow.objects.filter(run=run, is_valid=False).count() == 2


def test_formula_like_names_are_kept_as_plain_text(client_a):
    content = surfside_csv(
        row(
            strategy='=HYPERLINK("http://evil")', placement="+SUM(A1)", creative="-2+3", size="@cmd"
        ),
    )
    run = ingest(client_a, content)
    assert run.status == RunStatus.SUCCESS, run.message
    metric = DailyMetric.objects.select_related("strategy", "placement", "creative").get()
    assert metric.strategy.name == '=HYPERLINK("http://evil")'
    assert metric.placement.name == "+SUM(A1)"
    assert (metric.creative.name, metric.creative.size) == ("-2+3", "@cmd")
