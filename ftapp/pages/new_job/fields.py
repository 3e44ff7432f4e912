"""The wizard's controls, one per form field, chosen by the field's kind
(:func:`.form.control_of`): a text input, the base-model select, or a whole-number input with
-/+ steppers."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ftapp import rules
from ftapp.components.callouts import callout, retry_button
from ftapp.components.form_field import control_attrs, form_field
from ftapp.components.stepper_input import stepper_input
from ftapp.job_fields import JobField
from ftapp.pages.new_job import form
from ftapp.pages.new_job.form import FORM_FIELD
from ftapp.pages.new_job.state import NewJobState


def _message(name: str) -> rx.Var[str]:
    return NewJobState.messages[name]


def _labelled(field: JobField, control: rx.Component) -> rx.Component:
    return form_field(
        field.label,
        field.input_id,
        control,
        NewJobState.hints[field.name],
        _message(field.name),
    )


def _redraw_key(name: str) -> rx.Var[str]:
    """A control's React key: it changes, and so redraws the control with the server's text,
    only when the server changed that text (never while the user types)."""
    return f"{name}-" + NewJobState.revisions[name].to(str)


def _text_input(field: JobField, **props: Any) -> rx.Component:
    # Uncontrolled (default_value, no value): each keystroke goes to the server at once, with
    # no debounce, and the server's answer never rewrites what the user is typing.
    name = field.name
    return _labelled(
        field,
        rx.input(
            id=field.input_id,
            key=_redraw_key(name),
            default_value=NewJobState.texts[name],
            max_length=form.TEXT_LIMIT,
            on_change=lambda value: NewJobState.set_field(name, value),
            on_blur=lambda value: NewJobState.touch_field(name, value),
            placeholder=field.placeholder,
            size="3",
            width="100%",
            auto_complete="off",
            spell_check=False,
            custom_attrs=control_attrs(field.input_id, _message(name)),
            **props,
        ),
    )


def _model_select(field: JobField) -> rx.Component:
    name = field.name
    no_models = NewJobState.models.length() == 0
    placeholder = rx.cond(
        NewJobState.models_error != "",
        "Models could not be loaded",
        rx.cond(no_models, "Loading models…", "Choose a base model"),
    )
    select = rx.select.root(
        rx.select.trigger(
            placeholder=placeholder,
            id=field.input_id,
            width="100%",
            custom_attrs={
                **control_attrs(field.input_id, _message(name)),
                "aria-busy": no_models,
            },
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
    models_failed = callout(
        "triangle-alert",
        "red",
        rx.callout.text(NewJobState.models_error),
        retry_button(NewJobState.retry_models),
        margin_top="8px",
    )
    return rx.box(
        _labelled(field, select),
        rx.cond(no_models & (NewJobState.models_error != ""), models_failed),
        width="100%",
    )


def _shared_message(name: str) -> tuple[str, rx.Var[bool]] | None:
    """For the epoch budget's first fields: the last one's message, when it is the budget's."""
    *firsts, last = rules.EPOCH_BUDGET_PARTS
    if name not in firsts:
        return None
    return FORM_FIELD[last].input_id, NewJobState.budget_broken


def _stepper(field: JobField) -> rx.Component:
    name = field.name
    return _labelled(
        field,
        stepper_input(
            label=field.label,
            control_id=field.input_id,
            key=_redraw_key(name),
            default_value=NewJobState.texts[name],
            on_change=lambda value: NewJobState.set_field(name, value),
            on_blur=lambda value: NewJobState.touch_field(name, value),
            on_decrease=NewJobState.step_field(name, -1),
            on_increase=NewJobState.step_field(name, 1),
            can_decrease=NewJobState.can_decrease[name],
            can_increase=NewJobState.can_increase[name],
            minimum=NewJobState.input_min[name],
            maximum=NewJobState.input_max[name],
            attrs=control_attrs(field.input_id, _message(name), _shared_message(name)),
        ),
    )


def field_control(name: str) -> rx.Component:
    """The labelled control of form field ``name``, with its hint and message."""
    field = FORM_FIELD[name]
    control = form.control_of(field)
    if control == "select":
        return _model_select(field)
    if control == "stepper":
        return _stepper(field)
    if control == "decimal":
        return _text_input(field, input_mode="decimal")
    return _text_input(field)
