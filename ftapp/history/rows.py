"""A recorded job as the history shows it (a table row) and exports it (a flat record with
every setting). Pure functions over :class:`ftapp.models.JobRecord`."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ftapp import routes
from ftapp.history.view import OUTSIDE_FTAPP_LABEL
from ftapp.job_display import format_created
from ftapp.job_fields import JOB_FIELDS
from ftapp.models import JobRecord
from ftapp.timeago import ago

RECORD_COLUMNS = (
    "job_id",
    "name",
    "status",
    "base_model",
    "created_at",
    "first_seen_at",
    "finished_at",
    "duration_seconds",
    "created_by",
    "deleted_by",
    "deleted_at",
    "gone_at",
    "notes",
    "tags",
)
SETTING_PREFIX = "settings."
EXPORT_COLUMNS = (
    *RECORD_COLUMNS,
    *(
        SETTING_PREFIX + field.name
        for field in JOB_FIELDS
        if field.name not in ("name", "baseModel")
    ),
)
"""The export's columns, in order: the record's, then each setting of the job (wire names;
the name and model are columns already)."""
_TIMES = frozenset({"created_at", "first_seen_at", "finished_at", "deleted_at", "gone_at"})


@dataclasses.dataclass
class HistoryRow:
    """One recorded job as the history page shows it (plain strings and numbers)."""

    id: str = ""
    name: str = ""
    href: str = ""
    base_model: str = ""
    base_model_name: str = ""
    status: str = ""
    created_ts: float = 0.0
    created_text: str = ""
    created_ago: str = ""
    creator: str = ""
    duration_text: str = ""
    gone: bool = False
    gone_label: str = ""
    """"Deleted by bob" or "Gone from the API" ("" while the API still lists the job)."""
    gone_ts: float = 0.0
    gone_ago: str = ""


def when(record: JobRecord) -> int:
    """The time the history shows and filters a job by: created, else first seen."""
    return record.created_at if record.created_at is not None else record.first_seen_at


def duration_text(seconds: int | None) -> str:
    """A run time as people read it: "42 s", "3 min 5 s", "2 h 7 min"; "" when unknown."""
    if seconds is None or seconds < 0:
        return ""
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def creator_label(created_by: str) -> str:
    """Who created a job: a username, or "outside ftapp"."""
    return created_by or OUTSIDE_FTAPP_LABEL


def gone_label(record: JobRecord) -> str:
    """What happened to a job the API no longer lists ("" when it still does)."""
    if record.deleted_by:
        return f"Deleted by {record.deleted_by}"
    if record.gone_at is not None or record.deleted_at is not None:
        return "Gone from the API"
    return ""


def history_row(
    record: JobRecord, model_names: Mapping[str, str], now: float, slug: str
) -> HistoryRow:
    """The page's row for ``record``; a model by its display name when known."""
    shown = when(record)
    label = gone_label(record)
    gone_at = record.deleted_at if record.deleted_by and record.deleted_at else record.gone_at
    gone_at = gone_at if gone_at is not None else record.deleted_at
    return HistoryRow(
        id=record.job_id,
        name=record.name,
        href=routes.job_path(slug, record.job_id),
        base_model=record.base_model,
        base_model_name=model_names.get(record.base_model, record.base_model),
        status=record.status,
        created_ts=float(shown),
        created_text=format_created(datetime.fromtimestamp(shown, UTC)),
        created_ago=ago(max(now - shown, 0)),
        creator=creator_label(record.created_by),
        duration_text=duration_text(record.duration_seconds),
        gone=bool(label),
        gone_label=label,
        gone_ts=float(gone_at or 0),
        gone_ago=ago(max(now - gone_at, 0)) if gone_at else "",
    )


def iso_time(seconds: int | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC (``2026-12-06T22:50:00Z``); None stays None."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def settings_of(record: JobRecord) -> dict[str, Any]:
    """The job's request fields (wire names) as recorded; {} when unreadable."""
    try:
        settings = json.loads(record.settings) if record.settings else {}
    except ValueError:
        return {}
    return settings if isinstance(settings, dict) else {}


def export_record(record: JobRecord) -> dict[str, Any]:
    """Every column of :data:`EXPORT_COLUMNS` for ``record`` (times in ISO 8601, None when
    unknown), plus ``settings``: the whole recorded request, for JSON."""
    values: dict[str, Any] = {}
    for column in RECORD_COLUMNS:
        value = getattr(record, column)
        values[column] = iso_time(value) if column in _TIMES else value
    settings = settings_of(record)
    for column in EXPORT_COLUMNS[len(RECORD_COLUMNS) :]:
        values[column] = settings.get(column.removeprefix(SETTING_PREFIX))
    values["settings"] = settings
    return values
