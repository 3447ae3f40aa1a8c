"""What other apps call when the data under the reports changes.

``metrics.rollups.rollups_refresh`` calls ``summaries_refresh_queue`` in the transaction of every
write of daily metrics (a load, a CPM re-pricing, an upload undone). This module imports no
writer of metrics, so that call creates no import cycle.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django_q.tasks import async_task

from reports.selectors import summaries_touching


def summaries_refresh_queue(*, client_id: int, date_from: dt.date, date_to: dt.date | None) -> None:
    """Once the transaction commits, regenerate the client's stored summaries that depend on
    the days [date_from, date_to] (open-ended when None). Nothing is queued when no stored
    summary depends on them, which is the case for most daily loads."""
    if not summaries_touching(client_id=client_id, date_from=date_from, date_to=date_to).exists():
        return
    transaction.on_commit(
        partial(
            async_task,
            "reports.tasks.summaries_regenerate",
            client_id,
            date_from.isoformat(),
            date_to.isoformat() if date_to else None,
        )
    )
