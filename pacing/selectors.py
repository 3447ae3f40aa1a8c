"""Reads of insertion orders and their pacing (SPEC 8 and 10), set-based from the campaign-day
rollups: pacing any number of orders costs a constant number of queries.

With flight days S..E and as_of A: delivered = delivery on S..min(A, E) (a day without data
counts 0); run rate = delivery over the last min(7, elapsed) flight days ending min(A, E), per
day; projected = delivered + run rate x days after A up to E. Expected, pace and status are
``pacing.arithmetic``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils import timezone

from campaigns.models import Campaign
from clients.models import Client
from metrics.models import CampaignDayRollup
from pacing.arithmetic import (
    Pacing,
    PacingStatus,
    day_weight,
    measure_pacing,
    status_of,
    weights_between,
)
from pacing.coverage import CampaignRow, Coverage
from pacing.models import InsertionOrder

RUN_RATE_DAYS = 7


def insertion_orders_of(*, clients: QuerySet[Client]) -> QuerySet[InsertionOrder]:
    return (
        InsertionOrder.objects.filter(client__in=clients)
        .select_related("client")
        .prefetch_related("campaigns")
    )


def active_orders_of(*, clients: QuerySet[Client], on: dt.date) -> QuerySet[InsertionOrder]:
    return insertion_orders_of(clients=clients).filter(start_date__lte=on, end_date__gte=on)


def covered_campaigns(orders: list[InsertionOrder]) -> dict[int, set[int]]:
    """Per order, the ids of the campaigns it covers today."""
    return _coverage(orders)[0]


def _coverage(orders: list[InsertionOrder]) -> tuple[dict[int, set[int]], dict[int, str]]:
    """Per order, the campaigns it covers; and the source of each campaign (two queries)."""
    client_ids = {order.client_id for order in orders}
    campaigns_by_client: dict[int, list[CampaignRow]] = defaultdict(list)
    source_of: dict[int, str] = {}
    rows = Campaign.objects.filter(client_id__in=client_ids).values_list(
        "id", "client_id", "source", "name"
    )
    for row in rows:
        campaigns_by_client[row[1]].append(CampaignRow(*row))
        source_of[row[0]] = row[2]
    chosen: dict[int, set[int]] = defaultdict(set)
    through = InsertionOrder.campaigns.through.objects.filter(
        insertionorder_id__in=[order.pk for order in orders]
    ).values_list("insertionorder_id", "campaign_id")
    for order_id, campaign_id in through:
        chosen[order_id].add(campaign_id)
    covered = {
        order.pk: Coverage(
            client_id=order.client_id,
            sources=frozenset(order.sources),
            campaign_ids=frozenset(chosen[order.pk]),
            name_pattern=order.campaign_name_pattern.strip(),
        ).covered(campaigns_by_client[order.client_id])
        for order in orders
    }
    return covered, source_of


# The latest day of each client and source with data: one backward probe each of the daily
# metrics' (client, source, date) index, instead of aggregating the clients' rows.
_LATEST_DAY_SQL = """
    SELECT pair.client_id, pair.source,
           (SELECT m.date FROM metrics_dailymetric m
            WHERE m.client_id = pair.client_id AND m.source = pair.source
            ORDER BY m.date DESC LIMIT 1)
    FROM unnest(%s::bigint[], %s::text[]) AS pair(client_id, source)
