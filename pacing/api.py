"""``/api/v1/insertion-orders``: admins write, client users read their own; pacing per order."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from django.db.models import Model
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.models import Source
from clients.scoped_api import ScopedGenericViewSet
from core.api import examples as ex
from core.api.params import optional_date
from core.api.permissions import AdminWritesOnly
from core.api.serializers import StrictSerializer
from pacing import services
from pacing.models import BUDGET_DECIMAL_PLACES, BUDGET_MAX_DIGITS, DeliveryShape, InsertionOrder
from pacing.selectors import insertion_orders_of, pacing_of


def budget_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=BUDGET_MAX_DIGITS, decimal_places=BUDGET_DECIMAL_PLACES, **kwargs
    )


class InsertionOrderOutput(serializers.ModelSerializer):
    client_id = serializers.IntegerField(read_only=True)
    campaign_ids = serializers.SerializerMethodField()

    class Meta:
        model = InsertionOrder
        fields = [
            "id",
            "client_id",
            "name",
            "sources",
            "campaign_ids",
            "campaign_name_pattern",
            "start_date",
            "end_date",
            "contracted_impressions",
            "contracted_budget",
            "delivery_shape",
            "created_at",
            "updated_at",
        ]

    def get_campaign_ids(self, order: InsertionOrder) -> list[int]:
        return sorted(campaign.pk for campaign in order.campaigns.all())


class OrderFields(StrictSerializer):
    """Fields an admin may set; amounts are checked by the service (one place for the rules)."""

    name = serializers.CharField(max_length=255)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    contracted_impressions = serializers.IntegerField(required=False, allow_null=True)
    contracted_budget = budget_field(required=False, allow_null=True)
    campaign_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=list
    )
    campaign_name_pattern = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    sources = serializers.ListField(
        child=serializers.ChoiceField(choices=Source.choices), required=False, default=list
    )
    delivery_shape = serializers.ChoiceField(
        choices=DeliveryShape.choices, required=False, default=DeliveryShape.EVEN
    )


class OrderCreateInput(OrderFields):
    client_id = serializers.IntegerField()


class OrderUpdateInput(OrderFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class PacingOutput(serializers.Serializer):
    order_id = serializers.IntegerField()
    name = serializers.CharField()
    as_of = serializers.DateField()
    status = serializers.ChoiceField(
        choices=["not_started", "under", "on_track", "over", "finished"]
    )
    paced_on = serializers.ChoiceField(choices=["impressions", "spend"])
    pace_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    flight_days = serializers.IntegerField()
    elapsed_days = serializers.IntegerField()
    days_left = serializers.IntegerField()
    delivered_impressions = serializers.IntegerField()
    expected_impressions = serializers.IntegerField(allow_null=True)
    impressions_pace_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    run_rate_impressions = serializers.DecimalField(
        max_digits=20, decimal_places=2, coerce_to_string=False
    )
    projected_impressions = serializers.IntegerField()
    daily_impressions_needed = serializers.IntegerField(allow_null=True)
    delivered_spend = budget_field()
    expected_spend = budget_field(allow_null=True)
    spend_pace_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    run_rate_spend = budget_field()
    projected_spend = budget_field()
    daily_spend_needed = budget_field(allow_null=True)


ORDER_EXAMPLE = {
    "id": 4,
    "client_id": 3,
    "name": "Acme November CTV",
    "sources": [],
    "campaign_ids": [17, 18],
    "campaign_name_pattern": "",
    "start_date": "2025-11-01",
    "end_date": "2025-11-30",
    "contracted_impressions": 300000,
    "contracted_budget": None,
    "delivery_shape": "even",
    "created_at": "2025-10-28T15:00:00Z",
    "updated_at": "2025-10-28T15:00:00Z",
}
PACING_EXAMPLE = {
    "order_id": 4,
    "name": "Acme November CTV",
    "as_of": "2025-11-10",
    "status": "under",
    "paced_on": "impressions",
    "pace_percent": 80.0,
    "flight_days": 30,
    "elapsed_days": 10,
    "days_left": 20,
    "delivered_impressions": 80000,
    "expected_impressions": 100000,
    "impressions_pace_percent": 80.0,
    "run_rate_impressions": 8000.0,
    "projected_impressions": 240000,
    "daily_impressions_needed": 11000,
    "delivered_spend": "1200.00",
    "expected_spend": None,
    "spend_pace_percent": None,
    "run_rate_spend": "120.00",
    "projected_spend": "3600.00",
    "daily_spend_needed": None,
}
PACING_DESCRIPTION = (
    "Pacing of the order on `as_of` (default: the latest day for which every source of the order "
    "has loaded data). delivered counts the flight's days up to as_of (a day without data counts "
    "0); expected follows the delivery shape; pace_percent = delivered / expected x 100 to 2 "
    "places (null when expected is 0); projected = delivered + the run rate of the last "
    "min(7, elapsed) flight days x the days left. status: not_started, under (< 95), on_track, "
    "over (> 105), finished. Orders sold on budget only are paced on billed spend "
    "(paced_on = spend). Counts and percents are JSON numbers, money decimal strings."
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The order.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("client_id", int, description="Only this client's orders (admins).")
        ],
        examples=[ex.response("Insertion orders", ex.page(ORDER_EXAMPLE))],
        tags=["insertion orders"],
    ),
    retrieve=extend_schema(
        parameters=[ID_PARAMETER],
        examples=[ex.response("Insertion order", ORDER_EXAMPLE)],
        tags=["insertion orders"],
    ),
)
class InsertionOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Insertion orders: everyone sees their clients' orders; only admins write them."""

    base_queryset = InsertionOrder.objects.all()
    client_field = "client"
    serializer_class = InsertionOrderOutput
    permission_classes = [AdminWritesOnly]
    # Another tenant's order is a 404 before the admin-only check of writes: no 403 to probe.
    url_objects: ClassVar[dict[str, tuple[type[Model], str]]] = {"pk": (InsertionOrder, "client")}

    def get_base_queryset(self) -> Any:
        # Narrowed to ``client_id`` when given; the base class still scopes to visible clients.
        return insertion_orders_of(clients=self.requested_clients())

    def _order(self) -> InsertionOrder:
        return cast(InsertionOrder, self.get_object())

    def _output(self, order: InsertionOrder) -> dict[str, Any]:
        fresh = insertion_orders_of(clients=self.visible_clients()).get(pk=order.pk)
        return cast(dict[str, Any], InsertionOrderOutput(fresh).data)

    @extend_schema(
        request=OrderCreateInput,
        responses={201: InsertionOrderOutput},
        examples=[
            OpenApiExample(
                "New order",
                value={
                    "client_id": 3,
                    "name": "Acme November CTV",
                    "start_date": "2025-11-01",
                    "end_date": "2025-11-30",
                    "contracted_impressions": 300000,
                    "campaign_ids": [17, 18],
                },
                request_only=True,
            ),
            ex.response("Created", ORDER_EXAMPLE, status=201),
        ],
        tags=["insertion orders"],
    )
    def create(self, request: Request) -> Response:
        data = OrderCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["campaign_ids"] = fields.get("campaign_ids") or []  # null: all the campaigns
        client = self.client_or_404(fields.pop("client_id"))
        order = services.insertion_order_create(client=client, by=self.user, **fields)
        return Response(self._output(order), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAMETER],
        request=OrderUpdateInput,
        responses={200: InsertionOrderOutput},
        examples=[
            OpenApiExample("New end", value={"end_date": "2025-12-05"}, request_only=True),
            ex.response("Changed", {**ORDER_EXAMPLE, "end_date": "2025-12-05"}),
        ],
        tags=["insertion orders"],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        order = self._order()
        data = OrderUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        campaign_ids = changes.pop("campaign_ids", None)
        if "campaign_ids" in data.validated_data and campaign_ids is None:
            campaign_ids = []  # null: back to all the client's campaigns
        services.insertion_order_update(
            order=order, by=self.user, campaign_ids=campaign_ids, **changes
        )
        return Response(self._output(order))

    @extend_schema(
        parameters=[ID_PARAMETER],
        responses={204: None, 404: ex.DETAIL},
        examples=[ex.response("Not found", {"detail": "Not found."}, status=404)],
        tags=["insertion orders"],
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.insertion_order_delete(order=self._order(), by=self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            ID_PARAMETER,
            OpenApiParameter("as_of", dt.date, description="The day to pace on (YYYY-MM-DD)."),
        ],
        responses={200: PacingOutput},
        examples=[ex.response("Pacing", PACING_EXAMPLE)],
        description=PACING_DESCRIPTION,
        tags=["insertion orders"],
    )
    @action(detail=True, methods=["get"], url_path="pacing")
    def pacing(self, request: Request, pk: str) -> Response:
        order = self._order()
        as_of = optional_date(request.query_params, "as_of")
        found = pacing_of([order], as_of=as_of)[order.pk]
        return Response(PacingOutput(found.as_dict()).data)
