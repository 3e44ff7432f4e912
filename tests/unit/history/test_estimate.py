"""The estimate: which finished jobs are similar, the median and range, failures, too few."""

from __future__ import annotations

import pytest

from ftapp.history.estimate import (
    Estimate,
    FinishedJob,
    epochs_of,
    estimate,
    finished_jobs,
    similar_epochs,
)
from tests.helpers.job_records import add_finished, add_record

WS = "workspace-a"


@pytest.mark.parametrize(
    ("target", "other", "similar"),
    [
        (3, 1, True),  # small counts: within 2 epochs
        (3, 5, True),
        (3, 6, False),
        (20, 15, True),  # larger counts: within 25 %
        (20, 25, True),
        (20, 26, False),
        (20, 14, False),
        (1, 3, True),
    ],
)
def test_similar_epochs_is_within_a_quarter_or_two_epochs(
    target: int, other: int, similar: bool
) -> None:
    assert similar_epochs(target, other) is similar


def test_the_estimate_gives_the_range_the_median_and_the_failures() -> None:
    finished = [FinishedJob(3, seconds, failed=False) for seconds in (720, 900, 1080, 840, 960)]
    finished += [FinishedJob(4, 1000, failed=True), FinishedJob(3, 780, failed=False)]
    found = estimate(3, finished)
    assert (found.jobs, found.failed) == (7, 1)
    assert (found.low_seconds, found.high_seconds, found.median_seconds) == (720, 1080, 900)
    assert found.text == (
        "Similar jobs took 12 min to 18 min (median 15 min, from 7 jobs); 1 of 7 failed."
    )


def test_jobs_of_other_epochs_do_not_count() -> None:
    finished = [FinishedJob(50, 60, failed=False)] * 5 + [FinishedJob(3, 600, False)] * 2
    found = estimate(3, finished)
    assert found.enough is False
    assert found.text == "Too few similar finished jobs of this model to estimate (2 so far)."


def test_three_jobs_are_enough_and_an_even_count_takes_the_middle_two() -> None:
    assert estimate(3, [FinishedJob(3, 60, False)] * 2).enough is False
    found = estimate(3, [FinishedJob(3, s, False) for s in (60, 120, 180, 240)])
    assert found.enough
    assert found.median_seconds == 150
    assert found.text.endswith("from 4 jobs); none failed.")


def test_jobs_that_all_took_the_same_time_are_said_once() -> None:
    assert estimate(3, [FinishedJob(3, 45, False)] * 3).text.startswith("Similar jobs took 45 s (")


def test_no_finished_jobs_at_all() -> None:
    assert Estimate().text == "Too few similar finished jobs of this model to estimate (0 so far)."


@pytest.mark.parametrize(
    ("settings", "epochs"),
    [('{"epochs": 7}', 7), ("{}", None), ("not json", None), ('{"epochs": "7"}', None), ("", None)],
)
def test_epochs_come_from_the_settings_json(settings: str, epochs: int | None) -> None:
    assert epochs_of(settings) == epochs


def test_finished_jobs_reads_only_this_workspace_and_model_and_finished_ones(app_db: str) -> None:
    add_finished(app_db, WS, "done", [600, 700], failed=1)
    add_record(app_db, WS, "running", "running", status="Running")
    add_record(
        app_db, WS, "other-model", "other-model", base_model="Qwen/QwQ-32B", duration_seconds=100
    )
    add_record(app_db, "workspace-b", "elsewhere", "elsewhere", duration_seconds=50)
    add_record(app_db, WS, "big", "big", epochs=40, duration_seconds=5000)

    found = finished_jobs(WS, "meta-llama/Llama-3.1-8B-Instruct")

    assert sorted((job.epochs, job.duration_seconds, job.failed) for job in found) == [
        (3, 600, True),
        (3, 700, False),
        (40, 5000, False),
    ]
