"""What part of the history a person looks at: search, filters, sort and page, read from and
written to the URL. Pure: the page's State, the export route and the query all take a
:class:`HistoryView`, so every rule here is tested without Reflex or a database.

Every parameter falls back to its default when it is missing, malformed or too large, so a
hand-edited or truncated address always shows a page.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from ftapp import routes
from ftapp.guard.text import safe_text

ALL = "all"
"""No filter on a status, model or creator."""
DELETED = "deleted"
"""The status filter for jobs gone from the API (deleted through ftapp or elsewhere)."""
STATUS_FILTERS: dict[str, str] = {
    ALL: "All statuses",
    "Running": "Running",
    "Completed": "Completed",
    "Failed": "Failed",
    DELETED: "Deleted",
}
OUTSIDE_FTAPP = "-outside"
"""The creator filter for jobs created outside ftapp (no username starts with a dash)."""
OUTSIDE_FTAPP_LABEL = "outside ftapp"
SORT_COLUMNS: dict[str, str] = {
    "name": "Name",
    "id": "ID",
    "model": "Base model",
    "created": "Created",
    "creator": "Created by",
    "duration": "Duration",
    "status": "Status",
}
ASCENDING_FIRST = frozenset({"name", "id", "model", "creator", "status"})
"""Text columns read A->Z first; times and durations newest/longest first."""
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_SORT = "created"
DEFAULT_PAGE_SIZE = 25
MAX_SEARCH = 100
MAX_CHOICE = 255
"""The longest model id or username a filter may name (the columns' own limit)."""
MAX_PAGE = 1_000_000
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
EXPORT_FORMATS = ("csv", "json")
_DAY_SECONDS = 24 * 3600


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value)


def parse_day(text: str) -> str:
    """``text`` when it is a real calendar day written ``YYYY-MM-DD``, else ""."""
    text = text.strip()
    if not _DAY.fullmatch(text):
        return ""
    try:
        date.fromisoformat(text)
    except ValueError:
        return ""
    return text


def clean_choice(text: str) -> str:
    """A model or creator filter's value: "" (every one) for "all", or a bad or huge value."""
    text = text.strip()
    if text == ALL or len(text) > MAX_CHOICE or not text.isprintable():
        return ""
    return safe_text(text)


@dataclasses.dataclass(frozen=True)
class HistoryView:
    """Search, filters, sort and page of the history; round-trips through the URL."""

    search: str = ""
    status: str = ALL
    model: str = ""
    """A base model id, or "" for every model."""
    creator: str = ""
    """A username, :data:`OUTSIDE_FTAPP`, or "" for everyone."""
    date_from: str = ""
    """First day (``YYYY-MM-DD``, UTC) of the created (or first seen) time, or ""."""
    date_to: str = ""
    """Last day, included."""
    sort: str = DEFAULT_SORT
    descending: bool = True
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> HistoryView:
        """Read a view from URL query parameters; anything bad falls back to its default."""
        status = _text(params, "status")
        sort = _text(params, "sort")
        page_text, per_text = _text(params, "page"), _text(params, "per")
        page = int(page_text) if page_text.isdigit() and len(page_text) <= 7 else 1
        per_page = int(per_text) if per_text.isdigit() and len(per_text) <= 3 else 0
        date_from, date_to = parse_day(_text(params, "from")), parse_day(_text(params, "to"))
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from  # the range the person meant
        return cls(
            search=clean_search(_text(params, "q")),
            status=status if status in STATUS_FILTERS else ALL,
            model=clean_choice(_text(params, "model")),
            creator=clean_choice(_text(params, "by")),
            date_from=date_from,
            date_to=date_to,
            sort=sort if sort in SORT_COLUMNS else DEFAULT_SORT,
            descending=_text(params, "dir") != "asc" if sort in SORT_COLUMNS else True,
            page=min(max(page, 1), MAX_PAGE),
            per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        )

    def params(self, *, paged: bool = True) -> dict[str, str]:
        """The URL parameters that differ from the default view (without page and page size
        unless ``paged``)."""
        defaults = HistoryView()
        params: dict[str, str] = {}
        if self.search:
            params["q"] = self.search
        if self.status != ALL:
            params["status"] = self.status
        if self.model:
            params["model"] = self.model
        if self.creator:
            params["by"] = self.creator
        if self.date_from:
            params["from"] = self.date_from
        if self.date_to:
            params["to"] = self.date_to
        if (self.sort, self.descending) != (defaults.sort, defaults.descending):
            params["sort"] = self.sort
            params["dir"] = "desc" if self.descending else "asc"
        if paged and self.page != 1:
            params["page"] = str(self.page)
        if paged and self.per_page != defaults.per_page:
            params["per"] = str(self.per_page)
        return params

    def to_query(self) -> str:
        """The URL query for this view ("" for the default view), e.g. ``?q=llama&page=2``."""
        params = self.params()
        return f"?{urlencode(params)}" if params else ""

    def path(self, slug: str) -> str:
        """The history page of workspace ``slug`` showing this view."""
        return routes.history_path(slug) + self.to_query()

    def export_path(self, slug: str, export_format: str) -> str:
        """The download of every row of this view (all pages), as ``csv`` or ``json``."""
        params = self.params(paged=False)
        query = f"?{urlencode(params)}" if params else ""
        return routes.in_workspace(slug, f"{routes.HISTORY_EXPORT}.{export_format}{query}")

    @property
    def filtered(self) -> bool:
        """True when a search or a filter narrows the history."""
        return self != dataclasses.replace(
            self.cleared(), sort=self.sort, descending=self.descending, per_page=self.per_page
        )

    def cleared(self) -> HistoryView:
        """The same sort and page size, without search or filters, on page 1."""
        return HistoryView(sort=self.sort, descending=self.descending, per_page=self.per_page)

    def changed(self, **changes: Any) -> HistoryView:
        """This view with ``changes``, back on page 1 (a new filter starts from the top)."""
        return dataclasses.replace(self, **{"page": 1, **changes})

    def toggled_sort(self, column: str) -> HistoryView:
        """Sort by ``column``; the current column flips its direction."""
        if column == self.sort:
            return self.changed(descending=not self.descending)
        return self.changed(sort=column, descending=column not in ASCENDING_FIRST)

    def created_range(self) -> tuple[int | None, int | None]:
        """``(from, until)`` in epoch seconds (UTC), ``until`` excluded; None where open."""
        start = _midnight(self.date_from) if self.date_from else None
        end = _midnight(self.date_to) + _DAY_SECONDS if self.date_to else None
        return start, end


def _midnight(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def clean_search(text: str) -> str:
    """Search text as the history takes it: trimmed, printable, at most :data:`MAX_SEARCH`,
    and never Var markup (dropping the unprintable would mend a tag the event gate broke)."""
    printable = "".join(char for char in text if char.isprintable())
    return safe_text(printable.strip()[:MAX_SEARCH].rstrip())


def page_count(matching: int, per_page: int) -> int:
    """Pages needed for ``matching`` rows (at least 1, so page 1 always exists)."""
    return max(-(-matching // per_page), 1)
