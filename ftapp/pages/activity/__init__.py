"""The activity log (``/activity``): who created or deleted which job, when, with what outcome."""
