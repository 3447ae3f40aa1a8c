"""The request budget and circuit breaker of each Vibe API key, kept in PostgreSQL.

Vibe allows 15 requests per rolling hour per API key, and every worker process uses the same keys,
so the allowance lives in one ``VibeKeyBudget`` row per key and each reservation takes that row's
lock (``SELECT ... FOR UPDATE``) for the few milliseconds it needs: two workers can never both take
the last slot, and nothing depends on process memory. A request that would exceed the budget is
never sent: the caller gets the time of the next free slot and reschedules.

A slot is stamped when it is reserved (just before the request leaves) and re-stamped when the
answer arrives (the latest moment Vibe can have received it), so the window we count always
covers the window Vibe counts, whatever the latency.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from ingestion.sources.vibe.client import RateLimit
from ingestion.sources.vibe.keys import mask_api_key
from ingestion.sources.vibe.models import VibeKeyBudget

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=1)
# When Vibe answers 429 without saying for how long, this is how long we stay away.
DEFAULT_RATE_LIMIT_PAUSE = dt.timedelta(seconds=60)


class CallOutcome(enum.Enum):
    SUCCESS = "success"
    # Vibe or the network failed (5xx, timeout, refused key): counts towards the circuit breaker.
    FAILURE = "failure"
    # Vibe answered for this one request only (unknown report, bad range): says nothing about
    # the key's health.
    NEUTRAL = "neutral"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class BudgetDecision:
    """Whether a call may be sent now; if not, ``not_before`` and why (``reason``)."""

    granted: bool
    not_before: dt.datetime | None = None
    reason: str = ""
    # The reservation's stamp (counted calls only), to be settled once the answer arrives.
    stamp: dt.datetime | None = None
    # A refusal that holds every call with the key (circuit open, Vibe's 429 pause), not only
    # the counted ones.
    every_call: bool = False


def _locked_budget(key_fingerprint: str, key_last4: str) -> VibeKeyBudget:
    """The key's budget row, locked until the surrounding transaction ends (created on first
    use; ``ignore_conflicts`` lets two processes create it at once without an error)."""
    budget = VibeKeyBudget.objects.select_for_update().filter(key_fingerprint=key_fingerprint)
    found = budget.first()
    if found is not None:
        return found
    VibeKeyBudget.objects.bulk_create(
        [VibeKeyBudget(key_fingerprint=key_fingerprint, key_last4=key_last4)],
        ignore_conflicts=True,
    )
    return budget.get()


def budget_counts(*, creates_report: bool) -> bool:
    """Whether a call counts against the hourly budget: every API call by default, only report
    creations with ``VIBE_BUDGET_COUNTS_ONLY_CREATE`` (the pre-signed download never does)."""
    return creates_report or not settings.VIBE_BUDGET_COUNTS_ONLY_CREATE


def budget_reserve(
    *, key_fingerprint: str, key_last4: str, counted: bool, now: dt.datetime
) -> BudgetDecision:
    """Reserve one call with this key at ``now``, or say when it may be tried again.

    The circuit breaker and Vibe's own rate-limit pause apply to every call; the hourly count
    only to counted calls.
    """
    with transaction.atomic():
        budget = _locked_budget(key_fingerprint, key_last4)
        if budget.circuit_open_until and now < budget.circuit_open_until:
            return BudgetDecision(
                granted=False,
                not_before=budget.circuit_open_until,
                reason=f"Vibe calls are paused after {budget.consecutive_failures} failures in "
                f"a row (last: {budget.last_failure or 'unknown'})",
                every_call=True,
            )
        if budget.blocked_until and now < budget.blocked_until:
            return BudgetDecision(
                granted=False,
                not_before=budget.blocked_until,
                reason=budget.blocked_reason or "Vibe asked us to wait (rate limit)",
                every_call=True,
            )
        if not counted:
            return BudgetDecision(granted=True)
        vendor_reset_at = budget.vendor_reset_at
        if budget.vendor_remaining == 0 and vendor_reset_at and now < vendor_reset_at:
            return BudgetDecision(
                granted=False,
                not_before=vendor_reset_at,
                reason="Vibe reports no requests left for this key until its reset time",
            )
        limit = settings.VIBE_REQUESTS_PER_HOUR
        recent = sorted(stamp for stamp in budget.request_times if stamp > now - WINDOW)
        if len(recent) >= limit:
            # The slot frees when enough of the oldest requests have left the window.
            not_before = recent[len(recent) - limit] + WINDOW
            if recent != budget.request_times:
                budget.request_times = recent
                budget.save(update_fields=["request_times", "updated_at"])
            return BudgetDecision(
                granted=False,
                not_before=not_before,
                reason=f"the hourly Vibe budget is used ({len(recent)} of {limit} requests in "
                "the last hour)",
            )
        budget.request_times = [*recent, now]
        budget.requests_sent += 1
        budget.save(update_fields=["request_times", "requests_sent", "updated_at"])
        return BudgetDecision(granted=True, stamp=now)


def budget_after_call(
    *,
    key_fingerprint: str,
    key_last4: str,
    stamp: dt.datetime | None,
    now: dt.datetime,
    outcome: CallOutcome,
    rate_limit: RateLimit | None = None,
    error: str = "",
) -> None:
    """Record how a call ended: re-stamp its slot, learn from Vibe's rate-limit headers, honour a
    429's retry-after, and open or close the circuit breaker."""
    rate_limit = rate_limit or RateLimit()
    with transaction.atomic():
        budget = _locked_budget(key_fingerprint, key_last4)
        if stamp is not None and stamp in budget.request_times:
            times = list(budget.request_times)
            times[times.index(stamp)] = max(now, stamp)
            budget.request_times = sorted(times)
        if rate_limit.limit is not None:
            budget.vendor_limit = rate_limit.limit
        if rate_limit.remaining is not None:
            # Read by ``budget_reserve``: when Vibe says the key is spent (another system may
            # share it), counted calls wait for Vibe's reset time whatever our own count says.
            budget.vendor_remaining = rate_limit.remaining
            budget.vendor_reset_at = rate_limit.reset_at
        if outcome is CallOutcome.RATE_LIMITED:
            _block(budget, rate_limit_pause_until(rate_limit, now), error or "HTTP 429")
        elif outcome is CallOutcome.SUCCESS:
            budget.consecutive_failures = 0
            budget.circuit_open_until = None
        elif outcome is CallOutcome.FAILURE:
            budget.consecutive_failures += 1
            budget.last_failure = error[:1000]
            budget.last_failure_at = now
            if budget.consecutive_failures >= settings.VIBE_CIRCUIT_BREAKER_FAILURES:
                # Stays open until a call after the cool-down succeeds: one failure then reopens.
                budget.circuit_open_until = now + dt.timedelta(
                    seconds=settings.VIBE_CIRCUIT_BREAKER_COOLDOWN_SECONDS
                )
                logger.warning(
                    "vibe circuit breaker open key=%s failures=%s until=%s",
                    mask_api_key(budget.key_last4),
                    budget.consecutive_failures,
                    budget.circuit_open_until.isoformat(),
                )
        budget.save()


def rate_limit_pause_until(rate_limit: RateLimit, now: dt.datetime) -> dt.datetime:
    """When a 429 lets us call again: Vibe's retry-after, else its reset time, else a minute."""
    if rate_limit.retry_after_seconds is not None:
        return now + dt.timedelta(seconds=rate_limit.retry_after_seconds)
    if rate_limit.reset_at is not None and rate_limit.reset_at > now:
        return rate_limit.reset_at
    return now + DEFAULT_RATE_LIMIT_PAUSE


def _block(budget: VibeKeyBudget, until: dt.datetime, reason: str) -> None:
    if budget.blocked_until is None or until > budget.blocked_until:
        budget.blocked_until = until
        budget.blocked_reason = f"Vibe rate limit: {reason}"[:255]
