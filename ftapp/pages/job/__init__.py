"""One job (``/jobs/[job_id]``): every field, live status, delete and clone."""
