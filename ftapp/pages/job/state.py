"""The job page's State: the job, fetched once and then kept current by the shared feed; its
record (timeline, run time, estimate, notes and tags), also once the API no longer has it."""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from ftapp import routes, services
from ftapp.auth.roles import Permission
from ftapp.history.notes import MAX_NOTES
from ftapp.history.timeline import TimelineEntry, format_duration
from ftapp.job_display import JobRow, SettingRow, job_row, job_settings
from ftapp.pages.browser_events import focus, navigate, toast
from ftapp.pages.job.record import estimate_shown, job_run_time, recorded_row, recorded_settings
from ftapp.pages.workspace_state import WorkspaceState

RECORD_RETRIES = 3
"""How often a refresh asks again while the record lags the status the page shows (the
recorder writes it just after the poll)."""

DELETE_BUTTON_ID = "job-delete"


class JobState(WorkspaceState):
    """The job the page shows."""

    job: JobRow = JobRow()
    settings: list[SettingRow] = []
    loading: bool = True
    not_found: bool = False
    deleted_elsewhere: bool = False
    lookup_error: str = ""
    """Why the job itself could not be loaded ("" once it is, or while loading)."""
    confirm_open: bool = False
    deleting: bool = False
    _loaded_at: float = 0.0
    """When the job itself was fetched: a list fetched before it cannot tell it was deleted."""
    from_record: bool = False
    """True when the API no longer has the job and the page shows ftapp's record of it."""
    gone_text: str = ""
    """ "Deleted by bob 2 days ago", "Gone from the API 3 hours ago"."""
    timeline: list[TimelineEntry] = []
    run_since: float = 0.0
    """While the job runs: its created time, so the page counts the run time up."""
    run_text: str = ""
    """ "running for 12 min" or "took 41 min" ("" when unknown)."""
    run_duration: str = ""
    """While the job runs: "12 min" (what the browser counts up from)."""
    estimate_text: str = ""
    usual_end: float = 0.0
    usual_end_text: str = ""
    notes: str = ""
    tags: list[str] = []
    notes_draft: str = ""
    tags_draft: str = ""
    notes_error: str = ""
    tags_error: str = ""
    notes_message: str = ""
    saving_notes: bool = False
    may_edit_notes: bool = False
    notes_limit: int = MAX_NOTES
    _record_status: str = ""
    """The status the shown record had: a new status on the page reads the record again."""

    @rx.var
    def requested_id(self) -> str:
        # The dynamic route segment; RouterData.page is deprecated, this is its replacement.
        return str(self.rx_router_page.params.get("job_id", ""))

    @rx.var
    def page_title(self) -> str:
        """The browser tab's title: the job's name once it is known."""
        return f"{self.job.name or 'Job'} · ftapp"

    @rx.var
    def clone_href(self) -> str:
        if not self.job.id:
            return routes.new_job_path(self.current_workspace)
        return routes.clone_job_path(self.current_workspace, self.job.id)

    @rx.var
    def notes_changed(self) -> bool:
        """True when the notes or tags typed differ from the saved ones."""
        return (self.notes_draft, self.tags_draft) != (self.notes, ", ".join(self.tags))

    def _show_job(self, job: services.Job, model_names: dict[str, str]) -> None:
        self._assign(
            job=job_row(job, model_names, time.time(), self.current_workspace),
            settings=job_settings(job, model_names),
        )

    def _show_history(self, history: services.JobHistory | None, *, drafts: bool) -> None:
        """The record's part of the page (``drafts``: put the saved notes in the editor)."""
        now = time.time()
        ran = job_run_time(self.job, history, now)
        self._assign(
            timeline=history.timeline if history else [],
            gone_text=history.gone if history else "",
            run_since=ran.since,
            run_text=ran.text,
            run_duration=format_duration(now - ran.since) if ran.since else "",
            notes=history.notes if history else "",
            tags=history.tags if history else [],
            _record_status=history.status if history else "",
        )
        if drafts:
            self._assign(notes_draft=self.notes, tags_draft=", ".join(self.tags))

    def _show_recorded(self, history: services.JobHistory) -> None:
        names = self._model_names()
        self._assign(
            from_record=True,
            job=recorded_row(history, names, time.time(), self.current_workspace),
            settings=recorded_settings(history, names),
        )

    def _apply_snapshot(self, snapshot: services.Snapshot, job_id: str):
        """The job's part of a snapshot (the workspace's part is applied by ``_follow``)."""
        if snapshot.job_list is None:
            return
        match = next((job for job in snapshot.job_list.jobs if job.id == job_id), None)
        if match is not None:
            self._show_job(match, dict(snapshot.models))
            self._assign(deleted_elsewhere=False)
            if match.status != self._record_status:
                return [JobState.refresh_record]
        elif (
            self.job.id == job_id
            and not self.deleting
            and not self.from_record
            and (snapshot.fetched_at or 0.0) > self._loaded_at
        ):
            self._assign(deleted_elsewhere=True)
            return [JobState.refresh_record]
        return None

    @rx.event
    async def open_page(self):
        """on_load: forget the previous job, show who is signed in and the workspace, then
        load this job."""
        self.job, self.settings, self.loading, self.not_found = JobRow(), [], True, False
        self.deleted_elsewhere, self.lookup_error = False, ""
        self.confirm_open = self.deleting = False
        self.from_record, self.gone_text, self.timeline = False, "", []
        self.run_since, self.run_text, self._record_status = 0.0, "", ""
        self.estimate_text, self.usual_end, self.usual_end_text = "", 0.0, ""
        self.notes, self.tags, self.notes_draft, self.tags_draft = "", [], "", ""
        self.notes_error = self.tags_error = self.notes_message = ""
        self.saving_notes = False
        announced = await self._show_current(lambda _snapshot: None)
        return [*announced, JobState.follow_job]

    @rx.event(background=True)
    async def follow_job(self):
        """Fetch the job, then follow the shared feed for its status until the page closes."""
        async with self:
            job_id = self.requested_id
        actor = await self._actor()
        found = await services.get_job(job_id, self.current_workspace)
        history = await services.job_history(job_id, actor)
        async with self:
            self.loading = False
            self.may_edit_notes = actor is not None and actor.may(Permission.EDIT_NOTES)
            if found.missing and history is not None:
                self._show_recorded(history)
            elif found.missing:
                self.not_found = True
            elif found.job is not None:
                self._show_job(found.job, dict(services.current(self.current_workspace).models))
                self._loaded_at = time.time()
            else:
                self.lookup_error = found.error
            if self.job.id:
                self._show_history(history, drafts=True)
        if self.job.id:
            await self._show_estimate()
        if found.missing:
            return
        loaded_at = self._loaded_at
        async for event in self._follow(
            lambda snapshot: self._apply_snapshot(snapshot, job_id),
            # Whether a list lacking the job was fetched after the page loaded it changes
            # what the page says (deleted elsewhere, or not in that older list yet).
            lambda snapshot: (snapshot.fetched_at or 0.0) > loaded_at,
        ):
            yield event

    async def _show_estimate(self) -> None:
        """How long similar jobs took, while the job runs (read outside the State's lock)."""
        async with self:
            running = self.job.status == "Running"
            model, epochs, created = self.job.base_model, self.job.epochs, self.job.created_ts
        found = (
            await services.estimate_for(model, epochs, self.current_workspace) if running else None
        )
        shown = estimate_shown(found, created, time.time())
        async with self:
            self._assign(
                estimate_text=shown.text,
                usual_end=shown.usual_end,
                usual_end_text=shown.usual_end_text,
            )

    @rx.event(background=True)
    async def refresh_record(self):
        """Read the record again (the job's status changed, or it went): its timeline, run
        time and estimate follow."""
        async with self:
            job_id, status = self.job.id, self.job.status
        if not job_id:
            return
        actor = await self._actor()
        history = await services.job_history(job_id, actor)
        for _ in range(RECORD_RETRIES):
            if history is not None and history.status == status:
                break
            await asyncio.sleep(1.0)
            history = await services.job_history(job_id, actor)
        async with self:
            if self.job.id == job_id:
                self._show_history(history, drafts=not self.notes_changed)
        await self._show_estimate()

    @rx.event
    def set_notes_draft(self, value: str):
        """The notes as typed (kept to the limit; checked when saved)."""
        self.notes_draft = value[:MAX_NOTES]
        self.notes_error = self.tags_error = self.notes_message = ""

    @rx.event
    def set_tags_draft(self, value: str):
        """The tags as typed (commas or spaces between them)."""
        self.tags_draft = value[:MAX_NOTES]
        self.notes_error = self.tags_error = self.notes_message = ""

    @rx.event(background=True)
    async def save_notes(self):
        """Save the notes and tags typed (for operators; the services check the role)."""
        async with self:
            if self.saving_notes or not self.job.id:
                return
            self.saving_notes = True
            job_id, typed_notes, typed_tags = self.job.id, self.notes_draft, self.tags_draft
        outcome = await services.save_notes(job_id, typed_notes, typed_tags, await self._actor())
        async with self:
            self.saving_notes = False
            self.notes_error = outcome.errors.get("notes", "")
            self.tags_error = outcome.errors.get("tags", "")
            self.notes_message = outcome.message if not outcome.errors else ""
            if outcome.saved:
                self.notes, self.tags = outcome.notes, outcome.tags
                self.notes_draft, self.tags_draft = outcome.notes, ", ".join(outcome.tags)
        if outcome.saved:
            yield JobState.refresh_record
        elif not outcome.errors:
            yield toast(services.Level.ERROR, outcome.message)

    @rx.event
    def set_confirm_open(self, is_open: bool):
        """Open or close the delete dialog; closed without deleting, the focus goes back to
        the Delete button."""
        was_open, self.confirm_open = self.confirm_open, is_open
        if was_open and not is_open and not self.deleting:
            return focus(DELETE_BUTTON_ID)
        return None

    @rx.event(background=True)
    async def confirm_delete(self):
        """Delete the job the page shows."""
        async with self:
            if self.deleting or not self.job.id:
                return
            job_id = self.job.id
            self.deleting, self.confirm_open = True, False
        outcome = await services.delete_job(job_id, await self._actor())
        if outcome.gone:
            yield [navigate(self.workspace_home), toast(outcome.level, outcome.message)]
            return
        async with self:
            self.deleting = False
        yield toast(outcome.level, outcome.message)
