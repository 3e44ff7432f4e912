"""The dashboard (``/``): the workspace's jobs and their statuses."""

from __future__ import annotations

import dataclasses

import reflex as rx

from ftapp import backend, routes
from ftapp.components.layout import VISUALLY_HIDDEN, page_shell
from ftapp.components.status_badge import status_badge
from ftapp.upstream import Job, UpstreamError


@dataclasses.dataclass
class JobRow:
    """What one table row shows of a job."""

    id: str
    name: str
    status: str
    href: str

    @classmethod
    def from_job(cls, job: Job) -> JobRow:
        return cls(id=job.id, name=job.name, status=job.status, href=routes.job_path(job.id))


class DashboardState(rx.State):
    """The dashboard's jobs, loaded from the upstream API on the server."""

    jobs: list[JobRow] = []
    loading: bool = True
    error: str = ""

    @rx.event
    async def load_jobs(self):
        """Fetch the workspace's jobs; on failure keep what was shown and say why."""
        self.loading = True
        yield
        try:
            async with backend.open_client() as api:
                job_list = await api.list_jobs()
        except UpstreamError as exc:
            self.error = exc.message
        else:
            self.jobs = [JobRow.from_job(job) for job in job_list.jobs]
            self.error = ""
        finally:
            self.loading = False


def _error_callout() -> rx.Component:
    return rx.callout(
        DashboardState.error,
        icon="triangle-alert",
        color_scheme="red",
        role="alert",
        width="100%",
    )


def _job_row(row: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.name, href=row.href)),
        rx.table.cell(status_badge(row.status)),
    )


def _jobs_table() -> rx.Component:
    return rx.table.root(
        rx.el.caption("Jobs", style=VISUALLY_HIDDEN),
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Name"),
                rx.table.column_header_cell("Status"),
            )
        ),
        rx.table.body(rx.foreach(DashboardState.jobs, _job_row)),
        variant="surface",
        width="100%",
    )


def _loading() -> rx.Component:
    return rx.vstack(
        *[rx.skeleton(height="36px", width="100%", loading=True) for _ in range(4)],
        width="100%",
        aria_busy="true",
        aria_label="Loading jobs",
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("inbox", size=32),
            rx.text("No fine-tuning jobs yet."),
            rx.link(rx.button("New job"), href=routes.NEW_JOB),
            align="center",
        ),
        padding="8",
        width="100%",
    )


@rx.page(route=routes.DASHBOARD, title="Dashboard · ftapp", on_load=DashboardState.load_jobs)
def dashboard() -> rx.Component:
    """The dashboard page."""
    return page_shell(
        rx.flex(
            rx.heading("Fine-tuning jobs", size=rx.breakpoints(initial="6", sm="7"), as_="h1"),
            rx.link(
                rx.button(rx.icon("plus", size=16), "New job", white_space="nowrap"),
                href=routes.NEW_JOB,
                flex_shrink="0",
            ),
            justify="between",
            align="center",
            gap="12px",
            width="100%",
        ),
        rx.cond(DashboardState.error != "", _error_callout()),
        rx.cond(
            DashboardState.loading & (DashboardState.jobs.length() == 0),
            _loading(),
            rx.cond(
                DashboardState.jobs.length() == 0,
                rx.cond(DashboardState.error == "", _empty()),
                _jobs_table(),
            ),
        ),
    )
