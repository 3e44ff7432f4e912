"""What the workspace allows right now: shared by the dashboard and the create wizard."""

from __future__ import annotations

from ftapp.rules import MAX_JOBS_PER_WORKSPACE


def quota_text(job_count: int) -> str:
    """E.g. "7 of 10 jobs"."""
    return f"{job_count} of {MAX_JOBS_PER_WORKSPACE} jobs"


def create_blocked_reason(job_count: int | None, may_create: bool | None) -> str:
    """Why a new job cannot be created now, or "" when nothing is known to stop it.

    ``may_create`` is None when the API has not told (the wizard then finds out on submit).
    """
    if may_create is False:
        return "This API key may not create jobs (it is read-only)."
    if job_count is not None and job_count >= MAX_JOBS_PER_WORKSPACE:
        return (
            f"Your workspace holds {quota_text(job_count)}, the maximum. "
            "Delete a job to create another."
        )
    return ""
