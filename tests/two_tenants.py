"""Two tenants that look alike: the data the pipeline, pricing, selector and API tests share.

Acme and Borealis each receive a Surfside file naming the same campaign, strategy, placement and
creative, on overlapping days, at different CPM rates that change on different days. Any query
that drops its client (or source) filter then mixes the two and changes a number, and every
expected number below is worked out by hand, not by the code under test.

    Acme      CPM 15.00 from 2020-01-01, 20.00 from 2025-11-02
    Borealis  CPM 15.00 from 2020-01-01, 40.00 from 2025-01-01, 50.00 from 2025-11-03

    day         Acme imps  clicks conv revenue  spend | Borealis imps clicks conv revenue spend
    2025-11-01      1,000      10    1   30.00  15.00 |         -
    2025-11-02      2,000      20    2   60.00  40.00 |     4,000     8    1   100.00  160.00
    2025-11-03      3,000      30    3   90.00  60.00 |     5,000    10    2   200.00  250.00
    2025-11-04          -                             |     6,000    12    3   300.00  300.00
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from campaigns.models import Source
from clients.models import Client, CpmRate
from ingestion.models import IngestionRun
from ingestion.pipeline import run_ingestion

CAMPAIGN = "Spring Sale"
STRATEGY = "Prospecting"
PLACEMENT = "Top"
CREATIVE = "Banner"
SIZE = "300x250"

HEADER = (
    "Event Date,Campaign,Strategy Name,Placement Name,Creative Name,Creative Size,Impressions,"
    "Clicks,Media Spend,Conversions,Conversion Value"
)


def surfside_file(days: list[tuple[str, int, int, int, str]], *, campaign: str = CAMPAIGN) -> bytes:
    """A Surfside CSV with a campaign column: (M/D/YYYY, impressions, clicks, conversions,
    revenue) per day, all for the shared strategy, placement and creative."""
    lines = [HEADER]
    for day, impressions, clicks, conversions, revenue in days:
        lines.append(
            f"{day},{campaign},{STRATEGY},{PLACEMENT},{CREATIVE},{SIZE},{impressions},{clicks},"
            f"1.00,{conversions},{revenue}"
        )
    return ("\n".join(lines) + "\n").encode()


ACME_DAYS = [
    ("11/1/2025", 1000, 10, 1, "30.00"),
    ("11/2/2025", 2000, 20, 2, "60.00"),
    ("11/3/2025", 3000, 30, 3, "90.00"),
]
BOREALIS_DAYS = [
    ("11/2/2025", 4000, 8, 1, "100.00"),
    ("11/3/2025", 5000, 10, 2, "200.00"),
    ("11/4/2025", 6000, 12, 3, "300.00"),
]


@dataclass(frozen=True)
class Expected:
    """One tenant's numbers, by hand."""

    spend_by_day: dict[dt.date, Decimal]
    impressions: int
    clicks: int
    conversions: int
    revenue: Decimal

    @property
    def spend(self) -> Decimal:
        return sum(self.spend_by_day.values(), Decimal(0))


ACME = Expected(
    spend_by_day={
        dt.date(2025, 11, 1): Decimal("15.00"),
        dt.date(2025, 11, 2): Decimal("40.00"),
        dt.date(2025, 11, 3): Decimal("60.00"),
    },
    impressions=6000,
    clicks=60,
    conversions=6,
    revenue=Decimal("180.00"),
)
BOREALIS = Expected(
    spend_by_day={
        dt.date(2025, 11, 2): Decimal("160.00"),
        dt.date(2025, 11, 3): Decimal("250.00"),
        dt.date(2025, 11, 4): Decimal("300.00"),
    },
    impressions=15000,
    clicks=30,
    conversions=6,
    revenue=Decimal("600.00"),
)


@dataclass(frozen=True)
class TwoTenants:
    client_a: Client
    client_b: Client
    run_a: IngestionRun
    run_b: IngestionRun
    expected_a: Expected = ACME
    expected_b: Expected = BOREALIS

    def expected(self, client: Client) -> Expected:
        return self.expected_a if client.pk == self.client_a.pk else self.expected_b


def load_two_tenants(client_a: Client, client_b: Client) -> TwoTenants:
    """Give ``client_a`` and ``client_b`` (each with a 15.00 CPM from 2020) their later rates
    and load their files through the pipeline."""
    for client, cpm, effective_date in (
        (client_a, "20.00", dt.date(2025, 11, 2)),
        (client_b, "40.00", dt.date(2025, 1, 1)),
        (client_b, "50.00", dt.date(2025, 11, 3)),
    ):
        CpmRate.objects.create(client=client, cpm=Decimal(cpm), effective_date=effective_date)
    run_a = run_ingestion(
        client=client_a, source=Source.SURFSIDE, content=surfside_file(ACME_DAYS), file_name="a.csv"
    )
    run_b = run_ingestion(
        client=client_b,
        source=Source.SURFSIDE,
        content=surfside_file(BOREALIS_DAYS),
        file_name="b.csv",
    )
    return TwoTenants(client_a=client_a, client_b=client_b, run_a=run_a, run_b=run_b)
