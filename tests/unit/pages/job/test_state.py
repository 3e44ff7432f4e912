"""The job page's State, driven directly."""

from __future__ import annotations

from ftapp.pages.job.state import JobState
from tests.unit.snapshots import job, snapshot


def test_job_page_follows_its_job_and_notices_a_deletion_elsewhere() -> None:
    state = JobState()
    state._apply_snapshot(snapshot(job("a", "alpha"), job("b", "beta")), "a")
    assert state.job.name == "alpha"
    assert state.job.status == "Running"

    state._apply_snapshot(snapshot(job("a", "alpha", "Completed")), "a")
    assert state.job.status == "Completed"
    assert state.deleted_elsewhere is False

    state._apply_snapshot(snapshot(job("b", "beta")), "a")
    assert state.deleted_elsewhere is True
