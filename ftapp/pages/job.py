"""One job (``/jobs/[job_id]``): every field, live status, delete and clone."""

from __future__ import annotations

import time

import reflex as rx

from ftapp import backend, routes
from ftapp.components.copy_button import copy_button
from ftapp.components.delete_dialog import delete_dialog
from ftapp.components.feedback import toast
from ftapp.components.layout import link_button, page_header, page_shell
from ftapp.components.live_status import stale_banner, updated_ago
from ftapp.components.relative_time import relative_time
from ftapp.components.status_badge import status_badge
from ftapp.jobs_view import JobRow, job_row
from ftapp.live import Snapshot
from ftapp.upstream import NotFound, UpstreamError

_NO_JOB = JobRow(
    id="",
    name="",
    href="",
    base_model="",
    base_model_name="",
    epochs=0,
    evaluation_epochs=0,
    warmup_epochs=0,
    learning_rate=0.0,
    learning_rate_text="",
    created_ts=0.0,
    created_text="",
    created_ago="",
    status="",
)


class JobState(rx.State):
    """The job the page shows, fetched once and then kept current by the shared feed."""

    job: JobRow = _NO_JOB
    loading: bool = True
    not_found: bool = False
    deleted_elsewhere: bool = False
    error: str = ""
    updated_at: float = 0.0
    confirm_open: bool = False
    deleting: bool = False

    @rx.var
    def requested_id(self) -> str:
        # The dynamic route segment; RouterData.page is deprecated, this is its replacement.
        return str(self.rx_router_page.params.get("job_id", ""))

    @rx.var
    def clone_href(self) -> str:
        return routes.clone_job_path(self.job.id) if self.job.id else routes.NEW_JOB

    def _apply_snapshot(self, snapshot: Snapshot, job_id: str) -> None:
        self.error = snapshot.error
        if snapshot.job_list is None:
            return
        self.updated_at = snapshot.fetched_at or 0.0
        match = next((job for job in snapshot.job_list.jobs if job.id == job_id), None)
        if match is not None:
            self.job = job_row(match, snapshot.models, time.time())
        elif self.job.id == job_id and not self.deleting:
            self.deleted_elsewhere = True

    @rx.event
    def open_page(self):
        """on_load: forget the previous job, then load this one."""
        self.job, self.loading, self.not_found = _NO_JOB, True, False
        self.deleted_elsewhere, self.error, self.confirm_open, self.deleting = (
            False,
            "",
            False,
            False,
        )
        return JobState.follow_job

    @rx.event(background=True)
    async def follow_job(self):
        """Fetch the job, then follow the shared feed for its status until the page closes."""
        async with self:
            job_id = self.requested_id
        feed = backend.feed()
        try:
            async with backend.open_client() as api:
                job = await api.get_job(job_id)
        except NotFound:
            async with self:
                self.loading, self.not_found = False, True
            return
        except UpstreamError as exc:
            async with self:
                self.loading, self.error = False, exc.message
        else:
            async with self:
                self.job = job_row(job, feed.snapshot.models, time.time())
                self.loading = False
        async for snapshot in feed.watch():
            async with self:
                if self.job.id == "" and snapshot.job_list is not None:
                    self.loading = False
                self._apply_snapshot(snapshot, job_id)

    @rx.event
    def set_confirm_open(self, is_open: bool):
        self.confirm_open = is_open

    @rx.event(background=True)
    async def confirm_delete(self):
        async with self:
            if self.deleting or not self.job.id:
                return
            job_id, name = self.job.id, self.job.name
            self.deleting, self.confirm_open = True, False
        gone, outcome = await backend.delete_job(job_id, name)
        if gone:
            yield [rx.redirect(routes.DASHBOARD), toast(outcome.level, outcome.message)]
            return
        async with self:
            self.deleting = False
        yield toast(outcome.level, outcome.message)


def _field(label: str, *value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="160px"),
        rx.data_list.value(*value),
    )


def _details() -> rx.Component:
    job = JobState.job
    return rx.card(
        rx.data_list.root(
            _field("Status", status_badge(job.status)),
            _field(
                "ID",
                rx.hstack(
                    rx.code(job.id, variant="ghost", word_break="break-all"),
                    copy_button(job.id, "Copy job id"),
                    align="center",
                    spacing="1",
                ),
            ),
            _field(
                "Base model",
                rx.vstack(
                    rx.text(job.base_model_name),
                    rx.cond(
                        job.base_model_name != job.base_model,
                        rx.code(job.base_model, variant="ghost", size="1"),
                    ),
                    spacing="0",
                ),
            ),
            _field("Epochs", job.epochs),
            _field("Evaluation epochs", job.evaluation_epochs),
            _field("Warm-up epochs", job.warmup_epochs),
            _field("Learning rate", rx.code(job.learning_rate_text, variant="ghost")),
            _field(
                "Created",
                rx.vstack(
                    rx.text(rx.cond(job.created_text != "", job.created_text, "Unknown")),
                    rx.text(
                        relative_time(job.created_ts, job.created_ago),
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="0",
                ),
            ),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            size="2",
        ),
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.hstack(
        link_button("Clone", JobState.clone_href, icon="copy-plus", variant="soft"),
        rx.button(
            rx.icon("trash-2", size=16),
            "Delete",
            color_scheme="red",
            variant="soft",
            loading=JobState.deleting,
            on_click=JobState.set_confirm_open(True),
        ),
        spacing="2",
    )


def _job_view() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("All jobs"), align="center"),
            href=routes.DASHBOARD,
            size="2",
        ),
        page_header(JobState.job.name, updated_ago(JobState.updated_at), _actions()),
        rx.cond(
            JobState.deleted_elsewhere,
            rx.callout(
                "This job has been deleted (in another tab or by someone else).",
                icon="info",
                color_scheme="gray",
                role="status",
                width="100%",
            ),
        ),
        stale_banner(JobState.error, JobState.updated_at),
        _details(),
        delete_dialog(
            JobState.confirm_open,
            JobState.job.name,
            JobState.confirm_delete,
            JobState.set_confirm_open,
        ),
        spacing="4",
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=40, color=rx.color("gray", 9)),
            rx.heading("Job not found", as_="h1", size="6"),
            rx.text(
                "No job with the id ",
                rx.code(JobState.requested_id),
                " exists in this workspace. It may have been deleted.",
                text_align="center",
            ),
            link_button("Back to the dashboard", routes.DASHBOARD),
            align="center",
            spacing="3",
            max_width="520px",
        ),
        padding_y="48px",
        width="100%",
    )


def _loading() -> rx.Component:
    return rx.vstack(
        rx.skeleton(height="36px", width="40%", loading=True),
        rx.skeleton(height="280px", width="100%", loading=True),
        width="100%",
        aria_busy="true",
        aria_label="Loading job",
    )


@rx.page(route=routes.JOB, title="Job · ftapp", on_load=JobState.open_page)
def job_page() -> rx.Component:
    """The page of one job."""
    return page_shell(
        rx.cond(
            JobState.not_found,
            _not_found(),
            rx.cond(
                JobState.job.id == "",
                rx.cond(
                    JobState.loading,
                    _loading(),
                    stale_banner(JobState.error, JobState.updated_at),
                ),
                _job_view(),
            ),
        ),
    )
