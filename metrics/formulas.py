"""The metric formulas of SPEC section 4, in exactly one place.

Each measure exists in three forms that must agree: Python ``Decimal`` functions (for totals
computed from sums), SQL text (for set-based pricing of stored rows) and ORM expressions (for
sorting and annotating aggregates). Rates are percentages; any zero divisor gives 0.

Aggregates are always ratios of sums: sum the base measures first, then apply these formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

# Storage precision is numeric(18,6); display rounds to 2 places.
STORAGE_QUANTUM = Decimal("0.000001")
DISPLAY_QUANTUM = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)


def to_storage(value: Decimal) -> Decimal:
    return value.quantize(STORAGE_QUANTUM, rounding=ROUND_HALF_UP)


def to_display(value: Decimal) -> Decimal:
    return value.quantize(DISPLAY_QUANTUM, rounding=ROUND_HALF_UP)


def _ratio(numerator: Decimal, denominator: Decimal, scale: Decimal = Decimal(1)) -> Decimal:
    if denominator == 0:
        return ZERO
    return to_storage(Decimal(numerator) * scale / Decimal(denominator))


def spend(impressions: int, cpm: Decimal) -> Decimal:
    """What the client is billed: impressions / 1000 x CPM."""
    return to_storage(Decimal(impressions) * Decimal(cpm) / THOUSAND)


def ctr(clicks: int | Decimal, impressions: int | Decimal) -> Decimal:
    """Click-through rate in percent: clicks / impressions x 100."""
    return _ratio(Decimal(clicks), Decimal(impressions), HUNDRED)


def cpc(spend: Decimal, clicks: int | Decimal) -> Decimal:
    """Cost per click: spend / clicks."""
    return _ratio(spend, Decimal(clicks))


def cpa(spend: Decimal, conversions: int | Decimal) -> Decimal:
    """Cost per acquisition: spend / conversions."""
    return _ratio(spend, Decimal(conversions))


def roas(revenue: Decimal, spend: Decimal) -> Decimal:
    """Return on ad spend in percent: revenue / spend x 100."""
    return _ratio(revenue, spend, HUNDRED)


def margin(billed: Decimal, cost: Decimal) -> Decimal:
    """The agency's margin: what the client is billed minus what the platform charged."""
    return to_storage(Decimal(billed) - Decimal(cost))


def margin_rate(billed: Decimal, cost: Decimal) -> Decimal:
    """Margin in percent of billed spend: (billed - cost) / billed x 100."""
    return _ratio(Decimal(billed) - Decimal(cost), Decimal(billed), HUNDRED)


@dataclass(frozen=True)
class Totals:
    """Summed base measures of any slice of daily metrics, with the derived rates of those sums.

    ``click_clicks``, ``click_impressions`` and ``click_spend`` are the clicks, impressions and
    spend of the sources that report clicks (``metrics.clicks``): CTR and CPC are made of those,
    so CTV impressions that can never be clicked do not drag a blended CTR down. None means every
    source of the slice reports clicks.
    """

    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    conversion_revenue: Decimal = ZERO
    spend: Decimal = ZERO
    click_impressions: int | None = None
    click_spend: Decimal | None = None
    click_clicks: int | None = None

    @property
    def reports_clicks(self) -> bool:
        """False when all the slice's impressions come from sources without clicks."""
        return self.click_impressions is None or self.click_impressions > 0 or not self.impressions

    @property
    def ctr(self) -> Decimal:
        impressions = self.impressions if self.click_impressions is None else self.click_impressions
        return ctr(self._clicks_reported, impressions)

    @property
    def cpc(self) -> Decimal:
        spend = self.spend if self.click_spend is None else self.click_spend
        return cpc(spend, self._clicks_reported)

    @property
    def _clicks_reported(self) -> int:
        return self.clicks if self.click_clicks is None else self.click_clicks

    @property
    def cpa(self) -> Decimal:
        return cpa(self.spend, self.conversions)

    @property
    def roas(self) -> Decimal:
        return roas(self.conversion_revenue, self.spend)

    def as_dict(self) -> dict[str, int | Decimal | None]:
        """The measures; ``ctr`` and ``cpc`` are None when no source of the slice reports
        clicks (``clicks`` stays a number: 0 recorded)."""
        return {
            "impressions": self.impressions,
            "clicks": self.clicks,
            "conversions": self.conversions,
            "conversion_revenue": to_storage(Decimal(self.conversion_revenue)),
            "spend": to_storage(Decimal(self.spend)),
            "ctr": self.ctr if self.reports_clicks else None,
            "cpc": self.cpc if self.reports_clicks else None,
            "cpa": self.cpa,
            "roas": self.roas,
        }


