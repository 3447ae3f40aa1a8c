import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_q.models import Schedule

from operations.scheduling import JOBS, WRAPPER, Job, run_scheduled_job
from operations.tests import probe
from reports.models import PeriodType, ScheduledRun, ScheduledRunStatus, Summary

NEW_YORK = ZoneInfo("America/New_York")


def at(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture
def probe_job(monkeypatch, settings):
    """A job "probe" at 05:00 New York time that records the days it is run for."""
    probe.CALLS.clear()
    probe.FAIL_ON.clear()
    monkeypatch.setitem(JOBS, "probe", Job("probe", "operations.tests.probe.record"))
    settings.SCHEDULE_CRONS = {**settings.SCHEDULE_CRONS, "probe": "0 5 * * *"}
    return probe.CALLS


# --- setup_schedules --------------------------------------------------------------------------


@pytest.mark.django_db
def test_setup_schedules_declares_every_job_once_and_is_idempotent(capsys):
    call_command("setup_schedules")
    first = {schedule.name: schedule.pk for schedule in Schedule.objects.all()}
    assert set(first) == {
        "surfside",
        "vibe",
        "weekly_summary",
        "monthly_summary",
        "retention",
        "flush_tokens",
        "partitions",
        "pacing_alerts",
        "summaries_catch_up",
        "lease_sweeper",
        "vibe_advance",
        "scheduled_reports",
    }
    surfside = Schedule.objects.get(name="surfside")
    assert (surfside.func, surfside.args, surfside.schedule_type, surfside.minutes) == (
        WRAPPER,
        "'surfside'",
        Schedule.MINUTES,
        1,
    )

    # Re-running updates in place: a schedule someone changed by hand is put back, a duplicate
    # of a name is removed, and a schedule of a job that no longer exists goes.
    Schedule.objects.filter(name="retention").update(minutes=30, func="somewhere.else")
    Schedule.objects.create(name="surfside", func=WRAPPER, args="'surfside'")
    Schedule.objects.create(name="old_job", func=WRAPPER, args="'old_job'")
    capsys.readouterr()
    call_command("setup_schedules")
    output = capsys.readouterr().out

    assert {schedule.name: schedule.pk for schedule in Schedule.objects.all()} == first
    retention = Schedule.objects.get(name="retention")
    assert (retention.func, retention.minutes) == (WRAPPER, 1)
    assert "updated   retention        30 2 * * *" in output
    assert "updated   surfside         0 5 * * *" in output
    assert "unchanged weekly_summary   0 5 * * 1" in output
    assert "removed   old_job" in output


@pytest.mark.django_db
def test_cron_strings_come_from_settings_and_a_bad_one_fails_loudly(settings):
    # migrate declared the schedules already (dashboard_project.deploy); start from none.
    Schedule.objects.all().delete()
    settings.SCHEDULE_CRONS = {**settings.SCHEDULE_CRONS, "surfside": "0 25 * * *"}
    expected = "schedule surfside: '0 25 * * *' is not a valid cron expression: Bad hour."
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("setup_schedules")
    assert not Schedule.objects.exists()


# --- Catch-up for intended dates ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_that_never_ran_runs_for_its_latest_intended_date_only(probe_job):
    assert run_scheduled_job("probe", now=at(2025, 11, 4, 7)) == "ran 1"
    # Intended for Nov 4 05:00: about Nov 3, the last full day.
    assert probe_job == ["2025-11-03"]
    run = ScheduledRun.objects.get()
    assert (run.intended_at, run.day, run.status) == (
        at(2025, 11, 4, 5),
        dt.date(2025, 11, 3),
        ScheduledRunStatus.DONE,
    )
    assert run.message == "returned '2025-11-03'"


@pytest.mark.django_db
def test_missed_runs_are_caught_up_for_their_intended_dates_in_order(probe_job):
    run_scheduled_job("probe", now=at(2025, 11, 4, 5, 1))
    # The cluster was down from Nov 4 to Nov 8, 06:00.
    assert run_scheduled_job("probe", now=at(2025, 11, 8, 6)) == "ran 4"
    assert probe_job == ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07"]
    # Ticks in between change nothing.
    assert run_scheduled_job("probe", now=at(2025, 11, 8, 6, 1)) == "ran 0"
    assert run_scheduled_job("probe", now=at(2025, 11, 9, 4, 59)) == "ran 0"
    assert run_scheduled_job("probe", now=at(2025, 11, 9, 5)) == "ran 1"
    assert probe_job[-1] == "2025-11-08"
    assert ScheduledRun.objects.count() == 6


@pytest.mark.django_db
def test_catch_up_is_bounded_by_the_setting(probe_job, settings):
    settings.SCHEDULE_CATCH_UP_DAYS = 7
    run_scheduled_job("probe", now=at(2025, 11, 1, 6))
    run_scheduled_job("probe", now=at(2025, 11, 20, 6))
    # Down for 19 days: only the last 7 days' runs (Nov 14 to 20) happen.
    assert probe_job == ["2025-10-31", *[f"2025-11-{day}" for day in range(13, 20)]]


@pytest.mark.django_db
def test_weekly_and_monthly_crons_catch_up_only_their_own_dates(probe_job, settings):
    settings.SCHEDULE_CRONS = {**settings.SCHEDULE_CRONS, "probe": "0 5 * * 1"}
    run_scheduled_job("probe", now=at(2025, 11, 3, 5))
    run_scheduled_job("probe", now=at(2025, 11, 12, 9))
    assert probe_job == ["2025-11-02", "2025-11-09"]

    probe_job.clear()
    ScheduledRun.objects.all().delete()
    settings.SCHEDULE_CRONS = {**settings.SCHEDULE_CRONS, "probe": "0 5 1 * *"}
    run_scheduled_job("probe", now=at(2025, 11, 1, 5))
    run_scheduled_job("probe", now=at(2025, 12, 3, 9))
    assert probe_job == ["2025-10-31", "2025-11-30"]


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_later_dates_still_run(probe_job):
    run_scheduled_job("probe", now=at(2025, 11, 4, 6))
    probe.FAIL_ON.add("2025-11-04")
    run_scheduled_job("probe", now=at(2025, 11, 6, 6))

    assert probe_job == ["2025-11-03", "2025-11-05"]
    failed = ScheduledRun.objects.get(day=dt.date(2025, 11, 4))
    assert failed.status == ScheduledRunStatus.FAILED
    assert failed.message == "RuntimeError: no data for 2025-11-04"
    assert failed.finished_at is not None


@pytest.mark.django_db
def test_a_job_whose_code_cannot_be_imported_is_skipped_with_a_warning(caplog, monkeypatch):
    monkeypatch.setitem(JOBS, "ghost", Job("ghost", "ingestion.nowhere.pull"))
    monkeypatch.setitem(settings.SCHEDULE_CRONS, "ghost", "0 6 * * *")
    assert run_scheduled_job("ghost", now=at(2025, 11, 4, 7)) == "skipped: not importable"
    assert not ScheduledRun.objects.exists()
    assert "scheduled job ghost skipped: cannot import ingestion.nowhere.pull" in caplog.text


def test_the_vibe_jobs_point_at_real_code():
    from operations.scheduling import job_function

    assert job_function(JOBS["vibe"]) is not None
    assert job_function(JOBS["vibe_advance"]) is not None


@pytest.mark.django_db
def test_an_every_minute_job_runs_on_each_tick_without_a_ledger(monkeypatch, probe_job):
    monkeypatch.setitem(
        JOBS,
        "ticker",
        Job(
            "ticker",
            "operations.tests.probe.record_without_day",
            passes_day=False,
            every_minute=True,
        ),
    )
    run_scheduled_job("ticker")
    run_scheduled_job("ticker")
    assert probe_job == [None, None]
    assert not ScheduledRun.objects.exists()


@pytest.mark.django_db
def test_the_weekly_summary_schedule_summarises_the_week_that_just_ended(
    client_a, client_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_scheduled_job("weekly_summary", now=at(2025, 11, 10, 5, 1))

    summaries = Summary.objects.filter(period_type=PeriodType.WEEK)
    assert sorted(summaries.values_list("client__slug", "start", "end")) == [
        ("acme", dt.date(2025, 11, 3), dt.date(2025, 11, 9)),
        ("borealis", dt.date(2025, 11, 3), dt.date(2025, 11, 9)),
    ]


@pytest.mark.django_db
def test_the_monthly_summary_schedule_summarises_the_month_that_just_ended(
    client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_scheduled_job("monthly_summary", now=at(2025, 12, 1, 5, 1))

    summary = Summary.objects.get(period_type=PeriodType.MONTH)
    assert (summary.start, summary.end) == (dt.date(2025, 11, 1), dt.date(2025, 11, 30))


# --- Two workers at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_due_schedule_never_run_a_job_twice(probe_job):
    """Four threads, each with its own database connection, run the wrapper at the same moment
    with three intended dates due: every date runs exactly once."""
    run_scheduled_job("probe", now=at(2025, 11, 4, 6))
    start = threading.Barrier(4)
    errors, results = [], []

    def worker():
        try:
            start.wait()
            results.append(run_scheduled_job("probe", now=at(2025, 11, 7, 6)))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(int(result.removeprefix("ran ")) for result in results) == 3
    assert sorted(probe_job) == ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06"]
    assert ScheduledRun.objects.filter(status=ScheduledRunStatus.DONE).count() == 4
