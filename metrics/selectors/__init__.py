"""Reads of metrics, always given the clients in scope explicitly; one module per query family.

``measures``: summed base measures and plain totals; ``summary``: a range against the previous
period and per source; ``comparison``: a range against the period it is compared with, like for
like (SPEC 9); ``series``: totals per day, week or month; ``hierarchy``: campaigns down to
creatives. (Why days have no data, and how fresh each source is, reads ingestion runs:
``ingestion.availability``.)
"""

from metrics.selectors.measures import rollups_in_range, summed_measures, totals, totals_from_row

__all__ = ["rollups_in_range", "summed_measures", "totals", "totals_from_row"]
