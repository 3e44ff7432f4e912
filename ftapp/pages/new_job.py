"""Create a job (``/jobs/new``): a three-step wizard whose draft lives in the browser.

The step is in the URL (``?step=setup|configure|review``), so Back, Forward, reload and a
pasted link land on it; a step whose earlier steps are not valid yet opens the first invalid
one. Every check calls :mod:`ftapp.rules`; the form's data handling is :mod:`ftapp.job_form`.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import reflex as rx

from ftapp import backend, job_form, routes, rules
from ftapp.components.form_field import control_attrs, form_field
from ftapp.components.layout import page_shell
from ftapp.components.leave_guard import leave_guard
from ftapp.components.stepper_input import stepper_input
from ftapp.components.wizard import step_indicator
from ftapp.job_form import DEFAULT_TEXTS, EPOCH_FIELDS, FIRST_STEP, Draft
from ftapp.jobs_view import format_learning_rate
from ftapp.upstream import (
    JobLimitReached,
    NotFound,
    PermissionDenied,
    Unauthorized,
    UpstreamError,
    ValidationFailed,
)
from ftapp.workspace import create_blocked_reason

log = logging.getLogger(__name__)

DRAFT_STORAGE_KEY = "ftapp.new-job.draft"
"""The ``localStorage`` key of the draft."""
FIELD_IDS: dict[str, str] = {
    "name": "job-name",
    "baseModel": "base-model",
    "epochs": "epochs",
    "evaluationEpochs": "evaluation-epochs",
    "warmupEpochs": "warmup-epochs",
    "learningRate": "learning-rate",
}
STEP_HEADING_ID = "wizard-step-heading"
LEAVE_MESSAGE = (
    "Leave this page? The job has not been created yet. "
    "Your draft stays saved in this browser for when you come back."
)
# What the top-of-form message offers after a failed submit.
ACTION_RETRY = "retry"
ACTION_DASHBOARD = "dashboard"


@dataclasses.dataclass
class ModelOption:
    """A base model as the select shows it."""

    id: str
    display_name: str


@dataclasses.dataclass
class ReviewRow:
    """One value on the review step."""

    label: str
    value: str


def _focus(element_id: str) -> rx.event.EventSpec:
    return rx.call_script(f"document.getElementById({element_id!r})?.focus()")


async def _fetch_models() -> list[ModelOption] | str:
    """The models ``GET /models`` offers, or the message saying why they could not be had."""
    try:
        async with backend.open_client() as api:
            models = await api.list_models()
    except UpstreamError as exc:
        return exc.message
    return [ModelOption(id=model.id, display_name=model.display_name) for model in models]


async def _fetch_workspace() -> tuple[int, bool | None] | None:
    """``(job count, may this key create)``, or None when the API could not say.

    The permission is probed once per process: the shared feed keeps the answer (and what
    a refused create taught), so the dashboard and the wizard agree.
    """
    feed = backend.feed()
    try:
        async with backend.open_client() as api:
            job_list = await api.list_jobs()
            may_create = feed.snapshot.may_create
            if may_create is None:
                may_create = await api.probe_create_permission()
    except UpstreamError:
        return None
    if may_create is not None:
        await feed.note_may_create(may_create)
    return len(job_list.jobs), may_create


class NewJobState(rx.State):
    """The wizard: the typed texts, the step, messages, and the draft in localStorage."""

    texts: dict[str, str] = dict(DEFAULT_TEXTS)
    """What the user typed, keyed by the contract's field names."""
    touched: list[str] = []
    """Fields whose messages show; a field is touched by typing in it, leaving it or Next."""
    api_messages: dict[str, str] = {}
    """Messages from the API's last 400, until their field changes."""
    step: str = FIRST_STEP
    draft: str = rx.LocalStorage("", name=DRAFT_STORAGE_KEY)
    """The draft as stored in the browser ("" = none): see :class:`ftapp.job_form.Draft`."""

    models: list[ModelOption] = []
    models_loading: bool = False
    models_error: str = ""
    job_count: int = -1
    """Jobs in the workspace; -1 until known."""
    may_create: bool | None = None

    submitting: bool = False
    form_error: str = ""
    """A message for the whole form, shown at its top (e.g. the answer to a failed submit)."""
    form_error_action: str = ""
    notice: str = ""
    """Information about the form itself (copied from a job, cleared, restored)."""
    notice_link: str = ""
    can_restore: bool = False

    _previous_draft: str = ""
    """What Start over or a copy replaced, so that it can be restored."""
    _draft_restored: bool = False

    # --- what the page shows ---------------------------------------------------------

    @rx.var
    def messages(self) -> dict[str, str]:
        """The message under each field ("" for none)."""
        model_ids = [model.id for model in self.models] or None
        shown = job_form.visible_messages(self.texts, self.touched, self.api_messages, model_ids)
        return {name: shown.get(name, "") for name in rules.FIELDS}

    @rx.var
    def hints(self) -> dict[str, str]:
        """The rule under each field, with the room the epoch budget leaves right now."""
        hints = dict(rules.FIELD_HINTS)
        for name in ("evaluationEpochs", "warmupEpochs"):
            _, high = rules.whole_number_bounds(name, self.texts)
            if high is not None:
                hints[name] = f"{hints[name]} Up to {high} now."
        return hints

    @rx.var
    def can_decrease(self) -> dict[str, bool]:
        """Whether each epoch field's "Decrease" stepper may move."""
        return {
            name: rules.step_whole_number(name, self.texts, -1) is not None for name in EPOCH_FIELDS
        }

    @rx.var
    def can_increase(self) -> dict[str, bool]:
        """Whether each epoch field's "Increase" stepper may move."""
        return {
            name: rules.step_whole_number(name, self.texts, 1) is not None for name in EPOCH_FIELDS
        }

    @rx.var
    def input_min(self) -> dict[str, str]:
        """The ``min`` attribute of each epoch input (arrow keys keep to it)."""
        return {name: str(rules.whole_number_bounds(name, self.texts)[0]) for name in EPOCH_FIELDS}

    @rx.var
    def input_max(self) -> dict[str, str]:
        """The ``max`` attribute of each epoch input; "" when unbounded."""
        maxima = {name: rules.whole_number_bounds(name, self.texts)[1] for name in EPOCH_FIELDS}
        return {name: "" if high is None else str(high) for name, high in maxima.items()}

    @rx.var
    def has_draft(self) -> bool:
        """True when the form holds something a user would not want to lose."""
        return self.texts != DEFAULT_TEXTS

    @rx.var
    def blocked_reason(self) -> str:
        """Why Submit cannot create a job now (workspace full, read-only key), or ""."""
        return create_blocked_reason(
            None if self.job_count < 0 else self.job_count, self.may_create
        )

    @rx.var
    def workspace_full(self) -> bool:
        """True when the workspace is known to hold the maximum number of jobs."""
        return self.job_count >= rules.MAX_JOBS_PER_WORKSPACE

    @rx.var
    def step_number(self) -> int:
        """1, 2 or 3."""
        return job_form.step_index(self.step) + 1

    @rx.var
    def step_title(self) -> str:
        """ "Set up", "Configure" or "Review"."""
        return job_form.STEP_TITLES[self.step]

    @rx.var
    def review_setup(self) -> list[ReviewRow]:
        """The set-up values, the model by its display name."""
        model_id = self.texts["baseModel"]
        names = {model.id: model.display_name for model in self.models}
        return [
            ReviewRow(rules.FIELD_LABELS["name"], self.texts["name"]),
            ReviewRow(rules.FIELD_LABELS["baseModel"], names.get(model_id, model_id)),
        ]

    @rx.var
    def review_configure(self) -> list[ReviewRow]:
        """The configured values, as they will be sent."""
        rows = []
        for name in rules.STEP_FIELDS["configure"]:
            text = self.texts[name].strip()
            if name == "learningRate" and isinstance(rate := rules.parse_number(text, ""), float):
                text = format_learning_rate(rate)  # as the dashboard and job page show it
            rows.append(ReviewRow(rules.FIELD_LABELS[name], text))
        return rows

    # --- opening the page and its steps ----------------------------------------------

    @rx.event
    async def open_step(self):
        """On every load of the page: restore the draft once, copy a job, settle the step."""
        query = self.router.url.query_parameters
        if not self._draft_restored:
            self._restore_draft()
        clone_id = query.get("clone", "")
        if clone_id:
            await self._copy_job(clone_id)
        requested = query.get("step", "")
        wanted = requested if job_form.is_step(requested) and not clone_id else self.step
        target = job_form.reachable_step(wanted, self.texts, self._model_ids())
        if target != wanted:
            # Say why the link did not open the step it named.
            errors = rules.validate_form(self.texts, target, self._model_ids())
            self.touched = job_form.touched_with_all(self.touched, errors)
        self.step = target
        self._save_draft()
        if clone_id or target != requested:
            return rx.redirect(routes.new_job_step_path(target), replace=True)
        return None

    @rx.event(background=True)
    async def load_models(self):
        """Fetch the base models (on mount and by Retry); keeps a list it already has."""
        async with self:
            self.models_loading = True
            self.models_error = ""
        result = await _fetch_models()
        async with self:
            self.models_loading = False
            if isinstance(result, str):
                if not self.models:
                    self.models_error = result
            else:
                self.models = result

    @rx.event(background=True)
    async def load_workspace(self):
        """Find out whether a job can be created now (job count, key permission)."""
        status = await _fetch_workspace()
        if status is not None:
            async with self:
                self.job_count, self.may_create = status

    # --- editing ---------------------------------------------------------------------

    @rx.event
    def set_field(self, name: str, value: str):
        """A field's new text: re-check it (and the epoch budget) and save the draft."""
        if name in rules.FIELDS:
            self._change(name, value)

    @rx.event
    def touch_field(self, name: str):
        """The user left a field: its message shows from now on."""
        if name in rules.FIELDS and name not in self.touched:
            self.touched = job_form.touched_with(self.touched, name)
            self._save_draft()

    @rx.event
    def step_field(self, name: str, delta: int):
        """A -/+ stepper: move an epoch field by one, never past a rule's bound."""
        if name not in EPOCH_FIELDS or delta not in (-1, 1):
            return
        value = rules.step_whole_number(name, self.texts, delta)
        if value is not None:
            self._change(name, str(value))

    @rx.event
    def go_next(self):
        """Next (or Enter): check this step's fields and go on; on the review step, submit."""
        if self.step == "review":
            return NewJobState.submit
        errors = rules.validate_form(self.texts, self.step, self._model_ids())
        self.touched = job_form.touched_with_all(self.touched, rules.STEP_FIELDS[self.step])
        if errors:
            self._save_draft()
            return _focus(FIELD_IDS[next(iter(errors))])
        return self._go_to(job_form.next_step(self.step))

    @rx.event
    def go_back(self):
        """The previous step; nothing is checked or lost."""
        return self._go_to(job_form.previous_step(self.step))

    @rx.event
    def start_over(self):
        """Clear the form and the draft (what it held can be restored)."""
        self._replace_form(dict(DEFAULT_TEXTS), "The form was cleared.")
        return self._go_to(FIRST_STEP)

    @rx.event
    def restore_previous(self):
        """Bring back what Start over or a copy replaced."""
        previous = Draft.from_json(self._previous_draft)
        self._previous_draft = ""
        self.can_restore = False
        if previous is None:
            return None
        self.texts = previous.texts
        self.touched = previous.touched
        self.api_messages = {}
        self.notice = "Your previous draft is back."
        self.notice_link = ""
        return self._go_to(previous.step)

    @rx.event
    def dismiss_notice(self):
        """Hide the notice (and the offer to restore a replaced draft)."""
        self.notice = self.notice_link = ""
        self.can_restore = False
        self._previous_draft = ""

    # --- submitting --------------------------------------------------------------------

    @rx.event(background=True)
    async def submit(self):
        """Create the job; one request at a time, every value kept unless it was created."""
        async with self:
            if self.submitting or self.step != "review" or self.blocked_reason:
                return
            model_ids = self._model_ids()
            errors = rules.validate_form(self.texts, "review", model_ids)
            if errors:
                self.touched = job_form.touched_with_all(self.touched, errors)
                target = job_form.first_step_of(errors) or FIRST_STEP
                self.step = target
                self._save_draft()
            else:
                job_input = rules.job_input_from_form(self.texts, model_ids)
                self.submitting = True
                self.form_error = self.form_error_action = ""
                self.api_messages = {}
        if errors:
            yield rx.redirect(routes.new_job_step_path(target))
            yield _focus(FIELD_IDS[next(iter(errors))])
            return

        failure: UpstreamError | None = None
        try:
            async with backend.open_client() as api:
                job = await api.create_job(job_input)
        except UpstreamError as exc:
            failure = exc
        except Exception:  # a bug must not leave Submit pending for good
            log.exception("creating a job failed")
            failure = UpstreamError()
        if failure is not None:
            if isinstance(failure, PermissionDenied):
                await backend.feed().note_may_create(False)  # open dashboards say so too
            async with self:
                self.submitting = False
                events = self._show_submit_failure(failure)
            for event in events:
                yield event
            return

        # Every open dashboard of the workspace, and the one this redirects to, shows it now.
        await backend.feed().remember_job(job)
        async with self:
            self.submitting = False
            self.texts = dict(DEFAULT_TEXTS)
            self.touched = []
            self.notice = self.notice_link = ""
            self.can_restore = False
            self._previous_draft = ""
            self.step = FIRST_STEP
            if self.job_count >= 0:
                self.job_count += 1
            self._save_draft()
        yield rx.toast.success(f"Job {job.name} created.")
        yield rx.redirect(routes.DASHBOARD)

    # --- helpers -------------------------------------------------------------------------

    def _model_ids(self) -> list[str] | None:
        return [model.id for model in self.models] or None

    def _save_draft(self) -> None:
        self.draft = Draft(
            texts=dict(self.texts), step=self.step, touched=list(self.touched)
        ).to_json()

    def _restore_draft(self) -> None:
        self._draft_restored = True
        draft = Draft.from_json(self.draft)
        if draft is not None:
            self.texts = draft.texts
            self.step = draft.step
            self.touched = draft.touched

    def _change(self, name: str, value: str) -> None:
        self.texts[name] = value
        for cleared in EPOCH_FIELDS if name in EPOCH_FIELDS else (name,):
            self.api_messages.pop(cleared, None)
        self.touched = job_form.touched_with(self.touched, name)
        self._save_draft()

    def _go_to(self, step: str) -> list[rx.event.EventSpec]:
        self.step = step
        self._save_draft()
        return [rx.redirect(routes.new_job_step_path(step)), _focus(STEP_HEADING_ID)]

    def _replace_form(self, texts: dict[str, str], notice: str) -> None:
        """Put ``texts`` in the form, keeping the old draft to restore if there was one."""
        if self.texts != DEFAULT_TEXTS and self.texts != texts:
            self._previous_draft = Draft(
                texts=dict(self.texts), step=self.step, touched=list(self.touched)
            ).to_json()
            self.can_restore = True
        else:
            self._previous_draft = ""
            self.can_restore = False
        self.texts = texts
        self.touched = []
        self.api_messages = {}
        self.form_error = self.form_error_action = ""
        self.step = FIRST_STEP
        self.notice = notice
        self.notice_link = ""
        self._save_draft()

    async def _copy_job(self, job_id: str) -> None:
        try:
            async with backend.open_client() as api:
                job = await api.get_job(job_id)
        except NotFound:
            self.notice = f"There is no job {job_id} to copy (it may have been deleted)."
            self.notice_link = ""
            self.can_restore = False
            return
        except UpstreamError as exc:
            self.notice = f"The job to copy could not be loaded. {exc.message}"
            self.notice_link = routes.clone_job_path(job_id)
            self.can_restore = False
            return
        self._replace_form(job_form.texts_from_job(job), f"Settings copied from job {job.name}.")

    def _show_submit_failure(self, exc: UpstreamError) -> list[Any]:
        """Turn a failed create into messages; returns the events to send (step, refresh)."""
        if isinstance(exc, ValidationFailed):
            for_fields, others = job_form.split_api_fields(exc.fields)
            self.api_messages = for_fields
            self.form_error = " ".join(others) or (
                "The API refused some values: see the messages under the fields."
            )
            self.form_error_action = ""
            target = job_form.first_step_of(for_fields)
            if target is None:
                return []
            self.step = target
            self._save_draft()
            return [
                rx.redirect(routes.new_job_step_path(target)),
                _focus(FIELD_IDS[next(iter(for_fields))]),
            ]
        # 403 and 429 are said once, here by the Submit button; Submit stays on, since the
        # key or the workspace can change while the page is open.
        if isinstance(exc, PermissionDenied):
            self.form_error = "This API key may not create jobs (it is read-only)."
            self.form_error_action = ""
            return []
        if isinstance(exc, JobLimitReached):
            self.form_error = exc.message
            self.form_error_action = ACTION_DASHBOARD
            return []
        self.form_error = exc.message
        self.form_error_action = "" if isinstance(exc, Unauthorized) else ACTION_RETRY
        return []


