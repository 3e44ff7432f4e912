"""The dashboard (``/``): summary, status chart and the job table, live from the shared feed."""
