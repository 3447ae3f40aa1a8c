"""The migration to derived spend (metrics 0008) on existing data: the rollups are rebuilt with
spend priced from impressions at each client's rate of the day, before the per-row columns go.

Two tenants with the same names and day: Acme at 15.00, Borealis at 40.00 then 50.00 from Nov 2.
Their stored per-row spend and campaign rollups are stale (a re-pricing that never ran), so only
a migration that really recomputes gives the figures below.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("metrics", "0007_archived_month")]
AFTER = [("metrics", "0008_derived_spend_level_rollups")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_rollups_are_repriced_and_the_level_rollups_built():
    apps = _migrate(BEFORE)
    try:
        client_model = apps.get_model("clients", "Client")
        rate_model = apps.get_model("clients", "CpmRate")
        metric_model = apps.get_model("metrics", "DailyMetric")
        rollup_model = apps.get_model("metrics", "CampaignDayRollup")
        for name, slug, rates in (
            ("Acme Foods", "acme", [("15.00", dt.date(2020, 1, 1))]),
            (
                "Borealis Travel",
                "borealis",
                [("40.00", dt.date(2020, 1, 1)), ("50.00", dt.date(2025, 11, 2))],
            ),
        ):
            client = client_model.objects.create(name=name, slug=slug)
            for cpm, day in rates:
                rate_model.objects.create(client=client, cpm=Decimal(cpm), effective_date=day)
            campaign = apps.get_model("campaigns", "Campaign").objects.create(
                client=client, source="surfside", name="Spring Sale"
            )
            strategy = apps.get_model("campaigns", "Strategy").objects.create(
                campaign=campaign, name="Prospecting"
            )
            placement = apps.get_model("campaigns", "Placement").objects.create(
                strategy=strategy, name="Top"
            )
            creative = apps.get_model("campaigns", "Creative").objects.create(
                placement=placement, name="Banner", size="300x250"
            )
            for day, impressions in ((dt.date(2025, 11, 1), 10_000), (dt.date(2025, 11, 2), 3)):
                common = {"client": client, "date": day, "source": "surfside"}
                metric_model.objects.create(
                    **common,
                    campaign=campaign,
                    strategy=strategy,
                    placement=placement,
                    creative=creative,
                    impressions=impressions,
                    spend=Decimal("1"),  # stale
                )
                rollup_model.objects.create(
                    **common, campaign=campaign, impressions=impressions, spend=Decimal("1")
                )
    finally:
        apps = _migrate(AFTER)

    try:

        def spend(model_name):
            return sorted(
                apps.get_model("metrics", model_name).objects.values_list(
                    "client__slug", "date", "spend", "metric_rows"
                )
            )

        expected = [
            ("acme", dt.date(2025, 11, 1), Decimal("150.000000"), 1),  # 10,000 x 15 / 1000
            ("acme", dt.date(2025, 11, 2), Decimal("0.045000"), 1),  # 3 x 15 / 1000
            ("borealis", dt.date(2025, 11, 1), Decimal("400.000000"), 1),  # 10,000 x 40 / 1000
            ("borealis", dt.date(2025, 11, 2), Decimal("0.150000"), 1),  # 3 x 50 / 1000
        ]
        assert spend("CampaignDayRollup") == expected
        assert spend("StrategyDayRollup") == expected
        assert spend("PlacementDayRollup") == expected
        columns = [
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), "metrics_dailymetric"
            )
        ]
        assert {"spend", "ctr", "cpc", "cpa", "roas"}.isdisjoint(columns)
        assert "source_spend" in columns
    finally:
        # Leave the database as the other tests expect it: every migration applied.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
