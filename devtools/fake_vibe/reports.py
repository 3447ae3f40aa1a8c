"""Plausible Vibe report CSVs in the real report's column layout (see the sample in
shared/reference/samples/vibe): one row per day, campaign, strategy, channel, creative and geo
(the breakdown rows the pipeline sums), deterministic for a given advertiser and day."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import uuid

COLUMNS = [
    "impression_date",
    "advertiser_id",
    "advertiser_name",
    "app_id",
    "campaign_id",
    "campaign_name",
    "channel_name",
    "creative_id",
    "creative_name",
    "geo_city",
    "geo_metro",
    "geo_region",
    "geo_zip",
    "impression_time",
    "os",
    "screen",
    "strategy_id",
    "strategy_name",
    "amount_of_purchases",
    "completed_views",
    "cost_per_completed_view",
    "cost_per_custom_1",
    "cost_per_custom_2",
    "cost_per_custom_3",
    "cost_per_install",
    "cost_per_lead",
    "cost_per_page_view",
    "cost_per_purchase",
    "cost_per_session",
    "cost_per_signup",
    "cpm",
    "frequency",
    "households",
    "impressions",
    "installs",
    "number_of_custom_1",
    "number_of_custom_2",
    "number_of_custom_3",
    "number_of_leads",
    "number_of_page_views",
    "number_of_purchases",
    "number_of_sessions",
    "number_of_signups",
    "roas",
    "spend",
    "view_through_rate",
]

CAMPAIGNS = ["CTV #1 1st Commercial", "CTV #2 Holiday Push"]
STRATEGIES = ["Apps & Channels - TV - 8 US Locations", "Retargeting - Site Visitors"]
CHANNELS = ["AMC", "Dove Channel", "Fawesome", "Food Network", "Philo"]
CREATIVES = ["NYC 4th Revision 4k"]
GEOS = [
    ("Brooklyn, NY", "501, New York, NY", "New York", "11221, Brooklyn, NY"),
    ("Brooklyn, NY", "501, New York, NY", "New York", "11205, Brooklyn, NY"),
    ("Queens, NY", "501, New York, NY", "New York", "11375, Queens, NY"),
]


def _stable_id(*parts: str) -> str:
    return str(uuid.UUID(hashlib.md5("|".join(parts).encode()).hexdigest()))  # noqa: S324


def report_rows(
    advertiser_id: str,
    start: dt.date,
    end: dt.date,
    *,
    revision: int = 0,
    advertiser_name: str | None = None,
) -> list[dict[str, str]]:
    """The report's rows for every day of ``start``..``end``; another ``revision`` gives other
    figures for the same rows, as when Vibe restates recent days. Campaign and creative names
    start with the advertiser's name, as in the real report."""
    name = advertiser_name or f"Adv {advertiser_id[:6]}"
    rows = []
    day = start
    while day <= end:
        # Seeded by advertiser and day: the same day always has the same figures, whatever range
        # it is asked in, like the real report (until Vibe restates it).
        key = f"{advertiser_id}|{day}|{revision}"
        seed = int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)
        rng = random.Random(seed)  # noqa: S311
        for campaign in CAMPAIGNS:
            for strategy in STRATEGIES:
                for channel in CHANNELS:
                    for creative in CREATIVES:
                        for city, metro, region, zip_code in GEOS:
                            rows.append(
                                _row(
                                    rng,
                                    advertiser_id,
                                    name,
                                    day,
                                    campaign,
                                    strategy,
                                    channel,
                                    creative,
                                    (city, metro, region, zip_code),
                                )
                            )
        day += dt.timedelta(days=1)
    return rows


def _row(
    rng: random.Random,
    advertiser_id: str,
    advertiser_name: str,
    day: dt.date,
    campaign: str,
    strategy: str,
    channel: str,
    creative: str,
    geo: tuple[str, str, str, str],
) -> dict[str, str]:
    impressions = rng.randint(0, 400)
    cpm = round(rng.uniform(9, 25), 2)
    spend = round(impressions * cpm / 1000, 2)
    purchases = rng.choice([0, 0, 0, 0, 1, 2]) if impressions else 0
    revenue = round(purchases * rng.uniform(20, 90), 2)
    completed = rng.randint(0, impressions) if impressions else 0
    row = dict.fromkeys(COLUMNS, "0.0")
    row.update(
        {
            "impression_date": day.isoformat(),
            "advertiser_id": advertiser_id,
            "advertiser_name": advertiser_name,
            "app_id": "pCIMmi",
            "campaign_id": _stable_id(advertiser_id, campaign),
            "campaign_name": f"{advertiser_name} {campaign}",
            "channel_name": channel,
            "creative_id": _stable_id(advertiser_id, creative),
            "creative_name": f"{advertiser_name} {creative}",
            "geo_city": geo[0],
            "geo_metro": geo[1],
            "geo_region": geo[2],
            "geo_zip": geo[3],
            "impression_time": f"{day.isoformat()}T00:00:00.000",
            "os": "WEB",
            "screen": "TV",
            "strategy_id": _stable_id(advertiser_id, strategy),
            "strategy_name": strategy,
            "amount_of_purchases": f"{revenue:.1f}" if revenue == int(revenue) else str(revenue),
            "completed_views": f"{float(completed)}",
            "cost_per_completed_view": f"{round(spend / completed, 2) if completed else 0.0}",
            "cost_per_purchase": f"{round(spend / purchases, 2) if purchases else 0.0}",
            "cpm": f"{cpm}",
            "frequency": f"{float(rng.randint(1, 3))}",
            "households": f"{float(max(impressions // 2, 0))}",
            "impressions": f"{float(impressions)}",
            "number_of_purchases": f"{float(purchases)}",
            "roas": f"{round(revenue / spend, 2) if spend else 0.0}",
            "spend": f"{spend}",
            "view_through_rate": f"{round(completed / impressions, 2) if impressions else 0.0}",
        }
    )
    return row


def report_csv(
    advertiser_id: str,
    start: dt.date,
    end: dt.date,
    *,
    revision: int = 0,
    advertiser_name: str | None = None,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        report_rows(advertiser_id, start, end, revision=revision, advertiser_name=advertiser_name)
    )
    return buffer.getvalue().encode()
