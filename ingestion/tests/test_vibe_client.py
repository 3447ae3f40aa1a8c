"""The Vibe HTTP client against the fake Vibe over real HTTP: shapes, headers, typed errors."""

import datetime as dt

import pytest

from ingestion.sources.vibe.client import (
    DownloadLinkExpired,
    VibeClient,
    VibeRateLimited,
    VibeRejected,
    VibeTransientError,
    download_report,
    parse_rate_limit,
    parse_reset_at,
    safe_url,
)
from tests.source_data import VIBE_ADVERTISER, VIBE_KEY

DAY = dt.date(2025, 12, 14)


@pytest.fixture
def vibe(fake_vibe):
    return VibeClient(base_url=fake_vibe.base_url, api_key=VIBE_KEY, timeout=2)


def create(vibe):
    return vibe.create_async_report(
        advertiser_id=VIBE_ADVERTISER, start_date=DAY, end_date=DAY, timezone_name="UTC"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05T16:00:00Z", dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC)),
        ("2026-01-05T11:00:00-05:00", dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC)),
        ("2026-01-05 16:00:00", dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC)),
        ("1767628800", dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC)),
        ("1767628800000", dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC)),
        ("1767628800.5", dt.datetime(2026, 1, 5, 16, 0, 0, 500000, tzinfo=dt.UTC)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_reset_time_is_read_as_iso_or_unix(value, expected):
    assert parse_reset_at(value) == expected


def test_rate_limit_headers_are_parsed():
    headers = {
        "x-rate-limit": "15",
        "x-rate-limit-left": "0",
        "x-rate-limit-reset-at": "1767628800",
        "x-rate-limit-retry-after": "42",
    }
    limit = parse_rate_limit(headers)
    assert (limit.limit, limit.remaining, limit.retry_after_seconds) == (15, 0, 42.0)
    assert limit.reset_at == dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC)
    assert parse_rate_limit({"x-rate-limit-left": "many"}).remaining is None


@pytest.mark.parametrize("reset_format", ["iso", "unix"])
def test_create_poll_and_download_speak_the_legacy_protocol(fake_vibe, vibe, reset_format):
    fake = fake_vibe.fake
    fake.config.reset_at_format = reset_format
    fake.config.status_case = "title"
    created = create(vibe)
    assert created.report_id in fake.reports
    assert created.rate_limit.limit == 15 and created.rate_limit.remaining == 14
    assert created.rate_limit.reset_at is not None
    status = vibe.get_report_status(created.report_id)
    assert status.status == "done"
    assert status.download_url.startswith(fake_vibe.url)
    content = download_report(status.download_url, timeout=2)
    assert content.startswith(b"impression_date,advertiser_id,advertiser_name,app_id")
    assert [call.sent_api_key for call in fake.calls] == [True, True, False]
    assert "token=" not in safe_url(status.download_url)


def test_a_plain_text_server_error_is_transient_and_keeps_the_text(fake_vibe, vibe):
    fake_vibe.fake.fail_next("create_async_report", 502, body="Bad Gateway\n upstream down")
    with pytest.raises(VibeTransientError) as error:
        create(vibe)
    assert str(error.value) == (
        "Vibe answered HTTP 502 to /create_async_report: Bad Gateway upstream down"
    )


def test_a_429_carries_the_retry_after(fake_vibe, vibe):
    fake_vibe.fake.fail_next("create_async_report", 429, headers={"x-rate-limit-retry-after": "30"})
    with pytest.raises(VibeRateLimited) as error:
        create(vibe)
    assert error.value.rate_limit.retry_after_seconds == 30


def test_vibes_own_limit_answers_429_after_fifteen_calls(fake_vibe, vibe):
    report_id = create(vibe).report_id
    for _ in range(14):
        vibe.get_report_status(report_id)
    with pytest.raises(VibeRateLimited) as error:
        vibe.get_report_status(report_id)
    assert error.value.rate_limit.remaining == 0
    assert 3500 < error.value.rate_limit.retry_after_seconds <= 3601


def test_a_wrong_key_is_a_rejection_with_vibes_plain_text(fake_vibe):
    wrong = VibeClient(base_url=fake_vibe.base_url, api_key="vb-wrong-key-0000", timeout=2)
    with pytest.raises(VibeRejected) as error:
        create(wrong)
    assert error.value.status_code == 403
    assert "Vibe refused the API key (HTTP 403: Forbidden: invalid API key)" in str(error.value)


def test_other_client_errors_are_rejections_with_vibes_json_error(fake_vibe, vibe):
    with pytest.raises(VibeRejected) as error:
        vibe.get_report_status("no-such-report")
    assert str(error.value) == "Vibe refused /get_report_status (HTTP 404): report not found"


def test_a_timeout_is_transient(fake_vibe):
    fake_vibe.fake.fail_next("create_async_report", 200, stall_seconds=0.5)
    quick = VibeClient(base_url=fake_vibe.base_url, api_key=VIBE_KEY, timeout=0.1)
    with pytest.raises(VibeTransientError, match="did not answer /create_async_report within"):
        create(quick)


def test_an_unreachable_vibe_is_transient_without_leaking_the_url():
    closed = VibeClient(base_url="http://127.0.0.1:9", api_key=VIBE_KEY, timeout=1)
    with pytest.raises(VibeTransientError) as error:
        create(closed)
    assert str(error.value) == "Could not reach Vibe for /create_async_report: ConnectionError."


def test_an_answer_that_is_not_json_is_transient(fake_vibe, vibe):
    fake_vibe.fake.fail_next("get_report_status", 200, body="<html>maintenance</html>")
    with pytest.raises(VibeTransientError, match="not JSON: <html>maintenance</html>"):
        vibe.get_report_status("any")


def test_an_expired_link_is_recognised(fake_vibe, vibe):
    fake_vibe.fake.config.expire_links = 1
    report_id = create(vibe).report_id
    url = vibe.get_report_status(report_id).download_url
    with pytest.raises(DownloadLinkExpired):
        download_report(url, timeout=2)
    assert download_report(url, timeout=2)


def test_the_client_never_shows_its_key():
    vibe = VibeClient(base_url="https://vibe.example", api_key=VIBE_KEY, timeout=1)
    assert VIBE_KEY not in repr(vibe) and VIBE_KEY not in str(vars(vibe).get("base_url"))
