"""The job page: every field, live status, run time, estimate, timeline, notes and tags,
delete and clone; ftapp's record of a job the API no longer has; a friendly 404."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.callouts import callout, retry_button
from ftapp.components.copy_button import copy_button
from ftapp.components.delete_dialog import delete_dialog
from ftapp.components.layout import back_link, link_button, page_header
from ftapp.components.live_status import freshness, stale_banner
from ftapp.components.relative_time import relative_time
from ftapp.components.status_badge import status_badge
from ftapp.job_display import SettingRow
from ftapp.pages.job.record_view import (
    estimate_value,
    notes_card,
    run_time_value,
    timeline_card,
)
from ftapp.pages.job.state import DELETE_BUTTON_ID, JobState
from ftapp.pages.shell import app_page

CREATE_BLOCKED_ID = "job-create-blocked"
DELETE_BLOCKED_ID = "job-delete-blocked"


def _field(label: str, *value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="160px"),
        rx.data_list.value(*value),
    )


def _setting(row: SettingRow) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(row.label, min_width="160px"),
        rx.data_list.value(
            rx.vstack(
                rx.text(row.value),
                rx.cond(row.raw != "", rx.code(row.raw, variant="ghost", size="1")),
                spacing="0",
            )
        ),
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
            rx.foreach(JobState.settings, _setting),
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
            rx.cond(JobState.run_text != "", _field("Run time", run_time_value())),
            rx.cond(JobState.estimate_text != "", _field("Estimate", estimate_value())),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            size="2",
        ),
        width="100%",
    )


def _clone() -> rx.Component:
    blocked = JobState.create_blocked_reason != ""
    return rx.cond(
        blocked,
        rx.button(
            rx.icon("copy-plus", size=16),
            "Clone",
            variant="soft",
            disabled=True,
            aria_describedby=CREATE_BLOCKED_ID,
        ),
        link_button("Clone", JobState.clone_href, icon="copy-plus", variant="soft"),
    )


def _blocked_reason(reason: rx.Var[str], element_id: str) -> rx.Component:
    return rx.cond(
        reason != "",
        rx.text(
            reason,
            id=element_id,
            size="1",
            color_scheme="gray",
            max_width="280px",
            text_align="right",
        ),
    )


def _actions() -> rx.Component:
    """Clone and Delete (a recorded job: Clone only); each one that is off says why beneath
    (its accessible description)."""
    return rx.cond(
        JobState.from_record,
        rx.vstack(
            _clone(),
            _blocked_reason(JobState.create_blocked_reason, CREATE_BLOCKED_ID),
            align="end",
            spacing="1",
        ),
        _live_actions(),
    )


def _live_actions() -> rx.Component:
    delete_blocked = JobState.delete_blocked_reason != ""
    return rx.vstack(
        rx.hstack(
            _clone(),
            rx.button(
                rx.icon("trash-2", size=16),
                "Delete",
                color_scheme="red",
                variant="soft",
                loading=JobState.deleting,
                disabled=delete_blocked,
                id=DELETE_BUTTON_ID,
                aria_describedby=rx.cond(delete_blocked, DELETE_BLOCKED_ID, ""),
                on_click=JobState.set_confirm_open(True),
            ),
            spacing="2",
        ),
        _blocked_reason(JobState.create_blocked_reason, CREATE_BLOCKED_ID),
        _blocked_reason(JobState.delete_blocked_reason, DELETE_BLOCKED_ID),
        align="end",
        spacing="1",
    )


def _freshness() -> rx.Component:
    """ "Live" for a job the API still has; a recorded job does not change any more, so its
    page says where it comes from instead."""
    return rx.cond(
        JobState.from_record,
        rx.hstack(
            rx.icon("archive", size=12, aria_hidden="true"),
            rx.text("From ftapp's record", size="1"),
            color=rx.color("gray", 11),
            align="center",
            spacing="1",
        ),
        freshness(JobState.updated_at, JobState.feed_error),
    )


def _job_view() -> rx.Component:
    return rx.vstack(
        page_header(JobState.job.name, _freshness(), _actions()),
        rx.cond(
            JobState.deleted_elsewhere,
            callout(
                "info",
                "gray",
                rx.callout.text("This job has been deleted (in another tab or by someone else)."),
                role="status",
            ),
        ),
        rx.cond(
            JobState.from_record,
            callout(
                "archive",
                "gray",
                rx.callout.text(
                    JobState.gone_text,
                    ". The Job Training API no longer has this job: this is ftapp's record "
                    "of it, read-only. Clone starts a new job with its settings.",
                ),
                role="status",
            ),
            stale_banner(JobState.feed_error, JobState.updated_at, JobState.key_refused),
        ),
        _details(),
        timeline_card(),
        notes_card(),
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
    return rx.vstack(
        rx.icon("search-x", size=40, color=rx.color("gray", 9)),
        rx.heading("Job not found", as_="h1", size="6"),
        rx.text(
            "No job with the id ",
            rx.code(JobState.requested_id, word_break="break-all"),
            " exists in this workspace. It may have been deleted.",
            max_width="560px",
            overflow_wrap="anywhere",
        ),
        link_button("Back to the dashboard", _dashboard_href()),
        spacing="3",
        padding_y="24px",
        width="100%",
    )


def _could_not_load() -> rx.Component:
    return rx.vstack(
        page_header(
            "Job",
            rx.code(JobState.requested_id, variant="ghost", word_break="break-all", size="1"),
        ),
        callout(
            "wifi-off",
            "amber",
            rx.callout.text(
                "This job could not be loaded. ",
                rx.cond(JobState.lookup_error != "", JobState.lookup_error, JobState.feed_error),
            ),
            retry_button(JobState.open_page),
        ),
        spacing="4",
        width="100%",
    )


def _dashboard_href() -> rx.Var[str]:
    """The dashboard as the user last left it (search, filter, sort, page)."""
    return JobState.workspace_home + JobState.view_query


def _loading() -> rx.Component:
    return rx.vstack(
        rx.skeleton(height="36px", width="40%", loading=True),
        rx.skeleton(height="280px", width="100%", loading=True),
        width="100%",
        aria_busy="true",
        aria_label="Loading job",
    )


@rx.page(route=routes.JOB, title=JobState.page_title, on_load=JobState.open_page)
def job_page() -> rx.Component:
    """The page of one job: always a way back and a heading, whatever the API says."""
    return app_page(
        back_link("All jobs", _dashboard_href()),
        rx.cond(
            JobState.not_found,
            _not_found(),
            rx.cond(
                JobState.job.id == "",
                rx.cond(JobState.loading, _loading(), _could_not_load()),
                _job_view(),
            ),
        ),
    )
