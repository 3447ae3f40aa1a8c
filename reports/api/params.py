"""Query parameters of the dashboard read API, validated with a message a person can act on."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone
from rest_framework import serializers

from campaigns.models import Source
from core.api.serializers import StrictSerializer
from metrics.comparison import (
    COMPARISON_HELP,
    DEFAULT_COMPARISON,
    ComparisonMode,
    comparison_error,
)
from metrics.periods import DATE_FORMAT_MESSAGE, RangeError, requested_range
from metrics.selectors.hierarchy import DEFAULT_ORDERING, ORDERING_FIELDS

SOURCES_TEXT = ", ".join(Source.values)


def _date_field(help_text: str) -> serializers.DateField:
    return serializers.DateField(
        required=False, help_text=help_text, error_messages={"invalid": DATE_FORMAT_MESSAGE}
    )


def _id_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, help_text=help_text)


class RangeParams(StrictSerializer):
    """A date range (defaults: the 30 days that end yesterday) and, for admins, one client."""

    start_date = _date_field("First day, included (YYYY-MM-DD). Default: 29 days before end_date.")
    end_date = _date_field(
        "Last day, included (YYYY-MM-DD). Default: yesterday in America/New_York."
    )
    client_id = _id_field(
        "Admins: only this client (default: every client). Client users always get their own "
        "client; the id of a client they may not see is a 404."
    )

    # An output that reads the daily metrics below campaigns (detail): its range may not reach
    # into months retention has archived. The others read rollups, kept forever.
    detail: ClassVar[bool] = False

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["date_range"] = requested_range(
                attrs.get("start_date"),
                attrs.get("end_date"),
                today=timezone.localdate(),
                detail=self.detail,
            )
        except RangeError as error:
            raise serializers.ValidationError(str(error)) from None
        return attrs


class DashboardParams(RangeParams):
    # A field named ``source`` shadows ``Field.source`` for the type checker only (the metaclass
    # moves declared fields off the class).
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices,
        required=False,
        help_text="Only this source (default: every source).",
        error_messages={"invalid_choice": f'"{{input}}" is not a source; use {SOURCES_TEXT}.'},
    )


class ComparisonParams(StrictSerializer):
    comparison = serializers.ChoiceField(
        choices=[mode.value for mode in ComparisonMode],
        required=False,
        default=DEFAULT_COMPARISON.value,
        help_text=COMPARISON_HELP,
        error_messages={"invalid_choice": comparison_error("{input}")},
    )

    def validate_comparison(self, value: str) -> ComparisonMode:
        return ComparisonMode(value)


class ComparedDashboardParams(ComparisonParams, DashboardParams):
    """A dashboard range, its source, and what its changes compare with."""


_ORDERINGS = [ordering for field in ORDERING_FIELDS for ordering in (field, f"-{field}")]


class ListParams(DashboardParams):
    ordering = serializers.ChoiceField(
        choices=_ORDERINGS,
        required=False,
        default=DEFAULT_ORDERING,
        help_text=(
            f"Sort by name or any measure ({', '.join(ORDERING_FIELDS)}); a leading '-' sorts "
            f"descending. Default: {DEFAULT_ORDERING}."
        ),
        error_messages={
            "invalid_choice": (
                f'"{{input}}" is not an ordering; use one of {", ".join(ORDERING_FIELDS)}, '
                'with a leading "-" for descending.'
            )
        },
    )
    page = _id_field("Page number, from 1.")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=500, help_text="Rows per page (default 50, max 500)."
    )


class StrategyListParams(ListParams):
    detail = True
    campaign_id = _id_field("Only the strategies of this campaign (404 if you may not see it).")


class PlacementListParams(ListParams):
    detail = True
    strategy_id = _id_field("Only the placements of this strategy (404 if you may not see it).")


class CreativeListParams(ListParams):
    detail = True
    placement_id = _id_field("Only the creatives of this placement (404 if you may not see it).")


class ObjectParams(RangeParams):
    """The range for one campaign, strategy, placement or creative (``client_id`` narrows the
    lookup: an object of another client is a 404)."""


class DetailObjectParams(ObjectParams):
    """The range for one strategy, placement or creative: read from the detail."""

    detail = True


class ComparedObjectParams(ComparisonParams, ObjectParams):
    """One campaign's range, and what its change compares with."""


class ComparedDetailObjectParams(ComparisonParams, DetailObjectParams):
    """One strategy's, placement's or creative's range, and what its change compares with."""
