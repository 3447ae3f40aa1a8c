"""Response shapes of the dashboard read API.

Counts are JSON integers. Money (spend, conversion_revenue, cpc, cpa) and rates (ctr, roas, in
percent) are decimal strings with 6 places, e.g. ``"150.000000"``: the stored precision, never a
float. Round for display only.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from campaigns.models import Source
from metrics.formulas import Totals, changes
from metrics.periods import DateRange

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


class SummaryOutput(MeasuresOutput):
    date_range = DateRangeOutput()
    previous_period = PeriodTotalsOutput(
        help_text="The same measures for the equally long period that ends the day before."
    )
    change = ChangesOutput(help_text="Per measure: current vs previous period.")
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


class CampaignDetailOutput(CampaignRowOutput):
    date_range = DateRangeOutput()


class StrategyDetailOutput(StrategyRowOutput):
    date_range = DateRangeOutput()


class PlacementDetailOutput(PlacementRowOutput):
    date_range = DateRangeOutput()


class CreativeDetailOutput(CreativeRowOutput):
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


def summary_data(current: Totals, previous: Totals, date_range: DateRange) -> dict[str, Any]:
    return {
        **current.as_dict(),
        "date_range": date_range.as_dict(),
        "previous_period": {
            **previous.as_dict(),
            "date_range": date_range.previous().as_dict(),
        },
        "change": change_data(current, previous),
    }
