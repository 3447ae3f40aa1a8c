"""Argument parsing shared by the ingestion commands: clear errors, never a traceback."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from clients.models import Client
from core.validators import validate_business_date


def parse_day(value: str, option: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not '{value}'.") from None
    try:
        validate_business_date(day)
    except ValidationError as error:
        raise CommandError(f"{option}: {error.messages[0]}") from None
    return day


def client_by_slug(slug: str) -> Client:
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        known = ", ".join(Client.objects.order_by("slug").values_list("slug", flat=True)[:20])
        raise CommandError(f"No client with slug '{slug}'. Known clients: {known or 'none'}.")
    return client
