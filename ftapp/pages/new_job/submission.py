"""Submitting the wizard: one request at a time, every value kept unless a job was created,
and the services' answer shown where it belongs (under fields, or at the top of the form).

A submit is made at most once. Before it is sent, the browser's draft records it
(:class:`.draft.SubmitMark`); when its answer is lost the form stays locked while ftapp looks
for the job (:func:`check_until_known`), and a reload, a reconnect or another tab that finds
the mark does the same before it offers Submit again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pydantic
import reflex as rx

from ftapp import routes, rules, services
from ftapp.guard import subscriptions
from ftapp.job_fields import JobInput
from ftapp.pages.browser_events import focus, navigate, toast, update_local_storage
from ftapp.pages.new_job import form
from ftapp.pages.new_job.draft import STORAGE_KEY, SUBMITTED_KEY, SubmitMark, without_draft

if TYPE_CHECKING:
    from ftapp.pages.new_job.state import NewJobState

CHECK_EVERY_SECONDS = 3.0
CHECK_GIVE_UP_SECONDS = 15 * 60.0
RESUMED = (
    "Your last submit of this form has no known outcome yet: ftapp is checking whether the "
    "job was created before it offers Submit again."
)
GAVE_UP = (
    "ftapp could not reach the Job Training API to tell whether your job was created. Look "
    "for it on the dashboard before you submit it again."
)


def forget_stored_draft(state: NewJobState, submitted_id: str = "") -> rx.event.EventSpec:
    """Remove this workspace's draft from the browser now (the others' stay); with
    ``submitted_id``, remember that this draft became a job (Reflex's own sync of storage
    vars is skipped while the page navigates)."""
    state.draft = without_draft(state.draft, state.current_workspace)
    put = {SUBMITTED_KEY: submitted_id} if submitted_id else {}
    if state.draft:
        put[STORAGE_KEY] = state.draft
    return update_local_storage(remove=() if state.draft else (STORAGE_KEY,), put=put or None)


async def submit(state: NewJobState) -> AsyncIterator[rx.event.EventSpec]:
    """The wizard's Submit, run by its background handler: yields the events to send."""
    with services.under_way():  # a clean stop waits until the outcome is on the page
        async for event in _submit(state):
            yield event


async def _submit(state: NewJobState) -> AsyncIterator[rx.event.EventSpec]:
    async with state:
        # Whether this person and this key may create is the services' to decide (and to log):
        # Submit is off in the page when they may not, but a script can still send it.
        if state.submitting or state.step != form.LAST_STEP:
            return
        model_ids = state._model_ids()
        errors = form.validate_step(state.texts, form.LAST_STEP, model_ids)
        if errors:
            state.touched = form.touched_with_all(state.touched, errors)
            target = form.first_step_of(errors) or form.FIRST_STEP
            state.step = target
            state._save_draft()
        else:
            job_input = rules.job_input_from_form(state.texts, model_ids)
            # Remembered in the browser's draft before it is sent (see the module's doc).
            pending = services.begin_create(job_input, state.current_workspace)
            state._submit = mark_of(pending)
            state._save_draft()
            state.submitting = True
            state.form_error, state.form_error_action = "", services.NextAction.NONE.value
            state.api_messages = {}
    if errors:
        yield navigate(routes.new_job_step_path(state.current_workspace, target))
        yield focus(form.FIELD_IDS[next(iter(errors))])
        return

    actor = await state._actor()  # in the page's workspace, with the role there
    outcome = await services.create_job(job_input, actor, pending=pending)
    async with state:
        state.submitting = False
        events = finish(state, outcome)
    for event in events:
        yield event


def mark_of(pending: services.PendingCreate) -> dict:
    """What the browser's draft keeps of a submit under way."""
    return SubmitMark(
        job=pending.job.to_wire(),
        started_at=pending.started_at,
        known_ids=tuple(sorted(pending.known_ids)),
    ).to_data()


