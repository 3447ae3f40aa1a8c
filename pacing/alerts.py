"""Pacing and delivery alerts (SPEC 10), to the agency's alert recipients, never sent twice.

- An order whose status, at its default as_of, is "under" with at least 3 flight days left:
  once, then again only after it was back on track (``PacingWatch.armed``).
- A scheduled source (Surfside, Vibe) whose successful run delivered, for a client and day,
  less than half the median of that source's trailing 7 days with data for the client.

``alerts_send`` runs on every scheduler tick (``operations.scheduling.JOBS``): it reads what the
pipeline wrote (runs and rollups), so the pipeline knows nothing of pacing. The record of each
alert (``PacingAlert``, unique per order episode or per client, source and day) is written in
the transaction that decides it; the email goes out after that commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from campaigns.models import Source
from ingestion.models import IngestionRun, RunStatus
from metrics.formatting import count, money
from metrics.models import CampaignDayRollup
from pacing.models import AlertKind, InsertionOrder, PacingAlert, PacingWatch
from pacing.selectors import Pacing, PacingStatus, pacing_of

logger = logging.getLogger(__name__)

MIN_DAYS_LEFT = 3
LOW_DELIVERY_SHARE = 0.5
TRAILING_DAYS = 7
SCHEDULED_SOURCES = (Source.SURFSIDE, Source.VIBE)
# Successful runs finished this recently are judged (each client, source and day at most once).
RUN_LOOKBACK = dt.timedelta(days=3)


def _email(subject: str, body: str) -> None:
    if not settings.ALERT_EMAIL_RECIPIENTS:
        return
    try:
        send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL, settings.ALERT_EMAIL_RECIPIENTS)
    except Exception:
        logger.exception("could not send the alert %r", subject)


def _emails(messages: list[tuple[str, str]]) -> None:
    for subject, body in messages:
        _email(subject, body)


def _under_pace_message(pacing: Pacing) -> tuple[str, str]:
    order = pacing.order
    figures = pacing.as_dict()
    if pacing.paced_on == "spend":
        shown = {
            name: money(figures[f"{name}_spend"])  # type: ignore[arg-type]
            for name in ("delivered", "expected", "projected")
        }
        contracted, unit = money(order.contracted_budget), "billed spend"
    else:
        shown = {
            name: count(figures[f"{name}_impressions"])  # type: ignore[arg-type]
            for name in ("delivered", "expected", "projected")
        }
        contracted, unit = count(order.contracted_impressions), "impressions"
    subject = f"[Dashboard] Under pace: {order.client.name} '{order.name}'"
    body = "\n".join(
        [
            f"Client: {order.client.name}",
            f"Insertion order: {order.name} ({order.start_date} to {order.end_date})",
            f"As of: {pacing.as_of} ({pacing.days_left} flight days left)",
            f"Delivered: {shown['delivered']} {unit} of {contracted} contracted",
            f"Expected by now: {shown['expected']}",
            f"Pace: {pacing.pace_percent} %",
            f"Projected at flight end: {shown['projected']}",
            "",
            f"Details: {settings.SITE_URL}/admin/pacing/insertionorder/{order.pk}/change/",
        ]
    )
    return subject, body


def under_pace_alerts_send(*, today: dt.date | None = None) -> int:
    """Alert on orders that fell under pace; returns how many alerts were sent."""
    today = today or timezone.localdate()
    orders = list(
        InsertionOrder.objects.filter(
            start_date__lte=today, end_date__gte=today - dt.timedelta(days=TRAILING_DAYS)
        ).select_related("client")
    )
    if not orders:
        return 0
    found = pacing_of(orders)
    PacingWatch.objects.bulk_create(
        [PacingWatch(order=order) for order in orders], ignore_conflicts=True
    )
    sent = []
    with transaction.atomic():
        watches = PacingWatch.objects.select_for_update().filter(order__in=orders)
        for watch in watches:
            pacing = found[watch.order_id]
            order = pacing.order
            if pacing.status == PacingStatus.ON_TRACK:
                watch.armed = True
            elif (
                pacing.status == PacingStatus.UNDER
                and pacing.days_left >= MIN_DAYS_LEFT
                and watch.armed
            ):
                figures = {
                    key: value if isinstance(value, int | None) else str(value)
                    for key, value in pacing.as_dict().items()
                }
                subject, body = _under_pace_message(pacing)
                watch.armed = False
                watch.episodes += 1
                PacingAlert.objects.create(
                    kind=AlertKind.UNDER_PACE,
                    client_id=order.client_id,
                    order=order,
                    episode=watch.episodes,
                    day=pacing.as_of,
                    figures=figures,
                    message=body,
                )
                sent.append((subject, body))
            watch.last_status = pacing.status
            watch.last_as_of = pacing.as_of
            watch.save()
    # Sent once the records are committed: a rolled-back decision sends nothing.
    _emails(sent)
    return len(sent)


def low_delivery_alerts_send(*, now: dt.datetime | None = None) -> int:
    """Alert on scheduled sources' low days; returns how many alerts were sent."""
    now = now or timezone.now()
    runs = IngestionRun.objects.filter(
        status=RunStatus.SUCCESS,
        source__in=SCHEDULED_SOURCES,
        finished_at__gte=now - RUN_LOOKBACK,
    ).select_related("client")
    candidates = {}
    for run in runs:
        day = run.requested_date or run.date_to
        if day is not None:
            candidates[(run.client_id, run.source, day)] = run.client
    if not candidates:
        return 0
    already = set(
        PacingAlert.objects.filter(
            kind=AlertKind.LOW_DELIVERY,
            client_id__in={key[0] for key in candidates},
            day__in={key[2] for key in candidates},
        ).values_list("client_id", "source", "day")
    )
    pending = {key: client for key, client in candidates.items() if key not in already}
    if not pending:
        return 0
    first = min(key[2] for key in pending) - dt.timedelta(days=TRAILING_DAYS)
    last = max(key[2] for key in pending)
    totals: dict[tuple[int, str], dict[dt.date, int]] = defaultdict(dict)
    rows = (
        CampaignDayRollup.objects.filter(
            client_id__in={key[0] for key in pending},
            source__in=SCHEDULED_SOURCES,
            date__range=(first, last),
        )
        .values("client_id", "source", "date")
        .annotate(impressions=Sum("impressions"))
        .order_by()
    )
    for row in rows:
        totals[(row["client_id"], row["source"])][row["date"]] = row["impressions"]
    sent = 0
    for (client_id, source, day), client in sorted(pending.items(), key=lambda item: item[0]):
        days = totals[(client_id, source)]
        window = [day - dt.timedelta(days=back) for back in range(TRAILING_DAYS, 0, -1)]
        # Days without data are the missing-file alert's business, not part of the median.
        trailing = [days[d] for d in window if d in days]
        if not trailing:
            continue
        median = statistics.median(trailing)
        delivered = days.get(day, 0)
        if median <= 0 or delivered >= median * LOW_DELIVERY_SHARE:
            continue
        label = Source(source).label
        share = round(delivered * 100 / median, 1)
        subject = f"[Dashboard] Low delivery: {client.name} {label} {day}"
        body = "\n".join(
            [
                f"Client: {client.name}",
                f"Source: {label}",
                f"Day: {day}",
                f"Delivered: {count(delivered)} impressions, {share} % of the trailing median",
                f"Trailing {TRAILING_DAYS}-day median: {count(int(median))} impressions "
                f"({window[0]} to {window[-1]}, {len(trailing)} days with data)",
            ]
        )
        try:
            with transaction.atomic():
                PacingAlert.objects.create(
                    kind=AlertKind.LOW_DELIVERY,
                    client_id=client_id,
                    source=source,
                    day=day,
                    figures={"delivered": delivered, "median": str(median)},
                    message=body,
                )
        except IntegrityError:
            continue  # another worker recorded (and sends) it
        _email(subject, body)
        sent += 1
    return sent


def alerts_send() -> str:
    """The scheduled job: both kinds of alert."""
    under = under_pace_alerts_send()
    low = low_delivery_alerts_send()
    return f"{under} under-pace and {low} low-delivery alert(s)"
