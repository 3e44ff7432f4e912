"""The wizard's State: the typed texts, the step (in the URL), messages, notices and the draft
kept in the browser. Submitting lives in :mod:`.submission`; every rule comes from
:mod:`ftapp.rules` through :mod:`.form`."""

from __future__ import annotations

import reflex as rx

from ftapp import routes, rules, services
from ftapp.job_display import SettingRow
from ftapp.pages.browser_events import focus, navigate
from ftapp.pages.new_job import form, submission
from ftapp.pages.new_job.draft import (
    STORAGE_KEY,
    SUBMITTED_KEY,
    Draft,
    SubmitMark,
    new_draft_id,
    read_drafts,
    write_drafts,
)
from ftapp.pages.new_job.form import DEFAULT_TEXTS, EPOCH_FIELDS, FIELD_IDS, FIRST_STEP
from ftapp.pages.new_job.submission import forget_stored_draft
from ftapp.pages.workspace_state import WorkspaceState

STEP_HEADING_ID = "wizard-step-heading"


class NewJobState(WorkspaceState):
    """The wizard: what the user typed, where they are, and what the form says."""

    texts: dict[str, str] = dict(DEFAULT_TEXTS)
    """What the user typed, keyed by the contract's field names."""
    touched: list[str] = []
    """Fields whose messages show; a field is touched by typing in it, leaving it or Next."""
    api_messages: dict[str, str] = {}
    """Messages from the API's last 400, until their field changes."""
    step: str = FIRST_STEP
    draft: str = rx.LocalStorage("", name=STORAGE_KEY)
    """The draft as stored in the browser ("" = none): see :class:`.draft.Draft`."""
    submitted_draft: str = rx.LocalStorage("", name=SUBMITTED_KEY)
    """The id of the last draft that became a job: a stored draft with it never comes back."""
    editing_field: str = ""
    """The field being typed in (until the user leaves it): it is not yet told it is short."""
    revisions: dict[str, int] = {}
    """Per field, how often the server changed its text (a stepper, a trim, a restored
    draft): the inputs are uncontrolled, so a new revision redraws one with the new text,
    and what the user types is never overwritten by an echo."""
    returning_to_review: bool = False
    """Set by a review step's Edit link: Next then goes straight back to the review."""
    notice: str = ""
    """Information about the form itself (copied from a job, cleared, restored)."""
    notice_link: str = ""
    can_restore: bool = False
    submitting: bool = False
    checking_create: bool = False
    """A submit's answer was lost: the form stays locked while ftapp looks for the job."""
    form_error: str = ""
    """A message for the whole form, shown at its top (e.g. the answer to a failed submit)."""
    form_error_action: str = services.NextAction.NONE.value
    """What the form error offers: a :class:`ftapp.services.NextAction` value."""
    review_estimate: str = ""
    """On the review step: how long similar finished jobs took, or that there are too few."""

    _previous_draft: str = ""
    """What Start over or a copy replaced, so that it can be restored."""
    _draft_restored: bool = False
    _draft_id: str = ""
    """Which form the user is filling (see :class:`.draft.Draft`)."""
    _submit: dict = {}
    """While a submit's outcome is unknown: its :class:`.draft.SubmitMark`, as data."""
    _checking: bool = False
    """Whether this tab's check of a lost submit is running (one at a time)."""

    def _forget_page(self) -> None:
        """Another workspace's wizard: its own draft is restored (this one's stays stored)."""
        self._draft_restored = False
        self._draft_id = ""
        self._submit = {}
        self._previous_draft = ""
        self.texts = dict(DEFAULT_TEXTS)
        self._redraw(*form.FORM_FIELD)
        self._assign(
            touched=[],
            api_messages={},
            step=FIRST_STEP,
            editing_field="",
            returning_to_review=False,
            notice="",
            notice_link="",
            can_restore=False,
            form_error="",
            form_error_action=services.NextAction.NONE.value,
            review_estimate="",
        )

    # --- what the page shows ---------------------------------------------------------

    @rx.var
    def messages(self) -> dict[str, str]:
        """The message under each field ("" for none)."""
        shown = form.visible_messages(
            self.texts, self.touched, self.api_messages, self._model_ids(), self.editing_field
        )
        return {name: shown.get(name, "") for name in form.FORM_FIELD}

    @rx.var
    def budget_broken(self) -> bool:
        """True when the epoch budget's one message shows (under its last field)."""
        last = rules.EPOCH_BUDGET_PARTS[-1]
        return self.messages[last] == form.budget_message(self.texts)

    @rx.var
    def hints(self) -> dict[str, str]:
        """The rule under each field, with the room the epoch budget leaves right now."""
        return form.hints(self.texts)

    @rx.var
    def can_decrease(self) -> dict[str, bool]:
        """Whether each whole-number field's "Decrease" stepper may move."""
        return {
            name: form.step_whole_number(name, self.texts, -1) is not None
            for name in form.STEPPER_FIELDS
        }

    @rx.var
    def can_increase(self) -> dict[str, bool]:
        """Whether each whole-number field's "Increase" stepper may move."""
        return {
            name: form.step_whole_number(name, self.texts, 1) is not None
            for name in form.STEPPER_FIELDS
        }

    @rx.var
    def input_min(self) -> dict[str, str]:
        """The ``min`` attribute of each whole-number input (arrow keys keep to it)."""
        return {
            name: str(form.whole_number_bounds(name, self.texts)[0]) for name in form.STEPPER_FIELDS
        }

    @rx.var
    def input_max(self) -> dict[str, str]:
        """The ``max`` attribute of each whole-number input; "" when unbounded."""
        maxima = {
            name: form.whole_number_bounds(name, self.texts)[1] for name in form.STEPPER_FIELDS
        }
        return {name: "" if high is None else str(high) for name, high in maxima.items()}

    @rx.var
    def has_draft(self) -> bool:
        """True when the form holds something a user would not want to lose."""
        return self.texts != DEFAULT_TEXTS

    @rx.var
    def step_number(self) -> int:
        """1, 2 or 3."""
        return form.step_index(self.step) + 1

    @rx.var
    def step_title(self) -> str:
        """ "Set up", "Configure" or "Review"."""
        return form.STEP_TITLES[self.step]

    @rx.var
    def review_setup(self) -> list[SettingRow]:
        """The set-up values, the model by its display name."""
        return form.review_rows(self.texts, "setup", self._model_names())

    @rx.var
    def review_configure(self) -> list[SettingRow]:
        """The configured values, as they will be sent."""
        return form.review_rows(self.texts, "configure", self._model_names())

    # --- opening the page and its steps ----------------------------------------------

    @rx.event
    async def open_step(self):
        """On every load of the page: restore the draft once, copy a job, settle the step,
        then follow the workspace (models, job count, may a job be created)."""
        announced = await self._show_current(lambda _snapshot: None)
        query = self.router.url.query_parameters
        if not self._draft_restored:
            self._restore_draft()
        checking = submission.resume_check(self)
        clone_id = query.get("clone", "")
        if clone_id:
            await self._copy_job(clone_id)
        requested = query.get("step", "")
        self.returning_to_review = query.get("return") == form.LAST_STEP and not clone_id
        wanted = requested if form.is_step(requested) and not clone_id else self.step
        target = form.reachable_step(wanted, self.texts, self._model_ids())
        if target != wanted:
            # Say why the link did not open the step it named.
            errors = form.validate_step(self.texts, target, self._model_ids())
            self.touched = form.touched_with_all(self.touched, errors)
        self.step = target
        self._save_draft()
        if clone_id or target != requested:
            self.returning_to_review = False
            return [
                *announced,
                *checking,
                navigate(routes.new_job_step_path(self.current_workspace, target), replace=True),
            ]
        estimate = [NewJobState.load_estimate] if target == form.LAST_STEP else []
        return [*announced, *checking, *estimate, NewJobState.follow_workspace]

    @rx.event(background=True)
    async def follow_workspace(self):
        """Keep the workspace's facts current until the page closes."""
        async for event in self._follow(lambda _snapshot: None):
            yield event

    @rx.event(background=True)
    async def load_estimate(self):
        """The review's estimate for the model and epochs typed (read outside the lock)."""
        async with self:
            model, epochs = form.estimate_inputs(self.texts, self._model_ids())
        found = (
            await services.estimate_for(model, epochs, self.current_workspace) if model else None
        )
        async with self:
            self.review_estimate = found.text if found is not None else ""

    @rx.event(background=True)
    async def submit(self):
        """Create the job (see :mod:`.submission`)."""
        async for event in submission.submit(self):
            yield event

    @rx.event(background=True)
    async def check_create(self):
        """Look for the job of a submit whose answer was lost, until it is known."""
        async for event in submission.check_until_known(self):
            yield event

    # --- editing ---------------------------------------------------------------------

    @rx.event
    def set_field(self, name: str, value: str):
        """A field's new text: re-check it (and the epoch budget) and save the draft. While
        a job is being created the form is locked: what was sent is what stays."""
        if name in form.FORM_FIELD and not self.submitting:
            self.editing_field = name
            self._change(name, value[: form.TEXT_LIMIT])

    @rx.event
    def touch_field(self, name: str, value: str):
        """The user left a field showing ``value``: spaces around it go, and its message
        shows. ``value`` is the field's whole text, so a keystroke whose event was lost (or
        refused) cannot leave the server with another text than the page shows."""
        if name not in form.FORM_FIELD or self.submitting:
            return
        if self.editing_field == name:
            self.editing_field = ""
        value = value[: form.TEXT_LIMIT]
        if value != self.texts.get(name, ""):
            self._change(name, value)
        trimmed = value.strip()
        if trimmed != value:
            self.texts[name] = trimmed
            self._redraw(name)
        if name not in self.touched:
            self.touched = form.touched_with(self.touched, name)
        self._save_draft()

    @rx.event
    def step_field(self, name: str, delta: int):
        """A -/+ stepper: move a whole-number field by one, never past a rule's bound."""
        if name not in form.STEPPER_FIELDS or delta not in (-1, 1) or self.submitting:
            return
        value = form.step_whole_number(name, self.texts, delta)
        if value is not None:
            self._change(name, str(value))
            self._redraw(name)

    @rx.event
    def go_next(self):
        """Next (or Enter): check this step's fields and go on (straight back to the review
        when the user came from its Edit link); on the review step, submit."""
        if self.submitting:
            return None
        if self.step == form.LAST_STEP:
            return NewJobState.submit
        self.editing_field = ""
        errors = form.validate_step(self.texts, self.step, self._model_ids())
        self.touched = form.touched_with_all(self.touched, form.STEP_FIELDS[self.step])
        if errors:
            self._save_draft()
            return focus(FIELD_IDS[next(iter(errors))])
        if self.returning_to_review:
            self.returning_to_review = False
            return self._go_to(form.LAST_STEP)
        return self._go_to(form.next_step(self.step))

    @rx.event
    def go_back(self):
        """The previous step; nothing is checked or lost."""
        if self.submitting:
            return None
        return self._go_to(form.previous_step(self.step))

    @rx.event
    def start_over(self):
        """Clear the form and the draft (what it held can be restored)."""
        if self.submitting:
            return None
        self._replace_form(dict(DEFAULT_TEXTS), "The form was cleared.")
        return [forget_stored_draft(self), *self._go_to(FIRST_STEP)]

    @rx.event
    def restore_previous(self):
        """Bring back what Start over or a copy replaced."""
        if self.submitting:
            return None
        previous = Draft.from_json(self._previous_draft)
        self._previous_draft = ""
        self.can_restore = False
        if previous is None:
            return None
        self.texts = previous.texts
        self._redraw(*form.FORM_FIELD)
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

    # --- helpers -------------------------------------------------------------------------

    def _save_draft(self) -> None:
        if not self._draft_id:
            self._draft_id = new_draft_id()
        drafts = read_drafts(self.draft)
        drafts.pop(self.current_workspace, None)  # this workspace's draft goes last: the newest
        drafts[self.current_workspace] = Draft(
            texts=dict(self.texts),
            step=self.step,
            touched=list(self.touched),
            id=self._draft_id,
            submit=SubmitMark.from_data(self._submit),
        )
        self.draft = write_drafts(drafts)

    def _restore_draft(self) -> None:
        self._draft_restored = True
        draft = read_drafts(self.draft).get(self.current_workspace)
        if draft is None or (draft.id and draft.id == self.submitted_draft):
            return  # nothing stored, or a draft that already became a job
        self.texts = draft.texts
        self._redraw(*form.FORM_FIELD)
        self.step = draft.step
        self.touched = draft.touched
        self._draft_id = draft.id
        self._submit = draft.submit.to_data() if draft.submit else {}

    def _change(self, name: str, value: str) -> None:
        self.texts[name] = value
        for cleared in EPOCH_FIELDS if name in EPOCH_FIELDS else (name,):
            self.api_messages.pop(cleared, None)
        self.touched = form.touched_with(self.touched, name)
        self._settle_notice()
        self._save_draft()

    def _redraw(self, *names: str) -> None:
        """Have the page show the server's text of fields ``names`` (see ``revisions``)."""
        self.revisions = {**self.revisions, **{n: self.revisions.get(n, 0) + 1 for n in names}}

    def _settle_notice(self) -> None:
        """A notice about the form itself ("cleared", "copied from", "back") stops being
        true once the form changes: it goes (a failed copy's, with its Try again, stays)."""
        if self.notice and not self.notice_link:
            self.notice = ""
            self.can_restore = False
            self._previous_draft = ""

    def _go_to(self, step: str) -> list[rx.event.EventSpec]:
        if step != self.step:
            self._settle_notice()
        self.step = step
        self._save_draft()
        estimate = [NewJobState.load_estimate] if step == form.LAST_STEP else []
        return [
            navigate(routes.new_job_step_path(self.current_workspace, step)),
            focus(STEP_HEADING_ID),
            *estimate,
        ]

    def _clear_form(self) -> None:
        """An empty form on the first step, with no notice (after a job was created): the
        draft that became the job is marked so that no order of storage writes and reloads
        can bring it back."""
        self.submitted_draft = self._draft_id
        self._draft_id = new_draft_id()
        self._submit = {}
        self.editing_field = ""
        self.returning_to_review = False
        self.texts = dict(DEFAULT_TEXTS)
        self._redraw(*form.FORM_FIELD)
        self.touched = []
        self.notice = self.notice_link = ""
        self.can_restore = False
        self._previous_draft = ""
        self.step = FIRST_STEP
        self._save_draft()

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
        self._redraw(*form.FORM_FIELD)
        self._draft_id = new_draft_id()
        self._submit = {}
        self.editing_field = ""
        self.touched = []
        self.api_messages = {}
        self.form_error, self.form_error_action = "", services.NextAction.NONE.value
        self.step = FIRST_STEP
        self.notice = notice
        self.notice_link = ""
        self._save_draft()

    async def _copy_job(self, job_id: str) -> None:
        found = await services.get_job(job_id, self.current_workspace)
        if found.missing:
            recorded = await services.recorded_values(job_id, await self._actor())
            if recorded is not None:
                texts = form.texts_from_job(recorded)
                name = recorded.get("name", job_id)
                self._replace_form(
                    texts, f"Settings copied from job {name} (from ftapp's record of it)."
                )
                return
        if found.job is None:
            self.can_restore = False
            if found.missing:
                self.notice = f"There is no job {job_id} to copy (it may have been deleted)."
                self.notice_link = ""
            else:
                self.notice = f"The job to copy could not be loaded. {found.error}"
                self.notice_link = routes.clone_job_path(self.current_workspace, job_id)
            return
        texts = form.texts_from_job(found.job.to_wire())
        self._replace_form(texts, f"Settings copied from job {found.job.name}.")
