import datetime as dt

from scheduled_reports.models import ALL_SECTIONS, ReportSchedule


def schedule_for(
    client,
    recipients=(),
    *,
    name="Weekly summary",
    frequency="week",
    sections=ALL_SECTIONS,
    outside_emails=(),
    starts_on=dt.date(2020, 1, 1),
    is_active=True,
):
    schedule = ReportSchedule.objects.create(
        client=client,
        name=name,
        frequency=frequency,
        sections=list(sections),
        outside_emails=list(outside_emails),
        starts_on=starts_on,
        is_active=is_active,
    )
    schedule.recipients.set(recipients)
    return schedule
