"""Input rules shared by models, serializers, forms and commands.

Each validator raises Django's ``ValidationError`` with a message a person can act on; DRF turns it
into a 400 and model forms into a field error, so one rule serves the API, the admin and services.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

# Before any campaign this product reports on; catches typos like 0001-01-01 or 0202-05-01.
EARLIEST_DATE = dt.date(2000, 1, 1)
# How far ahead a rate, a trigger or a backfill may be dated.
LATEST_DAYS_AHEAD = 366


def latest_date() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=LATEST_DAYS_AHEAD)


def validate_business_date(value: dt.date) -> None:
    """A date between 2000-01-01 and about a year from today."""
    latest = latest_date()
    if not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            f"Use a date between {EARLIEST_DATE.isoformat()} and {latest.isoformat()}, "
            f"not {value.isoformat()}.",
            code="date_out_of_range",
        )


_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def validate_no_control_characters(value: str) -> None:
    """Names end up in e-mail headers, CSV cells and PDF text: no CR, LF, NUL, tab or the like.

    Refused: Unicode controls (Cc), format characters such as bidi overrides (Cf), lone
    surrogates (Cs, which PostgreSQL cannot store) and line or paragraph separators (Zl, Zp).
    Letters, digits, punctuation, symbols and spaces are fine.
    """
    for position, character in enumerate(value, start=1):
        if unicodedata.category(character) in _REFUSED_CATEGORIES:
            raise ValidationError(
                f"Remove the control character U+{ord(character):04X} at position {position}.",
                code="control_character",
            )


def single_line(text: str) -> str:
    """``text`` with every character ``validate_no_control_characters`` refuses turned into a
    space: safe in an e-mail header even for a name stored before that rule existed."""
    cleaned = "".join(
        " " if unicodedata.category(character) in _REFUSED_CATEGORIES else character
        for character in text
    )
    return " ".join(cleaned.split())


_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def validate_s3_bucket_name(value: str) -> None:
    """Amazon S3's general-purpose bucket naming rules (3-63 lowercase letters, digits, dots and
    hyphens; starts and ends with a letter or digit; no ``..``; not an IP address)."""
    problem = None
    if not _BUCKET_NAME.match(value):
        problem = (
            "use 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with "
            "a letter or digit"
        )
    elif ".." in value or ".-" in value or "-." in value:
        problem = "dots may not be next to each other or to a hyphen"
    else:
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            pass
        else:
            problem = "it may not look like an IP address"
    if problem:
        raise ValidationError(
            f"'{value}' is not a valid S3 bucket name: {problem}.", code="bucket_name"
        )
