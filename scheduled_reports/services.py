"""Writes of scheduled reports: creating, changing and pausing schedules. Sending is in
``scheduled_reports.sending``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from clients.models import Client
from core.db import is_unique_violation
from reports.models import PeriodType
from scheduled_reports.models import ReportSchedule, Section

NO_RECIPIENTS = "Choose at least one recipient."
NO_SECTIONS = "Choose at least one section."
OUTSIDE_FOR_ADMINS = (
    "Only agency admins can add outside addresses. Choose recipients among your team."
)
DUPLICATE_NAME = "This client already has a schedule with this name."


def schedule_save(
    *,
    client: Client,
    name: str,
    frequency: str,
    sections: Sequence[str],
    recipients: Iterable[User],
    outside_emails: Sequence[str] | None,
    is_active: bool,
    by: User,
    schedule: ReportSchedule | None = None,
) -> ReportSchedule:
    """Create ``schedule`` (None) or change it, after every check; nothing is written when one
    fails (``ValidationError`` keyed by field, with the message a person reads).

    ``outside_emails`` None leaves the stored ones as they are (what a client user's form
    sends); only an admin may set them, and a client user who tries is refused.
    """
    users = list(recipients)
    errors = schedule_errors(
        client=client,
        frequency=frequency,
        sections=sections,
        recipients=users,
        outside_emails=outside_emails,
        by=by,
        schedule=schedule,
    )
    if errors:
        raise ValidationError(errors)
    stored_outside = list(schedule.outside_emails) if schedule is not None else []
    outside = stored_outside if outside_emails is None else _clean_emails(outside_emails)

    target = schedule or ReportSchedule(client=client, created_by=by)
    target.client = client
    target.name = name.strip()
    target.frequency = frequency
    # Stored in the order the sections appear in the report.
    target.sections = [section for section in Section.values if section in sections]
    target.outside_emails = outside
    target.is_active = is_active
    target.full_clean(exclude=["created_by", "recipients"], validate_constraints=False)
    try:
        with transaction.atomic():
            target.save()
            target.recipients.set(users)
    except IntegrityError as error:
        if is_unique_violation(error, "report_schedule_unique_name"):
            raise ValidationError({"name": [DUPLICATE_NAME]}) from None
        raise
    return target


def schedule_errors(
    *,
    client: Client,
    frequency: str,
    sections: Sequence[str],
    recipients: Sequence[User],
    outside_emails: Sequence[str] | None,
    by: User,
    schedule: ReportSchedule | None = None,
) -> dict[str, list[str]]:
    """Every reason the schedule cannot be saved, per field (empty when it can)."""
    errors: dict[str, list[str]] = {}
    stored_outside = list(schedule.outside_emails) if schedule is not None else []
    outside = stored_outside if outside_emails is None else _clean_emails(outside_emails)
    if outside_emails is not None and outside != stored_outside and not by.is_admin:
        errors.setdefault("outside_emails", []).append(OUTSIDE_FOR_ADMINS)
    for address in outside:
        try:
            validate_email(address)
        except ValidationError:
            errors.setdefault("outside_emails", []).append(
                f"\u201c{address}\u201d is not an email address."
            )
    for user in recipients:
        problem = _recipient_problem(user, client)
        if problem:
            errors.setdefault("recipients", []).append(problem)
    if not recipients and not outside:
        errors.setdefault("recipients", []).append(NO_RECIPIENTS)
    if not sections:
        errors.setdefault("sections", []).append(NO_SECTIONS)
    for section in sections:
        if section not in Section.values:
            errors.setdefault("sections", []).append(f"\u201c{section}\u201d is not a section.")
    if frequency not in PeriodType.values:
        errors.setdefault("frequency", []).append("Choose weekly or monthly.")
    return errors


def schedule_pause(*, schedule: ReportSchedule, is_active: bool) -> ReportSchedule:
    """Pause (or resume) a schedule: a paused one sends nothing until resumed."""
    schedule.is_active = is_active
    schedule.save(update_fields=["is_active", "updated_at"])
    return schedule


def _clean_emails(addresses: Sequence[str]) -> list[str]:
    """The addresses without blanks and repeats (case-insensitively), in the order given."""
    seen: set[str] = set()
    cleaned = []
    for address in addresses:
        address = address.strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            cleaned.append(address)
    return cleaned


def _recipient_problem(user: User, client: Client) -> str:
    who = user.get_full_name() or user.username
    if user.role != Role.CLIENT or user.client_id != client.pk:
        return f"{who} is not a user of {client.name}."
    if not user.is_active:
        return f"{who} is deactivated."
    if not user.email:
        return f"{who} has no email address."
    return ""


def parse_emails(text: str) -> list[str]:
    """Addresses typed one per line or separated by commas or semicolons."""
    for separator in ",;":
        text = text.replace(separator, "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]
