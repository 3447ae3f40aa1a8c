"""Validation of a ``ParsedFile`` whose columns the file did not have: errors name those columns
as people call them (LABELS), and the error collector ignores missing mask values."""

import datetime as dt

import pandas as pd

from ingestion.adapters.base import ParsedFile
from ingestion.sources.surfside.adapter import parse_surfside
from ingestion.validation import _Errors, validate_rows


def parsed_without_headers(**cells: str) -> ParsedFile:
    """One row, every canonical column filled, but only the date mapped to a file header."""
    values = {
        "row_number": 2,
        "date": pd.Timestamp("2025-11-03"),
        "campaign": "C",
        "strategy": "S",
        "placement": "P",
        "creative": "K",
        "creative_size": "",
        "impressions": "1",
        "clicks": "0",
        "conversions": "0",
        "revenue": "0",
        "source_spend": "",
        **cells,
    }
    rows = pd.DataFrame([values], index=[5])
    raw = pd.DataFrame({"Day": ["11/3/2025"]}, index=[5])
    return ParsedFile(rows=rows, raw=raw, headers={"date": "Day"})


def test_errors_in_columns_the_file_lacks_use_the_labels():
    parsed = parsed_without_headers(
        impressions="abc", clicks="-1", creative="", creative_size="x" * 65
    )
    result = validate_rows(parsed, today=dt.date(2025, 11, 3))
    assert result.errors == {
        5: [
            {"column": "creative", "message": "is empty"},
            {"column": "creative size", "message": "is longer than 64 characters"},
            {"column": "impressions", "message": "'' is not a number"},
            {"column": "clicks", "message": "is negative (-1)"},
        ]
    }
    assert result.valid.empty


def test_a_surfside_file_without_a_campaign_and_no_default_names_the_campaign_column():
    content = (
        b"Strategy Name,Placement Name,Creative Name,Creative Size,Event Date,Impressions,Clicks,"
        b"Media Spend,Conversions,Conversion Value\nS,P,K,1x1,11/3/2025,1,0,0,0,0\n"
    )
    parsed = parse_surfside(content, file_name="d.csv", default_campaign="")
    result = validate_rows(parsed, today=dt.date(2025, 11, 3))
    assert result.errors == {0: [{"column": "campaign", "message": "is empty"}]}


def test_a_missing_mask_value_flags_nothing():
    errors = _Errors()
    errors.add(pd.Series([True, None, False], index=[4, 5, 6], dtype=object), "c", "bad")
    errors.add(pd.Series([pd.NA, True], index=[7, 8], dtype="boolean"), "d", "worse")
    assert errors.by_row == {
        4: [{"column": "c", "message": "bad"}],
        8: [{"column": "d", "message": "worse"}],
    }


def test_nothing_flagged_adds_nothing():
    errors = _Errors()
    errors.add(pd.Series([False, False]), "c", lambda mask: pd.Series(["never"]))
    assert errors.by_row == {}