def pending_of(mark: dict, slug: str) -> services.PendingCreate | None:
    """The submit a draft's mark describes, in workspace ``slug`` (the page's, never the
    browser's say); None when it does not describe one (a browser can store anything)."""
    parsed = SubmitMark.from_data(mark)
    if parsed is None:
        return None
    try:
        job = JobInput.model_validate(parsed.job)
    except pydantic.ValidationError:
        return None
    # Never later than now: a mark from the future would keep a check waiting for good.
    started_at = min(parsed.started_at, time.time())
    return services.PendingCreate(job, started_at, frozenset(parsed.known_ids), workspace=slug)


def finish(state: NewJobState, outcome: services.CreateOutcome) -> list[rx.event.EventSpec]:
    """Show a create's outcome (called holding the state's lock); returns the events to send.
    Only a created job clears the form; until the outcome is known the form stays locked."""
    if isinstance(outcome, services.Uncertain):
        state.submitting = state.checking_create = True
        state.form_error, state.form_error_action = outcome.message, services.NextAction.NONE.value
        return [] if state._checking else [_check_event()]
    state.checking_create = False
    state.submitting = False
    if isinstance(outcome, services.Created):
        state._clear_form()
        state.highlight_id = outcome.job.id  # the dashboard marks the new row
        state.form_error, state.form_error_action = "", services.NextAction.NONE.value
        view_job = ("View job", routes.job_path(state.current_workspace, outcome.job.id))
        return [
            forget_stored_draft(state, state.submitted_draft),
            toast(services.Level.SUCCESS, outcome.message, link=view_job),
            navigate(state.workspace_home),
        ]
    state._submit = {}  # surely no job: Submit may send it again
    state._save_draft()
    return show_refusal(state, outcome)


def resume_check(state: NewJobState) -> list[rx.event.EventSpec]:
    """On opening the page: a draft whose submit has no known outcome locks the form and
    starts the check (unless this tab's check already runs)."""
    if not state._submit or state.checking_create:
        return []
    state.submitting = state.checking_create = True
    state.form_error, state.form_error_action = RESUMED, services.NextAction.NONE.value
    return [_check_event()]


def _check_event() -> rx.event.EventSpec:
    from ftapp.pages.new_job.state import NewJobState  # the state imports this module

    return NewJobState.check_create


async def check_until_known(state: NewJobState) -> AsyncIterator[rx.event.EventSpec]:
    """The check run by the page's background handler: ask every few seconds until the job
    is found or surely absent (or ftapp gives up, saying so)."""
    async with state:
        if state._checking or not state._submit:
            return
        state._checking = True
        pending = pending_of(state._submit, state.current_workspace)
        token = state.router.session.client_token
    outcome: services.CreateOutcome = services.Uncertain(RESUMED)
    if pending is not None:
        deadline = time.monotonic() + CHECK_GIVE_UP_SECONDS
        while True:
            outcome = await services.check_create(pending)
            if not isinstance(outcome, services.Uncertain) or time.monotonic() > deadline:
                break
            await asyncio.sleep(CHECK_EVERY_SECONDS)
            if not subscriptions.is_connected(token):
                # The tab is gone: its draft keeps the mark, and it checks again on its return.
                async with state:
                    state._checking = False
                return
    async with state:
        state._checking = False
        if pending is None:  # a mark that describes no submit: forget it
            outcome = services.Refused("")
        elif isinstance(outcome, services.Uncertain):  # gave up: unlock, and say what to do
            outcome = services.Refused(GAVE_UP)
        events = finish(state, outcome)
    for event in events:
        yield event


def show_refusal(state: NewJobState, refusal: services.Refused) -> list[rx.event.EventSpec]:
    """Put a refusal's messages on the form; returns the events to send (step, focus)."""
    state.form_error = refusal.message
    state.form_error_action = refusal.next_action.value
    if not refusal.field_messages:
        return []
    state.api_messages = refusal.field_messages
    target = form.first_step_of(refusal.field_messages)
    if target is None:
        return []
    state.step = target
    state._save_draft()
    return [
        navigate(routes.new_job_step_path(state.current_workspace, target)),
        focus(form.FIELD_IDS[next(iter(refusal.field_messages))]),
    ]
