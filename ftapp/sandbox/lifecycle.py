"""How a sandbox job runs: a simulated duration and outcome, deterministic per job.

A job is ``Running`` until its duration has passed, then ``Completed`` or ``Failed``. The
status is computed from the stored creation time whenever it is read, so it is right after
a restart and agrees across processes. ``speed`` makes simulated time pass faster.
"""

from __future__ import annotations

import hashlib

from ftapp.rules import JobStatus

SECONDS_PER_EPOCH = 40.0
_MAX_COUNTED_EPOCHS = 10_000  # keeps the arithmetic finite for absurd (but valid) epochs
FAILURE_ONE_IN = 5


def _fraction(job_id: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{job_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def simulated_duration(job_id: str, epochs: int) -> float:
    """Seconds of simulated time the job runs: about 40 s an epoch, +-20 % per job."""
    jitter = 0.8 + 0.4 * _fraction(job_id, "duration")
    return SECONDS_PER_EPOCH * min(max(epochs, 1), _MAX_COUNTED_EPOCHS) * jitter


def simulated_outcome(job_id: str) -> str:
    """The final status the job will reach: one job in five fails."""
    return (
        JobStatus.FAILED
        if _fraction(job_id, "outcome") < 1 / FAILURE_ONE_IN
        else JobStatus.COMPLETED
    )


def status_at(
    created_at: float, duration_seconds: float, outcome: str, now: float, speed: float
) -> str:
    """The job's status at ``now`` (Unix seconds) with simulated time running ``speed``x."""
    return JobStatus.RUNNING if (now - created_at) * speed < duration_seconds else outcome
