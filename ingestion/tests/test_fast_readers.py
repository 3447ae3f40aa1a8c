"""The fast readers (Arrow for CSV, calamine for XLSX) read exactly what the exact ones read:
the real samples parse to the same canonical rows whichever way they arrive, row numbers stay
the spreadsheet's, and the bounds still refuse before any cell is read."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from ingestion.adapters import tabular
from ingestion.adapters.base import SourceFileError
from ingestion.adapters.registry import parse_source_file
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
from tests.source_data import SAMPLES

pytestmark = pytest.mark.django_db

XLSX_SAMPLES = [
    ("surfside", "surfside/surfside_sample.xlsx"),
    ("facebook", "facebook/facebook_daily_region_export.xlsx"),
]


def as_csv(path) -> bytes:
    """The workbook saved as CSV the way Excel writes it (whole numbers without ".0", dates as
    ISO days), read through openpyxl: an independent reader of the same cells."""
    sheet = openpyxl.load_workbook(SAMPLES / path, read_only=True, data_only=True).worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out)
    for values in sheet.iter_rows(values_only=True):
        writer.writerow([_shown(value) for value in values])
    return out.getvalue().encode()


def _shown(value) -> object:
    if value is None:
        return ""
    if hasattr(value, "date"):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@pytest.mark.parametrize(("source", "path"), XLSX_SAMPLES)
def test_each_xlsx_sample_parses_to_the_rows_of_the_same_sheet_saved_as_csv(client_a, source, path):
    from_xlsx = parse_source_file(
        source=source, content=(SAMPLES / path).read_bytes(), file_name="a.xlsx", client=client_a
    )
    from_csv = parse_source_file(
        source=source, content=as_csv(path), file_name="a.csv", client=client_a
    )
    assert len(from_xlsx.rows) > 10
    pd.testing.assert_frame_equal(
        from_xlsx.rows.reset_index(drop=True),
        from_csv.rows.reset_index(drop=True),
        check_dtype=False,
    )
    assert from_xlsx.headers == from_csv.headers
    assert from_xlsx.reported_totals == from_csv.reported_totals


def test_the_monthly_facebook_xlsx_sample_is_refused_as_its_csv_is(client_a):
    path = "facebook/facebook_export_older.xlsx"
    messages = []
    for content, name in (((SAMPLES / path).read_bytes(), "a.xlsx"), (as_csv(path), "a.csv")):
        with pytest.raises(SourceFileError) as refused:
            parse_source_file(source="facebook", content=content, file_name=name, client=client_a)
        messages.append(str(refused.value).replace(name, "the file"))
    assert messages[0] == messages[1]
    assert "not one row per day" in messages[0]


def test_the_surfside_xlsx_sample_equals_its_own_csv_export(client_a):
    def rows(path, name):
        parsed = parse_source_file(
            source="surfside",
            content=(SAMPLES / path).read_bytes(),
            file_name=name,
            client=client_a,
        )
        return parsed.rows.sort_values(["date", "strategy", "placement", "creative"])

    xlsx = rows("surfside/surfside_sample.xlsx", "s.xlsx")
    exported = rows("surfside/surfside_sample_excel_export.csv", "s.csv")
    columns = ["date", "strategy", "placement", "creative", "creative_size", "impressions"]
    assert xlsx[columns].values.tolist() == exported[columns].values.tolist()


@pytest.mark.parametrize(
    "path",
    [
        "surfside/surfside_sample_excel_export.csv",
        "facebook/facebook_monthly_export.csv",
        "vibe/vibe_report_sample.csv",
    ],
)
def test_arrow_reads_each_csv_sample_as_pandas_own_reader_does(path):
    content = (SAMPLES / path).read_bytes()
    fast = tabular.read_table(content, file_name="a.csv").cells
    exact = pd.read_csv(
        io.BytesIO(content),
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        encoding="utf-8-sig",
    )
    pd.testing.assert_frame_equal(fast, exact)


def test_a_blank_line_keeps_the_row_numbers_of_the_rows_after_it(client_a):
    # Arrow would skip the blank line and number the bad row 3; the spreadsheet says 4 (the
    # blank row itself is skipped, not refused).
    content = surfside_csv(row(creative="A"), "", row(creative="B", impressions="many"))
    run = run_ingestion(client=client_a, source="surfside", content=content, file_name="b.csv")
    assert run.status == RunStatus.PARTIAL
    assert list(
        StagingRow.objects.filter(run=run)
        .order_by("row_number")
        .values_list("row_number", flat=True)
    ) == [4]


def test_a_workbook_declaring_more_rows_than_the_limit_is_refused_before_reading(
    client_a, settings
):
    settings.MAX_FILE_ROWS = 3
    header = SURFSIDE_HEADER.split(",")
    workbook = xlsx_bytes([header, row().split(",")])
    # Two rows written, a million declared: the declaration alone refuses it.
    lying = rewrite_member(
        workbook,
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b'<dimension ref="A1:J2"/>', b'<dimension ref="A1:J1000000"/>'),
    )
    assert lying != workbook
    run = run_ingestion(client=client_a, source="surfside", content=lying, file_name="l.xlsx")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "l.xlsx has more than 3 data rows (the limit). Export a shorter date range."
    )
    assert nothing_loaded()


def test_a_header_below_empty_rows_keeps_the_sheets_row_numbers(client_a):
    header = SURFSIDE_HEADER.split(",")
    workbook = xlsx_bytes(
        [[None], [None], header, row().split(","), row(creative="B", impressions="x").split(",")]
    )
    run = run_ingestion(client=client_a, source="surfside", content=workbook, file_name="h.xlsx")
    assert run.status == RunStatus.PARTIAL
    refused = StagingRow.objects.get(run=run)
    assert refused.row_number == 5
    assert refused.raw["Creative Name"] == "B"
    assert refused.raw["Impressions"] == "x"


def test_workbook_cells_typed_as_numbers_and_date_times_read_as_the_sheet_shows_them(client_a):
    header = SURFSIDE_HEADER.split(",")
    values = row().split(",")
    values[2] = 12345  # a creative named by a number, stored as one
    values[4] = dt.datetime(2025, 11, 3, 8, 5)  # a date with a time of day
    values[5] = 1000
    values[7] = 4.5
    run = run_ingestion(
        client=client_a,
        source="surfside",
        content=xlsx_bytes([header, values]),
        file_name="typed.xlsx",
    )
    assert run.status == RunStatus.SUCCESS, run.message
    metric = DailyMetric.objects.get(client=client_a)
    assert metric.creative.name == "12345"
    assert metric.date == dt.date(2025, 11, 3)
    assert (metric.impressions, metric.source_spend) == (1000, Decimal("4.500000"))
