"""Recorded jobs side by side: which ids a compare link names, and the table that compares
them. Pure: the services read the records, this module decides what the page shows.

A compare link is ``/history/compare?ids=a,b,c``: 2 to :data:`MAX_JOBS` ids of the
workspace's own records, comma-separated, duplicates dropped. One column per job, one row per
setting of :data:`ftapp.job_fields.JOB_FIELDS` (so a new field appears by itself), then what
happened to the job; a row whose values are not all the same is marked as differing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ftapp import routes
from ftapp.history.rows import creator_label, duration_text, settings_of, when
from ftapp.job_display import display_value, format_created
from ftapp.job_fields import JOB_FIELDS, JobField
from ftapp.models import JobRecord

MIN_JOBS = 2
MAX_JOBS = 4
MAX_ID_LENGTH = 255
"""The longest job id a record holds (its column's limit)."""
MAX_IDS_TEXT = MAX_JOBS * (MAX_ID_LENGTH + 1)
"""The longest ``ids`` parameter read at all."""
SHOWN_ID_LENGTH = 40
"""How much of an unknown id a message repeats."""
SEPARATOR = ","
NONE = "—"
"""A value that is not there (no duration, nobody deleted it)."""


@dataclasses.dataclass(frozen=True)
class CompareRequest:
    """The ids a compare link names (in its order, without duplicates), or why it cannot be
    compared."""

    ids: tuple[str, ...] = ()
    refusal: str = ""


@dataclasses.dataclass
class CompareColumn:
    """One compared job: its header links to its page."""

    job_id: str = ""
    name: str = ""
    href: str = ""
    status: str = ""


@dataclasses.dataclass
class CompareRow:
    """One compared setting or fact: a value per column, and whether they differ."""

    label: str = ""
    cells: list[str] = dataclasses.field(default_factory=list)
    differs: bool = False


@dataclasses.dataclass(frozen=True)
class Comparison:
    """The compared jobs, their rows, and the asked ids that match no record."""

    columns: list[CompareColumn] = dataclasses.field(default_factory=list)
    rows: list[CompareRow] = dataclasses.field(default_factory=list)
    unknown: list[str] = dataclasses.field(default_factory=list)

    @property
    def differing(self) -> int:
        return sum(row.differs for row in self.rows)


def parse_ids(text: str) -> CompareRequest:
    """The ids of a compare link's ``ids`` parameter; a refusal when it names too many, too
    few or is too long to be a compare link."""
    if len(text) > MAX_IDS_TEXT:
        return CompareRequest(refusal=f"This link is too long: compare at most {MAX_JOBS} jobs.")
    ids = tuple(dict.fromkeys(part.strip() for part in text.split(SEPARATOR) if part.strip()))
    if len(ids) > MAX_JOBS:
        return CompareRequest(
            refusal=f"Compare at most {MAX_JOBS} jobs at once: this link names {len(ids)}."
        )
    if len(ids) < MIN_JOBS:
        return CompareRequest(ids, refusal=choose_message())
    return CompareRequest(ids)


def choose_message() -> str:
    return f"Choose {MIN_JOBS} to {MAX_JOBS} jobs on the history page to compare them."


def compare_path(slug: str, ids: Sequence[str]) -> str:
    """The page comparing ``ids`` (in that order)."""
    ids_text = quote(SEPARATOR.join(ids), safe=SEPARATOR)
    return routes.in_workspace(slug, f"/history/compare?ids={ids_text}")


def selectable(job_id: str) -> bool:
    """Whether a job's id fits in a compare link (not empty, no comma, not too long)."""
    return 0 < len(job_id) <= MAX_ID_LENGTH and SEPARATOR not in job_id


def shown_id(job_id: str) -> str:
    """An id as a message repeats it: printable, at most :data:`SHOWN_ID_LENGTH` characters."""
    printable = "".join(char for char in job_id if char.isprintable())
    return printable if len(printable) <= SHOWN_ID_LENGTH else printable[:SHOWN_ID_LENGTH] + "…"


def unknown_message(unknown: Sequence[str]) -> str:
    """Names the asked ids that match no recorded job ("" when there are none)."""
    if not unknown:
        return ""
    named = ", ".join(shown_id(job_id) for job_id in unknown)
    if len(unknown) == 1:
        return f"No recorded job has the id {named}: it is left out."
    return f"No recorded job has these ids: {named}. They are left out."


def observed_duration(record: JobRecord, now: float) -> str:
    """ "took 41 min" for a finished job, "running for 12 min" for one still running, else
    "—" (the history never saw how long it ran)."""
    if record.duration_seconds is not None:
        return f"took {duration_text(record.duration_seconds)}"
    still_listed = record.gone_at is None and record.deleted_at is None
    if record.status == "Running" and still_listed:
        return f"running for {duration_text(max(int(now - when(record)), 0))}"
    return NONE


def deleted_by(record: JobRecord) -> str:
    """Who deleted a job through ftapp, "Gone from the API" for one that went without it,
    "—" for one the API still lists."""
    if record.deleted_by:
        return record.deleted_by
    if record.gone_at is not None or record.deleted_at is not None:
        return "Gone from the API"
    return NONE


def _setting_row(
    field: JobField, settings: Sequence[Mapping[str, Any]], model_names: Mapping[str, str]
) -> CompareRow:
    raw = [values.get(field.name) for values in settings]
    shown = [NONE if value is None else display_value(field, value, model_names) for value in raw]
    return CompareRow(field.label, shown, differs=len({repr(value) for value in raw}) > 1)


def _fact_row(label: str, values: list[str]) -> CompareRow:
    return CompareRow(label, values, differs=len(set(values)) > 1)


def compare(
    ids: Sequence[str],
    records: Sequence[JobRecord],
    model_names: Mapping[str, str],
    now: float,
    slug: str,
    fields: Sequence[JobField] = JOB_FIELDS,
) -> Comparison:
    """The comparison of the records of ``ids`` (in the order of ``ids``): a row per field
    but the name (each column's header), then status, created, duration, creator, deleter;
    ids without a record are listed in ``unknown``."""
    by_id = {record.job_id: record for record in records}
    found = [by_id[job_id] for job_id in ids if job_id in by_id]
    unknown = [job_id for job_id in ids if job_id not in by_id]
    settings = [
        {"name": record.name, "baseModel": record.base_model, **settings_of(record)}
        for record in found
    ]
    rows = [_setting_row(field, settings, model_names) for field in fields if field.name != "name"]
    rows += [
        _fact_row("Status", [record.status for record in found]),
        _fact_row(
            "Created",
            [format_created(datetime.fromtimestamp(when(record), UTC)) for record in found],
        ),
        _fact_row("Duration", [observed_duration(record, now) for record in found]),
        _fact_row("Created by", [creator_label(record.created_by) for record in found]),
        _fact_row("Deleted by", [deleted_by(record) for record in found]),
    ]
    columns = [
        CompareColumn(
            record.job_id, record.name, routes.job_path(slug, record.job_id), record.status
        )
        for record in found
    ]
    return Comparison(columns=columns, rows=rows, unknown=unknown)
