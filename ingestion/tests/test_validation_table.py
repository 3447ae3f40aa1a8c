"""Validation, cell by cell: one Surfside row with one cell changed -> the exact errors (column
header and message) or none, and the exact warnings. No database: validation is pure."""

import datetime as dt

import pytest

from ingestion.sources.surfside.adapter import parse_surfside
from ingestion.tests.helpers import SURFSIDE_HEADER, row, surfside_csv
from ingestion.validation import validate_rows

TODAY = dt.date(2025, 11, 3)


def validated(*rows: str, header: str = SURFSIDE_HEADER, today: dt.date = TODAY):
    content = surfside_csv(*rows, header=header)
    return validate_rows(
        parse_surfside(content, file_name="d.csv", default_campaign="Acme"), today=today
    )


def errors_of(**cells: str) -> list[dict[str, str]]:
    result = validated(row(**cells))
    assert len(result.errors) + len(result.valid) == 1
    return next(iter(result.errors.values()), [])


def error(column: str, message: str) -> list[dict[str, str]]:
    return [{"column": column, "message": message}]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # Dates: today is valid, tomorrow is not; blank and unreadable are errors.
        ({"date": "11/3/2025"}, []),
        ({"date": "11/2/2025"}, []),
        ({"date": "11/4/2025"}, error("Event Date", "2025-11-04 is in the future")),
        ({"date": "1/1/2026"}, error("Event Date", "2026-01-01 is in the future")),
        ({"date": ""}, error("Event Date", "is empty")),
        ({"date": "  "}, error("Event Date", "is empty")),
        (
            {"date": "03.11.2025"},
            error("Event Date", "'03.11.2025' is not a date (use YYYY-MM-DD or M/D/YYYY)"),
        ),
        # Names: 255 characters pass, 256 do not; empty is an error.
        ({"strategy": "s" * 255}, []),
        (
            {"strategy": "s" * 256},
            error("Strategy Name", "is longer than 255 characters (256)"),
        ),
        ({"placement": "p" * 255}, []),
        (
            {"placement": "p" * 256},
            error("Placement Name", "is longer than 255 characters (256)"),
        ),
        ({"creative": "c" * 255}, []),
        (
            {"creative": "c" * 300},
            error("Creative Name", "is longer than 255 characters (300)"),
        ),
        ({"strategy": ""}, error("Strategy Name", "is empty")),
        ({"placement": " \t "}, error("Placement Name", "is empty")),
        ({"creative": ""}, error("Creative Name", "is empty")),
        # Creative size: 64 characters pass, 65 do not; empty is allowed.
        ({"size": "x" * 64}, []),
        ({"size": "x" * 65}, error("Creative Size", "is longer than 64 characters")),
        ({"size": ""}, []),
        # Numbers: readable, not negative, whole counts, within the columns' range.
        ({"impressions": "abc"}, error("Impressions", "'abc' is not a number")),
        ({"clicks": "#DIV/0!"}, error("Clicks", "'#DIV/0!' is not a number")),
        ({"impressions": "-1"}, error("Impressions", "is negative (-1)")),
        ({"conversions": "(2)"}, error("Conversions", "is negative (-2)")),
        ({"value": "(12.50)"}, error("Conversion Value", "is negative (-12.50)")),
        ({"spend": " $ (12.50) "}, error("Media Spend", "is negative (-12.50)")),
        ({"impressions": "1.5"}, error("Impressions", "must be a whole number (1.5)")),
        ({"impressions": "1000.0"}, []),
        ({"impressions": "999999999999999"}, []),
        (
            {"impressions": "1000000000000000"},
            error("Impressions", "is too large (1000000000000000)"),
        ),
        ({"clicks": "1e15"}, error("Clicks", "is too large (1e15)")),
        ({"value": "999999999999.99"}, []),
        ({"value": "1000000000000"}, error("Conversion Value", "is too large (1000000000000)")),
        (
            {"spend": '"1,000,000,000,000.00"'},
            error("Media Spend", "is too large (1000000000000.00)"),
        ),
        ({"impressions": ""}, []),
        ({"spend": ""}, []),
        ({"value": " $ -   "}, []),
        ({"spend": '" $ 6,250.00 "'}, []),
        # Several errors on one row, in column order.
        (
            {"date": "", "creative": "", "clicks": "-3"},
            [
                {"column": "Event Date", "message": "is empty"},
                {"column": "Creative Name", "message": "is empty"},
                {"column": "Clicks", "message": "is negative (-3)"},
            ],
        ),
    ],
)
def test_one_cell(cells, expected):
    assert errors_of(**cells) == expected