# --- the page ------------------------------------------------------------------------------


def _message(name: str) -> rx.Var[str]:
    return NewJobState.messages[name]


def _text_input(name: str, **props: Any) -> rx.Component:
    control_id = FIELD_IDS[name]
    return form_field(
        rules.FIELD_LABELS[name],
        control_id,
        rx.input(
            id=control_id,
            value=NewJobState.texts[name],
            on_change=lambda value: NewJobState.set_field(name, value),
            on_blur=lambda _value: NewJobState.touch_field(name),
            size="3",
            width="100%",
            auto_complete="off",
            spell_check=False,
            custom_attrs=control_attrs(control_id, _message(name)),
            **props,
        ),
        NewJobState.hints[name],
        _message(name),
    )


def _model_select() -> rx.Component:
    name = "baseModel"
    control_id = FIELD_IDS[name]
    no_models = NewJobState.models.length() == 0
    placeholder = rx.cond(
        NewJobState.models_error != "",
        "Models could not be loaded",
        rx.cond(no_models, "Loading models…", "Choose a base model"),
    )
    select = rx.select.root(
        rx.select.trigger(
            placeholder=placeholder,
            id=control_id,
            width="100%",
            custom_attrs={**control_attrs(control_id, _message(name)), "aria-busy": no_models},
        ),
        rx.select.content(
            rx.foreach(
                NewJobState.models,
                lambda model: rx.select.item(model.display_name, value=model.id),
            ),
            position="popper",
        ),
        value=NewJobState.texts[name],
        on_change=lambda value: NewJobState.set_field(name, value),
        disabled=no_models,
        size="3",
    )
    models_failed = rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.callout.text(NewJobState.models_error),
        rx.button(
            rx.icon("refresh-cw", size=14, aria_hidden="true"),
            "Retry",
            type="button",
            variant="soft",
            color_scheme="red",
            width="fit-content",
            loading=NewJobState.models_loading,
            on_click=NewJobState.load_models,
        ),
        color_scheme="red",
        role="alert",
        margin_top="8px",
    )
    return rx.box(
        form_field(
            rules.FIELD_LABELS[name], control_id, select, NewJobState.hints[name], _message(name)
        ),
        rx.cond(no_models & (NewJobState.models_error != ""), models_failed),
        width="100%",
    )


