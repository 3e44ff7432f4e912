"""How jobs are shown: table rows, search, status filter, sort and pages. Pure functions.

The dashboard's State keeps the rows and the view (which lives in the URL) and asks this
module for the visible page, so every rule here is tested without Reflex.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from ftapp import routes
from ftapp.guard.text import safe_text
from ftapp.job_fields import FIELD, JOB_FIELDS, FieldKind, JobField
from ftapp.timeago import ago
from ftapp.upstream import Job

ALL_STATUSES = "all"
STATUS_FILTERS = (ALL_STATUSES, "Running", "Completed", "Failed")
SORT_COLUMNS: dict[str, str] = {
    "name": "Name",
    "id": "ID",
    "model": "Base model",
    "epochs": "Epochs",
    "learning_rate": "Learning rate",
    "created": "Created",
    "status": "Status",
}
PAGE_SIZES = (5, 10, 25)
DEFAULT_SORT = "created"
DEFAULT_PAGE_SIZE = 10


@dataclasses.dataclass
class JobRow:
    """One job as the pages show it (plain strings and numbers, ready for the browser).

    The defaults describe "no job" (a page before its job has loaded).
    """

    id: str = ""
    name: str = ""
    href: str = ""
    base_model: str = ""
    base_model_name: str = ""
    epochs: int = 0
    evaluation_epochs: int = 0
    warmup_epochs: int = 0
    epochs_text: str = ""
    """E.g. "3 / 1 / 1" (epochs / evaluation / warm-up), written here: a browser would show a
    count beyond 2**53 as 1e+23."""
    learning_rate: float = 0.0
    learning_rate_text: str = ""
    created_ts: float = 0.0
    """Unix seconds; 0 when the API gave no time."""
    created_text: str = ""
    """Absolute, e.g. "2026-11-26 04:45 UTC"."""
    created_ago: str = ""
    status: str = ""


@dataclasses.dataclass
class SettingRow:
    """One setting of a job on its page: label, the value as people read it, and the raw
    value when that differs (a model's id under its display name)."""

    label: str
    value: str
    raw: str = ""


def format_created(moment: datetime | None) -> str:
    """An absolute UTC time, e.g. "2026-11-26 04:45 UTC"; "" when unknown."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def display_value(field: JobField, value: Any, model_names: Mapping[str, str]) -> str:
    """A job field's value as the pages show it: as its row writes it
    (:meth:`~ftapp.job_fields.JobField.show`), a model by its display name."""
    if field.kind is FieldKind.CHOICE:
        return model_names.get(value, value)
    return field.show(value)


def job_settings(
    job: Job, model_names: Mapping[str, str], fields: Sequence[JobField] = JOB_FIELDS
) -> list[SettingRow]:
    """Every request field of ``job`` but its name (the page's heading), in the form's order."""
    return settings_rows(job.to_wire(), model_names, fields)


NOT_RECORDED = "Not recorded"
"""A setting a recorded job has no value for (recorded before the field existed)."""


def settings_rows(
    values: Mapping[str, Any],
    model_names: Mapping[str, str],
    fields: Sequence[JobField] = JOB_FIELDS,
) -> list[SettingRow]:
    """The rows of a job's wire ``values`` (from the API, or a record's settings JSON): every
    field but the name, in the form's order."""
    rows = []
    for field in fields:
        if field.name == "name":
            continue
        if field.name not in values:
            rows.append(SettingRow(field.label, NOT_RECORDED))
            continue
        value = values[field.name]
        try:
            shown = display_value(field, value, model_names)
        except (TypeError, ValueError):  # a stored value of another type: shown as it is
            shown = str(value)
        named = field.kind is FieldKind.CHOICE and shown != value
        rows.append(SettingRow(field.label, shown, value if named else ""))
    return rows


def job_row(job: Job, model_names: Mapping[str, str], now: float, slug: str) -> JobRow:
    """The row for ``job``; the model's display name falls back to its raw id."""
    created = job.created
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    created_ts = created.timestamp() if created else 0.0
    return JobRow(
        id=job.id,
        name=job.name,
        href=routes.job_path(slug, job.id),
        base_model=job.base_model,
        base_model_name=model_names.get(job.base_model, job.base_model),
        epochs=job.epochs,
        evaluation_epochs=job.evaluation_epochs,
        warmup_epochs=job.warmup_epochs,
        epochs_text=f"{job.epochs} / {job.evaluation_epochs} / {job.warmup_epochs}",
        learning_rate=job.learning_rate,
        learning_rate_text=FIELD["learningRate"].show(job.learning_rate),
        created_ts=created_ts,
        created_text=format_created(created),
        created_ago=ago(max(now - created_ts, 0)) if created else (job.created_ago or ""),
        status=job.status,
    )


@dataclasses.dataclass(frozen=True)
class TableView:
    """What part of the job list the user looks at; it round-trips through the URL."""

    search: str = ""
    status: str = ALL_STATUSES
    sort: str = DEFAULT_SORT
    descending: bool = True
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> TableView:
        """Read a view from URL query parameters; anything unknown falls back to defaults."""

        def text(name: str) -> str:
            value = params.get(name, "")
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            return str(value)

        status = text("status")
        sort = text("sort")
        try:
            page = max(int(text("page")), 1)
        except ValueError:
            page = 1
        try:
            per_page = int(text("per"))
        except ValueError:
            per_page = DEFAULT_PAGE_SIZE
        return cls(
            search=safe_text(text("q").strip()[:100].rstrip()),
            status=status if status in STATUS_FILTERS else ALL_STATUSES,
            sort=sort if sort in SORT_COLUMNS else DEFAULT_SORT,
            descending=text("dir") != "asc" if sort in SORT_COLUMNS else True,
            page=page,
            per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        )

    def to_query(self) -> str:
        """The URL query for this view ("" for the default view), e.g. ``?q=llama&page=2``."""
        defaults = TableView()
        params: dict[str, str] = {}
        if self.search:
            params["q"] = self.search
        if self.status != defaults.status:
            params["status"] = self.status
        if (self.sort, self.descending) != (defaults.sort, defaults.descending):
            params["sort"] = self.sort
            params["dir"] = "desc" if self.descending else "asc"
        if self.page != 1:
            params["page"] = str(self.page)
        if self.per_page != defaults.per_page:
            params["per"] = str(self.per_page)
        return f"?{urlencode(params)}" if params else ""

    @property
    def filtered(self) -> bool:
        """True when a search or a status filter narrows the list."""
        return bool(self.search) or self.status != ALL_STATUSES

    def toggled_sort(self, column: str) -> TableView:
        """Sort by ``column``; clicking the current column flips the direction."""
        if column == self.sort:
            return dataclasses.replace(self, descending=not self.descending, page=1)
        # Text columns read naturally A->Z first; numbers and times newest/largest first.
        ascending_first = column in ("name", "id", "model", "status")
        return dataclasses.replace(self, sort=column, descending=not ascending_first, page=1)


def _sort_key(row: JobRow, column: str) -> tuple:
    value: Any = {
        "name": row.name.casefold(),
        "id": row.id,
        "model": row.base_model_name.casefold(),
        "epochs": (row.epochs, row.evaluation_epochs, row.warmup_epochs),
        "learning_rate": row.learning_rate,
        "created": row.created_ts,
        "status": row.status,
    }[column]
    return (value, row.id)  # the id breaks ties, so the order is stable across polls


def matches_search(row: JobRow, search: str) -> bool:
    """True when ``search`` (case-insensitive) is in the job's name or its model (id or
    display name), or starts its id (a pasted id, whole or its first characters)."""
    needle = search.strip().casefold()
    return (
        needle in row.name.casefold()
        or row.id.casefold().startswith(needle)
        or needle in row.base_model.casefold()
        or needle in row.base_model_name.casefold()
    )


def matching_rows(rows: Sequence[JobRow], view: TableView) -> list[JobRow]:
    """Rows passing the search (:func:`matches_search`) and the status filter, sorted."""
    kept = [
        row
        for row in rows
        if matches_search(row, view.search)
        and (view.status == ALL_STATUSES or row.status == view.status)
    ]
    return sorted(kept, key=lambda row: _sort_key(row, view.sort), reverse=view.descending)


def page_count(matching: int, per_page: int) -> int:
    """Pages needed for ``matching`` rows (at least 1, so page 1 always exists)."""
    return max(math.ceil(matching / per_page), 1)


def visible_page(rows: Sequence[JobRow], view: TableView) -> tuple[list[JobRow], int, int]:
    """``(rows of the current page, number of matching rows, the page actually shown)``.

    A page past the end (e.g. after deleting the last row of the last page) shows the last
    page instead.
    """
    matching = matching_rows(rows, view)
    page = min(view.page, page_count(len(matching), view.per_page))
    start = (page - 1) * view.per_page
    return matching[start : start + view.per_page], len(matching), page
