"""The schedule wrapper moved from ``reports.scheduling`` to ``operations.scheduling``: schedules
stored by an earlier ``setup_schedules`` name the old path, so they are pointed at the new one."""

from django.db import migrations

OLD = "reports.scheduling.run_scheduled_job"
NEW = "operations.scheduling.run_scheduled_job"


def forwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=OLD).update(func=NEW)


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=NEW).update(func=OLD)


class Migration(migrations.Migration):
    dependencies = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
