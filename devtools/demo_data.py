"""Demo deliveries: realistic, deterministic Surfside files and Facebook exports for the demo
clients, in the real formats (so they go through the same adapters as the samples)."""

from __future__ import annotations

import datetime as dt
import io
import math
import random

import openpyxl

from accounts.models import User
from clients.models import Client
from reports.models import PeriodType
from scheduled_reports.models import ALL_SECTIONS, ReportSchedule, Section
from scheduled_reports.services import schedule_save

SIZES = ("300x250", "728x90", "320x50", "160x600")


def _daily_factor(day: dt.date) -> float:
    """Weekly rhythm (weekends lower) and a slow upward trend."""
    weekday = (1.0, 1.05, 1.08, 1.1, 1.02, 0.82, 0.78)[day.weekday()]
    trend = 1 + 0.004 * (day.toordinal() % 365)
    return weekday * trend


def surfside_day(
    day: dt.date, *, seed: str, structure: dict[str, list[str]], creatives: int, volume: int
) -> bytes:
    """One day's Surfside export (CSV, accounting values, M/D/YYYY dates, TABs in names)."""
    rng = random.Random(f"{seed}-{day.isoformat()}")  # noqa: S311 (demo data)
    lines = [
        "Strategy Name,Placement Name,Creative Name,Creative Size,Event Date,Impressions,"
        "Clicks, Media Spend ,Conversions,Conversion Value, ROAS "
    ]
    factor = _daily_factor(day)
    for strategy, placements in structure.items():
        retargeting = strategy.lower().startswith("ret")
        for placement in placements:
            for number in range(1, creatives + 1):
                for size in SIZES:
                    base = volume * factor * rng.uniform(0.4, 1.6) / (number + 1)
                    impressions = int(base * (0.35 if size == "160x600" else 1.0))
                    if impressions == 0:
                        continue
                    ctr = rng.uniform(0.0006, 0.0016) * (2.2 if retargeting else 1.0)
                    clicks = round(impressions * ctr)
                    conversions = sum(1 for _ in range(clicks) if rng.random() < 0.09)
                    if retargeting and rng.random() < 0.15:
                        conversions += 1  # view-through
                    value = sum(rng.uniform(35, 140) for _ in range(conversions))
                    spend = impressions * 0.0055
                    name = placement.replace(" | ", "\t| ") if retargeting else placement
                    lines.append(
                        ",".join(
                            [
                                strategy,
                                name,
                                f"Creative {number}",
                                size,
                                f"{day.month}/{day.day}/{day.year}",
                                str(impressions),
                                str(clicks),
                                f'" $ {spend:,.2f} "' if spend >= 1000 else f" $ {spend:.2f} ",
                                str(conversions),
                                f"{value:.2f}",
                                f" $ {value / spend:.2f} " if value else " $ -   ",
                            ]
                        )
                    )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def facebook_week(
    start: dt.date,
    *,
    seed: str,
    campaigns: dict[str, dict[str, list[str]]],
    regions: tuple[str, ...],
    volume: int,
) -> bytes:
    """A Meta Ads Manager export (XLSX) of one week by day and region, with its totals row."""
    rng = random.Random(f"{seed}-{start.isoformat()}")  # noqa: S311 (demo data)
    header = [
        "Account name",
        "Day",
        "Ad set name",
        "Campaign name",
        "Ad name",
        "Region",
        "Reach",
        "Impressions",
        "Frequency",
        "Currency",
        "Amount spent (USD)",
        "Attribution setting",
        "Link clicks",
        "Clicks (all)",
        "Purchases",
        "Purchases conversion value",
        "Reporting starts",
        "Reporting ends",
    ]
    rows: list[list[object]] = []
    reach_total = impressions_total = link_clicks_total = clicks_total = 0
    spend_total = 0.0
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        factor = _daily_factor(day)
        for campaign, ad_sets in campaigns.items():
            for ad_set, ads in ad_sets.items():
                for ad in ads:
                    for region in regions:
                        impressions = int(volume * factor * rng.uniform(0.3, 1.4))
                        reach = int(impressions / rng.uniform(1.05, 1.6))
                        link_clicks = int(impressions * rng.uniform(0.006, 0.02))
                        purchases = sum(1 for _ in range(link_clicks) if rng.random() < 0.03)
                        value = round(sum(rng.uniform(80, 420) for _ in range(purchases)), 2)
                        spend = round(impressions * rng.uniform(0.009, 0.016), 2)
                        reach_total += reach
                        impressions_total += impressions
                        link_clicks_total += link_clicks
                        clicks_total += int(link_clicks * 1.3)
                        spend_total += spend
                        rows.append(
                            [
                                "Borealis Travel",
                                day.isoformat(),
                                ad_set,
                                campaign,
                                ad,
                                region,
                                reach,
                                impressions,
                                round(impressions / max(reach, 1), 8),
                                "USD",
                                spend,
                                "7-day click or 1-day view",
                                link_clicks or "",
                                int(link_clicks * 1.3),
                                purchases or "",
                                value or "",
                                day.isoformat(),
                                day.isoformat(),
                            ]
                        )
    totals: list[object] = [
        *[""] * 6,
        reach_total,
        impressions_total,
        "",
        "USD",
        round(spend_total, 2),
        "",
        link_clicks_total,
        clicks_total,
        "",
        "",
        start.isoformat(),
        (start + dt.timedelta(days=6)).isoformat(),
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Raw Data Report"
    sheet.append(header)
    sheet.append(totals)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def weekly_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """Mondays whose whole week lies within [first, last]."""
    start = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    weeks = max(0, math.floor(((last - start).days + 1) / 7))
    return [start + dt.timedelta(weeks=n) for n in range(weeks)]


# --- Scheduled reports ------------------------------------------------------------------------


def demo_schedules(*, client: Client, admin: User, since: dt.date) -> list[ReportSchedule]:
    """Acme's scheduled reports: a weekly one to its demo user and an outside address (which
    only an admin may add), and a paused monthly one. Found by name on a second run."""
    users = list(User.objects.filter(client=client, is_active=True).exclude(email=""))
    wanted: list[tuple[str, str, list[str], list[str]]] = [
        ("Monday performance report", PeriodType.WEEK, ALL_SECTIONS, ["cmo@acme-holding.example"]),
        ("Monthly board pack", PeriodType.MONTH, [Section.KPIS, Section.CAMPAIGNS], []),
    ]
    schedules = []
    for name, frequency, sections, outside in wanted:
        schedule = schedule_save(
            client=client,
            name=name,
            frequency=frequency,
            sections=sections,
            recipients=users,
            outside_emails=outside,
            is_active=frequency == PeriodType.WEEK,
            by=admin,
            schedule=ReportSchedule.objects.filter(client=client, name=name).first(),
        )
        ReportSchedule.objects.filter(pk=schedule.pk).update(starts_on=since)
        schedule.refresh_from_db()
        schedules.append(schedule)
    return schedules
