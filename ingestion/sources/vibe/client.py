"""HTTP client for Vibe's legacy asynchronous reporting API (SPEC 3.2).

``VibeClient`` has one method per API call: ``create_async_report`` -> report id and
``get_report_status`` -> status and, when done, a pre-signed ``download_url``; ``download_report``
fetches that link (without the API key: the link carries its own signature). Every request has a
timeout. Failures are typed so the flow can decide: ``VibeRateLimited`` (429, with Vibe's
retry-after), ``VibeTransientError`` (5xx, timeouts, broken connections: retried with backoff),
``VibeRejected`` (any other 4xx: never retried), ``DownloadLinkExpired`` (403/404/410 on the
link: refreshed by polling again).

The client knows nothing about budgets or the database; it never logs the API key or the signed
part of a download link, and it redacts the key from any error text Vibe sends back.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from django.views.decorators.debug import sensitive_variables

from ingestion.sources.vibe.keys import redact

logger = logging.getLogger(__name__)

# The columns of the report: the names the adapter maps (SPEC 3.2 mapping) and the measures.
REPORT_DIMENSIONS = ["campaign_name", "strategy_name", "channel_name", "creative_name"]
REPORT_METRICS = ["impressions", "spend", "number_of_purchases", "amount_of_purchases"]

# Statuses Vibe answers, compared in lower case (Vibe is not consistent about case).
STATUS_CREATED = "created"
STATUS_PROCESSING = "processing"
STATUS_DONE = "done"
STATUS_ERROR = "error"

EXPIRED_LINK_STATUSES = frozenset({403, 404, 410})
ERROR_TEXT_LIMIT = 300


@dataclass(frozen=True)
class RateLimit:
    """Vibe's rate-limit headers of one response (each None when absent or unreadable)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: dt.datetime | None = None
    retry_after_seconds: float | None = None


@dataclass(frozen=True)
class ReportStatus:
    status: str
    download_url: str = ""
    message: str = ""
    rate_limit: RateLimit = field(default_factory=RateLimit)


@dataclass(frozen=True)
class CreatedReport:
    report_id: str
    rate_limit: RateLimit = field(default_factory=RateLimit)


