"""ftapp.history.record: what a poll writes, and that it writes nothing more (sync, on the real
app database)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from ftapp.history import record
from ftapp.history.record import (
    first_seen_not_before,
    load_known,
    mark_deleted,
    record_job,
    write_poll,
)
from tests.helpers.job_history import (
    CREATED,
    WORKSPACE,
    a_job,
    poll,
    records,
    statements,
    transitions,
)

T0 = CREATED + 3600


def test_a_new_job_gets_its_record_and_a_transition_for_its_first_status() -> None:
    job = a_job("a", name="support-bot", learningRate=0.0002)

    known = write_poll(poll(job, at=T0 + 0.7, interval=2.5), None)

    row = records()["a"]
    assert (row.workspace, row.name, row.base_model, row.status) == (
        WORKSPACE,
        "support-bot",
        "meta-llama/Llama-3.1-8B-Instruct",
        "Running",
    )
    assert json.loads(row.settings) == {
        "name": "support-bot",
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 1,
        "learningRate": 0.0002,
    }
    assert (row.created_at, row.first_seen_at, row.updated_at) == (CREATED, T0, T0)
    assert (row.finished_at, row.duration_seconds, row.gone_at) == (None, None, None)
    assert (row.created_by, row.deleted_by, row.deleted_at) == ("", "", None)
    assert transitions() == [("a", "Running", T0, 2.5)]
    assert set(known) == {"a"}


def test_a_status_change_updates_the_record_and_adds_one_transition() -> None:
    known = write_poll(poll(a_job("a"), at=T0), None)
    write_poll(poll(a_job("a", "Completed"), at=T0 + 600, interval=2.0), known)

    row = records()["a"]
    assert row.status == "Completed"
    assert (row.finished_at, row.duration_seconds) == (T0 + 600, T0 + 600 - CREATED)
    assert row.updated_at == T0 + 600
    assert transitions() == [("a", "Running", T0, 2.0), ("a", "Completed", T0 + 600, 2.0)]


def test_a_poll_that_changes_nothing_runs_no_statement() -> None:
    jobs = (a_job("a"), a_job("b", "Completed"))
    known = write_poll(poll(*jobs, at=T0), None)

    with statements() as ran:
        again = write_poll(poll(*jobs, at=T0 + 2), known)

    assert ran == []
    assert again == known
    assert {row.updated_at for row in records().values()} == {T0}


def test_after_a_restart_the_first_poll_compares_with_the_database_and_writes_nothing() -> None:
    jobs = (a_job("a"), a_job("b", "Failed"))
    write_poll(poll(*jobs, at=T0), None)

    with statements() as ran:
        known = write_poll(poll(*jobs, at=T0 + 30), None)  # a new process: nothing in memory

    assert ran == ["SELECT"]
    assert set(known) == {"a", "b"}
    assert len(transitions()) == 2
    assert {row.updated_at for row in records().values()} == {T0}


def test_after_a_restart_a_change_is_written_once() -> None:
    write_poll(poll(a_job("a"), a_job("b"), at=T0), None)

    write_poll(poll(a_job("a", "Completed"), a_job("b"), at=T0 + 60), None)

    assert records()["a"].status == "Completed"
    assert records()["b"].updated_at == T0
    assert [t[:2] for t in transitions()] == [
        ("a", "Running"),
        ("b", "Running"),
        ("a", "Completed"),
    ]


def test_a_job_missing_from_the_list_is_gone_once() -> None:
    known = write_poll(poll(a_job("a"), a_job("b"), at=T0), None)

    known = write_poll(poll(a_job("b"), at=T0 + 10), known)
    assert records()["a"].gone_at == T0 + 10
    assert records()["b"].gone_at is None
    assert set(known) == {"b"}

    write_poll(poll(a_job("b"), at=T0 + 20), None)  # after a restart: still gone since T0 + 10
    assert records()["a"].gone_at == T0 + 10
    assert records()["a"].status == "Running"  # what was last seen of it


def test_a_record_newer_than_the_poll_is_not_judged_gone_by_it() -> None:
    """A create's answer can make a record while a poll that cannot list it is on its way."""
    record_job(WORKSPACE, a_job("new"), T0 + 5, "olga")

    known = write_poll(poll(at=T0 + 6, asked=T0 + 4.5), None)

    assert records()["new"].gone_at is None
    assert "new" in known  # the next poll decides
    write_poll(poll(at=T0 + 9, asked=T0 + 8), known)
    assert records()["new"].gone_at == T0 + 9


def test_the_next_poll_judges_a_job_polled_in_the_same_second() -> None:
    """Polls half a second apart: the job the first listed and the second misses is gone at
    once (a page that leaves then leaves no later poll to decide)."""
    known = write_poll(poll(a_job("a"), at=T0 + 0.6), None)
    write_poll(poll(at=T0 + 1.2, asked=T0 + 0.9), known)
    assert records()["a"].gone_at == T0 + 1


