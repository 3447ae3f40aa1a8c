import io
import re

import pytest

from clients.models import Client
from devtools.bench_retention import bench_retention
from metrics.models import ArchivedMonth, DailyMetric
from reports.models import MetricArchive

pytestmark = pytest.mark.django_db


def test_the_retention_bench_prints_its_figures_and_leaves_nothing_behind():
    out = io.StringIO()
    bench_retention(out, days=40, rows_per_day=2000, repeats=2)
    text = out.getvalue()
    assert "seeded 80,000 rows" in text
    assert re.search(r"nightly retention, nothing to archive \(after\) +median +[\d.]+ s", text)
    assert "before: SET NULL scan" in text and "before: DELETE of" in text
    assert re.search(r"archive \d{4}-\d{2} \([\d,]+ rows, 1 file\)", text)
    assert not DailyMetric.objects.exists()
    assert not Client.objects.filter(name__startswith="Bench retention").exists()
    assert not MetricArchive.objects.exists() and not ArchivedMonth.objects.exists()
