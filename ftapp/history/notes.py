"""A job's notes and tags: the rules for them, and saving them into its record.

Notes are free text of at most :data:`MAX_NOTES` characters (the event gate's bound on any
text a browser sends, so nothing typed is refused unseen). Tags are at most :data:`MAX_TAGS`
words of 1 to :data:`MAX_TAG` characters, letters, digits, ``-`` and ``_``, written
lower-case, typed separated by commas or spaces and stored comma-separated. Both are shown as
text, never as markup.

A record may not exist yet (the job was just created and the recorder has not run): saving
first inserts it from the job, ignoring a row that is already there (the unique
``(workspace, job_id)``), then updates its notes and tags. Blocking: run the database work
with :func:`ftapp.database.in_thread`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql, sqlite

from ftapp import database
from ftapp.models import JobRecord

MAX_NOTES = 1000
"""The longest notes (the event gate's ``MAX_TEXT``: a browser cannot send more)."""
MAX_TAGS = 10
MAX_TAG = 32
TAG = re.compile(r"[a-z0-9_-]+")
_SEPARATORS = re.compile(r"[,\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class NotesChange:
    """Checked notes and tags, ready to store; or the messages saying what is wrong."""

    notes: str = ""
    tags: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)
    """Per field (``notes``, ``tags``): what is wrong; empty when the change may be saved."""

    @property
    def stored_tags(self) -> str:
        """The tags as the record keeps them: comma-separated."""
        return ",".join(self.tags)


def clean_notes(text: str) -> str:
    """``text`` with Windows line ends made plain, control characters (but tabs and line
    breaks) removed and surrounding blank space trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_tags(text: str) -> tuple[tuple[str, ...], str]:
    """The tags typed in ``text`` (commas or spaces between them), lower-case, each once, in
    order; and what is wrong with them ("" when nothing)."""
    tags: list[str] = []
    for word in _SEPARATORS.split(text.strip().lower()):
        if word and word not in tags:
            tags.append(word)
    for tag in tags:
        if len(tag) > MAX_TAG:
            return (), f"Tag “{tag[:MAX_TAG]}…” is longer than {MAX_TAG} characters."
        if not TAG.fullmatch(tag):
            return (), f"Tag “{tag}” may contain only letters, digits, “-” and “_”."
    if len(tags) > MAX_TAGS:
        return (), f"At most {MAX_TAGS} tags (there are {len(tags)})."
    return tuple(tags), ""


def check(notes: str, tags: str) -> NotesChange:
    """``notes`` and ``tags`` as typed, checked (see the module's rules)."""
    cleaned = clean_notes(notes)
    parsed, tags_error = parse_tags(tags)
    errors = {}
    if len(cleaned) > MAX_NOTES:
        errors["notes"] = f"Notes may be at most {MAX_NOTES:,} characters ({len(cleaned):,} now)."
    if tags_error:
        errors["tags"] = tags_error
    return NotesChange(cleaned, parsed, errors)


def split_tags(stored: str) -> list[str]:
    """A record's tags as a list."""
    return [tag for tag in stored.split(",") if tag]


def change_summary(before_notes: str, before_tags: str, change: NotesChange) -> str:
    """What a change changed, for the activity log: "notes", "tags: a, b" or both; ""."""
    parts = []
    if change.notes != before_notes:
        parts.append("notes")
    if change.stored_tags != before_tags:
        parts.append(f"tags: {', '.join(change.tags) or 'none'}")
    return "; ".join(parts)


@dataclass(frozen=True)
class RecordSeed:
    """What a new record is made of when a note is saved before the recorder saw the job."""

    name: str
    base_model: str
    settings: str
    status: str
    created_at: int | None


@dataclass(frozen=True)
class Saved:
    """The record's name, and its notes and tags before and after a save."""

    name: str
    before_notes: str
    before_tags: str
    notes: str
    tags: str


def _insert_ignoring(session: sqlmodel.Session, values: Mapping[str, object]) -> None:
    """Insert a record unless one for the same (workspace, job_id) is there."""
    dialect = session.get_bind().dialect.name
    table = JobRecord.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        statement = postgresql.insert(table).values(**values)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values)
    else:  # pragma: no cover - ftapp runs on SQLite and PostgreSQL
        raise RuntimeError(f"no insert-or-ignore for {dialect}")
    session.execute(statement.on_conflict_do_nothing(index_elements=["workspace", "job_id"]))


def save(
    workspace: str, job_id: str, seed: RecordSeed | None, change: NotesChange, now: int
) -> Saved | None:
    """Store ``change`` in the record of ``job_id`` (made from ``seed`` if missing); None when
    there is no record and no seed."""
    with database.session() as session:
        if seed is not None:
            _insert_ignoring(
                session,
                {
                    "workspace": workspace,
                    "job_id": job_id,
                    "name": seed.name,
                    "base_model": seed.base_model,
                    "settings": seed.settings,
                    "status": seed.status,
                    "created_at": seed.created_at,
                    "first_seen_at": now,
                    "created_by": "",
                    "deleted_by": "",
                    "notes": "",
                    "tags": "",
                    "updated_at": now,
                },
            )
        record = session.exec(
            sqlmodel.select(JobRecord)
            .where(JobRecord.workspace == workspace, JobRecord.job_id == job_id)
            .with_for_update()
        ).first()
        if record is None:
            session.rollback()
            return None
        before = Saved(record.name, record.notes, record.tags, change.notes, change.stored_tags)
        session.execute(
            sa.update(JobRecord)
            .where(sqlmodel.col(JobRecord.id) == record.id)
            .values(notes=change.notes, tags=change.stored_tags, updated_at=now)
        )
        session.commit()
    return before
