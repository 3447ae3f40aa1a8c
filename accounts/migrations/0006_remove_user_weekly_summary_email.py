"""The weekly-email opt-in is gone: scheduled reports replace it. Its values were moved into
schedules first (scheduled_reports 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_login_attempt_count"),
        ("scheduled_reports", "0002_weekly_email_optins"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="user",
            name="weekly_summary_email",
        ),
    ]
