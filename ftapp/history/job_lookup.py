"""One job's record as its page reads it: the record, its observed statuses and its note
edits (from the activity log, which names jobs by id only: ids are the API's uuids), for one
workspace only. Blocking: run it with
:func:`ftapp.database.in_thread`."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlmodel

from ftapp import database
from ftapp.history.timeline import NoteEdit
from ftapp.models import Activity, JobRecord, JobTransition

NOTES_ACTION = "notes"
"""The activity log's action for a note or tag edit."""
MAX_NOTE_EDITS = 50
"""The most recent note edits a timeline shows."""


@dataclass(frozen=True)
class JobFile:
    """A job's record with its observed statuses (oldest first) and note edits."""

    record: JobRecord
    transitions: list[JobTransition] = field(default_factory=list)
    note_edits: list[NoteEdit] = field(default_factory=list)


def job_file(workspace: str, job_id: str) -> JobFile | None:
    """The record of ``job_id`` in ``workspace`` (never another workspace's), or None."""
    with database.session() as session:
        record = session.exec(
            sqlmodel.select(JobRecord).where(
                JobRecord.workspace == workspace, JobRecord.job_id == job_id
            )
        ).first()
        if record is None:
            return None
        transitions = session.exec(
            sqlmodel.select(JobTransition)
            .where(JobTransition.workspace == workspace, JobTransition.job_id == job_id)
            .order_by(sqlmodel.col(JobTransition.observed_at), sqlmodel.col(JobTransition.id))
        ).all()
        edits = session.exec(
            sqlmodel.select(Activity.at, Activity.username, Activity.detail)
            .where(
                Activity.job_id == job_id,
                Activity.action == NOTES_ACTION,
                Activity.outcome == "done",
            )
            .order_by(sa.desc(Activity.at), sa.desc(Activity.id))
            .limit(MAX_NOTE_EDITS)
        ).all()
    return JobFile(
        record,
        list(transitions),
        [NoteEdit(at, username, detail) for at, username, detail in reversed(edits)],
    )
