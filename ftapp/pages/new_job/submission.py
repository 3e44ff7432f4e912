"""Submitting the wizard: one request at a time, every value kept unless a job was created,
and the services' answer shown where it belongs (under fields, or at the top of the form)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import reflex as rx

from ftapp import auth, routes, rules, services
from ftapp.components.events import focus, navigate, toast, update_local_storage
from ftapp.pages.new_job import form
from ftapp.pages.new_job.draft import STORAGE_KEY, SUBMITTED_KEY

if TYPE_CHECKING:
    from ftapp.pages.new_job.state import NewJobState


def forget_stored_draft(submitted_id: str = "") -> rx.event.EventSpec:
    """Remove the browser's draft now; with ``submitted_id``, remember that this draft became
    a job (Reflex's own sync of storage vars is skipped while the page navigates)."""
    put = {SUBMITTED_KEY: submitted_id} if submitted_id else None
    return update_local_storage(remove=(STORAGE_KEY,), put=put)


async def submit(state: NewJobState) -> AsyncIterator[rx.event.EventSpec]:
    """The wizard's Submit, run by its background handler: yields the events to send."""
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
            state.submitting = True
            state.form_error, state.form_error_action = "", services.NextAction.NONE.value
            state.api_messages = {}
    if errors:
        yield navigate(routes.new_job_step_path(target))
        yield focus(form.FIELD_IDS[next(iter(errors))])
        return

    outcome = await services.create_job(job_input, await auth.current_user(state))
    async with state:
        state.submitting = False
        if isinstance(outcome, services.Created):
            state._clear_form()
            state.highlight_id = outcome.job.id  # the dashboard marks the new row
            view_job = ("View job", routes.job_path(outcome.job.id))
            events = [
                forget_stored_draft(state.submitted_draft),
                toast(services.Level.SUCCESS, outcome.message, link=view_job),
                navigate(routes.DASHBOARD),
            ]
        else:
            events = show_refusal(state, outcome)
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
        navigate(routes.new_job_step_path(target)),
        focus(form.FIELD_IDS[next(iter(refusal.field_messages))]),
    ]
