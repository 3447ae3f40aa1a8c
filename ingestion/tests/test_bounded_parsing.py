"""Parsing is bounded before work is done: decompressed size, rows and columns each get a clear
refusal and nothing is staged; a character PostgreSQL cannot store is named with its place."""

import pytest

from ingestion.models import RunStatus
from ingestion.pipeline import run_ingestion
from ingestion.tests.helpers import (
    SURFSIDE_HEADER,
    nothing_loaded,
    rewrite_member,
    row,
    surfside_csv,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def ingest(client, content, name):
    return run_ingestion(client=client, source="surfside", content=content, file_name=name)


def surfside_rows(count):
    return [row(creative=f"Banner {number}") for number in range(count)]


def test_a_workbook_expanding_past_the_limit_at_a_modest_ratio_is_refused(client_a, settings):
    # The probe's file: ratio about 77 (under the 150 ratio rule), but far too large once expanded.
    settings.MAX_FILE_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    workbook = xlsx_bytes([["Event Date", "Impressions"], ["2025-11-03", 10]])
    padding = b"".join(b"<!-- %d -->" % number for number in range(300_000))
    bomb = rewrite_member(workbook, "xl/worksheets/sheet1.xml", lambda data: data + padding)
    run = ingest(client_a, bomb, "big.xlsx")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "big.xlsx expands to more than 2 MB once uncompressed (the limit); it was not opened. "
        "Export a shorter date range."
    )
    assert nothing_loaded()


def test_a_csv_with_too_many_rows_is_refused_before_parsing(client_a, settings):
    settings.MAX_FILE_ROWS = 3
    run = ingest(client_a, surfside_csv(*surfside_rows(4)), "long.csv")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "long.csv has more than 3 data rows (the limit). Export a shorter date range."
    )
    assert nothing_loaded()


def test_a_csv_at_the_row_limit_loads(client_a, settings):
    settings.MAX_FILE_ROWS = 3
    run = ingest(client_a, surfside_csv(*surfside_rows(3)), "ok.csv")
    assert run.status == RunStatus.SUCCESS
    assert run.rows_loaded == 3


def test_a_workbook_with_too_many_rows_is_refused_while_reading(client_a, settings):
    settings.MAX_FILE_ROWS = 3
    header = SURFSIDE_HEADER.split(",")
    rows = [value.split(",") for value in surfside_rows(5)]
    run = ingest(client_a, xlsx_bytes([header, *rows]), "long.xlsx")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "long.xlsx has more than 3 data rows (the limit). Export a shorter date range."
    )
    assert nothing_loaded()


def test_a_csv_with_too_many_columns_is_refused(client_a, settings):
    settings.MAX_FILE_COLUMNS = 12
    header = SURFSIDE_HEADER + ",Extra 1,Extra 2,Extra 3"
    run = ingest(client_a, surfside_csv(row() + ",a,b,c", header=header), "wide.csv")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "wide.csv has 13 columns; at most 12 are read. Export only the report's columns."
    )
    assert nothing_loaded()


def test_a_workbook_with_a_cell_far_to_the_right_is_refused(client_a, settings):
    settings.MAX_FILE_COLUMNS = 12
    header = SURFSIDE_HEADER.split(",")
    values = row().split(",") + [None] * 30 + ["stray"]
    run = ingest(client_a, xlsx_bytes([header, values]), "wide.xlsx")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "wide.xlsx has 41 columns; at most 12 are read. Export only the report's columns."
    )
    assert nothing_loaded()


def test_a_workbook_whose_declared_size_lies_is_still_read_only_to_the_limit(client_a, settings):
    settings.MAX_FILE_COLUMNS = 12
    header = SURFSIDE_HEADER.split(",")
    values = row().split(",") + [None] * 30 + ["stray"]
    workbook = rewrite_member(
        xlsx_bytes([header, values]),
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b'<dimension ref="A1:AO2"/>', b""),
    )
    run = ingest(client_a, workbook, "wide.xlsx")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "wide.xlsx has a cell beyond column 12 on row 2; at most 12 columns are read. "
        "Export only the report's columns."
    )
    assert nothing_loaded()


def test_a_nul_character_after_the_first_4_kb_is_named_with_its_line_and_column(client_a):
    rows = surfside_rows(80)
    rows[70] = row(creative="Ban\x00ner")
    content = surfside_csv(*rows)
    assert content.index(b"\x00") > 4096
    run = ingest(client_a, content, "nul.csv")
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "nul.csv has a NUL character, which cannot be stored, on line 72, column 3 "
        "('Creative Name'). Remove it and export the report again."
    )
    assert nothing_loaded()
