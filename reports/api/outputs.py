"""Response shapes of the dashboard read API.

Counts are JSON integers. Money (spend, conversion_revenue, cpc, cpa) and rates (ctr, roas, in
percent) are decimal strings with 6 places, e.g. ``"150.000000"``: the stored precision, never a
float. Round for display only.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from campaigns.models import Source
from metrics.comparison import ComparisonMode
from metrics.formulas import Totals, changes
from metrics.periods import DateRange
from metrics.selectors.comparison import Comparison

DECIMAL_NOTE = "Decimal string with 6 places."


def count_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(help_text=f"{help_text} Integer.")


def decimal_field(help_text: str, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=6,
        coerce_to_string=True,
        help_text=f"{help_text} {DECIMAL_NOTE}",
        **kwargs,
    )


def source_field() -> Any:
    # Typed Any: the stubs see a field named ``source`` as overriding ``Field.source``; at run time
    # the serializer's metaclass moves declared fields off the class, so nothing is overridden.
    return serializers.ChoiceField(choices=Source.choices)


class MeasuresOutput(serializers.Serializer):
    """The measures of any slice; rates and costs are ratios of the slice's sums."""

    impressions = count_field("Impressions delivered.")
    clicks = count_field("Clicks.")
    conversions = count_field("Conversions (purchases).")
    conversion_revenue = decimal_field("Revenue of the conversions.")
    spend = decimal_field("What the client is billed: impressions / 1000 x CPM.")
    ctr = decimal_field(
        "Click-through rate in percent: clicks / impressions x 100, over the impressions of the "
        "sources that report clicks (not Vibe's CTV); null when none of the slice's sources do.",
        allow_null=True,
    )
    cpc = decimal_field(
        "Cost per click: spend / clicks, over the spend of the sources that report clicks; null "
        "when none of the slice's sources do.",
        allow_null=True,
    )
    cpa = decimal_field("Cost per acquisition: spend / conversions.")
    roas = decimal_field("Return on ad spend in percent: revenue / spend x 100.")


class DateRangeOutput(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class PeriodTotalsOutput(MeasuresOutput):
    date_range = DateRangeOutput()


class CountChangeOutput(serializers.Serializer):
    absolute = serializers.IntegerField(help_text="Current minus previous. Integer.")
    percent = decimal_field(
        "Change relative to the previous value; null when that was 0.", allow_null=True
    )


class DecimalChangeOutput(serializers.Serializer):
    absolute = decimal_field("Current minus previous.")
    percent = decimal_field(
        "Change relative to the previous value; null when that was 0.", allow_null=True
    )


class PointChangeOutput(serializers.Serializer):
    absolute = decimal_field("Current minus previous, in percentage points.")
    percent = decimal_field("Always null: a rate changes in points, not percent.", allow_null=True)


class ChangesOutput(serializers.Serializer):
    impressions = CountChangeOutput()
    clicks = CountChangeOutput()
    conversions = CountChangeOutput()
    conversion_revenue = DecimalChangeOutput()
    spend = DecimalChangeOutput()
    ctr = PointChangeOutput(allow_null=True, help_text="Null when a period has no CTR.")
    cpc = DecimalChangeOutput(allow_null=True, help_text="Null when a period has no CPC.")
    cpa = DecimalChangeOutput()
    roas = PointChangeOutput()


class SourceComparisonOutput(serializers.Serializer):
    source = source_field()
    client_id = serializers.IntegerField()
    comparable = serializers.BooleanField(
        help_text="True when at least half of the range's days pair with a day of the comparison "
        "period on which this source has data too."
    )
    days = count_field("Days of the range.")
    paired_days = count_field("Days paired (by offset) where both days have this source's data.")
    current_days = count_field("Days of the range with this source's data.")
    comparison_days = count_field("Days of the comparison period with this source's data.")
    reason = serializers.CharField(
        help_text='Why it is not comparable, e.g. "Facebook: 1 of 7 days uploaded"; "" if it is.'
    )


class ComparisonOutput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=[mode.value for mode in ComparisonMode])
    date_range = DateRangeOutput(
        allow_null=True, help_text="The days compared with; null for comparison=none."
    )
    comparable = serializers.BooleanField(
        help_text="False when there is nothing to compare (comparison=none, or no source is "
        "comparable): `change` is then null."
    )
    current = MeasuresOutput(
        allow_null=True,
        help_text="What the change compares: the range's paired days of the comparable sources.",
    )
    previous = MeasuresOutput(
        allow_null=True, help_text="Their partner days in the comparison period."
    )
    sources = SourceComparisonOutput(
        many=True, help_text="Per client and source with data in either period."
    )
    left_out = serializers.ListField(
        child=serializers.CharField(),
        help_text="The reasons of the sources the blended change leaves out.",
    )


class ComparedOutput(serializers.Serializer):
    """What a range's changes compare with (``comparison`` query parameter)."""

    previous_period = PeriodTotalsOutput(
        allow_null=True,
        help_text="The same measures over the whole comparison period (null for comparison=none).",
    )
    comparison = ComparisonOutput(
        help_text="What the change compares, like for like (SPEC 9): per source, only the pairs "
        "of days where both have data; sources with fewer than half of the days paired are left "
        "out, with their reason."
    )
    change = ChangesOutput(
        allow_null=True,
        help_text="Per measure: `comparison.current` vs `comparison.previous`; null when not "
        "comparable.",
    )


