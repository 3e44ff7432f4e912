"""Every route of the app, defined once."""

DASHBOARD = "/"
NEW_JOB = "/jobs/new"
JOB = "/jobs/[job_id]"
SANDBOX_MOUNT = "/sandbox"
"""Where the embedded sandbox is mounted on the backend: its API is at ``/sandbox/api``."""


def job_path(job_id: str) -> str:
    """The page of one job."""
    return f"/jobs/{job_id}"
