"""Demo data for the restatement screenshots (``scripts/restated_screenshots.py``): Acme's summary
of a closed week is sent, then a higher CPM from that week's Monday restates it. Run inside the
demo's settings:

    DJANGO_SETTINGS_MODULE=dashboard_project.settings.demo .venv/bin/python manage.py shell \
        < scripts/restated_setup.py
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from accounts.models import User
from clients.models import Client, CpmRate
from metrics.cpm import cpm_rate_add
from reports.models import PeriodType
from reports.services import summary_generate, summary_record_sent

acme = Client.objects.get(slug="acme-foods")
admin = User.objects.get(username="admin")
today = timezone.localdate()
monday = today - dt.timedelta(days=today.weekday() + 21)
summary = summary_record_sent(
    summary_generate(client=acme, period_type=PeriodType.WEEK, start=monday)
)
current = (
    CpmRate.objects.filter(client=acme, effective_date__lte=monday)
    .order_by("-effective_date")
    .first()
)
assert current is not None, "the demo's client has a CPM rate"
rate = CpmRate.objects.filter(client=acme, effective_date=monday).first() or cpm_rate_add(
    client=acme, cpm=current.cpm + Decimal("1.50"), effective_date=monday, by=admin
)
summary = summary_generate(client=acme, period_type=PeriodType.WEEK, start=monday)
start, end = monday - dt.timedelta(days=7), monday + dt.timedelta(days=13)
Path("/tmp/restated-setup.json").write_text(  # noqa: S108
    json.dumps(
        {
            "summary": summary.pk,
            "rate": rate.pk,
            "preview_cpm": str(rate.cpm + Decimal("1.00")),
            "dashboard_query": f"start_date={start}&end_date={end}",
        }
    )
)
print("restated", summary, rate)
