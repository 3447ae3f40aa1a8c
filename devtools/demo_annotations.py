"""The demo's manual annotations: a client-visible note over a few days and an internal one (the
automatic ones, CPM change, missing files and flights, appear by themselves)."""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from annotations.models import Annotation, Visibility
from annotations.services import annotation_create
from clients.models import Client

# (days ago it starts, days ago it ends or None, text, visibility)
NOTES = (
    (12, 8, "Holiday creative refresh live on every placement", Visibility.CLIENT),
    (5, None, "Check Surfside cost against the margin before the renewal", Visibility.INTERNAL),
)


def demo_annotations(client: Client, admin: User, today: dt.date) -> list[Annotation]:
    """``NOTES`` for ``client``, written once (a second run finds them by text)."""
    written = []
    for start, end, text, visibility in NOTES:
        if Annotation.objects.filter(client=client, text=text).exists():
            continue
        written.append(
            annotation_create(
                client=client,
                start_date=today - dt.timedelta(days=start),
                end_date=today - dt.timedelta(days=end) if end is not None else None,
                text=text,
                visibility=visibility,
                by=admin,
            )
        )
    return written
