"""Rounding ties: a ...5 at the 7th decimal rounds the same way (half away from zero, i.e. up for
our non-negative measures) in the Python formulas and in their SQL text, and just below or above
a tie rounds to the nearer side in both."""

from decimal import Decimal

import pytest
from django.db import connection

from metrics import formulas

D = Decimal


def sql_value(expression: str, *values: str) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}", values)
        (result,) = cursor.fetchone()
    return result


# (measure, arguments, expected at storage precision)
CASES = [
    # spend = impressions x CPM / 1000
    ("spend", (1, D("0.0005")), D("0.000001")),  # 0.0000005, a tie: up
    ("spend", (1, D("0.0015")), D("0.000002")),  # 0.0000015: up, not to even
    ("spend", (3, D("0.0005")), D("0.000002")),  # 0.0000015
    ("spend", (1, D("0.0004")), D("0.000000")),  # 0.0000004: down
    ("spend", (1, D("0.0006")), D("0.000001")),  # 0.0000006: up
    ("spend", (1001, D("0.0005")), D("0.000501")),  # 0.0005005
    ("spend", (12345, D("12.3456")), D("152.406432")),  # 152.4064320
    ("spend", (0, D("15")), D("0")),
    # ctr = clicks / impressions x 100
    ("ctr", (1, 200_000_000), D("0.000001")),  # 0.0000005
    ("ctr", (3, 200_000_000), D("0.000002")),  # 0.0000015
    ("ctr", (1, 200_000_001), D("0.000000")),  # just below a tie
    ("ctr", (1, 199_999_999), D("0.000001")),  # just above a tie
    ("ctr", (1, 3), D("33.333333")),
    ("ctr", (2, 3), D("66.666667")),
    ("ctr", (5, 0), D("0")),
    # cpc = spend / clicks, cpa = spend / conversions
    ("cpc", (D("0.000001"), 2), D("0.000001")),  # 0.0000005
    ("cpc", (D("0.000003"), 2), D("0.000002")),  # 0.0000015
    ("cpc", (D("0.000005"), 2), D("0.000003")),  # 0.0000025: up, not to even
    ("cpc", (D("10"), 3), D("3.333333")),
    ("cpc", (D("10"), 0), D("0")),
    ("cpa", (D("0.000001"), 2), D("0.000001")),
    ("cpa", (D("0.000007"), 2), D("0.000004")),  # 0.0000035
    ("cpa", (D("2"), 3), D("0.666667")),
    ("cpa", (D("2"), 0), D("0")),
    # roas = revenue / spend x 100
    ("roas", (D("0.000001"), D("200")), D("0.000001")),  # 0.0000005
    ("roas", (D("0.000003"), D("200")), D("0.000002")),
    ("roas", (D("1"), D("3")), D("33.333333")),
    ("roas", (D("2"), D("3")), D("66.666667")),
    ("roas", (D("5"), D("0")), D("0")),
]

SQL = {
    "spend": formulas.sql_spend,
    "ctr": formulas.sql_ctr,
    "cpc": formulas.sql_cpc,
    "cpa": formulas.sql_cpa,
    "roas": formulas.sql_roas,
}


@pytest.mark.parametrize(("measure", "arguments", "expected"), CASES)
def test_python_rounds_ties_half_up(measure, arguments, expected):
    assert getattr(formulas, measure)(*arguments) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("measure", "arguments", "expected"), CASES)
def test_sql_rounds_ties_like_python(measure, arguments, expected):
    placeholders = [
        f"%(a{n})s::{'bigint' if isinstance(a, int) else 'numeric'}"
        for n, a in enumerate(arguments)
    ]
    params = {f"a{n}": a for n, a in enumerate(arguments)}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {SQL[measure](*placeholders)}", params)
        (result,) = cursor.fetchone()
    assert result == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("impressions", "clicks", "conversions", "revenue", "spend"),
    [
        (200_000_000, 1, 2, D("0.000001"), D("0.000001")),
        (200_000_000, 3, 2, D("0.000003"), D("0.000003")),
        (7, 2, 3, D("1"), D("3")),
        (0, 0, 0, D("0"), D("0")),
    ],
)
def test_the_update_assignments_agree_with_python(impressions, clicks, conversions, revenue, spend):
    columns = {
        "impressions": "%(impressions)s::bigint",
        "clicks": "%(clicks)s::bigint",
        "conversions": "%(conversions)s::bigint",
        "revenue": "%(revenue)s::numeric",
        "spend": "%(spend)s::numeric",
    }
    expressions = {
        "ctr": formulas.sql_ctr(columns["clicks"], columns["impressions"]),
        "cpc": formulas.sql_cpc(columns["spend"], columns["clicks"]),
        "cpa": formulas.sql_cpa(columns["spend"], columns["conversions"]),
        "roas": formulas.sql_roas(columns["revenue"], columns["spend"]),
    }
    assert formulas.sql_derived_assignments(**columns) == ", ".join(
        f"{name} = {expression}" for name, expression in expressions.items()
    )
    params = {
        "impressions": impressions,
        "clicks": clicks,
        "conversions": conversions,
        "revenue": revenue,
        "spend": spend,
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(expressions.values())}", params)
        ctr, cpc, cpa, roas = cursor.fetchone()
    assert (ctr, cpc, cpa, roas) == (
        formulas.ctr(clicks, impressions),
        formulas.cpc(spend, clicks),
        formulas.cpa(spend, conversions),
        formulas.roas(revenue, spend),
    )


@pytest.mark.parametrize(
    ("value", "storage", "display"),
    [
        (D("0.0000005"), D("0.000001"), D("0.00")),
        (D("0.0000004999"), D("0.000000"), D("0.00")),
        (D("0.005"), D("0.005000"), D("0.01")),
        (D("0.015"), D("0.015000"), D("0.02")),
        (D("0.004999999"), D("0.005000"), D("0.00")),
        (D("2.675"), D("2.675000"), D("2.68")),
        (D("-0.0000005"), D("-0.000001"), D("-0.00")),
        (D("-0.005"), D("-0.005000"), D("-0.01")),
    ],
)
def test_storage_and_display_round_half_up(value, storage, display):
    assert formulas.to_storage(value) == storage
    assert formulas.to_display(value) == display
    assert str(formulas.to_display(value)) == str(display)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["0.0000005", "0.0000015", "0.0000025", "-0.0000005", "2.6750005"]
)
def test_postgres_round_agrees_with_to_storage(value):
    assert sql_value("round(%s::numeric, 6)", value) == formulas.to_storage(D(value))