class VibeError(Exception):
    """A call to Vibe did not give a usable answer. ``str(error)`` is fit for people and logs."""

    def __init__(
        self, message: str, *, status_code: int | None = None, rate_limit: RateLimit | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.rate_limit = rate_limit or RateLimit()


class VibeTransientError(VibeError):
    """5xx, timeout or broken connection: worth retrying later."""


class VibeRateLimited(VibeError):
    """429: Vibe wants no calls before ``rate_limit.retry_after_seconds`` (or its reset time)."""


class VibeRejected(VibeError):
    """A 4xx other than 429 (wrong key, bad request, unknown report): retrying cannot help."""


class DownloadLinkExpired(VibeError):
    """The pre-signed link no longer works: poll the status again for a fresh one."""


def parse_rate_limit(headers: Any) -> RateLimit:
    """Vibe's ``x-rate-limit*`` headers; the reset time comes as ISO 8601 or unix seconds."""
    return RateLimit(
        limit=_int_header(headers.get("x-rate-limit")),
        remaining=_int_header(headers.get("x-rate-limit-left")),
        reset_at=parse_reset_at(headers.get("x-rate-limit-reset-at")),
        retry_after_seconds=_seconds_header(
            headers.get("x-rate-limit-retry-after") or headers.get("retry-after")
        ),
    )


def parse_reset_at(value: str | None) -> dt.datetime | None:
    """``2026-01-05T14:00:00Z``, ``2026-01-05 14:00:00+00:00`` or ``1767621600`` (seconds, or
    milliseconds when that large) -> an aware datetime; naive ISO times are taken as UTC."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if number > 1e11:  # milliseconds since the epoch
            number /= 1000
        try:
            return dt.datetime.fromtimestamp(number, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _int_header(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _seconds_header(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(seconds, 0.0) if seconds is not None else None


def safe_url(url: str) -> str:
    """A URL fit for logs and messages: the query (a pre-signed link's signature) is dropped."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def download_report(download_url: str, *, timeout: float) -> bytes:
    """The report file behind a pre-signed link. No API key is sent: the link is signed, and the
    key must not travel to the storage host the link points at. Downloads do not count against
    the budget."""
    try:
        response = requests.get(download_url, timeout=timeout)
    except requests.Timeout:
        raise VibeTransientError(f"Downloading the report timed out after {timeout:g} s.") from None
    except requests.RequestException as error:
        raise VibeTransientError(
            f"Downloading the report failed: {type(error).__name__}."
        ) from None
    logger.info(
        "vibe download url=%s status=%s bytes=%s",
        safe_url(download_url),
        response.status_code,
        len(response.content),
    )
    if response.status_code in EXPIRED_LINK_STATUSES:
        raise DownloadLinkExpired(
            f"The report's download link no longer works (HTTP {response.status_code}).",
            status_code=response.status_code,
        )
    if response.status_code >= 500:
        raise VibeTransientError(
            f"The report download answered HTTP {response.status_code}.",
            status_code=response.status_code,
        )
    if response.status_code >= 400:
        raise VibeRejected(
            f"The report download was refused (HTTP {response.status_code}).",
            status_code=response.status_code,
        )
    return bytes(response.content)


class VibeClient:
    """Calls Vibe for one connection. Construct one per use; it holds the key only in memory."""

    @sensitive_variables("api_key")
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"VibeClient(base_url={self.base_url!r})"

    def create_async_report(
        self,
        *,
        advertiser_id: str,
        start_date: dt.date,
        end_date: dt.date,
        timezone_name: str,
    ) -> CreatedReport:
        payload = {
            "advertiser_id": advertiser_id,
            "start_date": start_date.isoformat(),
            "end_date": end_date.isoformat(),
            "metrics": REPORT_METRICS,
            "dimensions": REPORT_DIMENSIONS,
            "granularity": "day",
            "timezone": timezone_name,
            "format": "csv",
        }
        response = self._call("POST", "/create_async_report", json=payload)
        body = self._json(response)
        report_id = body.get("report_id") if isinstance(body, dict) else None
        if not report_id:
            raise VibeTransientError(
                "Vibe accepted the report request but sent no report_id.",
                status_code=response.status_code,
                rate_limit=parse_rate_limit(response.headers),
            )
        return CreatedReport(
            report_id=str(report_id), rate_limit=parse_rate_limit(response.headers)
        )

    def get_report_status(self, report_id: str) -> ReportStatus:
        response = self._call("GET", "/get_report_status", params={"report_id": report_id})
        body = self._json(response)
        if not isinstance(body, dict) or not body.get("status"):
            raise VibeTransientError(
                f"Vibe's status answer for report {report_id} has no status.",
                status_code=response.status_code,
                rate_limit=parse_rate_limit(response.headers),
            )
        message = body.get("error") or body.get("message") or body.get("detail") or ""
        return ReportStatus(
            status=str(body["status"]).strip().lower(),
            download_url=str(body.get("download_url") or ""),
            message=redact(str(message), self._api_key)[:ERROR_TEXT_LIMIT],
            rate_limit=parse_rate_limit(response.headers),
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}{path}"
        try:
            response = self._session.request(
                method,
                url,
                headers={"X-API-KEY": self._api_key, "Accept": "application/json"},
                timeout=self.timeout,
                **kwargs,
            )
        except requests.Timeout:
            raise VibeTransientError(
                f"Vibe did not answer {path} within {self.timeout:g} s."
            ) from None
        except requests.RequestException as error:
            # The exception text can hold the full URL and headers: only its type is kept.
            raise VibeTransientError(
                f"Could not reach Vibe for {path}: {type(error).__name__}."
            ) from None
        rate_limit = parse_rate_limit(response.headers)
        logger.info(
            "vibe %s %s status=%s rate_limit_left=%s",
            method,
            path,
            response.status_code,
            rate_limit.remaining,
        )
        if response.status_code < 400:
            return response
        detail = self._error_text(response)
        status_code = response.status_code
        if status_code == 429:
            raise VibeRateLimited(
                f"Vibe's rate limit was reached (HTTP 429): {detail}",
                status_code=status_code,
                rate_limit=rate_limit,
            )
        if status_code >= 500:
            raise VibeTransientError(
                f"Vibe answered HTTP {status_code} to {path}: {detail}",
                status_code=status_code,
                rate_limit=rate_limit,
            )
        if status_code in (401, 403):
            raise VibeRejected(
                f"Vibe refused the API key (HTTP {status_code}: {detail}). Check the client's "
                "Vibe connection: the API key and advertiser id must match.",
                status_code=status_code,
                rate_limit=rate_limit,
            )
        raise VibeRejected(
            f"Vibe refused {path} (HTTP {status_code}): {detail}",
            status_code=status_code,
            rate_limit=rate_limit,
        )

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError):
            raise VibeTransientError(
                f"Vibe sent an answer that is not JSON: {self._error_text(response)}",
                status_code=response.status_code,
                rate_limit=parse_rate_limit(response.headers),
            ) from None

    def _error_text(self, response: requests.Response) -> str:
        """The error Vibe sent, whether JSON (``error``/``message``/``detail``) or plain text."""
        text = response.text.strip()
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            for key in ("error", "message", "detail", "errors"):
                if body.get(key):
                    text = str(body[key])
                    break
        text = " ".join(text.split()) or response.reason or "no details"
        return redact(text, self._api_key)[:ERROR_TEXT_LIMIT]
