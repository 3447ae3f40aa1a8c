import datetime as dt
from decimal import Decimal

import pytest

from campaigns.models import Source
from campaigns.tests.factories import (
    CampaignFactory,
    CreativeFactory,
    PlacementFactory,
    StrategyFactory,
)
from metrics.tests.factories import DailyMetricFactory, rollups_built

pytestmark = pytest.mark.django_db

DAY_1, DAY_2, DAY_3 = dt.date(2025, 11, 1), dt.date(2025, 11, 2), dt.date(2025, 11, 3)
RANGE = "start_date=2025-11-01&end_date=2025-11-02"


def deliver(creative, day, impressions, clicks, conversions=0, revenue="0", spend=None):
    return DailyMetricFactory(
        creative=creative,
        date=day,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        conversion_revenue=Decimal(revenue),
        spend=None if spend is None else Decimal(spend),
    )


@pytest.fixture
def tree(client_a, client_b):
    """Client A: campaigns Alpha (two strategies), Bravo (Vibe) and Charlie (ran only on day 3,
    outside the range). Client B: one campaign on the same days."""
    alpha = CampaignFactory(client=client_a, name="Alpha")
    bravo = CampaignFactory(client=client_a, name="Bravo", source=Source.VIBE)
    charlie = CampaignFactory(client=client_a, name="Charlie")
    alpha_one = StrategyFactory(campaign=alpha, name="Alpha one")
    alpha_two = StrategyFactory(campaign=alpha, name="Alpha two")
    placement = PlacementFactory(strategy=alpha_one, name="Homepage")
    banner = CreativeFactory(placement=placement, name="Banner", size="300x250")
    banner_wide = CreativeFactory(placement=placement, name="Banner", size="728x90")
    alpha_two_creative = CreativeFactory(placement__strategy=alpha_two)
    bravo_creative = CreativeFactory(placement__strategy__campaign=bravo)
    charlie_creative = CreativeFactory(placement__strategy__campaign=charlie)
    foreign = CreativeFactory(placement__strategy__campaign__client=client_b)
    rows = [
        # Alpha: 10,000 impressions and 19 clicks over two days (CTR of sums 0.19 %), spend 150.
        deliver(banner, DAY_1, 1000, 10, 1, "50", "15"),
        deliver(banner, DAY_2, 4000, 4, 1, "50", "60"),
        deliver(banner_wide, DAY_2, 3000, 3, 0, "0", "45"),
        deliver(alpha_two_creative, DAY_2, 2000, 2, 0, "0", "30"),
        # Bravo: more spend, lower CTR.
        deliver(bravo_creative, DAY_1, 20000, 4, 0, "0", "300"),
        # Charlie ran outside the range only.
        deliver(charlie_creative, DAY_3, 500, 50, 5, "10", "7.5"),
        deliver(foreign, DAY_1, 99999, 999, 9, "9", "1499.985"),
    ]
    rollups_built(*rows)
    return {
        "alpha": alpha,
        "bravo": bravo,
        "charlie": charlie,
        "alpha_one": alpha_one,
        "alpha_two": alpha_two,
        "placement": placement,
        "banner": banner,
        "banner_wide": banner_wide,
        "foreign": foreign,
    }