"""


def default_as_of(
    orders: list[InsertionOrder],
    covered: dict[int, set[int]],
    source_of: dict[int, str],
    today: dt.date | None = None,
) -> dict[int, dt.date]:
    """Per order, the latest day for which every source of the order has loaded data.

    An order's sources are the ones it names, or else those of the campaigns it covers. Sources
    that never delivered for the client are left out (they would hold pacing at nothing); when
    none has delivered, yesterday.
    """
    sources_of = {
        order.pk: set(order.sources) or {source_of[c] for c in covered[order.pk]}
        for order in orders
    }
    pairs = sorted({(order.client_id, s) for order in orders for s in sources_of[order.pk]})
    with connection.cursor() as cursor:
        cursor.execute(_LATEST_DAY_SQL, [[pair[0] for pair in pairs], [pair[1] for pair in pairs]])
        latest: dict[tuple[int, str], dt.date] = {
            (client_id, source): day for client_id, source, day in cursor.fetchall() if day
        }
    yesterday = (today or timezone.localdate()) - dt.timedelta(days=1)
    found = {}
    for order in orders:
        days = [
            latest[(order.client_id, s)]
            for s in sources_of[order.pk]
            if (order.client_id, s) in latest
        ]
        found[order.pk] = min(days) if days else yesterday
    return found


@dataclass(frozen=True)
class Delivery:
    impressions: int = 0
    spend: Decimal = Decimal(0)
    run_rate_impressions: int = 0
    run_rate_spend: Decimal = Decimal(0)


_DELIVERY_SQL = """
    WITH flight AS (
        SELECT * FROM unnest(%s::bigint[], %s::date[], %s::date[], %s::date[])
            AS f(order_id, first_day, last_day, run_rate_from)
    ),
    covered AS (
        SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS c(order_id, campaign_id)
    )
    SELECT flight.order_id,
           coalesce(sum(r.impressions), 0),
           coalesce(sum(r.spend), 0),
           coalesce(sum(r.impressions) FILTER (WHERE r.date >= flight.run_rate_from), 0),
           coalesce(sum(r.spend) FILTER (WHERE r.date >= flight.run_rate_from), 0)
    FROM flight
    JOIN covered ON covered.order_id = flight.order_id
    JOIN metrics_campaigndayrollup r
      ON r.campaign_id = covered.campaign_id
     AND r.date BETWEEN flight.first_day AND flight.last_day
    GROUP BY flight.order_id
"""


def _delivery(
    windows: dict[int, tuple[dt.date, dt.date, dt.date]], covered: dict[int, set[int]]
) -> dict[int, Delivery]:
    """Per order: delivery on its window's days and on its run-rate days, in one query."""
    pairs = [(order_id, c) for order_id in windows for c in sorted(covered[order_id])]
    if not pairs:
        return {}
    ids = list(windows)
    with connection.cursor() as cursor:
        cursor.execute(
            _DELIVERY_SQL,
            [
                ids,
                [windows[i][0] for i in ids],
                [windows[i][1] for i in ids],
                [windows[i][2] for i in ids],
                [order_id for order_id, _ in pairs],
                [campaign_id for _, campaign_id in pairs],
            ],
        )
        return {
            row[0]: Delivery(int(row[1]), Decimal(row[2]), int(row[3]), Decimal(row[4]))
            for row in cursor.fetchall()
        }


