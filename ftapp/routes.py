"""Every route of the app, defined once."""

from urllib.parse import quote

DASHBOARD = "/"
NEW_JOB = "/jobs/new"
JOB = "/jobs/[job_id]"
ACTIVITY = "/activity"
SIGNED_OUT = "/signed-out"
"""Where a signed-out browser lands (served by ftapp.auth, not a Reflex page)."""
SANDBOX_MOUNT = "/sandbox"
"""Where the embedded sandbox is mounted on the backend: its API is at ``/sandbox/api``."""


def follows_workspace(path: str) -> bool:
    """True for the pages that show the workspace's live job list (the dashboard, the
    wizard, a job's page)."""
    return path == DASHBOARD or path.startswith("/jobs/")


def job_path(job_id: str) -> str:
    """The page of one job."""
    return f"/jobs/{quote(job_id, safe='')}"


def clone_job_path(job_id: str) -> str:
    """The wizard, pre-filled with the settings of job ``job_id``."""
    return f"{NEW_JOB}?clone={quote(job_id, safe='')}"


def new_job_step_path(step: str, *, then_review: bool = False) -> str:
    """The wizard on one of its steps: ``setup``, ``configure`` or ``review``; with
    ``then_review`` (the review's Edit links), Next leads straight back to the review."""
    back = "&return=review" if then_review else ""
    return f"{NEW_JOB}?step={quote(step, safe='')}{back}"


def activity_page_path(page: int) -> str:
    """A page of the activity log."""
    return ACTIVITY if page <= 1 else f"{ACTIVITY}?page={page}"
