"""The ``comparison`` parameter of dashboard/summary and dashboard/overview (SPEC 9), on two
tenants sharing names and dates (``tests.comparison_data``)."""

import pytest

from tests.comparison_data import QUERY as GAP_QUERY
from tests.comparison_data import facebook_gap_weeks

pytestmark = pytest.mark.django_db


@pytest.fixture
def gap_weeks(client_a, client_b):
    facebook_gap_weeks(client_a, client_b)


def test_a_source_with_1_of_7_days_is_left_out_of_the_change(api, user_a, gap_weeks):
    """Issue 12: clicks showed -68.57 % (110 against 350) because Facebook had 1 of 7 days
    uploaded. Like for like: Surfside's 70 clicks against its 70, Facebook named as left out."""
    body = api(user_a).get(f"/api/v1/dashboard/summary?{GAP_QUERY}").json()

    assert (body["clicks"], body["previous_period"]["clicks"]) == (110, 350)
    assert body["change"]["clicks"] == {"absolute": 0, "percent": "0.000000"}
    assert body["change"]["impressions"] == {"absolute": 0, "percent": "0.000000"}
    assert (body["comparison"]["current"]["clicks"], body["comparison"]["previous"]["clicks"]) == (
        70,
        70,
    )
    assert body["comparison"]["left_out"] == ["Facebook: 1 of 7 days uploaded"]
    facebook = body["comparison"]["sources"][0]
    assert (facebook["source"], facebook["comparable"], facebook["paired_days"]) == (
        "facebook",
        False,
        1,
    )


def test_the_other_tenant_with_the_same_names_compares_every_source(api, user_b, gap_weeks):
    body = api(user_b).get(f"/api/v1/dashboard/summary?{GAP_QUERY}").json()

    assert body["comparison"]["left_out"] == []
    assert (body["comparison"]["current"]["clicks"], body["change"]["clicks"]["absolute"]) == (
        665,
        0,
    )


def test_an_admin_over_every_client_is_told_whose_source_is_left_out(api, admin_user, gap_weeks):
    body = api(admin_user).get(f"/api/v1/dashboard/overview?{GAP_QUERY}").json()

    assert body["comparison"]["left_out"] == ["Acme Foods · Facebook: 1 of 7 days uploaded"]
    # Acme's Surfside (70) and Borealis' Surfside (35) and Facebook (630).
    assert body["comparison"]["current"]["clicks"] == 735


def test_same_period_last_year_and_none(api, user_a, gap_weeks):
    last_year = api(user_a).get(f"/api/v1/dashboard/summary?{GAP_QUERY}&comparison=last_year")
    body = last_year.json()
    assert body["comparison"]["date_range"] == {
        "start_date": "2024-11-24",
        "end_date": "2024-11-30",
    }
    # Nothing was delivered a year earlier: nothing to compare.
    assert (body["comparison"]["comparable"], body["change"]) == (False, None)
    assert body["comparison"]["left_out"] == [
        "Facebook: 1 of 7 days uploaded, none in Nov 24\u201330",
        "Surfside: no data delivered in Nov 24\u201330",
    ]

    none = api(user_a).get(f"/api/v1/dashboard/overview?{GAP_QUERY}&comparison=none").json()
    assert none["clicks"] == 110
    assert (none["previous_period"], none["change"]) == (None, None)
    assert none["comparison"] == {
        "mode": "none",
        "date_range": None,
        "comparable": False,
        "current": None,
        "previous": None,
        "sources": [],
        "left_out": [],
    }


@pytest.mark.parametrize("endpoint", ["dashboard/summary", "dashboard/overview"])
@pytest.mark.parametrize("value", ["previous_year", "NONE", "0"])
def test_an_unknown_comparison_is_a_400_naming_the_choices(api, user_a, endpoint, value):
    response = api(user_a).get(f"/api/v1/{endpoint}?comparison={value}")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        f'comparison: "{value}" is not a comparison; use previous, last_year, none.'
    )
