"""Campaigns, strategies, placements and creatives: list, detail and daily metrics.

Every level works the same way; a subclass only names its level, its parameters and its output.
Lookups go through the scoped queryset of ``ScopedGenericViewSet``, so another client's id is a
404 exactly like an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clients.models import Client
from clients.scoped_api import ScopedGenericViewSet
from metrics.comparison import comparison_range
from metrics.periods import DateRange, Granularity
from metrics.selectors.comparison import comparison
from metrics.selectors.hierarchy import (
    CAMPAIGNS,
    CREATIVES,
    PLACEMENTS,
    STRATEGIES,
    HierarchyLevel,
    HierarchyObject,
    identity,
    object_metric_rows,
    performance_rows,
    with_identity,
)
from metrics.selectors.series import series
from reports.api import examples, outputs
from reports.api.base import MetricsReadView
from reports.api.dashboard import NUMBERS_NOTE
from reports.api.params import (
    ComparedDetailObjectParams,
    ComparedObjectParams,
    CreativeListParams,
    DetailObjectParams,
    ListParams,
    ObjectParams,
    PlacementListParams,
    StrategyListParams,
)


class HierarchyViewSet(MetricsReadView, ScopedGenericViewSet):
    """List (with the range's measures), detail and daily metrics of one hierarchy level."""

    level: ClassVar[HierarchyLevel]
    list_params: ClassVar[type[ListParams]] = ListParams
    # Below campaigns an object's figures come from the detail (see ``RangeParams.detail``).
    object_params: ClassVar[type[ObjectParams]] = DetailObjectParams
    compared_params: ClassVar[type[ObjectParams]] = ComparedDetailObjectParams
    row_output: ClassVar[type[serializers.Serializer]]
    detail_output: ClassVar[type[serializers.Serializer]]
    metrics_output: ClassVar[type[serializers.Serializer]]

    def get_base_queryset(self) -> Any:
        # Narrowed to ``client_id`` when given; the base class still scopes to visible clients.
        return self.level.objects().filter(**{f"{self.level.client_path}__in": self.clients})

    def _object(self) -> HierarchyObject:
        return cast(HierarchyObject, self.get_object())

    def list(self, request: Request) -> Response:
        params = self.read_params(self.list_params)
        parent_id = self._parent_id(params)
        rows = performance_rows(
            self.level,
            clients=self.clients,
            date_range=params["date_range"],
            source=params.get("source"),
            parent_id=parent_id,
            ordering=params["ordering"],
        )
        page = self.paginate_queryset(rows)
        assert page is not None
        return self.get_paginated_response(
            self.row_output(with_identity(self.level, page), many=True).data
        )

    def _parent_id(self, params: dict[str, Any]) -> int | None:
        """The parent filter's id, once the parent is known to be visible (else 404)."""
        parent = self.level.parent
        if parent is None or params.get(parent.key) is None:
            return None
        visible = parent.model._default_manager.filter(
            **{f"{parent.client_path}__in": self.clients}
        )
        found = self.get_scoped_or_404(visible, parent.client_path, pk=params[parent.key])
        return int(found.pk)

    def retrieve(self, request: Request, pk: str) -> Response:
        obj = self._object()
        params = self.read_params(self.compared_params)
        date_range: DateRange = params["date_range"]
        found = identity(obj)
        # Like for like: the object's sums over the days its source has data in both periods.
        compared_range = comparison_range(date_range, params["comparison"])
        first_day = min(date_range.start, (compared_range or date_range).start)
        compared = comparison(
            clients=Client.objects.filter(pk=found["client_id"]),
            date_range=date_range,
            mode=params["comparison"],
            source=found["source"],
            metric_rows=object_metric_rows(self.level, obj, start=first_day, end=date_range.end),
        )
        data = {
            **found,
            **outputs.summary_data(compared.total, compared.compared_total, date_range, compared),
        }
        return Response(self.detail_output(data).data)

    @action(detail=True, methods=["get"], url_path="metrics")
    def metrics(self, request: Request, pk: str) -> Response:
        obj = self._object()
        date_range: DateRange = self.read_params(self.object_params)["date_range"]
        metric_rows = object_metric_rows(
            self.level, obj, start=date_range.start, end=date_range.end
        )
        daily = series(metric_rows, date_range=date_range, granularity=Granularity.DAY)
        data = {
            **identity(obj),
            "date_range": date_range.as_dict(),
            "daily": [{"date": day.start, **totals.as_dict()} for day, totals in daily],
        }
        return Response(self.metrics_output(data).data)


def documented(
    *, plural: str, singular: str, identity_example: dict[str, Any], list_note: str = ""
) -> Callable[[type[HierarchyViewSet]], type[HierarchyViewSet]]:
    """The OpenAPI description of a level's three endpoints, from the viewset's own outputs."""

    def decorate(viewset: type[HierarchyViewSet]) -> type[HierarchyViewSet]:
        id_parameter = OpenApiParameter(
            "id", int, OpenApiParameter.PATH, description=f"The {singular}."
        )
        schema = extend_schema_view(
            list=extend_schema(
                parameters=[viewset.list_params],
                responses={200: viewset.row_output(many=True)},
                examples=[examples.hierarchy_row(identity_example, viewset.row_output)],
                description=(
                    f"The {plural} with delivery in the range, with their measures over it, "
                    f"paginated ({{count, next, previous, results}}). {list_note}{NUMBERS_NOTE}"
                ),
                tags=["hierarchy"],
            ),
            retrieve=extend_schema(
                parameters=[id_parameter, viewset.compared_params, examples.comparison_parameter()],
                responses={200: viewset.detail_output},
                examples=[examples.hierarchy_detail(identity_example, viewset.detail_output)],
                description=(
                    f"One {singular} with its measures over the range (zeros when it did not "
                    "run), against the period `comparison` picks, like for like as in "
                    "dashboard/summary: the days compared are those where the "
                    f"{singular}'s source has data in both periods. {NUMBERS_NOTE}"
                ),
                tags=["hierarchy"],
            ),
            metrics=extend_schema(
                parameters=[id_parameter, viewset.object_params],
                responses={200: viewset.metrics_output},
                examples=[examples.hierarchy_metrics(identity_example, viewset.metrics_output)],
                description=(
                    f"The {singular}'s totals for every day of the range (zeros on days without "
                    f"delivery). {NUMBERS_NOTE}"
                ),
                tags=["hierarchy"],
            ),
        )
        return schema(viewset)

    return decorate


@documented(
    plural="campaigns",
    singular="campaign",
    identity_example=examples.CAMPAIGN,
    list_note="Read from the per-campaign daily rollups. ",
)
class CampaignViewSet(HierarchyViewSet):
    level = CAMPAIGNS
    client_field = CAMPAIGNS.client_path
    object_params = ObjectParams  # a campaign's figures come from the rollups
    compared_params = ComparedObjectParams
    row_output = outputs.CampaignRowOutput
    detail_output = outputs.CampaignDetailOutput
    metrics_output = outputs.CampaignMetricsOutput


@documented(
    plural="strategies",
    singular="strategy",
    identity_example=examples.STRATEGY,
    list_note="`campaign_id` narrows to one campaign's strategies. ",
)
class StrategyViewSet(HierarchyViewSet):
    level = STRATEGIES
    client_field = STRATEGIES.client_path
    list_params = StrategyListParams
    row_output = outputs.StrategyRowOutput
    detail_output = outputs.StrategyDetailOutput
    metrics_output = outputs.StrategyMetricsOutput


@documented(
    plural="placements",
    singular="placement",
    identity_example=examples.PLACEMENT,
    list_note="`strategy_id` narrows to one strategy's placements. ",
)
class PlacementViewSet(HierarchyViewSet):
    level = PLACEMENTS
    client_field = PLACEMENTS.client_path
    list_params = PlacementListParams
    row_output = outputs.PlacementRowOutput
    detail_output = outputs.PlacementDetailOutput
    metrics_output = outputs.PlacementMetricsOutput


@documented(
    plural="creatives",
    singular="creative",
    identity_example=examples.CREATIVE,
    list_note="`placement_id` narrows to one placement's creatives. ",
)
class CreativeViewSet(HierarchyViewSet):
    level = CREATIVES
    client_field = CREATIVES.client_path
    list_params = CreativeListParams
    row_output = outputs.CreativeRowOutput
    detail_output = outputs.CreativeDetailOutput
    metrics_output = outputs.CreativeMetricsOutput
