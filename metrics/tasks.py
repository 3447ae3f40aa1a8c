"""Queued work of the metrics app (django-q2): tasks take ids and are safe to run twice."""

from __future__ import annotations

from metrics.repricing import repricing_perform


def repricing_run(repricing_id: int) -> int:
    """Re-price the rollups a CPM change governs (``metrics.repricing``)."""
    return repricing_perform(repricing_id=repricing_id)
