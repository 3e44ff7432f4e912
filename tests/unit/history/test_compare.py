"""Comparing recorded jobs: which ids a compare link names (duplicates, limits, length), the
rows that differ, unknown ids, observed durations, and rows that follow JOB_FIELDS."""

from __future__ import annotations

import dataclasses

from ftapp.history import compare
from ftapp.history.compare import MAX_IDS_TEXT, compare_path, parse_ids, selectable
from ftapp.job_fields import JOB_FIELDS, FieldKind, JobField
from ftapp.models import JobRecord
from tests.helpers.history_records import LLAMA, MISTRAL, T0, Recorded

NOW = T0 + 3600
MODEL_NAMES = {LLAMA: "Llama 3.1 8B"}


def record(job: Recorded) -> JobRecord:
    return JobRecord(**job.record_row())


A = Recorded("id-a", "job-a", settings={"epochs": 3, "learningRate": 0.0001}, created_by="bob")
B = Recorded("id-b", "job-b", "Failed", MISTRAL, settings={"epochs": 5, "learningRate": 1e-4})
RUNNING = Recorded("id-r", "job-r", "Running", created_at=T0 + 600)
DELETED = Recorded("id-d", "job-d", deleted_by="bob", deleted_at=T0 + 900, gone_at=T0 + 900)


def rows(comparison: compare.Comparison) -> dict[str, compare.CompareRow]:
    return {row.label: row for row in comparison.rows}


def test_ids_are_read_in_order_without_duplicates_or_blanks() -> None:
    assert parse_ids("b, a,,b ,c").ids == ("b", "a", "c")
    assert parse_ids("b,a").refusal == ""


def test_too_few_too_many_and_too_long_links_are_refused_with_a_message() -> None:
    assert "Choose 2 to 4 jobs" in parse_ids("a").refusal
    assert "Choose 2 to 4 jobs" in parse_ids("a,a").refusal  # a duplicate is one job
    assert parse_ids("").refusal
    five = parse_ids("a,b,c,d,e")
    assert five.ids == ()
    assert five.refusal == "Compare at most 4 jobs at once: this link names 5."
    huge = parse_ids("x" * (MAX_IDS_TEXT + 1))
    assert huge.ids == ()
    assert "too long" in huge.refusal
    assert (
        parse_ids(",".join(["y" * 255] * 4)).refusal
        == "Choose 2 to 4 jobs on the history page to compare them."
    )


def test_the_compare_link_and_which_ids_fit_in_it() -> None:
    assert compare_path("team-b", ["a b", "c"]) == "/w/team-b/history/compare?ids=a%20b,c"
    assert parse_ids("a b,c").ids == ("a b", "c")
    assert selectable("id-1")
    assert not selectable("with,comma")
    assert not selectable("")
    assert not selectable("z" * 256)


def test_rows_whose_values_differ_are_marked() -> None:
    result = compare.compare(["id-a", "id-b"], [record(B), record(A)], MODEL_NAMES, NOW, "default")
    assert [column.name for column in result.columns] == ["job-a", "job-b"]  # the link's order
    assert result.columns[0].href == "/w/default/jobs/id-a"
    by_label = rows(result)
    assert by_label["Epochs"].cells == ["3", "5"]
    assert by_label["Epochs"].differs
    # 0.0001 and 1e-4 are the same number: not a difference
    assert by_label["Learning rate"].cells == ["0.0001", "0.0001"]
    assert not by_label["Learning rate"].differs
    assert by_label["Base model"].cells == ["Llama 3.1 8B", MISTRAL]
    assert by_label["Status"].cells == ["Completed", "Failed"]
    assert by_label["Status"].differs
    assert by_label["Created by"].cells == ["bob", "outside ftapp"]
    assert not by_label["Warm-up epochs"].differs
    assert by_label["Duration"].cells == ["took 10 min", "took 10 min"]
    assert "Job name" not in by_label  # each column's header names the job
    assert result.differing == sum(row.differs for row in result.rows) >= 4
    assert result.unknown == []


def test_unknown_ids_are_named_and_left_out() -> None:
    result = compare.compare(["id-a", "nope", "id-b"], [record(A), record(B)], {}, NOW, "default")
    assert [column.job_id for column in result.columns] == ["id-a", "id-b"]
    assert result.unknown == ["nope"]
    assert compare.unknown_message(result.unknown) == (
        "No recorded job has the id nope: it is left out."
    )
    assert "x, y" in compare.unknown_message(["x", "y"])
    assert compare.unknown_message([]) == ""
    assert compare.shown_id("q" * 100) == "q" * 40 + "…"
    assert compare.shown_id("bad\nid") == "badid"


def test_durations_say_took_running_for_or_nothing() -> None:
    result = compare.compare(
        ["id-r", "id-d"], [record(RUNNING), record(DELETED)], {}, NOW, "default"
    )
    by_label = rows(result)
    assert by_label["Duration"].cells == ["running for 50 min", "took 10 min"]
    assert by_label["Deleted by"].cells == ["—", "bob"]
    gone_running = dataclasses.replace(RUNNING, gone_at=T0 + 700)
    assert compare.observed_duration(record(gone_running), NOW) == "—"
    elsewhere = dataclasses.replace(RUNNING, gone_at=T0 + 700)
    assert compare.deleted_by(record(elsewhere)) == "Gone from the API"


def test_a_new_field_appears_by_itself_and_unreadable_settings_show_a_dash() -> None:
    extra = JobField("batchSize", "Batch size", FieldKind.WHOLE, "configure", "", default=8)
    fields = (*JOB_FIELDS, extra)
    unreadable = record(A)
    unreadable.settings = "not json"
    result = compare.compare(["id-a", "id-b"], [unreadable, record(B)], {}, NOW, "default", fields)
    by_label = rows(result)
    assert by_label["Batch size"].cells == ["—", "—"]
    assert by_label["Epochs"].cells == ["—", "5"]
    assert by_label["Epochs"].differs
    assert by_label["Base model"].cells == [LLAMA, MISTRAL]  # from the record's own column
