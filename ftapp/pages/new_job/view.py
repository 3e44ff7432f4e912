"""The wizard's page: step list, notices, the current step's fields or the review, and the
Back / Next / Submit actions."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.callouts import callout, delete_jobs_link, retry_button
from ftapp.components.leave_guard import leave_guard
from ftapp.components.wizard import step_indicator
from ftapp.job_display import SettingRow
from ftapp.pages.new_job.fields import field_control
from ftapp.pages.new_job.form import FIRST_STEP, LAST_STEP, STEP_FIELDS, STEP_TITLES, STEPS
from ftapp.pages.new_job.state import STEP_HEADING_ID, NewJobState
from ftapp.pages.shell import app_page
from ftapp.services import NextAction

LEAVE_MESSAGE = (
    "Leave this page? The job has not been created yet. "
    "Your draft stays saved in this browser for when you come back."
)


def _setup_step() -> rx.Component:
    return rx.vstack(
        *[field_control(name) for name in STEP_FIELDS["setup"]],
        spacing="5",
        width="100%",
        max_width="560px",
    )


def _configure_step() -> rx.Component:
    return rx.grid(
        *[field_control(name) for name in STEP_FIELDS["configure"]],
        columns=rx.breakpoints(initial="1", sm="2"),
        gap="24px",
        width="100%",
    )


def _review_section(title: str, step: str, rows: rx.Var[list[SettingRow]]) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.heading(title, as_="h3", size="3"),
            rx.link(
                rx.icon("pencil", size=14, aria_hidden="true"),
                "Edit",
                href=NewJobState.workspace_home + routes.new_job_step_tail(step, then_review=True),
                aria_label=f"Edit {title}",
                # Locked while the job is being created: what was sent is what stays.
                aria_disabled=rx.cond(NewJobState.submitting, "true", "false"),
                tab_index=rx.cond(NewJobState.submitting, -1, 0),
                pointer_events=rx.cond(NewJobState.submitting, "none", "auto"),
                opacity=rx.cond(NewJobState.submitting, "0.5", "1"),
                display="inline-flex",
                align_items="center",
                gap="4px",
            ),
            justify="between",
            align="center",
            margin_bottom="8px",
        ),
        rx.data_list.root(
            rx.foreach(
                rows,
                lambda row: rx.data_list.item(
                    rx.data_list.label(
                        row.label, min_width=rx.breakpoints(initial="0", sm="150px")
                    ),
                    rx.data_list.value(row.value, overflow_wrap="anywhere"),
                    align=rx.breakpoints(initial="start", sm="center"),
                ),
            ),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            size="2",
        ),
        width="100%",
    )


def _review_step() -> rx.Component:
    return rx.vstack(
        _review_section("Set up", "setup", NewJobState.review_setup),
        rx.separator(size="4"),
        _review_section("Configure", "configure", NewJobState.review_configure),
        rx.cond(
            NewJobState.review_estimate != "",
            callout(
                "timer",
                "gray",
                rx.callout.text(rx.text.strong("How long: "), NewJobState.review_estimate),
                role="status",
            ),
        ),
        spacing="5",
        width="100%",
    )


def _form_error() -> rx.Component:
    return callout(
        "circle-x",
        "red",
        rx.callout.text(NewJobState.form_error),
        rx.match(
            NewJobState.form_error_action,
            (
                NextAction.RETRY.value,
                retry_button(NewJobState.submit, disabled=NewJobState.submitting),
            ),
            (NextAction.DASHBOARD.value, delete_jobs_link(NewJobState.workspace_home)),
            rx.fragment(),
        ),
    )


def _checking_notice() -> rx.Component:
    """Why the form is locked after a submit whose answer was lost (not an error: ftapp is
    finding out)."""
    return callout("hourglass", "blue", rx.callout.text(NewJobState.form_error), role="status")


def _blocked_banner() -> rx.Component:
    return callout(
        "ban",
        "amber",
        rx.callout.text(
            NewJobState.create_blocked_reason,
            " You can still prepare the job; Submit stays off until this changes.",
        ),
        rx.cond(NewJobState.workspace_full, delete_jobs_link(NewJobState.workspace_home)),
    )


def _notice() -> rx.Component:
    return callout(
        "info",
        None,
        rx.callout.text(NewJobState.notice),
        rx.flex(
            rx.cond(
                NewJobState.can_restore,
                rx.button(
                    "Restore previous draft",
                    type="button",
                    variant="soft",
                    size="1",
                    on_click=NewJobState.restore_previous,
                ),
            ),
            rx.cond(
                NewJobState.notice_link != "", rx.link("Try again", href=NewJobState.notice_link)
            ),
            gap="12px",
        ),
        rx.icon_button(
            rx.icon("x", size=14, aria_hidden="true"),
            type="button",
            variant="ghost",
            size="1",
            aria_label="Dismiss",
            on_click=NewJobState.dismiss_notice,
            position="absolute",
            top="10px",
            right="10px",
        ),
        role="status",
        position="relative",
        padding_right="40px",
    )


def _submit_button() -> rx.Component:
    return rx.button(
        rx.cond(NewJobState.submitting, rx.spinner(size="2"), rx.icon("send", size=16)),
        "Submit",
        type="submit",
        size="3",
        disabled=NewJobState.submitting | (NewJobState.create_blocked_reason != ""),
    )


def _actions() -> rx.Component:
    return rx.flex(
        rx.cond(
            NewJobState.step != FIRST_STEP,
            rx.button(
                rx.icon("arrow-left", size=16, aria_hidden="true"),
                "Back",
                type="button",
                variant="soft",
                size="3",
                disabled=NewJobState.submitting,
                on_click=NewJobState.go_back,
            ),
            rx.box(),
        ),
        rx.cond(
            NewJobState.step == LAST_STEP,
            _submit_button(),
            rx.button(
                rx.cond(NewJobState.returning_to_review, "Back to review", "Next"),
                rx.icon("arrow-right", size=16, aria_hidden="true"),
                type="submit",
                size="3",
            ),
        ),
        justify="between",
        align="center",
        width="100%",
        gap="12px",
    )


def _wizard_form() -> rx.Component:
    return rx.card(
        rx.el.form(
            rx.vstack(
                rx.heading(
                    NewJobState.step_title,
                    as_="h2",
                    size="5",
                    id=STEP_HEADING_ID,
                    tab_index=-1,
                    outline="none",
                ),
                # A refusal the workspace banner already states is not said twice.
                rx.cond(
                    NewJobState.checking_create,
                    _checking_notice(),
                    rx.cond(
                        (NewJobState.form_error != "")
                        & (NewJobState.form_error != NewJobState.create_blocked_reason),
                        _form_error(),
                    ),
                ),
                rx.match(
                    NewJobState.step,
                    ("configure", _configure_step()),
                    (LAST_STEP, _review_step()),
                    _setup_step(),
                ),
                rx.cond(
                    NewJobState.submitting,
                    rx.text(
                        rx.cond(
                            NewJobState.checking_create,
                            "Checking whether the job was created…",
                            "Creating the job…",
                        ),
                        role="status",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                _actions(),
                spacing="5",
                width="100%",
            ),
            on_submit=NewJobState.go_next,
            no_validate=True,
            aria_labelledby=STEP_HEADING_ID,
        ),
        size=rx.breakpoints(initial="2", sm="4"),
        width="100%",
    )


@rx.page(route=routes.NEW_JOB, title="New job · ftapp", on_load=NewJobState.open_step)
def new_job() -> rx.Component:
    """The create-job wizard."""
    return app_page(
        rx.vstack(
            rx.flex(
                rx.heading("New job", size=rx.breakpoints(initial="6", sm="7"), as_="h1"),
                rx.button(
                    rx.icon("rotate-ccw", size=16, aria_hidden="true"),
                    "Start over",
                    type="button",
                    variant="ghost",
                    color_scheme="gray",
                    disabled=NewJobState.submitting,
                    on_click=NewJobState.start_over,
                ),
                justify="between",
                align="center",
                gap="12px",
                width="100%",
            ),
            step_indicator(
                [STEP_TITLES[step] for step in STEPS],
                NewJobState.step_number,
                label="Steps",
            ),
            rx.cond(NewJobState.create_blocked_reason != "", _blocked_banner()),
            rx.cond(NewJobState.notice != "", _notice()),
            _wizard_form(),
            leave_guard(NewJobState.has_draft & ~NewJobState.submitting, LEAVE_MESSAGE),
            spacing="5",
            width="100%",
            max_width="880px",
        ),
    )
