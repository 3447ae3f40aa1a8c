"""The per-user weekly-email opt-in becomes one weekly schedule per client (data migration)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0005_login_attempt_count"), ("scheduled_reports", "0001_initial")]
AFTER = [
    ("accounts", "0006_remove_user_weekly_summary_email"),
    ("scheduled_reports", "0002_weekly_email_optins"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_opted_in_users_become_the_recipients_of_a_weekly_schedule():
    old = migrate(BEFORE)
    try:
        Client = old.get_model("clients", "Client")
        User = old.get_model("accounts", "User")
        acme = Client.objects.create(name="Acme Foods", slug="acme")
        borealis = Client.objects.create(name="Borealis Travel", slug="borealis")
        quiet = Client.objects.create(name="Quiet Co", slug="quiet")

        def user(username, client, opted_in):
            return User.objects.create(
                username=username,
                email=f"{username}@example.com",
                role="client",
                client=client,
                weekly_summary_email=opted_in,
            )

        ana, abe = user("ana", acme, True), user("abe", acme, True)
        user("al", acme, False)
        bo = user("bo", borealis, True)
        user("quinn", quiet, False)

        new = migrate(AFTER)
        ReportSchedule = new.get_model("scheduled_reports", "ReportSchedule")
        schedules = {
            schedule.client.slug: schedule
            for schedule in ReportSchedule.objects.select_related("client")
        }
        assert set(schedules) == {"acme", "borealis"}
        for slug, expected in (("acme", {ana.pk, abe.pk}), ("borealis", {bo.pk})):
            schedule = schedules[slug]
            assert (schedule.name, schedule.frequency, schedule.is_active) == (
                "Weekly summary",
                "week",
                True,
            )
            assert schedule.sections == ["kpis", "pacing", "campaigns", "creatives", "restatements"]
            assert schedule.outside_emails == []
            assert set(schedule.recipients.values_list("pk", flat=True)) == expected
        NewUser = new.get_model("accounts", "User")
        assert "weekly_summary_email" not in {field.name for field in NewUser._meta.fields}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
