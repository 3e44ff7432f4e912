"""The history as a download: CSV (a header row, then one row per job) or a JSON array,
written piece by piece from batches of records, so a download of any size streams in small
memory. Pure: the export route and the ``ftapp history export`` command feed it batches.

CSV cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a leading ``'``, as OWASP advises for CSV injection.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from ftapp.history.rows import EXPORT_COLUMNS, export_record
from ftapp.models import JobRecord

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: None is empty, and text a spreadsheet would run as a formula
    starts with ``'`` (numbers are left alone)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(batches: Iterable[Sequence[JobRecord]]) -> Iterator[str]:
    """The CSV text: the header row of :data:`EXPORT_COLUMNS`, then one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        for record in batch:
            values = export_record(record)
            writer.writerow([safe_cell(values[column]) for column in EXPORT_COLUMNS])
        yield buffer.getvalue()


def json_chunks(batches: Iterable[Sequence[JobRecord]]) -> Iterator[str]:
    """A JSON array of objects (every column of :data:`EXPORT_COLUMNS` but the flattened
    settings, which come whole as ``settings``), one chunk per batch."""
    yield "["
    first = True
    for batch in batches:
        parts = []
        for record in batch:
            values = export_record(record)
            item = {key: value for key, value in values.items() if "." not in key}
            parts.append(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False))
            first = False
        yield "".join(parts)
    yield "\n]\n"


def chunks(export_format: str, batches: Iterable[Sequence[JobRecord]]) -> Iterator[str]:
    """The export in ``export_format`` (``csv`` or ``json``)."""
    if export_format == "csv":
        return csv_chunks(batches)
    if export_format == "json":
        return json_chunks(batches)
    raise ValueError(f"unknown export format {export_format!r}")


def filename(export_format: str, now: float) -> str:
    """The download's name, with the day: ``ftapp-history-2026-12-07.csv``."""
    day = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d")
    return f"ftapp-history-{day}.{export_format}"