class SummaryOutput(ComparedOutput, MeasuresOutput):
    date_range = DateRangeOutput()
    repricing = serializers.ListField(
        child=serializers.CharField(),
        default=list,
        help_text=(
            "The clients in scope whose figures are being re-priced after a CPM change (a "
            "queued job of seconds): until it is done their spend is at the previous rate. "
            "Empty when none."
        ),
    )


class DateOutput(serializers.Serializer):
    date = serializers.DateField()


class DailyTotalsOutput(DateOutput, MeasuresOutput):
    pass


class DayOutput(DateOutput, MeasuresOutput):
    status = serializers.CharField(
        help_text=(
            '"ok" when the day has data, else why not: "no data: file not delivered", '
            '"no data: ingestion failed" or "no data: not yet pulled".'
        )
    )


class FreshnessOutput(serializers.Serializer):
    source = source_field()
    last_loaded_at = serializers.DateTimeField(
        allow_null=True, help_text="When a run last loaded data (success or partial)."
    )
    latest_date = serializers.DateField(
        allow_null=True, help_text="The latest day the loaded data holds."
    )


class SourceOutput(serializers.Serializer):
    source = source_field()


class SourceTotalsOutput(SourceOutput, MeasuresOutput):
    pass


class OverviewOutput(SummaryOutput):
    daily = DayOutput(many=True, help_text="Every day of the range, in order.")
    freshness = FreshnessOutput(many=True)
    by_source = SourceTotalsOutput(many=True)


class PeriodBoundsOutput(serializers.Serializer):
    period_start = serializers.DateField(help_text="First day of the period within the range.")
    period_end = serializers.DateField(help_text="Last day of the period within the range.")


class PeriodOutput(PeriodBoundsOutput, MeasuresOutput):
    pass


class SeriesOutput(serializers.Serializer):
    granularity = serializers.CharField()
    date_range = DateRangeOutput()
    series = PeriodOutput(
        many=True,
        help_text="Every period that overlaps the range, in order, clipped to the range.",
    )


# --- The hierarchy: identity, then measures -------------------------------------------------


class CampaignIdentity(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    source = source_field()
    client_id = serializers.IntegerField()


class StrategyIdentity(CampaignIdentity):
    campaign_id = serializers.IntegerField()


class PlacementIdentity(StrategyIdentity):
    strategy_id = serializers.IntegerField()


class CreativeIdentity(PlacementIdentity):
    placement_id = serializers.IntegerField()
    size = serializers.CharField(help_text='e.g. "300x250"; empty when the source has none.')


class CampaignRowOutput(CampaignIdentity, MeasuresOutput):
    pass


class StrategyRowOutput(StrategyIdentity, MeasuresOutput):
    pass


class PlacementRowOutput(PlacementIdentity, MeasuresOutput):
    pass


class CreativeRowOutput(CreativeIdentity, MeasuresOutput):
    pass


class CampaignDetailOutput(ComparedOutput, CampaignRowOutput):
    date_range = DateRangeOutput()


class StrategyDetailOutput(ComparedOutput, StrategyRowOutput):
    date_range = DateRangeOutput()


class PlacementDetailOutput(ComparedOutput, PlacementRowOutput):
    date_range = DateRangeOutput()


class CreativeDetailOutput(ComparedOutput, CreativeRowOutput):
    date_range = DateRangeOutput()


class CampaignMetricsOutput(CampaignIdentity):
    date_range = DateRangeOutput()
    daily = DailyTotalsOutput(many=True, help_text="Every day of the range, in order.")


class StrategyMetricsOutput(StrategyIdentity):
    date_range = DateRangeOutput()
    daily = DailyTotalsOutput(many=True, help_text="Every day of the range, in order.")


class PlacementMetricsOutput(PlacementIdentity):
    date_range = DateRangeOutput()
    daily = DailyTotalsOutput(many=True, help_text="Every day of the range, in order.")


class CreativeMetricsOutput(CreativeIdentity):
    date_range = DateRangeOutput()
    daily = DailyTotalsOutput(many=True, help_text="Every day of the range, in order.")


# --- Building the data these serializers render ---------------------------------------------


def change_data(current: Totals, previous: Totals) -> dict[str, dict[str, Any] | None]:
    return {
        measure: {"absolute": moved.absolute, "percent": moved.percent} if moved else None
        for measure, moved in changes(current, previous).items()
    }


def comparison_data(compared: Comparison) -> dict[str, Any]:
    comparable = compared.comparable
    return {
        "mode": compared.mode.value,
        "date_range": compared.comparison_range.as_dict() if compared.comparison_range else None,
        "comparable": comparable,
        "current": compared.current.as_dict() if comparable else None,
        "previous": compared.previous.as_dict() if comparable else None,
        "sources": [
            {
                "source": entry.source,
                "client_id": entry.client_id,
                "comparable": entry.comparable,
                "days": entry.days,
                "paired_days": entry.paired_days,
                "current_days": entry.current_days,
                "comparison_days": entry.comparison_days,
                "reason": entry.reason(name_client=compared.name_clients),
            }
            for entry in compared.sources
        ],
        "left_out": compared.reasons(),
    }


def summary_data(
    current: Totals, previous: Totals | None, date_range: DateRange, compared: Comparison
) -> dict[str, Any]:
    """``previous`` is the whole comparison period's totals (None without a comparison)."""
    compared_range = compared.comparison_range
    return {
        **current.as_dict(),
        "date_range": date_range.as_dict(),
        "previous_period": {**previous.as_dict(), "date_range": compared_range.as_dict()}
        if previous is not None and compared_range is not None
        else None,
        "comparison": comparison_data(compared),
        "change": change_data(compared.current, compared.previous) if compared.comparable else None,
    }
