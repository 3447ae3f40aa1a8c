"""The read API for clients' figures: dashboard summary and overview, the campaign hierarchy,
metric series, and exports (CSV, XLSX, PDF)."""