BASE_MEASURES = ("impressions", "clicks", "conversions", "conversion_revenue", "spend")
DERIVED_MEASURES = ("ctr", "cpc", "cpa", "roas")
# Rates whose change between periods is reported in points, not percent.
POINT_CHANGE_MEASURES = ("ctr", "roas")
ALL_MEASURES = BASE_MEASURES + DERIVED_MEASURES


@dataclass(frozen=True)
class Change:
    """How one measure moved from a previous period to the current one.

    ``absolute`` is current minus previous, in the measure's own unit (percentage points for the
    rates of ``POINT_CHANGE_MEASURES``). ``percent`` is that difference relative to the previous
    value; it is None for those rates (a percent of a percentage misleads: 0.20 % -> 0.25 % is
    +0.05 points, not "+25 %") and when the previous value is 0 (there is nothing to compare with).
    """

    absolute: int | Decimal
    percent: Decimal | None


def change(measure: str, current: int | Decimal, previous: int | Decimal) -> Change:
    if isinstance(current, int) and isinstance(previous, int):
        absolute: int | Decimal = current - previous
    else:
        absolute = to_storage(Decimal(current) - Decimal(previous))
    if measure in POINT_CHANGE_MEASURES or previous == 0:
        return Change(absolute=absolute, percent=None)
    percent = _ratio(Decimal(current) - Decimal(previous), Decimal(previous), HUNDRED)
    return Change(absolute=absolute, percent=percent)


def changes(current: Totals, previous: Totals) -> dict[str, Change | None]:
    """The change of every measure between two periods' totals (rates of sums on both sides);
    None for a click rate that one of the periods does not have (no source reporting clicks)."""
    now, before = current.as_dict(), previous.as_dict()
    moved: dict[str, Change | None] = {}
    for measure in ALL_MEASURES:
        value, earlier = now[measure], before[measure]
        moved[measure] = (
            None if value is None or earlier is None else change(measure, value, earlier)
        )
    return moved


# --- SQL text, for set-based UPDATE/INSERT statements -----------------------------------------
# Arguments are SQL expressions (column references); results are numeric expressions.


def sql_spend(impressions: str, cpm: str) -> str:
    return f"round(({impressions})::numeric * ({cpm}) / 1000, 6)"


def _sql_ratio(numerator: str, denominator: str, scale: str = "") -> str:
    scaled = f"({numerator})::numeric{scale}"
    return f"CASE WHEN ({denominator}) = 0 THEN 0 ELSE round({scaled} / ({denominator}), 6) END"


def sql_ctr(clicks: str, impressions: str) -> str:
    return _sql_ratio(clicks, impressions, " * 100")


def sql_cpc(spend: str, clicks: str) -> str:
    return _sql_ratio(spend, clicks)


def sql_cpa(spend: str, conversions: str) -> str:
    return _sql_ratio(spend, conversions)


def sql_roas(revenue: str, spend: str) -> str:
    return _sql_ratio(revenue, spend, " * 100")


def sql_derived_assignments(
    *, impressions: str, clicks: str, conversions: str, revenue: str, spend: str
) -> str:
    """``ctr = ..., cpc = ..., cpa = ..., roas = ...`` for an UPDATE's SET list."""
    return ", ".join(
        [
            f"ctr = {sql_ctr(clicks, impressions)}",
            f"cpc = {sql_cpc(spend, clicks)}",
            f"cpa = {sql_cpa(spend, conversions)}",
            f"roas = {sql_roas(revenue, spend)}",
        ]
    )


# --- ORM expressions, for annotating and sorting aggregates -----------------------------------
# Arguments are expressions over summed measures: ``orm_ctr(Sum("clicks"), Sum("impressions"))``.

_NUMERIC: DecimalField[Decimal, Decimal] = DecimalField(max_digits=38, decimal_places=6)


def _orm_ratio(numerator: Combinable, denominator: Combinable, scale: int = 1) -> Case:
    quotient = ExpressionWrapper(
        Cast(numerator, _NUMERIC) * Value(Decimal(scale)) / Cast(denominator, _NUMERIC),
        output_field=_NUMERIC,
    )
    return Case(
        When(Exact(denominator, 0), then=Value(ZERO)),
        default=quotient,
        output_field=_NUMERIC,
    )


def orm_ctr(clicks: Combinable, impressions: Combinable) -> Case:
    return _orm_ratio(clicks, impressions, 100)


def orm_cpc(spend: Combinable, clicks: Combinable) -> Case:
    return _orm_ratio(spend, clicks)


def orm_cpa(spend: Combinable, conversions: Combinable) -> Case:
    return _orm_ratio(spend, conversions)


def orm_roas(revenue: Combinable, spend: Combinable) -> Case:
    return _orm_ratio(revenue, spend, 100)
