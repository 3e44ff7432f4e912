"""The job page's State, driven directly."""

from __future__ import annotations

import dataclasses

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


def test_a_list_older_than_the_job_does_not_call_it_deleted() -> None:
    """A job created elsewhere and opened before the next poll is not "deleted"."""
    state = JobState()
    state._apply_snapshot(snapshot(job("new", "made-elsewhere")), "new")
    stale = dataclasses.replace(snapshot(job("b", "beta")), fetched_at=1_000.0)
    state._loaded_at = 2_000.0  # the job page fetched the job after that list

    state._apply_snapshot(stale, "new")
    assert state.deleted_elsewhere is False

    later = dataclasses.replace(snapshot(job("b", "beta")), fetched_at=3_000.0)
    state._apply_snapshot(later, "new")
    assert state.deleted_elsewhere is True


def test_the_deleted_notice_goes_when_the_job_is_listed_again() -> None:
    state = JobState()
    state._apply_snapshot(snapshot(job("a", "alpha")), "a")
    state._apply_snapshot(snapshot(job("b", "beta")), "a")
    assert state.deleted_elsewhere is True
    state._apply_snapshot(snapshot(job("a", "alpha")), "a")
    assert state.deleted_elsewhere is False


def test_the_title_names_the_job() -> None:
    state = JobState()
    assert state.page_title == "Job · ftapp"
    state._apply_snapshot(snapshot(job("a", "alpha")), "a")
    assert state.page_title == "alpha · ftapp"


def test_closing_the_dialog_without_deleting_focuses_the_delete_button() -> None:
    state = JobState()
    state.set_confirm_open(True)
    event = state.set_confirm_open(False)
    assert event is not None
    assert "job-delete" in str(event)
