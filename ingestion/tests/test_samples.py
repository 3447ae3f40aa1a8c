"""Every real export in ../shared/reference/samples ingests with totals equal to an independent
sum of its rows (or is refused with guidance, where SPEC says so)."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum

from ingestion.models import IngestionRun, RunStatus, StagingRow
from ingestion.pipeline import run_ingestion
from metrics.models import CampaignDayRollup, DailyMetric
from metrics.pricing import with_row_measures, with_spend
from tests.source_data import SAMPLES

pytestmark = pytest.mark.django_db


def csv_rows(path):
    with open(SAMPLES / path, newline="", encoding="utf-8-sig") as handle:
        return [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(handle)]


def xlsx_rows(path):
    sheet = openpyxl.load_workbook(SAMPLES / path, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h).strip() for h in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def money(text) -> Decimal:
    cleaned = str(text).replace("$", "").replace(",", "").strip()
    return Decimal(0) if cleaned in ("", "-") else Decimal(cleaned)


def metric_totals(client, source):
    # Spend is derived: each row priced in SQL at the CPM of its day.
    totals = with_spend(DailyMetric.objects.filter(client=client, source=source)).aggregate(
        impressions=Sum("impressions"),
        clicks=Sum("clicks"),
        conversions=Sum("conversions"),
        revenue=Sum("conversion_revenue"),
        billed=Sum("spend"),
        source_spend=Sum("source_spend"),
    )
    totals["spend"] = totals.pop("billed")
    return totals


def test_surfside_csv_export_reconciles(client_a, sample):
    rows = csv_rows("surfside/surfside_sample_excel_export.csv")
    run = run_ingestion(
        client=client_a,
        source="surfside",
        file_name="surfside.csv",
        content=sample("surfside/surfside_sample_excel_export.csv"),
    )
    assert run.status == RunStatus.SUCCESS, run.message
    assert (run.rows_read, run.rows_loaded, run.rows_failed) == (496, 496, 0)
    totals = metric_totals(client_a, "surfside")
    impressions = sum(int(r["Impressions"]) for r in rows)
    assert impressions == 541_210
    assert totals["impressions"] == impressions
    assert totals["clicks"] == sum(int(r["Clicks"]) for r in rows)
    assert totals["conversions"] == sum(int(r["Conversions"]) for r in rows)
    assert totals["revenue"] == sum(money(r["Conversion Value"]) for r in rows)
    assert totals["source_spend"] == sum(money(r["Media Spend"]) for r in rows)
    # Billed at the client's 15.00 CPM: 541,210 / 1000 x 15.
    assert totals["spend"] == Decimal("8118.15")
    # Creative Size is part of the identity: every (strategy, placement, creative, size, date)
    # row of the file is its own metric row.
    assert DailyMetric.objects.filter(client=client_a).count() == 496
    rollup = CampaignDayRollup.objects.filter(client=client_a).aggregate(Sum("impressions"))
    assert rollup["impressions__sum"] == impressions


def test_surfside_xlsx_export_reconciles_and_matches_the_csv(client_a, sample):
    rows = xlsx_rows("surfside/surfside_sample.xlsx")
    run = run_ingestion(
        client=client_a,
        source="surfside",
        file_name="surfside.xlsx",
        content=sample("surfside/surfside_sample.xlsx"),
    )
    assert run.status == RunStatus.SUCCESS, run.message
    totals = metric_totals(client_a, "surfside")
    assert totals["impressions"] == sum(r["Impressions"] for r in rows) == 541_210
    assert totals["revenue"] == sum(Decimal(str(r["Conversion Value"])) for r in rows)
    assert totals["source_spend"].quantize(Decimal("0.01")) == Decimal("3037.26")
    assert (run.date_from.isoformat(), run.date_to.isoformat()) == ("2025-11-03", "2025-11-09")


def test_tabs_in_names_are_normalised_to_spaces(client_a, sample):
    run_ingestion(
        client=client_a,
        source="surfside",
        file_name="s.csv",
        content=sample("surfside/surfside_sample_excel_export.csv"),
    )
    from campaigns.models import Placement

    names = set(Placement.objects.values_list("name", flat=True))
    assert "Retargeting | Website Visitors" in names
    assert not any("\t" in name for name in names)


def test_campaign_name_comes_from_the_client_when_the_file_has_none(client_a, sample):
    run_ingestion(
        client=client_a,
        source="surfside",
        file_name="s.csv",
        content=sample("surfside/surfside_sample_excel_export.csv"),
    )
    from campaigns.models import Campaign

    assert list(Campaign.objects.values_list("name", flat=True)) == ["Acme Foods"]


def test_facebook_daily_region_export_sums_regions_and_reports_its_totals_row(client_a, sample):
    rows = [r for r in xlsx_rows("facebook/facebook_daily_region_export.xlsx") if r["Day"]]
    run = run_ingestion(
        client=client_a,
        source="facebook",
        file_name="fb.xlsx",
        content=sample("facebook/facebook_daily_region_export.xlsx"),
    )
    assert run.status == RunStatus.SUCCESS, run.message
    assert run.rows_read == len(rows) == 161
    totals = metric_totals(client_a, "facebook")
    assert totals["impressions"] == sum(int(r["Impressions"]) for r in rows) == 82_365
    # Link clicks are preferred to Clicks (all); blank cells are 0.
    assert totals["clicks"] == sum(int(r["Link clicks"] or 0) for r in rows) == 2_447
    assert round(totals["source_spend"], 2) == Decimal("1033.37")
    keys = {(r["Day"], r["Campaign name"], r["Ad set name"], r["Ad name"]) for r in rows}
    assert DailyMetric.objects.filter(client=client_a).count() == len(keys)
    assert "The file's totals row says 119,924 impressions, its rows sum to 82,365." in run.warnings


@pytest.mark.parametrize(
    "path", ["facebook/facebook_monthly_export.csv", "facebook/facebook_export_older.xlsx"]
)
def test_facebook_exports_without_a_daily_breakdown_are_refused_with_guidance(
    client_a, sample, path
):
    run = run_ingestion(
        client=client_a, source="facebook", file_name=path.split("/")[1], content=sample(path)
    )
    assert run.status == RunStatus.FAILED
    assert "one row per period (2025-12-01 to 2025-12-13), not one row per day" in run.message
    assert "Breakdown > By time > Day" in run.message
    assert not DailyMetric.objects.exists()
    assert not StagingRow.objects.exists()


def test_vibe_report_sums_geo_rows(client_a, sample):
    rows = csv_rows("vibe/vibe_report_sample.csv")
    run = run_ingestion(
        client=client_a,
        source="vibe",
        file_name="vibe.csv",
        content=sample("vibe/vibe_report_sample.csv"),
    )
    assert run.status == RunStatus.SUCCESS, run.message
    totals = metric_totals(client_a, "vibe")
    assert totals["impressions"] == sum(int(float(r["impressions"])) for r in rows) == 1_614
    assert totals["source_spend"] == sum(Decimal(r["spend"]) for r in rows)
    assert totals["conversions"] == sum(int(float(r["number_of_purchases"])) for r in rows)
    assert totals["clicks"] == 0  # CTV: no clicks column
    keys = {
        (r["campaign_name"], r["strategy_name"], r["channel_name"], r["creative_name"])
        for r in rows
    }
    assert DailyMetric.objects.filter(client=client_a).count() == len(keys)


def test_loading_the_same_file_twice_gives_the_same_table(client_a, sample):
    content = sample("surfside/surfside_sample_excel_export.csv")
    first = run_ingestion(client=client_a, source="surfside", file_name="s.csv", content=content)
    before = list(
        with_spend(DailyMetric.objects.order_by("id")).values_list(
            "id", "impressions", "spend", "ingestion_run_id"
        )
    )
    second = run_ingestion(client=client_a, source="surfside", file_name="s.csv", content=content)
    after = list(
        with_spend(DailyMetric.objects.order_by("id")).values_list(
            "id", "impressions", "spend", "ingestion_run_id"
        )
    )
    assert before == after
    assert {row[3] for row in after} == {first.pk}
    assert "0 new, 0 updated and 496 unchanged" in second.message
    assert IngestionRun.objects.count() == 2
    # Valid rows are not copied: the stored file is their raw record.
    assert not StagingRow.objects.filter(run=second).exists()


def test_staging_keeps_the_raw_record_of_refused_rows_only(client_a, sample):
    content = sample("surfside/surfside_sample_excel_export.csv")
    lines = content.split(b"\n")
    assert lines[1].startswith(b"Prospecting,Audience | Cannabis Consumers,Creative 2,728x90,")
    lines[1] = lines[1].replace(b",865,", b",eight hundred,")
    run = run_ingestion(
        client=client_a, source="surfside", file_name="s.csv", content=b"\n".join(lines)
    )
    assert (run.status, run.rows_loaded, run.rows_failed) == (RunStatus.PARTIAL, 495, 1)
    refused = StagingRow.objects.get(run=run)
    assert refused.row_number == 2
    assert refused.raw["Impressions"] == "eight hundred"
    assert refused.raw[" Media Spend "] == " $ 4.76 "
    assert refused.raw["Creative Name"] == "Creative 2"
    assert len(refused.raw) == 11
    assert not refused.is_valid
    assert [error["column"] for error in refused.errors] == ["Impressions"]


def test_csv_text_is_read_as_utf8_with_bom_and_crlf(client_a):
    content = (
        "\ufeffEvent Date,Strategy Name,Placement Name,Creative Name,Impressions,Clicks,"
        "Conversions,Conversion Value\r\n11/3/2025,Prospecting,Caf\u00e9 | Top,Cr\u00e9a 1,"
        "1000,2,0,0\r\n"
    ).encode()
    run = run_ingestion(client=client_a, source="surfside", file_name="bom.csv", content=content)
    assert run.status == RunStatus.SUCCESS, run.message
    metric = with_spend(DailyMetric.objects.all()).get()
    assert metric.placement.name == "Caf\u00e9 | Top"
    assert metric.spend == Decimal("15")


def test_brief_header_names_are_accepted(client_a):
    content = io.StringIO()
    content.write(
        "Date,Campaign,Strategy,Placement,Creative,Impressions,Clicks,Conversions,"
        "Conversion Revenue,CTR\n2025-11-03,Spring,Prospecting,Top,Banner,2000,10,1,"
        "50.5,0.5\n"
    )
    run = run_ingestion(
        client=client_a,
        source="surfside",
        file_name="brief.csv",
        content=content.getvalue().encode(),
    )
    assert run.status == RunStatus.SUCCESS, run.message
    metric = with_row_measures(DailyMetric.objects.all()).get()
    assert metric.campaign.name == "Spring"
    assert metric.conversion_revenue == Decimal("50.5")
    assert metric.ctr == Decimal("0.5")
