"""A job's timeline as its page shows it, from the record: created (the API's time), first
seen by ftapp, each observed status (when ftapp saw it, and how late that can be), note
edits, deletion or disappearance; and how long it runs or ran. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ftapp.models import JobRecord, JobTransition
from ftapp.rules import JobStatus
from ftapp.timeago import ago

_DURATION_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def format_duration(seconds: float) -> str:
    """A run time as people say it, in its largest unit and the next one: "45 s", "41 min",
    "1 h 5 min", "2 d" (``assets/relative_time.js`` writes it the same way)."""
    whole = max(round(seconds), 0)
    for index, (unit, size) in enumerate(_DURATION_UNITS):
        if whole >= size or unit == "s":
            count, rest = divmod(whole, size)
            text = f"{count} {unit}"
            if index + 1 < len(_DURATION_UNITS):
                next_unit, next_size = _DURATION_UNITS[index + 1]
                if then := rest // next_size:
                    text += f" {then} {next_unit}"
            return text
    return "0 s"  # pragma: no cover - the seconds unit always matches


def finish_phrase(seconds_left: float) -> str:
    """ "usually finishes in about 12 min", or "running longer than usual" once the usual
    time is past (``assets/relative_time.js`` writes it the same way)."""
    if seconds_left <= 0:
        return "running longer than usual"
    if seconds_left < 60:
        return "usually finishes in less than a minute"
    return f"usually finishes in about {format_duration(round(seconds_left / 60) * 60)}"


def format_time(at: float) -> str:
    """An absolute UTC time, e.g. "2026-11-26 04:45 UTC"."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class TimelineEntry:
    """One line of a job's timeline (plain strings and numbers, ready for the browser)."""

    at: float
    """Unix seconds."""
    at_text: str
    """Absolute, e.g. "2026-11-26 04:45 UTC"."""
    ago: str
    """"12 minutes ago" when the page was made (the browser keeps it current)."""
    title: str
    """E.g. "Created", "Completed", "Deleted by bob"."""
    detail: str = ""
    """E.g. "the API's time", "seen within 5 s of the change"."""
    kind: str = "status"
    """created, seen, status, notes, deleted, gone: which icon it gets."""


@dataclass(frozen=True)
class NoteEdit:
    """A note or tag edit, as the activity log has it."""

    at: int
    username: str
    detail: str = ""


def _entry(at: float, now: float, title: str, detail: str = "", kind: str = "status"):
    return TimelineEntry(at, format_time(at), ago(max(now - at, 0)), title, detail, kind)


def _within(interval: float) -> str:
    if interval <= 0:
        return ""
    return f"seen within {format_duration(interval)} of the change"


def timeline(
    record: JobRecord,
    transitions: Iterable[JobTransition],
    note_edits: Iterable[NoteEdit],
    now: float,
) -> list[TimelineEntry]:
    """The record's events in time order (ties keep: created, first seen, statuses, notes,
    deletion, gone)."""
    entries: list[tuple[float, int, TimelineEntry]] = []

    def add(order: int, entry: TimelineEntry) -> None:
        entries.append((entry.at, order, entry))

    if record.created_at is not None:
        add(0, _entry(record.created_at, now, "Created", "the API's time", "created"))
    by = f" by {record.created_by}" if record.created_by else ""
    add(1, _entry(record.first_seen_at, now, f"First seen by ftapp{by}", "", "seen"))
    for transition in transitions:
        detail = _within(transition.poll_interval_seconds)
        add(2, _entry(transition.observed_at, now, transition.status, detail, "status"))
    for edit in note_edits:
        title = f"Notes edited by {edit.username}" if edit.username else "Notes edited"
        add(3, _entry(edit.at, now, title, edit.detail, "notes"))
    if record.deleted_at is not None:
        title = f"Deleted by {record.deleted_by}" if record.deleted_by else "Deleted"
        add(4, _entry(record.deleted_at, now, title, "", "deleted"))
    elif record.gone_at is not None:
        add(4, _entry(record.gone_at, now, "Gone from the API", "no longer in its list", "gone"))
    return [entry for _, _, entry in sorted(entries, key=lambda item: (item[0], item[1]))]


def gone_text(record: JobRecord, now: float) -> str:
    """ "Deleted by bob 2 days ago", "Gone from the API 3 hours ago", or "" while it is there."""
    if record.deleted_at is not None:
        who = f" by {record.deleted_by}" if record.deleted_by else ""
        return f"Deleted{who} {ago(max(now - record.deleted_at, 0))}"
    if record.gone_at is not None:
        return f"Gone from the API {ago(max(now - record.gone_at, 0))}"
    return ""


@dataclass(frozen=True)
class RunTime:
    """How long a job runs or ran: ``since`` (Unix seconds) while it runs, so the page can
    count up; ``text`` once it is over, e.g. "took 41 min"."""

    since: float = 0.0
    text: str = ""


def run_time(
    status: str, created_at: float | None, duration_seconds: int | None, now: float
) -> RunTime:
    """ "running for 12 min" (from the created time, kept live by the page) or "took 41 min"
    (the recorded run time); nothing when neither is known."""
    if status == JobStatus.RUNNING:
        if created_at is None:
            return RunTime()
        return RunTime(created_at, f"running for {format_duration(now - created_at)}")
    if duration_seconds is not None:
        return RunTime(0.0, f"took {format_duration(duration_seconds)}")
    return RunTime()