def _epoch_input(name: str) -> rx.Component:
    control_id = FIELD_IDS[name]
    label = rules.FIELD_LABELS[name]
    return form_field(
        label,
        control_id,
        stepper_input(
            label=label,
            control_id=control_id,
            value=NewJobState.texts[name],
            on_change=lambda value: NewJobState.set_field(name, value),
            on_blur=lambda _value: NewJobState.touch_field(name),
            on_decrease=NewJobState.step_field(name, -1),
            on_increase=NewJobState.step_field(name, 1),
            can_decrease=NewJobState.can_decrease[name],
            can_increase=NewJobState.can_increase[name],
            minimum=NewJobState.input_min[name],
            maximum=NewJobState.input_max[name],
            attrs=control_attrs(control_id, _message(name)),
        ),
        NewJobState.hints[name],
        _message(name),
    )


def _setup_step() -> rx.Component:
    return rx.vstack(
        _text_input("name", placeholder="e.g. support-bot-v2"),
        _model_select(),
        spacing="5",
        width="100%",
        max_width="560px",
    )


def _configure_step() -> rx.Component:
    return rx.grid(
        _epoch_input("epochs"),
        _text_input("learningRate", input_mode="decimal", placeholder="e.g. 0.0001 or 1e-4"),
        _epoch_input("evaluationEpochs"),
        _epoch_input("warmupEpochs"),
        columns=rx.breakpoints(initial="1", sm="2"),
        gap="24px",
        width="100%",
    )


