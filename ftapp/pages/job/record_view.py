"""The job page's parts that come from ftapp's record: run time and estimate rows, the
timeline, notes and tags (always shown as text, never as markup)."""

from __future__ import annotations

import reflex as rx

from ftapp.components.form_field import control_attrs, form_field
from ftapp.components.relative_time import finishing_at, relative_time, running_for
from ftapp.history.notes import MAX_NOTES, MAX_TAG, MAX_TAGS
from ftapp.history.timeline import TimelineEntry
from ftapp.pages.job.state import JobState

NOTES_ID = "job-notes"
TAGS_ID = "job-tags"
NOTES_HINT = f"Up to {MAX_NOTES:,} characters, shown as plain text."
TAGS_HINT = (
    f"Up to {MAX_TAGS} tags of 1 to {MAX_TAG} letters, digits, “-” or “_”, separated by "
    "commas or spaces."
)
_ICONS = {
    "created": "circle-plus",
    "seen": "eye",
    "notes": "notebook-pen",
    "deleted": "trash-2",
    "gone": "circle-slash",
}


def run_time_value() -> rx.Component:
    """ "running for 12 min" (counting up in the browser) or "took 41 min"."""
    return rx.cond(
        JobState.run_since > 0,
        rx.text("running for ", running_for(JobState.run_since, JobState.run_duration)),
        rx.text(JobState.run_text),
    )


def estimate_value() -> rx.Component:
    """What similar jobs took, and when this one usually finishes."""
    return rx.vstack(
        rx.text(JobState.estimate_text),
        rx.cond(
            JobState.usual_end > 0,
            rx.text(
                finishing_at(JobState.usual_end, JobState.usual_end_text),
                size="1",
                color_scheme="gray",
            ),
        ),
        spacing="0",
    )


def _entry(entry: TimelineEntry) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.box(
                rx.match(
                    entry.kind,
                    *[(kind, rx.icon(icon, size=16)) for kind, icon in _ICONS.items()],
                    rx.icon("activity", size=16),
                ),
                color=rx.color("gray", 10),
                padding_top="2px",
                aria_hidden="true",
            ),
            rx.vstack(
                rx.text(entry.title, weight="medium", overflow_wrap="anywhere"),
                rx.cond(entry.detail != "", rx.text(entry.detail, size="1", color_scheme="gray")),
                rx.text(
                    entry.at_text,
                    " · ",
                    relative_time(entry.at, entry.ago),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="0",
                min_width="0",
            ),
            align="start",
            spacing="3",
        ),
        list_style="none",
    )


def timeline_card() -> rx.Component:
    """Every observed event of the job, oldest first."""
    return rx.card(
        rx.heading("Timeline", as_="h2", size="4", margin_bottom="12px"),
        rx.cond(
            JobState.timeline.length() > 0,
            rx.el.ol(
                rx.foreach(JobState.timeline, _entry),
                aria_label="Timeline",
                display="flex",
                flex_direction="column",
                gap="12px",
                margin="0",
                padding="0",
            ),
            rx.text(
                "ftapp has not recorded this job yet: its timeline starts at the next update.",
                size="2",
                color_scheme="gray",
            ),
        ),
        width="100%",
    )


def _tags() -> rx.Component:
    return rx.cond(
        JobState.tags.length() > 0,
        rx.el.ul(
            rx.foreach(
                JobState.tags,
                lambda tag: rx.el.li(rx.badge(tag, variant="soft", radius="full")),
            ),
            aria_label="Saved tags",
            display="flex",
            flex_wrap="wrap",
            gap="6px",
            list_style="none",
            margin="0",
            padding="0",
        ),
    )


def _read_only() -> rx.Component:
    return rx.vstack(
        rx.cond(
            JobState.notes != "",
            rx.text(JobState.notes, white_space="pre-wrap", overflow_wrap="anywhere"),
            rx.text("No notes.", color_scheme="gray", size="2"),
        ),
        _tags(),
        rx.text("Viewers may not edit notes or tags.", size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
    )


def _editor() -> rx.Component:
    return rx.el.form(
        rx.vstack(
            form_field(
                "Notes",
                NOTES_ID,
                rx.text_area(
                    id=NOTES_ID,
                    value=JobState.notes_draft,
                    on_change=JobState.set_notes_draft,
                    max_length=JobState.notes_limit,
                    rows="4",
                    width="100%",
                    resize="vertical",
                    custom_attrs=control_attrs(NOTES_ID, JobState.notes_error),
                ),
                NOTES_HINT,
                JobState.notes_error,
            ),
            form_field(
                "Tags",
                TAGS_ID,
                rx.input(
                    id=TAGS_ID,
                    value=JobState.tags_draft,
                    on_change=JobState.set_tags_draft,
                    max_length=JobState.notes_limit,
                    placeholder="e.g. baseline, lr-sweep",
                    width="100%",
                    custom_attrs=control_attrs(TAGS_ID, JobState.tags_error),
                ),
                TAGS_HINT,
                JobState.tags_error,
            ),
            _tags(),
            rx.hstack(
                rx.button(
                    "Save notes",
                    type="submit",
                    loading=JobState.saving_notes,
                    disabled=~JobState.notes_changed,
                ),
                rx.text(JobState.notes_message, size="2", color_scheme="gray", role="status"),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=JobState.save_notes,
        reset_on_submit=False,
        width="100%",
    )


def notes_card() -> rx.Component:
    """The job's notes and tags: an editor for operators, text for viewers."""
    return rx.card(
        rx.heading("Notes and tags", as_="h2", size="4", margin_bottom="12px"),
        rx.cond(JobState.may_edit_notes, _editor(), _read_only()),
        width="100%",
    )
