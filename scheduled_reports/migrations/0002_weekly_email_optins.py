"""The per-user weekly-email opt-in becomes schedules: one weekly schedule per client that had
opted-in users, every section, those users as recipients. The field itself is removed by the
accounts migration that depends on this one.

The old emails' history (``reports.SummaryEmail``) stays where it is, read-only in the admin: it
recorded who got which week, but not the figures or the PDF as sent, so it cannot honestly
become ``ReportDelivery`` rows.
"""

from django.db import migrations
from django.utils import timezone

SCHEDULE_NAME = "Weekly summary"
SECTIONS = ["kpis", "pacing", "campaigns", "creatives", "restatements"]


def optins_to_schedules(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ReportSchedule = apps.get_model("scheduled_reports", "ReportSchedule")
    opted_in = User.objects.filter(
        weekly_summary_email=True, role="client", client__isnull=False
    ).order_by("client_id", "pk")
    by_client: dict[int, list[int]] = {}
    for user_id, client_id in opted_in.values_list("pk", "client_id"):
        by_client.setdefault(client_id, []).append(user_id)
    for client_id, user_ids in by_client.items():
        schedule = ReportSchedule.objects.create(
            client_id=client_id,
            name=SCHEDULE_NAME,
            frequency="week",
            sections=SECTIONS,
            outside_emails=[],
            is_active=True,
            # From the week under way: the week before went out by the old email, if complete.
            starts_on=timezone.localdate(),
            waiting_for="",
        )
        schedule.recipients.set(user_ids)


def schedules_to_optins(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ReportSchedule = apps.get_model("scheduled_reports", "ReportSchedule")
    migrated = ReportSchedule.objects.filter(name=SCHEDULE_NAME, frequency="week")
    User.objects.filter(report_schedules__in=migrated).update(weekly_summary_email=True)
    migrated.filter(deliveries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_login_attempt_count"),
        ("scheduled_reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(optins_to_schedules, schedules_to_optins)]
