"""What ``manage.py migrate`` sets up besides the tables of the models.

A fresh, empty database needs only ``migrate`` before the product serves (SPEC 8). Two things live
outside the models' migrations: the database cache's table (``CACHES``; the login throttle and the
API's rate limits read it on the first request) and the django-q2 schedules of
``operations.scheduling.JOBS``. Both are created here, after every ``migrate`` (Django's
``post_migrate`` signal, the way it creates permissions and content types), so a deployment that
switches the cache backend or adds a scheduled job gets them with the same one command. Both steps
are idempotent and cheap when there is nothing to do.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections


def after_migrate(*, using: str = DEFAULT_DB_ALIAS, verbosity: int = 1, **kwargs: Any) -> None:
    """``post_migrate`` receiver: create the cache tables and declare the schedules."""
    out = io.StringIO()
    # Django's own command: a table for every database cache of CACHES, none when there is none.
    call_command("createcachetable", database=using, verbosity=verbosity, stdout=out)
    # The schedules live in the default database (django-q2 reads them there); a migrate of
    # another database, or one that left django-q2's tables out, has no schedules to declare.
    tables = connections[using].introspection.table_names()
    if using == DEFAULT_DB_ALIAS and "django_q_schedule" in tables:
        call_command("setup_schedules", stdout=out)
    if verbosity >= 1:
        sys.stdout.write(out.getvalue())