def test_valid_rows_are_typed():
    result = validated(row(impressions='"1,000"', clicks="2", conversions="1", spend="", value="3"))
    (valid,) = result.valid.to_dict("records")
    assert valid["date"] == dt.date(2025, 11, 3)
    assert (valid["impressions"], valid["clicks"], valid["conversions"]) == (1000, 2, 1)
    assert result.valid["impressions"].dtype == "int64"
    assert (valid["revenue"], valid["source_spend"]) == ("3", "")
    assert result.errors == {}
    assert result.warnings == []


def test_errors_are_keyed_by_the_parsed_row_and_name_the_file_row():
    result = validated(row(), row(clicks="x"), row(), row(date=""))
    assert sorted(result.errors) == [1, 3]
    assert list(result.valid.index) == [0, 2]
    assert list(result.valid["row_number"]) == [2, 4]


def test_the_date_limit_is_the_day_passed_in():
    future = validated(row(date="11/4/2025"), today=dt.date(2025, 11, 3))
    assert future.errors == {0: error("Event Date", "2025-11-04 is in the future")}
    assert validated(row(date="11/4/2025"), today=dt.date(2025, 11, 4)).errors == {}


@pytest.mark.parametrize(
    ("rows", "warnings"),
    [
        ([row(impressions="10", clicks="10", conversions="10")], []),
        (
            [row(impressions="10", clicks="11", conversions="0")],
            ["1 row has more clicks than impressions (rows 2); loaded as delivered."],
        ),
        (
            [row(impressions="0", clicks="3", conversions="0")] * 2,
            ["2 rows have more clicks than impressions (rows 2, 3); loaded as delivered."],
        ),
        (
            [row(impressions="10", clicks="1", conversions="2")],
            [
                "1 row has more conversions than clicks (rows 2), e.g. view-through "
                "conversions; loaded as delivered."
            ],
        ),
        (
            [row(impressions="0", clicks="1", conversions="2")],
            [
                "1 row has more clicks than impressions (rows 2); loaded as delivered.",
                "1 row has more conversions than clicks (rows 2), e.g. view-through "
                "conversions; loaded as delivered.",
            ],
        ),
        (
            [row(impressions="1", clicks="2")] * 12,
            [
                "12 rows have more clicks than impressions (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 "
                "and 2 more); loaded as delivered."
            ],
        ),
        (
            [row(impressions="1", clicks="2")] * 11,
            [
                "11 rows have more clicks than impressions (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 "
                "and 1 more); loaded as delivered."
            ],
        ),
        (
            [row(impressions="1", clicks="2")] * 10,
            [
                "10 rows have more clicks than impressions (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, "
                "11); loaded as delivered."
            ],
        ),
        # A refused row is not warned about as well.
        ([row(impressions="1", clicks="2", creative="")], []),
    ],
)
def test_warnings(rows, warnings):
    result = validated(*rows)
    assert result.warnings == warnings


def test_the_adapters_warnings_come_first():
    totals = ",,,,,999,0,0,0,0"
    result = validated(row(impressions="10", clicks="11"), totals)
    assert result.warnings == [
        "The file's totals row says 999 impressions, its rows sum to 10.",
        "The file's totals row says 0 clicks, its rows sum to 11.",
        "1 row has more clicks than impressions (rows 2); loaded as delivered.",
    ]


def test_a_file_without_a_size_column_has_no_size_errors():
    header = SURFSIDE_HEADER.replace("Creative Size,", "")
    line = row().split(",")
    del line[3]
    result = validated(",".join(line), header=header)
    assert result.errors == {}
    assert list(result.valid["creative_size"]) == [""]
