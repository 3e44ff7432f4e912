"""A job's timeline, its run time and durations, from its record."""

from __future__ import annotations

import pytest

from ftapp.history.timeline import (
    NoteEdit,
    RunTime,
    finish_phrase,
    format_duration,
    gone_text,
    run_time,
    timeline,
)
from ftapp.models import JobRecord, JobTransition

NOW = 1_800_010_000


def record(**columns) -> JobRecord:
    values = {
        "workspace": "w",
        "job_id": "j",
        "name": "alpha",
        "base_model": "m",
        "status": "Completed",
        "created_at": 1_800_000_000,
        "first_seen_at": 1_800_000_002,
        "updated_at": 0,
        **columns,
    }
    return JobRecord(**values)


def transition(status: str, at: int, interval: float = 2.0) -> JobTransition:
    return JobTransition(
        workspace="w", job_id="j", status=status, observed_at=at, poll_interval_seconds=interval
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (60, "1 min"),
        (2460, "41 min"),
        (3900, "1 h 5 min"),
        (3605, "1 h"),
        (90061, "1 d 1 h"),
        (59.6, "1 min"),
    ],
)
def test_durations_name_the_largest_unit_and_the_next(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_the_timeline_lists_every_event_in_time_order() -> None:
    entries = timeline(
        record(deleted_at=1_800_009_000, deleted_by="bob", created_by="olga"),
        [transition("Running", 1_800_000_002), transition("Completed", 1_800_002_462, 5.0)],
        [NoteEdit(1_800_003_000, "olga", "tags: baseline")],
        NOW,
    )
    assert [(e.title, e.detail, e.kind) for e in entries] == [
        ("Created", "the API's time", "created"),
        ("First seen by ftapp by olga", "", "seen"),
        ("Running", "seen within 2 s of the change", "status"),
        ("Completed", "seen within 5 s of the change", "status"),
        ("Notes edited by olga", "tags: baseline", "notes"),
        ("Deleted by bob", "", "deleted"),
    ]
    assert entries[3].at_text == "2027-01-15 08:41 UTC"
    assert entries[3].ago == "2 hours ago"


def test_a_job_gone_from_the_api_says_so_and_without_a_created_time_starts_when_seen() -> None:
    entries = timeline(record(created_at=None, gone_at=1_800_005_000), [], [], NOW)
    assert [e.title for e in entries] == ["First seen by ftapp", "Gone from the API"]


def test_gone_text_says_who_deleted_it_or_that_it_went() -> None:
    assert gone_text(record(deleted_at=NOW - 2 * 86400, deleted_by="bob"), NOW) == (
        "Deleted by bob 2 days ago"
    )
    assert gone_text(record(gone_at=NOW - 3 * 3600), NOW) == "Gone from the API 3 hours ago"
    assert gone_text(record(), NOW) == ""


def test_run_time_counts_from_created_while_running_and_uses_the_record_once_finished() -> None:
    assert run_time("Running", NOW - 720, None, NOW) == RunTime(NOW - 720, "running for 12 min")
    assert run_time("Completed", NOW - 9999, 2460, NOW) == RunTime(0.0, "took 41 min")
    assert run_time("Failed", None, None, NOW) == RunTime()
    assert run_time("Running", None, None, NOW) == RunTime()


def test_the_usual_finish_counts_down_then_says_it_is_late() -> None:
    assert finish_phrase(185) == "usually finishes in about 3 min"
    assert finish_phrase(20) == "usually finishes in less than a minute"
    assert finish_phrase(-5) == "running longer than usual"
