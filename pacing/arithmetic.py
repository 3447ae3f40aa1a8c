"""The arithmetic of pacing (SPEC 8 and 10), on numbers only: the delivery shapes' weights,
pace, projection and status, exact in fractions and rounded once for display.

With flight days S..E (F days) and as_of A: expected = contracted x (weights of S..min(A, E)) /
(weights of S..E), every weight 1 for the even shape, 1.25 Monday-Friday and 0.5 Saturday-Sunday
for weekdays heavier; pace = delivered / expected x 100; status on track from 95 to 105 %.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction

from pacing.models import DeliveryShape, InsertionOrder

ON_TRACK_LOW = Decimal(95)


ON_TRACK_HIGH = Decimal(105)


WEEKDAY_WEIGHT = Fraction(5, 4)


WEEKEND_WEIGHT = Fraction(1, 2)


CENT = Decimal("0.01")


class PacingStatus:
    NOT_STARTED = "not_started"
    FINISHED = "finished"
    UNDER = "under"
    OVER = "over"
    ON_TRACK = "on_track"


def day_weight(day: dt.date, shape: str) -> Fraction:
    if shape == DeliveryShape.WEEKDAYS_HEAVIER:
        return WEEKDAY_WEIGHT if day.weekday() < 5 else WEEKEND_WEIGHT
    return Fraction(1)


def weights_between(first: dt.date, last: dt.date, shape: str) -> Fraction:
    """The sum of the day weights of first..last (inclusive), in closed form per whole week."""
    days = (last - first).days + 1
    if days <= 0:
        return Fraction(0)
    if shape != DeliveryShape.WEEKDAYS_HEAVIER:
        return Fraction(days)
    weeks, rest = divmod(days, 7)
    total = weeks * (5 * WEEKDAY_WEIGHT + 2 * WEEKEND_WEIGHT)
    for offset in range(rest):
        total += day_weight(first + dt.timedelta(days=weeks * 7 + offset), shape)
    return total


def whole(value: Fraction) -> int:
    """Round half up to a whole number (impressions)."""
    return math.floor(value + Fraction(1, 2))


def cents(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, ROUND_HALF_UP)


def percent_of(delivered: Fraction, expected: Fraction) -> Decimal | None:
    if expected == 0:
        return None
    return cents(delivered / expected * 100)


@dataclass(frozen=True)
class MeasurePacing:
    """One measure's pacing (impressions, or billed spend) as JSON-ready numbers."""

    delivered: Fraction
    expected: Fraction | None
    pace_percent: Decimal | None
    run_rate: Fraction
    projected: Fraction
    daily_needed: Fraction | None


@dataclass(frozen=True)
class Pacing:
    order: InsertionOrder
    as_of: dt.date
    as_of_is_default: bool
    status: str
    paced_on: str  # "impressions" or "spend": the measure the status is about
    flight_days: int
    elapsed_days: int
    days_left: int
    impressions: MeasurePacing
    spend: MeasurePacing

    @property
    def pace_percent(self) -> Decimal | None:
        """The pace of the measure the status is about."""
        measure = self.impressions if self.paced_on == "impressions" else self.spend
        return measure.pace_percent

    def as_dict(self) -> dict[str, object]:
        imp, spend = self.impressions, self.spend
        return {
            "order_id": self.order.pk,
            "name": self.order.name,
            "as_of": self.as_of,
            "status": self.status,
            "paced_on": self.paced_on,
            "pace_percent": imp.pace_percent
            if self.paced_on == "impressions"
            else spend.pace_percent,
            "flight_days": self.flight_days,
            "elapsed_days": self.elapsed_days,
            "days_left": self.days_left,
            "delivered_impressions": whole(imp.delivered),
            "expected_impressions": None if imp.expected is None else whole(imp.expected),
            "impressions_pace_percent": imp.pace_percent,
            "run_rate_impressions": cents(imp.run_rate),
            "projected_impressions": whole(imp.projected),
            "daily_impressions_needed": (
                None if imp.daily_needed is None else math.ceil(imp.daily_needed)
            ),
            "delivered_spend": cents(spend.delivered),
            "expected_spend": None if spend.expected is None else cents(spend.expected),
            "spend_pace_percent": spend.pace_percent,
            "run_rate_spend": cents(spend.run_rate),
            "projected_spend": cents(spend.projected),
            "daily_spend_needed": (
                None
                if spend.daily_needed is None
                else (
                    Decimal(spend.daily_needed.numerator) / Decimal(spend.daily_needed.denominator)
                ).quantize(CENT, ROUND_UP)
            ),
        }


def measure_pacing(
    *,
    contracted: Fraction | None,
    delivered: Fraction,
    run_rate_total: Fraction,
    share: Fraction,
    run_rate_days: int,
    days_left: int,
    started: bool,
) -> MeasurePacing:
    expected = None if contracted is None else contracted * share
    run_rate = run_rate_total / run_rate_days if run_rate_days else Fraction(0)
    needed = None
    if contracted is not None and days_left > 0:
        needed = max(Fraction(0), contracted - delivered) / days_left
    return MeasurePacing(
        delivered=delivered,
        expected=expected,
        pace_percent=percent_of(delivered, expected) if expected is not None and started else None,
        run_rate=run_rate,
        projected=delivered + run_rate * days_left if started else Fraction(0),
        daily_needed=needed,
    )


def status_of(as_of: dt.date, order: InsertionOrder, pace: Decimal | None) -> str:
    if as_of < order.start_date:
        return PacingStatus.NOT_STARTED
    if as_of > order.end_date:
        return PacingStatus.FINISHED
    if pace is None or pace < ON_TRACK_LOW:
        return PacingStatus.UNDER
    if pace > ON_TRACK_HIGH:
        return PacingStatus.OVER
    return PacingStatus.ON_TRACK
