"""The fake Vibe itself: the real report's layout, and the faults the demo command switches on."""

import datetime as dt

import pytest
from django.core.management.base import CommandError

from devtools.fake_vibe.reports import report_csv
from devtools.management.commands.fake_vibe import config_with_faults
from ingestion.sources.vibe.flow import VibeNotConfigured, vibe_backfill
from ingestion.sources.vibe.tasks import vibe_daily_pull


def test_fake_reports_have_the_real_reports_columns(sample):
    real_header = sample("vibe/vibe_report_sample.csv").splitlines()[0]
    fake = report_csv("adv-1", dt.date(2025, 12, 14), dt.date(2025, 12, 15))
    assert fake.splitlines()[0] == real_header
    # Several geo rows per (campaign, strategy, channel, creative) and day, as in the sample.
    assert len(fake.splitlines()) == 1 + 2 * 60


def test_the_command_turns_fault_names_into_misbehaviour():
    config = config_with_faults(
        ["429", "5xx", "never-ready", "expired-links", "upper-case"], api_keys=["k" * 12]
    )
    assert config.rate_limit_every_nth_create == 3
    assert config.server_error_every_nth_call == 4
    assert config.never_ready and config.expire_links == 1 and config.status_case == "upper"
    assert config.api_keys == {"k" * 12: None}
    with pytest.raises(CommandError, match=r"Unknown fault\(s\): bogus\. Choose from: 429, 5xx"):
        config_with_faults(["bogus"], api_keys=[])


@pytest.mark.django_db
def test_pulls_refuse_clients_without_a_connection(client_a):
    with pytest.raises(VibeNotConfigured, match="Acme Foods has no enabled Vibe connection"):
        vibe_daily_pull(client_a.pk)
    with pytest.raises(VibeNotConfigured):
        vibe_backfill(clients=[client_a], start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 2))


def test_named_advertisers_name_their_campaigns_like_the_real_report():
    import datetime as dt

    from devtools.fake_vibe.reports import report_rows

    rows = report_rows(
        "5c2d8f3a", dt.date(2025, 11, 3), dt.date(2025, 11, 3), advertiser_name="Borealis"
    )
    assert {row["advertiser_name"] for row in rows} == {"Borealis"}
    assert all(row["campaign_name"].startswith("Borealis ") for row in rows)
    unnamed = report_rows("5c2d8f3a", dt.date(2025, 11, 3), dt.date(2025, 11, 3))
    assert unnamed[0]["campaign_name"].startswith("Adv 5c2d8f ")