def test_campaign_list_has_the_contract_fields_and_ratios_of_sums(api, user_a, client_a, tree):
    response = api(user_a).get(f"/api/v1/campaigns?{RANGE}&client_id={client_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    bravo, alpha = body["results"]  # by spend, descending
    assert alpha == {
        "id": tree["alpha"].pk,
        "name": "Alpha",
        "source": "surfside",
        "client_id": client_a.pk,
        "impressions": 10000,
        "clicks": 19,
        "conversions": 2,
        "conversion_revenue": "100.000000",
        "spend": "150.000000",
        "ctr": "0.190000",
        "cpc": "7.894737",
        "cpa": "75.000000",
        "roas": "66.666667",
    }
    # Vibe reports no clicks: its CTR is null.
    assert (bravo["name"], bravo["source"], bravo["spend"], bravo["ctr"]) == (
        "Bravo",
        "vibe",
        "300.000000",
        None,
    )


@pytest.mark.parametrize(
    ("ordering", "names"),
    [
        ("-spend", ["Bravo", "Alpha"]),
        ("spend", ["Alpha", "Bravo"]),
        ("-ctr", ["Alpha", "Bravo"]),
        ("name", ["Alpha", "Bravo"]),
        ("-name", ["Bravo", "Alpha"]),
        ("-impressions", ["Bravo", "Alpha"]),
        ("-roas", ["Alpha", "Bravo"]),
    ],
)
def test_campaigns_are_ordered_by_any_measure_or_name(api, user_a, tree, ordering, names):
    body = api(user_a).get(f"/api/v1/campaigns?{RANGE}&ordering={ordering}").json()
    assert [row["name"] for row in body["results"]] == names


def test_campaigns_can_be_narrowed_to_a_source(api, user_a, tree):
    body = api(user_a).get(f"/api/v1/campaigns?{RANGE}&source=vibe").json()
    assert [row["name"] for row in body["results"]] == ["Bravo"]


def test_a_campaign_without_delivery_in_the_range_is_not_listed(api, user_a, tree):
    body = api(user_a).get("/api/v1/campaigns?start_date=2025-11-03&end_date=2025-11-03").json()
    assert [row["name"] for row in body["results"]] == ["Charlie"]


def test_pages_do_not_overlap(api, user_a, client_a):
    creatives = [
        CreativeFactory(placement__strategy__campaign=CampaignFactory(client=client_a, name=name))
        for name in "EDCBA"
    ]
    # Equal spend everywhere: the id breaks the tie, so every campaign appears exactly once.
    rollups_built(*[deliver(creative, DAY_1, 1000, 1, spend="15") for creative in creatives])
    caller = api(user_a)
    first = caller.get(f"/api/v1/campaigns?{RANGE}&page_size=2").json()
    second = caller.get(f"/api/v1/campaigns?{RANGE}&page_size=2&page=2").json()
    third = caller.get(f"/api/v1/campaigns?{RANGE}&page_size=2&page=3").json()
    assert first["count"] == 5
    assert "page=2" in first["next"]
    assert third["next"] is None
    names = [row["name"] for page in (first, second, third) for row in page["results"]]
    assert names == ["E", "D", "C", "B", "A"]


def test_admin_without_client_id_lists_every_clients_campaigns(api, admin_user, tree):
    body = api(admin_user).get(f"/api/v1/campaigns?{RANGE}").json()
    assert body["count"] == 3


def test_strategies_of_one_campaign(api, user_a, tree):
    query = f"{RANGE}&campaign_id={tree['alpha'].pk}&ordering=name"
    body = api(user_a).get(f"/api/v1/strategies?{query}").json()
    assert [(row["name"], row["campaign_id"], row["impressions"]) for row in body["results"]] == [
        ("Alpha one", tree["alpha"].pk, 8000),
        ("Alpha two", tree["alpha"].pk, 2000),
    ]
    assert body["results"][0]["ctr"] == "0.212500"


def test_creatives_carry_size_and_every_parent_id(api, user_a, tree):
    query = f"{RANGE}&placement_id={tree['placement'].pk}&ordering=-impressions"
    body = api(user_a).get(f"/api/v1/creatives?{query}").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert {key: first[key] for key in ("id", "name", "size", "impressions")} == {
        "id": tree["banner"].pk,
        "name": "Banner",
        "size": "300x250",
        "impressions": 5000,
    }
    assert (first["placement_id"], first["strategy_id"], first["campaign_id"]) == (
        tree["placement"].pk,
        tree["alpha_one"].pk,
        tree["alpha"].pk,
    )
    assert body["results"][1]["size"] == "728x90"


def test_placements_of_one_strategy(api, user_a, tree):
    query = f"{RANGE}&strategy_id={tree['alpha_one'].pk}"
    body = api(user_a).get(f"/api/v1/placements?{query}").json()
    assert [(row["name"], row["strategy_id"], row["spend"]) for row in body["results"]] == [
        ("Homepage", tree["alpha_one"].pk, "120.000000")
    ]


@pytest.mark.parametrize(
    ("route", "parent"),
    [("strategies", "campaign_id"), ("placements", "strategy_id"), ("creatives", "placement_id")],
)
def test_a_foreign_or_missing_parent_is_404(api, user_b, tree, route, parent):
    foreign_ids = {
        "campaign_id": tree["alpha"].pk,
        "strategy_id": tree["alpha_one"].pk,
        "placement_id": tree["placement"].pk,
    }
    caller = api(user_b)
    for parent_id in (foreign_ids[parent], 999999):
        response = caller.get(f"/api/v1/{route}?{RANGE}&{parent}={parent_id}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_a_parent_of_another_client_than_client_id_is_404(api, admin_user, client_b, tree):
    query = f"{RANGE}&client_id={client_b.pk}&campaign_id={tree['alpha'].pk}"
    assert api(admin_user).get(f"/api/v1/strategies?{query}").status_code == 404


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "ordering=budget",
            'ordering: "budget" is not an ordering; use one of name, impressions, clicks, '
            'conversions, conversion_revenue, spend, ctr, cpc, cpa, roas, with a leading "-" '
            "for descending.",
        ),
        ("campaign_id=abc", "campaign_id: A valid integer is required."),
        ("page_size=0", "page_size: Ensure this value is greater than or equal to 1."),
        ("placement_id=1", "placement_id: Unknown field."),
    ],
)
def test_bad_list_parameters_are_400(api, user_a, query, detail):
    response = api(user_a).get(f"/api/v1/strategies?{query}")
    assert response.status_code == 400
    assert response.json()["detail"] == detail