def _review_section(title: str, step: str, rows: rx.Var[list[ReviewRow]]) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.heading(title, as_="h3", size="3"),
            rx.link(
                rx.icon("pencil", size=14, aria_hidden="true"),
                "Edit",
                href=routes.new_job_step_path(step),
                aria_label=f"Edit {title}",
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
        spacing="5",
        width="100%",
    )


def _form_error() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("circle-x")),
        rx.callout.text(NewJobState.form_error),
        rx.match(
            NewJobState.form_error_action,
            (
                ACTION_RETRY,
                rx.button(
                    rx.icon("refresh-cw", size=14, aria_hidden="true"),
                    "Retry",
                    type="button",
                    variant="soft",
                    color_scheme="red",
                    width="fit-content",
                    on_click=NewJobState.submit,
                    disabled=NewJobState.submitting,
                ),
            ),
            (
                ACTION_DASHBOARD,
                rx.link("Go to the dashboard to delete jobs", href=routes.DASHBOARD),
            ),
            rx.fragment(),
        ),
        color_scheme="red",
        role="alert",
        width="100%",
    )


def _blocked_banner() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("ban")),
        rx.callout.text(
            NewJobState.blocked_reason,
            " You can still prepare the job; Submit stays off until this changes.",
        ),
        rx.cond(
            NewJobState.workspace_full,
            rx.link("Go to the dashboard to delete jobs", href=routes.DASHBOARD),
        ),
        color_scheme="amber",
        role="alert",
        width="100%",
    )


