from django.apps import AppConfig


class ScheduledReportsConfig(AppConfig):
    name = "scheduled_reports"
    verbose_name = "Scheduled reports"