def test_campaign_detail_has_the_range_measures(api, user_a, client_a, tree):
    response = api(user_a).get(f"/api/v1/campaigns/{tree['alpha'].pk}?{RANGE}")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["impressions"], body["ctr"], body["spend"]) == (
        "Alpha",
        10000,
        "0.190000",
        "150.000000",
    )
    assert body["date_range"] == {"start_date": "2025-11-01", "end_date": "2025-11-02"}


def test_detail_of_an_object_without_delivery_in_the_range_is_zeros(api, user_a, tree):
    body = api(user_a).get(f"/api/v1/campaigns/{tree['charlie'].pk}?{RANGE}").json()
    assert (body["name"], body["impressions"], body["roas"]) == ("Charlie", 0, "0.000000")


def test_creative_detail(api, user_a, tree):
    body = api(user_a).get(f"/api/v1/creatives/{tree['banner_wide'].pk}?{RANGE}").json()
    assert (body["size"], body["impressions"], body["spend"], body["campaign_id"]) == (
        "728x90",
        3000,
        "45.000000",
        tree["alpha"].pk,
    )


@pytest.mark.parametrize(
    ("route", "key"),
    [
        ("campaigns", "alpha"),
        ("strategies", "alpha_one"),
        ("placements", "placement"),
        ("creatives", "banner"),
    ],
)
@pytest.mark.parametrize("suffix", ["", "/metrics"])
def test_another_clients_object_is_404_like_a_missing_one(api, user_b, tree, route, key, suffix):
    caller = api(user_b)
    for object_id in (tree[key].pk, 999999, "abc"):
        response = caller.get(f"/api/v1/{route}/{object_id}{suffix}?{RANGE}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_admin_naming_another_client_cannot_reach_the_object(api, admin_user, client_b, tree):
    path = f"/api/v1/campaigns/{tree['alpha'].pk}?client_id={client_b.pk}"
    assert api(admin_user).get(path).status_code == 404
    assert api(admin_user).get(f"/api/v1/campaigns/{tree['alpha'].pk}").status_code == 200


def test_object_metrics_list_every_day_of_the_range(api, user_a, tree):
    query = "start_date=2025-10-31&end_date=2025-11-03"
    body = api(user_a).get(f"/api/v1/strategies/{tree['alpha_one'].pk}/metrics?{query}").json()
    assert (body["id"], body["name"], body["campaign_id"]) == (
        tree["alpha_one"].pk,
        "Alpha one",
        tree["alpha"].pk,
    )
    assert [(day["date"], day["impressions"], day["ctr"]) for day in body["daily"]] == [
        ("2025-10-31", 0, "0.000000"),
        ("2025-11-01", 1000, "1.000000"),
        ("2025-11-02", 7000, "0.100000"),
        ("2025-11-03", 0, "0.000000"),
    ]


def test_campaign_metrics_read_the_rollups(api, user_a, tree):
    body = api(user_a).get(f"/api/v1/campaigns/{tree['alpha'].pk}/metrics?{RANGE}").json()
    assert [(day["date"], day["impressions"], day["spend"]) for day in body["daily"]] == [
        ("2025-11-01", 1000, "15.000000"),
        ("2025-11-02", 9000, "135.000000"),
    ]


@pytest.mark.parametrize(
    ("route", "queries"), [("campaigns", 3), ("strategies", 3), ("placements", 3), ("creatives", 4)]
)
def test_list_query_count_does_not_grow_with_the_rows(
    api, user_a, client_a, route, queries, django_assert_num_queries
):
    caller = api(user_a)
    # The user (JWT), the page with the list's count in the same pass (count(*) OVER ()), the
    # page's objects with their parents; creatives read the client's rates first (spend is
    # derived from them).
    path = f"/api/v1/{route}?{RANGE}&page_size=500"

    def new_creative():
        return CreativeFactory(placement__strategy__campaign__client=client_a)

    rollups_built(*[deliver(new_creative(), DAY_1, 10, 1) for _ in range(2)])
    with django_assert_num_queries(queries):
        assert caller.get(path).json()["count"] == 2
    rows = [deliver(new_creative(), day, 10, 1) for day in (DAY_1, DAY_2) for _ in range(20)]
    rollups_built(*rows)
    with django_assert_num_queries(queries):
        assert caller.get(path).json()["count"] == 42


def test_detail_and_metrics_query_counts(api, user_a, tree, django_assert_num_queries):
    caller = api(user_a)
    # The user, the object with its parents, its source's days with data and its sums (both
    # periods, like for like) (or its days).
    with django_assert_num_queries(4):
        caller.get(f"/api/v1/creatives/{tree['banner'].pk}?{RANGE}")
    with django_assert_num_queries(3):
        caller.get(f"/api/v1/creatives/{tree['banner'].pk}/metrics?{RANGE}")
