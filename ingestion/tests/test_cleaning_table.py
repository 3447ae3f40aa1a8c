"""Cleaning, cell by cell, as the docstrings of ``ingestion.adapters.cleaning`` promise:
one input cell -> the exact value the adapters hand to validation."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ingestion.adapters.base import SourceFileError
from ingestion.adapters.cleaning import (
    as_text,
    blank,
    clean_names,
    clean_numbers,
    map_headers,
    normalize_header,
    parse_dates,
    require_headers,
)


def one(function, cell, **kwargs):
    return function(pd.Series([cell], dtype=object), **kwargs).iloc[0]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (" $ 4.76 ", "4.76"),
        (" $ 6,250.00 ", "6250.00"),
        ('" $ 6,250.00 "', "6250.00"),
        ("1,234,567", "1234567"),
        (" $ -   ", "0"),
        ("-", "0"),
        ("$-", "0"),
        ("(12.50)", "-12.50"),
        (" $ (1,250.50) ", "-1250.50"),
        ("-3.5", "-3.5"),
        ("USD 12.00", "12.00"),
        ("EUR 7", "7"),
        ("GBP 8", "8"),
        ("€9.10", "9.10"),
        ("£3", "3"),
        ("'42", "42"),
        ("12\u00a0000", "12000"),
        ("\t15\r\n", "15"),
        ("", "0"),
        ("   ", "0"),
        (None, "0"),
        (np.nan, "0"),
        (1250.5, "1250.5"),
        (0.1, "0.1"),
        (1e-07, "1e-07"),
        (7, "7"),
        ("abc", "abc"),
        ("#DIV/0!", "#DIV/0!"),
        ("(12", "(12"),
        ("12)", "12)"),
    ],
)
def test_clean_numbers(cell, expected):
    assert one(clean_numbers, cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("", ""), ("  ", ""), (None, ""), (" $ -   ", "0"), (" $ 4.76 ", "4.76")],
)
def test_blank_platform_spend_is_unknown_not_zero(cell, expected):
    assert one(clean_numbers, cell, blank_is_zero=False) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("11/3/2025", dt.date(2025, 11, 3)),
        ("01/02/2025", dt.date(2025, 1, 2)),
        ("11/3/25", dt.date(2025, 11, 3)),
        ("2025-11-03", dt.date(2025, 11, 3)),
        (" 2025-11-03 ", dt.date(2025, 11, 3)),
        ("2025/11/03", dt.date(2025, 11, 3)),
        ("2025-11-03 00:00:00", dt.date(2025, 11, 3)),
        ("2025-11-03T00:00:00", dt.date(2025, 11, 3)),
        ("2025-11-03T00:00:00.000", dt.date(2025, 11, 3)),
        # Excel serial numbers: 45658 is 2025-01-01 in Excel (whose 1900 epoch counts a
        # 29 February 1900 that never was, hence the 1899-12-30 origin).
        ("45658", dt.date(2025, 1, 1)),
        ("45964", dt.date(2025, 11, 3)),
        ("45964.0", dt.date(2025, 11, 3)),
        (45964.0, dt.date(2025, 11, 3)),
        (45964, dt.date(2025, 11, 3)),
        ("10000", dt.date(1927, 5, 18)),
        (dt.datetime(2025, 11, 3), dt.date(2025, 11, 3)),
        (dt.datetime(2025, 11, 3, 15, 30), dt.date(2025, 11, 3)),
        (dt.date(2025, 2, 28), dt.date(2025, 2, 28)),
    ],
)
def test_parse_dates(cell, expected):
    assert one(parse_dates, cell).date() == expected


@pytest.mark.parametrize(
    "cell",
    ["", "   ", None, "not a date", "13/45/2025", "2025-02-30", "4596", "459640", "45964.5", "x1"],
)
def test_unreadable_dates_are_not_dates(cell):
    assert pd.isna(one(parse_dates, cell))


def test_parse_dates_keeps_each_row_in_place():
    cells = pd.Series(["11/3/2025", "", "2025-11-04", "11/3/2025", "45965"], index=[7, 3, 9, 1, 4])
    parsed = parse_dates(cells)
    assert list(parsed.index) == [7, 3, 9, 1, 4]
    assert [None if pd.isna(d) else d.date() for d in parsed] == [
        dt.date(2025, 11, 3),
        None,
        dt.date(2025, 11, 4),
        dt.date(2025, 11, 3),
        dt.date(2025, 11, 4),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Spring Sale ", "Spring Sale"),
        ("  Spring Sale", "Spring Sale"),
        ("Spring\tSale", "Spring Sale"),
        ("Spring \t \u00a0 Sale", "Spring Sale"),
        ("Spring\r\nSale", "Spring Sale"),
        ("Spring Sale", "Spring Sale"),
        ("", ""),
        (None, ""),
        (np.nan, ""),
        # calamine gives every number as a float: a whole one is written as the sheet shows it.
        (300.0, "300"),
        (300.5, "300.5"),
        (12, "12"),
    ],
)
def test_clean_names(cell, expected):
    assert one(clean_names, cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, ""),
        (np.nan, ""),
        (0.1, "0.1"),
        (12.0, "12"),
        (1e20, "1e+20"),
        (7, "7"),
        ("x", "x"),
        (dt.datetime(2025, 11, 3), "2025-11-03"),
        (dt.datetime(2025, 11, 3, 8, 5), "2025-11-03T08:05:00"),
        (dt.date(2025, 11, 3), "2025-11-03"),
    ],
)
def test_as_text(cell, expected):
    assert one(as_text, cell) == expected


def test_as_text_of_a_text_column_turns_missing_into_empty():
    assert list(as_text(pd.Series(["a", None], dtype="string"))) == ["a", ""]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("", True), ("  \t", True), (None, True), ("0", False), (" x ", False), (0.0, False)],
)
def test_blank(cell, expected):
    assert bool(one(blank, cell)) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # Case, spaces, underscores and punctuation are ignored (issue 11, defect 9).
        ("  Event Date ", "eventdate"),
        ("Event\tDate", "eventdate"),
        ("EVENT   DATE", "eventdate"),
        ("event_date", "eventdate"),
        ("Event-Date.", "eventdate"),
        ("Impressions\u00a0", "impressions"),
        (None, ""),
        (3, "3"),
    ],
)
def test_normalize_header(header, expected):
    assert normalize_header(header) == expected


ALIASES = {"date": ["event date", "date"], "impressions": ["impressions", "imps"]}


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ([" Event Date ", "Impressions"], {"date": " Event Date ", "impressions": "Impressions"}),
        # The first alias wins over a later one, whatever the column order.
        (["Date", "Event Date", "Imps"], {"date": "Event Date", "impressions": "Imps"}),
        # Duplicate header names: the first column of that name is the one read.
        (["Date", "Impressions", "Impressions "], {"date": "Date", "impressions": "Impressions"}),
        (["Date", "imps", "IMPS"], {"date": "Date", "impressions": "imps"}),
        (["Day", "Clicks"], {}),
    ],
)
def test_map_headers(columns, expected):
    assert map_headers(columns, ALIASES) == expected


@pytest.mark.parametrize(
    ("found", "message"),
    [
        ({"date": "Date"}, "f.csv is missing the required column 'impressions'. Hint."),
        ({}, "f.csv is missing the required columns 'date', 'impressions'. Hint."),
    ],
)
def test_require_headers_names_every_missing_column(found, message):
    with pytest.raises(SourceFileError) as error:
        require_headers(
            found, {"date": "date", "impressions": "impressions"}, "f.csv", hint=" Hint."
        )
    assert str(error.value) == message


def test_require_headers_without_hint_and_nothing_missing():
    with pytest.raises(SourceFileError) as error:
        require_headers({}, {"date": "date"}, "f.csv")
    assert str(error.value) == "f.csv is missing the required column 'date'."
    require_headers({"date": "D"}, {"date": "date"}, "f.csv")


@pytest.mark.parametrize(
    "cells",
    [[""], ["", "  "], ["x", "13/45/2025"], [None], [], ["11/3/2025", ""], [dt.date(2025, 11, 3)]],
)
def test_parse_dates_always_gives_datetimes_at_midnight(cells):
    parsed = parse_dates(pd.Series(cells, dtype=object, index=range(10, 10 + len(cells))))
    assert str(parsed.dtype) == "datetime64[ns]"
    assert list(parsed.index) == list(range(10, 10 + len(cells)))
    assert all(pd.isna(d) or d == d.normalize() for d in parsed)


def test_require_headers_strips_a_hint_that_ends_in_spaces():
    with pytest.raises(SourceFileError) as error:
        require_headers({}, {"date": "date"}, "f.csv", hint=" Export it again.  ")
    assert str(error.value) == "f.csv is missing the required column 'date'. Export it again."
