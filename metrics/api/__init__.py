"""The dashboard read API: summary, overview, the campaign hierarchy and metric series."""
