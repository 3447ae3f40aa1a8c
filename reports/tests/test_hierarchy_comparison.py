import pytest

from campaigns.models import Campaign, Creative, Source
from tests.comparison_data import QUERY, facebook_gap_weeks

pytestmark = pytest.mark.django_db


@pytest.fixture
def gap_weeks(client_a, client_b):
    facebook_gap_weeks(client_a, client_b)


def test_a_campaign_whose_source_misses_days_has_no_change_and_says_why(api, user_a, gap_weeks):
    campaign = Campaign.objects.get(client__name="Acme Foods", source=Source.FACEBOOK)
    body = api(user_a).get(f"/api/v1/campaigns/{campaign.pk}?{QUERY}").json()

    # Nov 30 only, against every day of the week before.
    assert (body["clicks"], body["previous_period"]["clicks"]) == (40, 280)
    assert body["change"] is None
    assert body["comparison"]["left_out"] == ["Facebook: 1 of 7 days uploaded"]


def test_the_other_tenants_creative_of_the_same_name_compares(api, user_b, gap_weeks):
    creative = Creative.objects.get(
        placement__strategy__campaign__client__name="Borealis Travel",
        placement__strategy__campaign__source=Source.FACEBOOK,
    )
    body = api(user_b).get(f"/api/v1/creatives/{creative.pk}?{QUERY}").json()

    assert body["comparison"]["date_range"] == {
        "start_date": "2025-11-17",
        "end_date": "2025-11-23",
    }
    assert body["change"]["clicks"] == {"absolute": 0, "percent": "0.000000"}
    assert body["comparison"]["current"]["clicks"] == 630


def test_none_and_a_bad_comparison(api, user_a, gap_weeks):
    campaign = Campaign.objects.get(client__name="Acme Foods", source=Source.SURFSIDE)
    none = api(user_a).get(f"/api/v1/campaigns/{campaign.pk}?{QUERY}&comparison=none").json()
    assert (none["clicks"], none["previous_period"], none["change"]) == (70, None, None)

    bad = api(user_a).get(f"/api/v1/campaigns/{campaign.pk}?{QUERY}&comparison=week")
    assert bad.status_code == 400
    assert bad.json()["detail"] == (
        'comparison: "week" is not a comparison; use previous, last_year, none.'
    )


def test_another_clients_campaign_is_404_whatever_the_comparison(api, user_a, gap_weeks):
    campaign = Campaign.objects.get(client__name="Borealis Travel", source=Source.FACEBOOK)
    response = api(user_a).get(f"/api/v1/campaigns/{campaign.pk}?{QUERY}&comparison=bad")
    assert response.status_code == 404
