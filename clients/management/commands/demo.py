"""``manage.py demo``: demo clients, an admin and a client user, ready to log in.

Safe to run again: existing demo users get their demo passwords back, nothing is duplicated.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import client_user_create
from clients.models import Client
from clients.services import client_create

DEMO_ADMIN = ("admin", "demo-admin-2026")
DEMO_CLIENT_USER = ("acme", "demo-client-2026")
DEMO_OTHER_CLIENT_USER = ("borealis", "demo-client-2026")
DEMO_CLIENTS = [
    ("Acme Foods", "acme-foods", Decimal("15.00")),
    ("Borealis Travel", "borealis-travel", Decimal("12.50")),
]


class Command(BaseCommand):
    help = "Create the demo clients and users (idempotent) and print how to log in."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            admin = self._admin()
            clients = [self._client(name, slug, cpm, admin) for name, slug, cpm in DEMO_CLIENTS]
            self._client_user(clients[0], *DEMO_CLIENT_USER, admin)
            self._client_user(clients[1], *DEMO_OTHER_CLIENT_USER, admin)
        self.stdout.write(self.style.SUCCESS("Demo ready. Log in at http://127.0.0.1:8000/"))
        self.stdout.write(f"  agency admin: {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}  (also /admin/)")
        self.stdout.write(
            f"  client user:  {DEMO_CLIENT_USER[0]} / {DEMO_CLIENT_USER[1]}  ({clients[0].name})"
        )
        self.stdout.write(
            f"  client user:  {DEMO_OTHER_CLIENT_USER[0]} / {DEMO_OTHER_CLIENT_USER[1]}"
            f"  ({clients[1].name})"
        )

    def _admin(self) -> User:
        username, password = DEMO_ADMIN
        admin = User.objects.filter(username=username).first()
        if admin is None:
            admin = User.objects.create_superuser(username, f"{username}@agency.example", password)
        else:
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
                email=f"{username}@client.example",
                password=password,
                by=admin,
            )
        elif user.role == Role.CLIENT:
            user.set_password(password)
            user.save()
