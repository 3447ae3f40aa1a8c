"""The fake Vibe API as a WSGI app: ``POST .../create_async_report``,
``GET .../get_report_status?report_id=`` and pre-signed ``GET .../download/<id>.csv?token=``.

It keeps every call it received (``calls``) so tests can count what really reached "Vibe", and
enforces Vibe's own limit (15 calls per rolling hour per key, 429 with ``x-rate-limit-retry-after``
beyond it) on its clock, which tests replace with one they advance by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from devtools.fake_vibe.reports import report_csv

WINDOW = dt.timedelta(hours=1)
LINK_LIFETIME = dt.timedelta(hours=24)
MAX_REPORT_DAYS = 45

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class FakeVibeConfig:
    """How the fake behaves. The defaults behave like a healthy Vibe."""

    # Accepted keys and the advertisers each may read (None: any). None accepts any key.
    api_keys: dict[str, set[str] | None] | None = None
    # Real seconds every API call takes to answer.
    latency_seconds: float = 0.0
    # A report is done on its n-th status poll and once this long after creation (fake clock).
    ready_after_polls: int = 1
    ready_after_seconds: float = 0.0
    never_ready: bool = False
    # Non-empty: every report ends in status "error" with this message.
    report_error: str = ""
    # The first n downloads of each report answer 403 "Request has expired".
    expire_links: int = 0
    # Vibe's own limit per key and rolling hour (0: none), and whether polls count towards it.
    rate_limit: int = 15
    rate_limit_counts_only_create: bool = False
    # Every n-th create answers 429 / every n-th API call answers 503 (0: never).
    rate_limit_every_nth_create: int = 0
    server_error_every_nth_call: int = 0
    retry_after_seconds: int = 30
    # How x-rate-limit-reset-at is written: "iso" or "unix".
    reset_at_format: str = "iso"
    # How statuses are written: "lower", "upper" or "title" (clients must not care).
    status_case: str = "lower"
    # Bumped to restate the figures of days already reported.
    revision: int = 0
    # Names of advertisers (by id) for their campaigns and creatives; "Adv <id>" otherwise.
    advertiser_names: dict[str, str] = field(default_factory=dict)


@dataclass
class ReceivedCall:
    at: dt.datetime
    method: str
    path: str
    status: int
    # Whether an X-API-KEY header came with the call (a download must come without).
    sent_api_key: bool
    report_id: str = ""


@dataclass
class _Fault:
    path: str
    status: int
    body: str
    headers: dict[str, str]
    stall_seconds: float
    times: int


@dataclass
class _Report:
    report_id: str
    api_key: str
    advertiser_id: str
    start: dt.date
    end: dt.date
    created_at: dt.datetime
    polls: int = 0
    downloads: int = 0
    tokens: dict[str, dt.datetime] = field(default_factory=dict)


class FakeVibe:
    """The fake API. Thread-safe: the threaded server calls it from several threads at once."""

    def __init__(
        self,
        config: FakeVibeConfig | None = None,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        on_call: Callable[[ReceivedCall], None] | None = None,
    ) -> None:
        self.config = config or FakeVibeConfig()
        self.clock = clock
        self.on_call = on_call
        self.calls: list[ReceivedCall] = []
        self.reports: dict[str, _Report] = {}
        self._faults: list[_Fault] = []
        self._windows: dict[str, list[dt.datetime]] = {}
        self._creates = 0
        self._api_calls = 0
        self._lock = threading.Lock()

    # --- For tests --------------------------------------------------------------------------

    def fail_next(
        self,
        path: str,
        status: int,
        *,
        times: int = 1,
        body: str = "",
        headers: dict[str, str] | None = None,
        stall_seconds: float = 0.0,
    ) -> None:
        """Answer the next ``times`` calls to ``path`` (``create_async_report``,
        ``get_report_status`` or ``download``) with ``status`` and a plain-text ``body``, after
        stalling ``stall_seconds`` real seconds (longer than the client's timeout: a timeout)."""
        with self._lock:
            self._faults.append(
                _Fault(path, status, body or _reason(status), headers or {}, stall_seconds, times)
            )

    def api_calls(self, path: str | None = None) -> list[ReceivedCall]:
        """Calls to the API proper (downloads excluded), optionally to one path."""
        with self._lock:
            return [
                call
                for call in self.calls
                if call.path != "download" and (path is None or call.path == path)
            ]

    # --- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING")).items()}
        api_key = environ.get("HTTP_X_API_KEY", "")
        arrived_at = self.clock()
        endpoint = path.rstrip("/").rsplit("/", 1)[-1]
        if "/download/" in path:
            endpoint = "download"
        status, headers, body, report_id = self._answer(
            environ, method, endpoint, path, query, api_key
        )
        with self._lock:
            call = ReceivedCall(
                at=arrived_at,
                method=method,
                path=endpoint,
                status=status,
                sent_api_key=bool(api_key),
                report_id=report_id,
            )
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        start_response(
            f"{status} {_reason(status)}", [*headers, ("Content-Length", str(len(body)))]
        )
        return [body]

    def _answer(
        self,
        environ: dict[str, Any],
        method: str,
        endpoint: str,
        path: str,
        query: dict[str, str],
        api_key: str,
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        fault = self._take_fault(endpoint)
        if fault is not None:
            if fault.stall_seconds:
                time.sleep(fault.stall_seconds)
            return fault.status, [*_text_headers(), *fault.headers.items()], fault.body.encode(), ""
        if endpoint == "download":
            return self._download(path, query)
        if endpoint not in ("create_async_report", "get_report_status"):
            return 404, _text_headers(), b"Not Found", ""
        if self.config.latency_seconds:
            time.sleep(self.config.latency_seconds)
        if not api_key:
            return 401, _text_headers(), b"Unauthorized: missing X-API-KEY header", ""
        if self.config.api_keys is not None and api_key not in self.config.api_keys:
            return 403, _text_headers(), b"Forbidden: invalid API key", ""
        with self._lock:
            self._api_calls += 1
            if endpoint == "create_async_report":
                self._creates += 1
            nth_call, nth_create = self._api_calls, self._creates
        counted = endpoint == "create_async_report" or not self.config.rate_limit_counts_only_create
        limited, rate_headers = self._rate_limit(api_key, counted)
        if limited:
            return 429, [*_text_headers(), *rate_headers], b"Too Many Requests", ""
        every_create = self.config.rate_limit_every_nth_create
        if endpoint == "create_async_report" and every_create and nth_create % every_create == 0:
            retry = [("x-rate-limit-retry-after", str(self.config.retry_after_seconds))]
            return 429, [*_text_headers(), *retry], b"Too Many Requests", ""
        every_call = self.config.server_error_every_nth_call
        if every_call and nth_call % every_call == 0:
            return 503, _text_headers(), b"Service Unavailable: please retry", ""
        if method == "POST" and endpoint == "create_async_report":
            return self._create(environ, api_key, rate_headers)
        if method == "GET" and endpoint == "get_report_status":
            return self._status(environ, api_key, query, rate_headers)
        return 405, _text_headers(), b"Method Not Allowed", ""

    def _take_fault(self, endpoint: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path == endpoint and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _rate_limit(self, api_key: str, counted: bool) -> tuple[bool, list[tuple[str, str]]]:
        """Vibe's own sliding window: the call is refused when the key's hour is full."""
        limit = self.config.rate_limit
        now = self.clock()
        with self._lock:
            window = [stamp for stamp in self._windows.get(api_key, []) if stamp > now - WINDOW]
            full = bool(limit) and counted and len(window) >= limit
            if counted and not full:
                window.append(now)
            self._windows[api_key] = window
        reset_at = (window[0] if window else now) + WINDOW
        headers = [
            ("x-rate-limit", str(limit)),
            ("x-rate-limit-left", str(max(limit - len(window), 0))),
            ("x-rate-limit-reset-at", self._format_reset(reset_at)),
        ]
        if full:
            retry_after = max(int((reset_at - now).total_seconds()) + 1, 1)
            headers.append(("x-rate-limit-retry-after", str(retry_after)))
        return full, headers

    def _format_reset(self, moment: dt.datetime) -> str:
        if self.config.reset_at_format == "unix":
            return str(int(moment.timestamp()))
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _create(
        self, environ: dict[str, Any], api_key: str, rate_headers: list[tuple[str, str]]
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload = json.loads(environ["wsgi.input"].read(length) or b"null")
        except (ValueError, KeyError):
            return 400, _text_headers(), b"Bad Request: the body must be JSON", ""
        if not isinstance(payload, dict):
            return 400, _text_headers(), b"Bad Request: the body must be a JSON object", ""
        missing = [
            name
            for name in ("advertiser_id", "start_date", "end_date", "metrics", "dimensions")
            if not payload.get(name)
        ]
        if missing:
            return _json(400, {"error": f"missing fields: {', '.join(missing)}"}, rate_headers)
        if str(payload.get("granularity", "")).lower() != "day" or payload.get("format") != "csv":
            return _json(400, {"error": "granularity must be day and format csv"}, rate_headers)
        try:
            start = dt.date.fromisoformat(payload["start_date"])
            end = dt.date.fromisoformat(payload["end_date"])
        except (TypeError, ValueError):
            return _json(400, {"error": "dates must be YYYY-MM-DD"}, rate_headers)
        if start > end or (end - start).days + 1 > MAX_REPORT_DAYS:
            return _json(
                400, {"error": f"date range must be 1 to {MAX_REPORT_DAYS} days"}, rate_headers
            )
        advertiser_id = str(payload["advertiser_id"])
        allowed = (self.config.api_keys or {}).get(api_key)
        if allowed is not None and advertiser_id not in allowed:
            return 403, _text_headers(), b"Forbidden: advertiser not accessible with this key", ""
        report = _Report(
            report_id=secrets.token_hex(8),
            api_key=api_key,
            advertiser_id=advertiser_id,
            start=start,
            end=end,
            created_at=self.clock(),
        )
        with self._lock:
            self.reports[report.report_id] = report
        return (
            *_json(200, {"report_id": report.report_id}, rate_headers)[:3],
            report.report_id,
        )

    def _status(
        self,
        environ: dict[str, Any],
        api_key: str,
        query: dict[str, str],
        rate_headers: list[tuple[str, str]],
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        report_id = query.get("report_id", "")
        with self._lock:
            report = self.reports.get(report_id)
            if report is None or report.api_key != api_key:
                return (*_json(404, {"error": "report not found"}, rate_headers)[:3], report_id)
            report.polls += 1
            polls = report.polls
        config = self.config
        ready = (
            not config.never_ready
            and polls >= config.ready_after_polls
            and self.clock() >= report.created_at + dt.timedelta(seconds=config.ready_after_seconds)
        )
        body: dict[str, Any] = {"report_id": report_id}
        if ready and config.report_error:
            body.update(status=self._case("error"), error=config.report_error)
        elif ready:
            token = secrets.token_urlsafe(16)
            expires = self.clock() + LINK_LIFETIME
            with self._lock:
                report.tokens[token] = expires
            host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
            body.update(
                status=self._case("done"),
                download_url=f"http://{host}/download/{report_id}.csv?token={token}"
                f"&expires={int(expires.timestamp())}",
            )
        else:
            body.update(status=self._case("created" if polls == 1 else "processing"))
        return (*_json(200, body, rate_headers)[:3], report_id)

    def _download(
        self, path: str, query: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        report_id = path.rsplit("/", 1)[-1].removesuffix(".csv")
        expired = (
            b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code>"
            b"<Message>Request has expired</Message></Error>"
        )
        xml = [("Content-Type", "application/xml")]
        with self._lock:
            report = self.reports.get(report_id)
            if report is None:
                return 404, xml, b"<Error><Code>NoSuchKey</Code></Error>", report_id
            report.downloads += 1
            expires = report.tokens.get(query.get("token", ""))
            if report.downloads <= self.config.expire_links:
                return 403, xml, expired, report_id
        if expires is None or self.clock() > expires:
            return 403, xml, expired, report_id
        content = report_csv(
            report.advertiser_id,
            report.start,
            report.end,
            revision=self.config.revision,
            advertiser_name=self.config.advertiser_names.get(report.advertiser_id),
        )
        return 200, [("Content-Type", "text/csv")], content, report_id

    def _case(self, status: str) -> str:
        if self.config.status_case == "upper":
            return status.upper()
        if self.config.status_case == "title":
            return status.title()
        return status


def _json(
    status: int, body: dict[str, Any], headers: list[tuple[str, str]]
) -> tuple[int, list[tuple[str, str]], bytes, str]:
    return status, [("Content-Type", "application/json"), *headers], json.dumps(body).encode(), ""


def _text_headers() -> list[tuple[str, str]]:
    return [("Content-Type", "text/plain; charset=utf-8")]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
