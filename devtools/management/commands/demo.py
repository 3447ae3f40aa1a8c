"""``manage.py demo``: demo clients, users and ~60 days of data loaded through the real pipeline.

Surfside files go into an S3 API (``AWS_S3_ENDPOINT_URL``, e.g. moto's server that ``make demo``
starts on loopback; an in-process one when unset) and are pulled by the same code as production;
Facebook exports go through the upload service. Safe to run again: days already loaded are
skipped and nothing is duplicated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import boto3
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role, User
from campaigns.models import Source
from clients.models import Client, CpmRate
from clients.services import client_create, client_user_create
from devtools import demo_data as demo
from devtools.demo_annotations import demo_annotations
from devtools.fake_vibe import FakeVibe, FakeVibeConfig, FakeVibeServer
from ingestion.models import (
    ACTIVE_STATES,
    FacebookUpload,
    IngestionRun,
    ReportState,
    RunStatus,
    RunTrigger,
    UploadStatus,
    VibeReportRequest,
)
from ingestion.sources.facebook.services import DuplicateUpload, facebook_upload_create
from ingestion.sources.surfside.services import surfside_connection_set, surfside_ingest_day
from ingestion.sources.vibe.flow import vibe_backfill
from ingestion.sources.vibe.services import vibe_connection_set
from ingestion.sources.vibe.tasks import advance_due_vibe_reports
from metrics.cpm import cpm_rate_add
from metrics.periods import ONE_DAY
from reports.models import PeriodType
from reports.services import summary_generate
from scheduled_reports.sending import schedule_send_latest

DEMO_ADMIN = ("admin", "demo-admin-2026")
DEMO_CLIENT_USER = ("acme", "demo-client-2026")
DEMO_OTHER_CLIENT_USER = ("borealis", "demo-client-2026")
DEMO_BUCKET = "demo-surfside-deliveries"
DEMO_VIBE_ADVERTISER = "5c2d8f3a-9b1e-4c7a-8d2f-borealis-ctv"
DEMO_VIBE_KEY = "demo-vibe-key-not-a-secret-4242"
DEMO_VIBE_ADVERTISER_NAME = "Borealis"
DEMO_ACME = ("Acme Foods", "acme-foods")
DEMO_BOREALIS = ("Borealis Travel", "borealis-travel")
DEMO_DAYS = 60
# Days a delivery "did not arrive", to show the missing-file path (days ago).
MISSING_DAYS_AGO = (23,)

ACME_STRUCTURE = {
    "Prospecting": ["Audience | Foodies", "Audience | Home Cooks", "Contextual | Recipes"],
    "Retargeting": ["Retargeting | Website Visitors", "Retargeting | Cart Abandoners"],
}
BOREALIS_STRUCTURE = {
    "Prospecting": ["Audience | Frequent Flyers", "Audience | Ski Season"],
    "Retargeting": ["Retargeting | Booking Abandoners"],
}
BOREALIS_FACEBOOK = {
    "Winter Escapes": {
        "Skiers 25-44": ["Alps Carousel", "Powder Video"],
        "Families": ["Family Cabins"],
    },
    "City Breaks": {"Culture Lovers": ["Museum Weekend", "Food Tour"]},
}


class Command(BaseCommand):
    help = "Create the demo clients and users and load ~60 days of demo data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DEMO_DAYS)
        parser.add_argument(
            "--no-box",
            action="store_true",
            help="Do not end with the address and logins (make demo prints them once serving).",
        )
        parser.add_argument(
            "--box-only",
            action="store_true",
            help="Only print the address (SITE_URL) and the logins, in a box; load nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["box_only"]:
            self.stdout.write(ready_box(settings.SITE_URL, serving=True))
            return
        # The demo's S3 is moto (any credentials do); real credentials are never needed here.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "demo")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "demo")
        with transaction.atomic():
            admin = self._admin()
            acme = self._client(*DEMO_ACME, Decimal("15.00"), admin)
            borealis = self._client(*DEMO_BOREALIS, Decimal("12.50"), admin)
            self._client_user(acme, *DEMO_CLIENT_USER, admin)
            self._client_user(borealis, *DEMO_OTHER_CLIENT_USER, admin)
        today = timezone.localdate()
        days = [today - dt.timedelta(days=n) for n in range(options["days"], 0, -1)]
        with self._s3_endpoint():
            self._surfside(acme, admin, days, ACME_STRUCTURE, creatives=4, volume=2600)
            self._surfside(borealis, admin, days, BOREALIS_STRUCTURE, creatives=3, volume=1500)
        self._facebook(borealis, admin, days)
        with self._vibe_endpoint():
            self._vibe(borealis, admin, days)
        self._cpm_change(acme, admin, today)
        demo_annotations(acme, admin, today)
        self._summaries([acme, borealis], days)
        self._schedules(acme, admin, days)
        if not options["no_box"]:
            self.stdout.write(ready_box(settings.SITE_URL))

    # --- users and clients --------------------------------------------------------------

    def _admin(self) -> User:
        username, password = DEMO_ADMIN
        admin = User.objects.filter(username=username).first()
        if admin is None:
            return User.objects.create_superuser(username, f"{username}@agency.example", password)
        admin.set_password(password)
        admin.is_active = True
        admin.save()
        return admin

    def _client(self, name: str, slug: str, cpm: Decimal, admin: User) -> Client:
        existing = Client.objects.filter(slug=slug).first()
        if existing:
            return existing
        start = timezone.localdate() - dt.timedelta(days=400)
        return client_create(name=name, slug=slug, cpm=cpm, cpm_effective_date=start, by=admin)

    def _client_user(self, client: Client, username: str, password: str, admin: User) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            client_user_create(
                client=client,
                username=username,
                password=password,
                by=admin,
                email=f"{username}@client.example",
                first_name=username.title(),
            )
        elif user.role == Role.CLIENT:
            user.set_password(password)
            user.save()

    # --- data ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _s3_endpoint(self) -> Iterator[None]:
        """Use the configured S3 endpoint, or run moto's server in this process meanwhile."""
        if settings.AWS_S3_ENDPOINT_URL:
            yield
            return
        from moto.server import ThreadedMotoServer

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            with override_settings(AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{port}"):
                yield
        finally:
            server.stop()

    @contextlib.contextmanager
    def _vibe_endpoint(self) -> Iterator[None]:
        """Use a Vibe API on loopback (``make demo`` starts the fake one), or run the fake Vibe
        server in this process meanwhile: the demo never calls the real Vibe."""
        if urlsplit(settings.VIBE_API_BASE_URL).hostname in ("127.0.0.1", "localhost"):
            yield
            return
        config = FakeVibeConfig(
            ready_after_seconds=2,
            advertiser_names={DEMO_VIBE_ADVERTISER: DEMO_VIBE_ADVERTISER_NAME},
        )
        fake = FakeVibeServer(FakeVibe(config)).start()
        try:
            with override_settings(
                VIBE_API_BASE_URL=fake.base_url,
                VIBE_FIRST_POLL_DELAY_SECONDS=2,
                VIBE_POLL_MIN_INTERVAL_SECONDS=2,
            ):
                yield
        finally:
            fake.stop()

    def _vibe(self, client: Client, admin: User, days: list[dt.date]) -> None:
        """Borealis' CTV campaigns on Vibe: the range as 45-day reports through the real report
        flow (create, poll within the budget, download, load)."""
        vibe_connection_set(
            client=client,
            advertiser_id=DEMO_VIBE_ADVERTISER,
            api_key=DEMO_VIBE_KEY,
            base_url=settings.VIBE_API_BASE_URL,
            by=admin,
        )
        if VibeReportRequest.objects.filter(client=client, state=ReportState.LOADED).exists():
            self.stdout.write(f"  Vibe {client.name}: already loaded")
            return
        request_ids = vibe_backfill(clients=[client], start=days[0], end=days[-1])
        deadline = time.monotonic() + 300
        pending = VibeReportRequest.objects.filter(pk__in=request_ids, state__in=ACTIVE_STATES)
        while pending.exists() and time.monotonic() < deadline:
            advance_due_vibe_reports()
            due = [
                moment
                for moment in pending.values_list("next_attempt_at", flat=True)
                if moment is not None
            ]
            wait = (min(due) - timezone.now()).total_seconds() if due else 0
            time.sleep(min(max(wait, 0.5), 5))
        states = Counter(
            VibeReportRequest.objects.filter(pk__in=request_ids).values_list("state", flat=True)
        )
        summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
        self.stdout.write(f"  Vibe {client.name}: {len(request_ids)} report(s): {summary}")

    def _surfside(
        self,
        client: Client,
        admin: User,
        days: list[dt.date],
        structure: dict[str, list[str]],
        *,
        creatives: int,
        volume: int,
    ) -> None:
        s3 = boto3.client(
            "s3", endpoint_url=settings.AWS_S3_ENDPOINT_URL, region_name=settings.AWS_S3_REGION_NAME
        )
        with contextlib.suppress(
            s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists
        ):
            s3.create_bucket(Bucket=DEMO_BUCKET)
        surfside_connection_set(
            client=client,
            bucket=DEMO_BUCKET,
            prefix=f"{client.slug}/",
            file_pattern=f"{client.slug}_{{date:%Y%m%d}}*.csv",
            campaign_name=f"{client.name} always-on",
            by=admin,
        )
        today = timezone.localdate()
        loaded = set(
            IngestionRun.objects.filter(
                client=client,
                source=Source.SURFSIDE,
                status__in=[RunStatus.SUCCESS, RunStatus.PARTIAL, RunStatus.MISSING_FILE],
            ).values_list("requested_date", flat=True)
        )
        statuses: Counter[str] = Counter()
        for day in days:
            # Every file is (re)delivered, so scheduled pulls of the running demo find them too.
            if (today - day).days not in MISSING_DAYS_AGO:
                content = demo.surfside_day(
                    day, seed=client.slug, structure=structure, creatives=creatives, volume=volume
                )
                s3.put_object(
                    Bucket=DEMO_BUCKET,
                    Body=content,
                    Key=f"{client.slug}/{client.slug}_{day:%Y%m%d}_delivery.csv",
                )
            if day in loaded:
                continue
            run = surfside_ingest_day(
                client=client, day=day, trigger=RunTrigger.BACKFILL, triggered_by=admin
            )
            statuses[run.status] += 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        self.stdout.write(f"  Surfside {client.name}: {summary or 'already loaded'}")

    def _facebook(self, client: Client, admin: User, days: list[dt.date]) -> None:
        # Workbooks carry their save time, so a regenerated week has a new checksum: weeks
        # already uploaded are skipped by name instead.
        uploaded = set(
            FacebookUpload.objects.filter(
                client=client, status__in=[UploadStatus.LOADED, UploadStatus.PARTIAL]
            ).values_list("original_name", flat=True)
        )
        for start in demo.weekly_starts(days[0], days[-1]):
            name = f"Borealis-Meta-week-{start}.xlsx"
            if name in uploaded:
                continue
            content = demo.facebook_week(
                start,
                seed=client.slug,
                campaigns=BOREALIS_FACEBOOK,
                regions=("New York", "New Jersey", "Connecticut"),
                volume=900,
            )
            file = SimpleUploadedFile(name, content)
            try:
                upload = facebook_upload_create(client=client, upload=file, by=admin)
            except DuplicateUpload:
                continue
            self.stdout.write(f"  Facebook {client.name}, week of {start}: {upload.status}")

    def _cpm_change(self, client: Client, admin: User, today: dt.date) -> None:
        """Acme's CPM went up a month ago: re-prices the days it governs."""
        effective = today - dt.timedelta(days=30)
        if not CpmRate.objects.filter(client=client, effective_date=effective).exists():
            cpm_rate_add(
                client=client,
                cpm=Decimal("16.50"),
                effective_date=effective,
                by=admin,
                note="New quarter rate",
            )

    def _summaries(self, clients: list[Client], days: list[dt.date]) -> None:
        """The weekly and monthly summaries the schedule would have written for the demo's
        full weeks and months (written again, with the same figures, on a second run)."""
        first, last = days[0], days[-1]
        weeks = [day for day in days if day.weekday() == 0 and day + dt.timedelta(days=6) <= last]
        months = [
            day
            for day in days
            if day.day == 1 and (day + dt.timedelta(days=31)).replace(day=1) - ONE_DAY <= last
        ]
        for client in clients:
            for start in weeks:
                summary_generate(client=client, period_type=PeriodType.WEEK, start=start)
            for start in months:
                summary_generate(client=client, period_type=PeriodType.MONTH, start=start)
        self.stdout.write(
            f"  Summaries: {len(weeks)} weeks and {len(months)} months from {first} on, per client"
        )

    def _schedules(self, client: Client, admin: User, days: list[dt.date]) -> None:
        """Acme's scheduled reports, and the latest week's report sent (kept in its history;
        the message itself goes nowhere in the demo)."""
        schedules = demo.demo_schedules(client=client, admin=admin, since=days[0])
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            sent = sum(schedule_send_latest(schedule=schedule) for schedule in schedules)
        self.stdout.write(f"  Scheduled reports: {len(schedules)} for {client.name}, {sent} sent")


def ready_box(site_url: str, *, serving: bool = False) -> str:
    """The address the demo serves on and its logins, in a box: the last thing ``make demo``
    prints (``serving``: once the site answers), so it is not lost among the loading lines."""
    admin, acme, borealis = DEMO_ADMIN, DEMO_CLIENT_USER, DEMO_OTHER_CLIENT_USER
    lines = [
        f"Demo ready: {site_url}/",
        "",
        f"agency admin  {admin[0]} / {admin[1]}  (also {site_url}/admin/)",
        f"client user   {acme[0]} / {acme[1]}  ({DEMO_ACME[0]})",
        f"client user   {borealis[0]} / {borealis[1]}  ({DEMO_BOREALIS[0]})",
    ]
    if serving:
        lines += ["", "Ctrl-C stops the site, the task cluster and the fake S3 and Vibe."]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line:<{width}} |" for line in lines), rule])
