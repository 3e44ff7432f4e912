"""The job page's State: the job, fetched once and then kept current by the shared feed."""

from __future__ import annotations

import time

import reflex as rx

from ftapp import auth, routes, services
from ftapp.job_display import JobRow, SettingRow, job_row, job_settings
from ftapp.pages.browser_events import focus, navigate, toast
from ftapp.pages.workspace_state import WorkspaceState

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
        return routes.clone_job_path(self.job.id) if self.job.id else routes.NEW_JOB

    def _show_job(self, job: services.Job, model_names: dict[str, str]) -> None:
        self._assign(
            job=job_row(job, model_names, time.time()), settings=job_settings(job, model_names)
        )

    def _apply_snapshot(self, snapshot: services.Snapshot, job_id: str) -> None:
        """The job's part of a snapshot (the workspace's part is applied by ``_follow``)."""
        if snapshot.job_list is None:
            return
        match = next((job for job in snapshot.job_list.jobs if job.id == job_id), None)
        if match is not None:
            self._show_job(match, dict(snapshot.models))
            self._assign(deleted_elsewhere=False)
        elif (
            self.job.id == job_id
            and not self.deleting
            and (snapshot.fetched_at or 0.0) > self._loaded_at
        ):
            self._assign(deleted_elsewhere=True)

    @rx.event
    async def open_page(self):
        """on_load: forget the previous job, show who is signed in and the workspace, then
        load this job."""
        self.job, self.settings, self.loading, self.not_found = JobRow(), [], True, False
        self.deleted_elsewhere, self.lookup_error = False, ""
        self.confirm_open = self.deleting = False
        announced = await self._show_current(lambda _snapshot: None)
        return [*announced, JobState.follow_job]

    @rx.event(background=True)
    async def follow_job(self):
        """Fetch the job, then follow the shared feed for its status until the page closes."""
        async with self:
            job_id = self.requested_id
        found = await services.get_job(job_id)
        async with self:
            self.loading = False
            if found.missing:
                self.not_found = True
            elif found.job is not None:
                self._show_job(found.job, dict(services.current().models))
                self._loaded_at = time.time()
            else:
                self.lookup_error = found.error
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
        outcome = await services.delete_job(job_id, await auth.current_user(self))
        if outcome.gone:
            yield [navigate(routes.DASHBOARD), toast(outcome.level, outcome.message)]
            return
        async with self:
            self.deleting = False
        yield toast(outcome.level, outcome.message)
