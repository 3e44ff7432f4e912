"""Notes and tags: their rules, and saving them into a record that may not exist yet."""

from __future__ import annotations

import pytest

from ftapp.history import notes
from ftapp.history.notes import MAX_NOTES, RecordSeed, check, parse_tags
from tests.helpers.job_records import add_record, record_row

SEED = RecordSeed("alpha", "m", '{"epochs": 3}', "Running", 1_800_000_000)


def test_tags_are_lower_case_each_once_split_by_commas_or_spaces() -> None:
    assert parse_tags(" Baseline, lr-sweep  v_2,baseline ") == (("baseline", "lr-sweep", "v_2"), "")
    assert parse_tags("") == ((), "")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ok, bad!tag", "Tag “bad!tag” may contain only letters, digits, “-” and “_”."),
        ("<b>x</b>", "Tag “<b>x</b>” may contain only letters, digits, “-” and “_”."),
        ("a" * 33, f"Tag “{'a' * 32}…” is longer than 32 characters."),
        (" ".join(f"t{i}" for i in range(11)), "At most 10 tags (there are 11)."),
    ],
)
def test_bad_tags_get_a_message(typed: str, message: str) -> None:
    assert parse_tags(typed) == ((), message)


def test_notes_are_trimmed_and_bounded() -> None:
    assert check("  line one\r\nline two\x00 ", "").notes == "line one\nline two"
    assert check("x" * MAX_NOTES, "").errors == {}
    assert check("x" * (MAX_NOTES + 1), "").errors == {
        "notes": "Notes may be at most 1,000 characters (1,001 now)."
    }


def test_the_change_summary_says_what_changed() -> None:
    change = check("new", "b, a")
    assert notes.change_summary("", "", change) == "notes; tags: b, a"
    assert notes.change_summary("new", "", change) == "tags: b, a"
    assert notes.change_summary("new", "b,a", change) == ""
    assert notes.change_summary("x", "a", check("", "")) == "notes; tags: none"


def test_saving_makes_the_record_when_the_recorder_has_not(app_db: str) -> None:
    saved = notes.save("w", "job-1", SEED, check("first try", "baseline"), 1_800_000_100)
    assert saved is not None
    assert (saved.before_notes, saved.name) == ("", "alpha")
    row = record_row(app_db, "w", "job-1")
    assert row is not None
    assert (row["name"], row["status"], row["notes"], row["tags"]) == (
        "alpha",
        "Running",
        "first try",
        "baseline",
    )
    assert row["first_seen_at"] == 1_800_000_100


def test_saving_keeps_what_the_recorder_wrote(app_db: str) -> None:
    add_record(app_db, "w", "job-1", "recorded-name", status="Completed", duration_seconds=60)
    saved = notes.save("w", "job-1", SEED, check("n", "a b"), 1_800_000_100)
    assert saved is not None
    assert saved.name == "recorded-name"
    row = record_row(app_db, "w", "job-1")
    assert row is not None
    assert (row["name"], row["status"], row["tags"]) == ("recorded-name", "Completed", "a,b")


def test_without_a_record_or_a_job_nothing_is_saved(app_db: str) -> None:
    assert notes.save("w", "nothing", None, check("n", ""), 1) is None
    assert record_row(app_db, "w", "nothing") is None


def test_another_workspaces_record_is_not_touched(app_db: str) -> None:
    add_record(app_db, "other", "job-1", "theirs")
    assert notes.save("w", "job-1", None, check("n", ""), 1) is None
    row = record_row(app_db, "other", "job-1")
    assert row is not None
    assert row["notes"] == ""
