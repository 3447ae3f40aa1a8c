"""Header names are matched ignoring case, spaces, underscores and punctuation, for every source."""

import datetime as dt

import pytest

from ingestion.adapters.cleaning import normalize_header
from ingestion.sources.facebook.adapter import parse_facebook
from ingestion.sources.surfside.adapter import parse_surfside
from ingestion.sources.vibe.adapter import parse_vibe


@pytest.mark.parametrize(
    "header",
    [
        "Campaign Name",
        "campaign_name",
        "Campaign-Name",
        "CAMPAIGN NAME",
        " campaign.name ",
        "CampaignName",
    ],
)
def test_spellings_of_one_header_are_one_name(header):
    assert normalize_header(header) == normalize_header("Campaign name")


def _first_row(parsed):
    row = parsed.rows.iloc[0]
    return {
        "date": row["date"].date(),
        "campaign": row["campaign"],
        "strategy": row["strategy"],
        "placement": row["placement"],
        "creative": row["creative"],
        "impressions": row["impressions"],
        "clicks": row["clicks"],
        "conversions": row["conversions"],
        "revenue": row["revenue"],
        "source_spend": row["source_spend"],
    }


EXPECTED = {
    "date": dt.date(2025, 11, 4),
    "campaign": "Autumn",
    "strategy": "Prospecting",
    "placement": "Homepage",
    "creative": "Banner",
    "impressions": "1000",
    "clicks": "3",
    "conversions": "1",
    "revenue": "25.5",
    "source_spend": "4.5",
}


def test_surfside_accepts_the_briefs_names_in_snake_case():
    content = (
        b"date,campaign_name,strategy_name,Placement-Name,CREATIVE_NAME,impressions,clicks,"
        b"conversions,conversion_revenue,Media_Spend\n"
        b"2025-11-04,Autumn,Prospecting,Homepage,Banner,1000,3,1,25.5,4.5\n"
    )
    parsed = parse_surfside(content, file_name="day.csv", default_campaign="Default")
    assert _first_row(parsed) == EXPECTED


def test_facebook_accepts_headers_written_another_way():
    content = (
        b"day,campaign_name,Ad-Set-Name,AD_NAME,Impressions,link_clicks,purchases,"
        b"purchases_conversion_value,amount_spent_(usd)\n"
        b"2025-11-04,Autumn,Prospecting,Homepage,1000,3,1,25.5,4.5\n"
    )
    parsed = parse_facebook(content, file_name="meta.csv")
    assert _first_row(parsed) == {**EXPECTED, "creative": "Homepage"}


def test_vibe_accepts_its_names_with_spaces_and_capitals():
    content = (
        b"Impression Date,Campaign Name,Strategy Name,Channel Name,Creative Name,Impressions,"
        b"Clicks,Number of Purchases,Amount of Purchases,Spend\n"
        b"2025-11-04,Autumn,Prospecting,Homepage,Banner,1000,3,1,25.5,4.5\n"
    )
    parsed = parse_vibe(content, file_name="vibe.csv")
    assert _first_row(parsed) == EXPECTED