def _notice() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
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
        width="100%",
        position="relative",
        padding_right="40px",
    )


def _submit_button() -> rx.Component:
    return rx.button(
        rx.cond(NewJobState.submitting, rx.spinner(size="2"), rx.icon("send", size=16)),
        "Submit",
        type="submit",
        size="3",
        disabled=NewJobState.submitting | (NewJobState.blocked_reason != ""),
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
                on_click=NewJobState.go_back,
            ),
            rx.box(),
        ),
        rx.cond(
            NewJobState.step == "review",
            _submit_button(),
            rx.button(
                "Next",
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
                rx.cond(NewJobState.form_error != "", _form_error()),
                rx.match(
                    NewJobState.step,
                    ("configure", _configure_step()),
                    ("review", _review_step()),
                    _setup_step(),
                ),
                rx.cond(
                    NewJobState.submitting,
                    rx.text("Creating the job…", role="status", size="2", color_scheme="gray"),
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
    return page_shell(
        rx.vstack(
            rx.flex(
                rx.heading("New job", size=rx.breakpoints(initial="6", sm="7"), as_="h1"),
                rx.button(
                    rx.icon("rotate-ccw", size=16, aria_hidden="true"),
                    "Start over",
                    type="button",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=NewJobState.start_over,
                ),
                justify="between",
                align="center",
                gap="12px",
                width="100%",
            ),
            step_indicator(
                [job_form.STEP_TITLES[step] for step in rules.STEPS],
                NewJobState.step_number,
                label="Steps",
            ),
            rx.cond(NewJobState.blocked_reason != "", _blocked_banner()),
            rx.cond(NewJobState.notice != "", _notice()),
            _wizard_form(),
            leave_guard(NewJobState.has_draft & ~NewJobState.submitting, LEAVE_MESSAGE),
            spacing="5",
            width="100%",
            max_width="880px",
            on_mount=[NewJobState.load_models, NewJobState.load_workspace],
        ),
    )