def pacing_of(
    orders: Iterable[InsertionOrder],
    *,
    as_of: dt.date | None = None,
    not_after: dt.date | None = None,
) -> dict[int, Pacing]:
    """Pacing of every order on ``as_of`` (default: each order's latest day with all its
    sources loaded, but not after ``not_after``). Four queries whatever the number of orders."""
    orders = list(orders)
    if not orders:
        return {}
    covered, source_of = _coverage(orders)
    defaults = default_as_of(orders, covered, source_of) if as_of is None else {}
    if not_after is not None:
        defaults = {pk: min(day, not_after) for pk, day in defaults.items()}
    days: dict[int, dt.date] = {order.pk: as_of or defaults[order.pk] for order in orders}
    windows = {}
    for order in orders:
        day = days[order.pk]
        if day >= order.start_date:
            last = min(day, order.end_date)
            elapsed = (last - order.start_date).days + 1
            run_rate_from = last - dt.timedelta(days=min(RUN_RATE_DAYS, elapsed) - 1)
            windows[order.pk] = (order.start_date, last, run_rate_from)
    delivery = _delivery(windows, covered)
    result = {}
    for order in orders:
        day = days[order.pk]
        started = day >= order.start_date
        flight_days = order.flight_days
        if started:
            last = min(day, order.end_date)
            elapsed = (last - order.start_date).days + 1
            days_left = max(0, (order.end_date - day).days)
        else:
            last, elapsed, days_left = order.start_date - dt.timedelta(days=1), 0, flight_days
        shape = order.delivery_shape
        share = weights_between(order.start_date, last, shape) / weights_between(
            order.start_date, order.end_date, shape
        )
        found = delivery.get(order.pk, Delivery())
        common = {
            "share": share,
            "run_rate_days": min(RUN_RATE_DAYS, elapsed),
            "days_left": days_left,
            "started": started,
        }
        impressions = measure_pacing(
            contracted=(
                None
                if order.contracted_impressions is None
                else Fraction(order.contracted_impressions)
            ),
            delivered=Fraction(found.impressions),
            run_rate_total=Fraction(found.run_rate_impressions),
            **common,  # type: ignore[arg-type]
        )
        spend = measure_pacing(
            contracted=(
                None if order.contracted_budget is None else Fraction(order.contracted_budget)
            ),
            delivered=Fraction(found.spend),
            run_rate_total=Fraction(found.run_rate_spend),
            **common,  # type: ignore[arg-type]
        )
        paced_on = "impressions" if order.contracted_impressions is not None else "spend"
        pace = impressions.pace_percent if paced_on == "impressions" else spend.pace_percent
        result[order.pk] = Pacing(
            order=order,
            as_of=day,
            as_of_is_default=as_of is None,
            status=status_of(day, order, pace),
            paced_on=paced_on,
            flight_days=flight_days,
            elapsed_days=elapsed,
            days_left=days_left,
            impressions=impressions,
            spend=spend,
        )
    return result


@dataclass(frozen=True)
class CumulativeDay:
    day: dt.date
    delivered: Decimal  # cumulative, impressions or billed spend
    expected: Decimal  # cumulative, by the delivery shape


def cumulative_series(pacing: Pacing) -> list[CumulativeDay]:
    """Delivered and expected to date, day by day over the flight up to the pacing's as_of, in
    the measure the order is paced on (one query)."""
    order = pacing.order
    last = min(pacing.as_of, order.end_date)
    if last < order.start_date:
        return []
    covered = covered_campaigns([order])[order.pk]
    measure = "impressions" if pacing.paced_on == "impressions" else "spend"
    daily = dict(
        CampaignDayRollup.objects.filter(
            campaign_id__in=covered, date__range=(order.start_date, last)
        )
        .values("date")
        .annotate(total=Sum(measure))
        .order_by()
        .values_list("date", "total")
    )
    contracted = (
        order.contracted_impressions if measure == "impressions" else order.contracted_budget
    ) or 0
    flight_weight = weights_between(order.start_date, order.end_date, order.delivery_shape)
    series, delivered, weight = [], Decimal(0), Fraction(0)
    day = order.start_date
    while day <= last:
        delivered += Decimal(daily.get(day) or 0)
        weight += day_weight(day, order.delivery_shape)
        expected = Fraction(contracted) * weight / flight_weight
        series.append(
            CumulativeDay(
                day=day,
                delivered=delivered,
                expected=Decimal(expected.numerator) / Decimal(expected.denominator),
            )
        )
        day += dt.timedelta(days=1)
    return series


def orders_under_pace(*, clients: QuerySet[Client], today: dt.date) -> dict[int, int]:
    """Per client, how many of its running orders are under pace at their default as_of."""
    orders = list(
        insertion_orders_of(clients=clients)
        .filter(start_date__lte=today, end_date__gte=today - dt.timedelta(days=1))
        .prefetch_related(None)
    )
    counts: dict[int, int] = defaultdict(int)
    for pacing in pacing_of(orders).values():
        if pacing.status == PacingStatus.UNDER:
            counts[pacing.order.client_id] += 1
    return dict(counts)
