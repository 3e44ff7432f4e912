"""Unit tests for ftapp.sandbox.lifecycle (simulated job runs) and ftapp.timeago.ago."""

from __future__ import annotations

import hashlib
import itertools
import math
import uuid

import pytest

from ftapp.rules import JobStatus
from ftapp.sandbox import lifecycle
from ftapp.sandbox.lifecycle import simulated_duration, simulated_outcome, status_at
from ftapp.timeago import ago

IDS = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"ftapp-test/job/{i}")) for i in range(2000)]


def _oracle_fraction(job_id: str, salt: str) -> float:
    """The module's per-job pseudo-random number, rewritten from its definition."""
    digest = hashlib.sha256(f"{salt}:{job_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# --- constants ------------------------------------------------------------------------------


def test_constants() -> None:
    assert lifecycle.SECONDS_PER_EPOCH == 40.0
    assert lifecycle.FAILURE_ONE_IN == 5


# --- simulated_duration -----------------------------------------------------------------------


def test_duration_golden_values() -> None:
    # Pinned: a change to the hash, salt or formula changes every job's duration.
    assert simulated_duration("job-a", 1) == pytest.approx(44.074716165503645, rel=1e-12)
    assert simulated_duration("job-a", 3) == pytest.approx(132.22414849651094, rel=1e-12)
    assert simulated_duration("job-b", 1) == pytest.approx(32.13887393710187, rel=1e-12)


@pytest.mark.parametrize("job_id", IDS[:50])
def test_duration_matches_formula(job_id: str) -> None:
    jitter = 0.8 + 0.4 * _oracle_fraction(job_id, "duration")
    for epochs in (1, 2, 7):
        assert simulated_duration(job_id, epochs) == pytest.approx(40.0 * epochs * jitter)


def test_duration_is_deterministic_per_id() -> None:
    for job_id in IDS[:200]:
        assert simulated_duration(job_id, 4) == simulated_duration(job_id, 4)
    assert len({simulated_duration(job_id, 4) for job_id in IDS[:200]}) == 200


def test_duration_is_within_twenty_percent_of_forty_seconds_an_epoch() -> None:
    for job_id in IDS:
        for epochs in (1, 5):
            duration = simulated_duration(job_id, epochs)
            assert 32.0 * epochs <= duration < 48.0 * epochs


def test_duration_grows_with_epochs() -> None:
    for job_id in IDS[:20]:
        durations = [simulated_duration(job_id, epochs) for epochs in range(1, 60)]
        assert all(a < b for a, b in itertools.pairwise(durations))
        # Linear in epochs: 10 epochs take ten times as long as one.
        assert simulated_duration(job_id, 10) == pytest.approx(10 * durations[0])


@pytest.mark.parametrize("epochs", [0, -1, -(10**30)])
def test_duration_counts_at_least_one_epoch(epochs: int) -> None:
    assert simulated_duration("job-a", epochs) == simulated_duration("job-a", 1)


@pytest.mark.parametrize("epochs", [10_000, 10_001, 10**9, 10**30, 10**4000])
def test_duration_stays_finite_for_absurd_epochs(epochs: int) -> None:
    duration = simulated_duration("job-a", epochs)
    assert math.isfinite(duration)
    # Capped at 10,000 counted epochs.
    assert duration == simulated_duration("job-a", 10_000)
    assert duration == pytest.approx(10_000 * simulated_duration("job-a", 1))


# --- simulated_outcome ------------------------------------------------------------------------


def test_outcome_golden_values() -> None:
    assert simulated_outcome("job-a") == JobStatus.COMPLETED
    assert simulated_outcome("15cb848d-cb8d-5031-b4b7-d065eb69c918") == JobStatus.FAILED
    assert simulated_outcome("3342977c-ebe2-5610-9977-fa3b6a82cd26") == JobStatus.FAILED
    assert simulated_outcome("759f6a17-b6a0-5c11-b8ab-e8019823e3a7") == JobStatus.COMPLETED


def test_outcome_matches_formula_and_is_deterministic() -> None:
    for job_id in IDS:
        expected = (
            JobStatus.FAILED if _oracle_fraction(job_id, "outcome") < 0.2 else JobStatus.COMPLETED
        )
        assert simulated_outcome(job_id) == expected
        assert simulated_outcome(job_id) == simulated_outcome(job_id)


def test_outcome_fails_about_one_job_in_five() -> None:
    outcomes = [simulated_outcome(job_id) for job_id in IDS]
    assert set(outcomes) == {JobStatus.COMPLETED, JobStatus.FAILED}
    failed = outcomes.count(JobStatus.FAILED)
    assert 0.10 * len(IDS) <= failed <= 0.30 * len(IDS)


def test_outcome_does_not_depend_on_the_duration_hash() -> None:
    # Different salts: a job's outcome is not tied to whether it runs long or short.
    long_jobs = [j for j in IDS if _oracle_fraction(j, "duration") >= 0.5]
    short_jobs = [j for j in IDS if _oracle_fraction(j, "duration") < 0.5]
    for group in (long_jobs, short_jobs):
        failed = sum(simulated_outcome(j) == JobStatus.FAILED for j in group)
        assert 0.10 * len(group) <= failed <= 0.30 * len(group)


# --- status_at ----------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [JobStatus.COMPLETED, JobStatus.FAILED])
def test_status_is_running_until_the_duration_then_the_outcome(outcome: str) -> None:
    created, duration = 1_000.0, 100.0
    assert status_at(created, duration, outcome, now=created, speed=1.0) == JobStatus.RUNNING
    assert status_at(created, duration, outcome, now=1_050.0, speed=1.0) == JobStatus.RUNNING
    assert status_at(created, duration, outcome, now=1_099.999, speed=1.0) == JobStatus.RUNNING
    assert status_at(created, duration, outcome, now=1_100.0, speed=1.0) == outcome
    assert status_at(created, duration, outcome, now=1_100.001, speed=1.0) == outcome
    assert status_at(created, duration, outcome, now=10**9, speed=1.0) == outcome


def test_status_before_creation_is_running() -> None:
    # A clock that went backwards (or another process's clock) does not finish a job.
    assert status_at(1_000.0, 100.0, JobStatus.FAILED, now=900.0, speed=1.0) == JobStatus.RUNNING


@pytest.mark.parametrize(
    ("speed", "last_running", "first_final"),
    [(10.0, 1_009.9, 1_010.0), (100.0, 1_000.99, 1_001.0), (0.5, 1_199.9, 1_200.0)],
)
def test_speed_scales_simulated_time(speed: float, last_running: float, first_final: float) -> None:
    assert (
        status_at(1_000.0, 100.0, JobStatus.COMPLETED, now=last_running, speed=speed)
        == JobStatus.RUNNING
    )
    assert (
        status_at(1_000.0, 100.0, JobStatus.COMPLETED, now=first_final, speed=speed)
        == JobStatus.COMPLETED
    )


def test_zero_duration_is_final_immediately() -> None:
    assert status_at(1_000.0, 0.0, JobStatus.FAILED, now=1_000.0, speed=1.0) == JobStatus.FAILED


# --- timeago.ago ----------------------------------------------------------------------------

DAY = 24 * 3600


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "just now"),
        (-5, "just now"),
        (9, "just now"),
        (9.999, "just now"),
        (10, "10 seconds ago"),
        (10.9, "10 seconds ago"),
        (59, "59 seconds ago"),
        (59.99, "59 seconds ago"),
        (60, "1 minute ago"),
        (61, "1 minute ago"),
        (119, "1 minute ago"),
        (120, "2 minutes ago"),
        (300, "5 minutes ago"),
        (3599, "59 minutes ago"),
        (3600, "1 hour ago"),
        (7200, "2 hours ago"),
        (DAY - 1, "23 hours ago"),
        (DAY, "1 day ago"),
        (2 * DAY, "2 days ago"),
        (29 * DAY, "29 days ago"),
        (30 * DAY, "1 month ago"),
        (40 * DAY, "1 month ago"),
        (60 * DAY, "2 months ago"),
        (364 * DAY, "12 months ago"),
        (365 * DAY, "1 year ago"),
        (400 * DAY, "1 year ago"),
        (3 * 365 * DAY, "3 years ago"),
    ],
)
def test_ago(seconds: float, expected: str) -> None:
    assert ago(seconds) == expected
