"""The data-freshness strip: for each source, which days of the range hold data and why the
others do not, so a client can tell "the file never came" from "not pulled yet" without asking.

Built from the availability selectors: a constant number of queries whatever the range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from campaigns.models import Source
from clients.models import Client
from ingestion.availability import (
    REASON_KEYS,
    REASON_LABELS,
    REASON_NOT_YET_PULLED,
    days_with_data,
    freshness,
    no_data_reasons,
    reason_label_of_key,
)
from metrics.formatting import day_spans
from metrics.periods import DateRange

OK = "ok"
# Days before a source first delivered for the client, that no run explains: not missing.
BEFORE_FIRST = "before-first"
BEFORE_FIRST_LABEL = "Before the first delivery"


@dataclass(frozen=True)
class DayStatus:
    day: dt.date
    key: str
    label: str


@dataclass(frozen=True)
class MissingDays:
    key: str
    label: str
    spans: list[str]
    count: int


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    label: str
    latest_date: dt.date | None
    last_loaded_at: dt.datetime | None
    days: list[DayStatus]
    missing: list[MissingDays]
    first_date: dt.date | None = None
    connected: bool = False

    @property
    def in_use(self) -> bool:
        """The clients' own source (SPEC 9 "Whole"): it has a connection or has data."""
        return self.connected or self.latest_date is not None

    @property
    def days_with_data(self) -> int:
        return sum(1 for day in self.days if day.key == OK)

    @property
    def days_expected(self) -> int:
        """The days of the range from the source's first delivery on."""
        return sum(1 for day in self.days if day.key != BEFORE_FIRST)

    @property
    def starts_in_range(self) -> bool:
        return any(day.key == BEFORE_FIRST for day in self.days)


def freshness_strip(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None = None
) -> list[SourceFreshness]:
    """One entry per source (or only ``source``), with the status of every day of the range."""
    sources = [source] if source else list(Source.values)
    with_data = days_with_data(clients=clients, date_range=date_range, source=source)
    fresh = {entry.source: entry for entry in freshness(clients=clients, sources=sources)}
    strip = []
    for name in sources:
        reasons = no_data_reasons(clients=clients, date_range=date_range, source=name)
        delivered = with_data.get(name, set())
        days = []
        first_date = fresh[name].first_date
        for day in date_range.each_day():
            if day in delivered:
                days.append(DayStatus(day, OK, "Data loaded"))
                continue
            if day not in reasons and (first_date is None or day < first_date):
                days.append(DayStatus(day, BEFORE_FIRST, BEFORE_FIRST_LABEL))
                continue
            key = REASON_KEYS[reasons.get(day, REASON_NOT_YET_PULLED)]
            days.append(DayStatus(day, key, reason_label_of_key(key, name)))
        missing = [
            MissingDays(
                key=key,
                label=reason_label_of_key(key, name),
                spans=day_spans([day.day for day in days if day.key == key]),
                count=sum(1 for day in days if day.key == key),
            )
            for key in REASON_LABELS
            if any(day.key == key for day in days)
        ]
        strip.append(
            SourceFreshness(
                source=name,
                label=Source(name).label,
                latest_date=fresh[name].latest_date,
                last_loaded_at=fresh[name].last_loaded_at,
                days=days,
                missing=missing,
                first_date=first_date,
                connected=fresh[name].connected,
            )
        )
    return strip