def test_a_record_made_outside_a_poll_in_the_second_a_poll_was_asked_waits_for_the_next() -> None:
    made_at = T0 + 0.95  # a create's answer, after a poll was asked at T0 + 0.9
    record_job(WORKSPACE, a_job("new"), first_seen_not_before(made_at), "olga")
    known = write_poll(poll(at=T0 + 1.2, asked=T0 + 0.9), None)
    assert records()["new"].gone_at is None
    assert "new" in known


def test_a_job_without_a_created_time_runs_from_when_ftapp_first_saw_it() -> None:
    timeless = {"createdAt": None}
    known = write_poll(poll(a_job("a", **timeless), at=T0), None)
    write_poll(poll(a_job("a", "Failed", **timeless), at=T0 + 90), known)

    row = records()["a"]
    assert (row.created_at, row.first_seen_at) == (None, T0)
    assert (row.finished_at, row.duration_seconds) == (T0 + 90, 90)


def test_a_job_first_seen_finished_has_a_duration_only_from_its_created_time() -> None:
    write_poll(poll(a_job("dated", "Completed"), a_job("x", "Failed", createdAt=None), at=T0), None)

    assert records()["dated"].duration_seconds == T0 - CREATED
    assert (records()["x"].finished_at, records()["x"].duration_seconds) == (T0, None)
    assert [t[:2] for t in transitions()] == [("dated", "Completed"), ("x", "Failed")]


def test_writing_the_same_polls_again_duplicates_nothing() -> None:
    polls = [poll(a_job("a"), at=T0), poll(a_job("a", "Completed"), at=T0 + 60)]
    for _ in range(3):
        for each in polls:
            write_poll(each, None)

    assert len(records()) == 1
    assert transitions() == [("a", "Running", T0, 2.0), ("a", "Completed", T0 + 60, 2.0)]
    assert records()["a"].finished_at == T0 + 60


def test_two_writers_racing_duplicate_nothing() -> None:
    """Two processes writing the same polls at once (a holder and its successor)."""
    polls = [
        poll(*[a_job(f"j{i}", status) for i in range(6)], at=T0 + step)
        for step, status in enumerate(["Running", "Running", "Completed"])
    ]
    start = threading.Barrier(4)

    def writer(_: int) -> None:
        start.wait()
        known = None
        for each in polls:
            known = write_poll(each, known)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(writer, range(4)))

    assert sorted(records()) == [f"j{i}" for i in range(6)]
    assert sorted(t[:2] for t in transitions()) == sorted(
        (f"j{i}", status) for i in range(6) for status in ("Running", "Completed")
    )
    assert {row.status for row in records().values()} == {"Completed"}


def test_a_late_writer_with_an_older_list_never_moves_a_status_back() -> None:
    write_poll(poll(a_job("a"), at=T0), None)
    write_poll(poll(a_job("a", "Completed"), at=T0 + 60), None)

    write_poll(poll(a_job("a"), at=T0 + 61), None)  # a holder that lost its lease, late

    assert records()["a"].status == "Completed"
    assert [t[:2] for t in transitions()] == [("a", "Running"), ("a", "Completed")]


def test_a_record_made_by_a_create_gets_its_transition_from_the_next_poll() -> None:
    record_job(WORKSPACE, a_job("a"), T0, "olga")
    assert transitions() == []
    assert load_known(WORKSPACE)["a"].status == ""  # its status is not written yet

    write_poll(poll(a_job("a"), at=T0 + 2), None)

    row = records()["a"]
    assert (row.created_by, row.first_seen_at, row.status) == ("olga", T0, "Running")
    assert transitions() == [("a", "Running", T0 + 2, 2.0)]


def test_who_created_a_job_is_kept_once_known() -> None:
    write_poll(poll(a_job("a"), at=T0), None)

    record_job(WORKSPACE, a_job("a"), T0 + 1, "olga")
    record_job(WORKSPACE, a_job("a"), T0 + 2, "mallory")  # a replay cannot rewrite it
    record_job(WORKSPACE, a_job("a"), T0 + 3)  # a lookup

    row = records()["a"]
    assert (row.created_by, row.first_seen_at, row.updated_at) == ("olga", T0, T0 + 1)


def test_a_deletion_is_recorded_once_and_makes_the_record_if_needed() -> None:
    mark_deleted(WORKSPACE, "a", a_job("a"), "olga", T0)
    mark_deleted(WORKSPACE, "a", a_job("a"), "bob", T0 + 5)
    mark_deleted(WORKSPACE, "unknown", None, "olga", T0)  # nothing known of it: nothing made

    assert list(records()) == ["a"]
    row = records()["a"]
    assert (row.deleted_by, row.deleted_at, row.first_seen_at) == ("olga", T0, T0)


def test_workspaces_are_apart() -> None:
    write_poll(poll(a_job("a"), at=T0), None)
    other = record.Poll("fedcba9876543210", (), T0, T0 + 1, 2.0)

    write_poll(other, None)

    assert records()["a"].gone_at is None
