"""The create-job form as plain data: its fields, steps, messages, steppers and clone texts.

No Reflex here: the wizard's State keeps what the page shows and calls these functions. Each
form field is a row of :data:`ftapp.job_fields.JOB_FIELDS` (its step, hint, control and
default value are in the row); what is built from the rows is built by a function taking
them, and the module's constants are those functions applied to that table.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

from ftapp import rules
from ftapp.job_display import SettingRow, display_value
from ftapp.job_fields import FIELD, JOB_FIELDS, NAME_MAX_LENGTH, FieldKind, JobField

Step = Literal["setup", "configure", "review"]
STEPS: tuple[Step, ...] = ("setup", "configure", "review")
STEP_TITLES: dict[str, str] = {"setup": "Set up", "configure": "Configure", "review": "Review"}
TEXT_LIMIT = 200
"""The longest text a form field keeps (a name may be 50; past that the rule's message shows)."""
FIRST_STEP: Step = STEPS[0]
LAST_STEP: Step = STEPS[-1]

Control = Literal["text", "decimal", "select", "stepper"]
"""The wizard's control for a field: a text input, one for decimals, the base-model select, or
a whole-number input with -/+ steppers."""
_CONTROLS: dict[FieldKind, Control] = {
    FieldKind.TEXT: "text",
    FieldKind.NUMBER: "decimal",
    FieldKind.CHOICE: "select",
    FieldKind.WHOLE: "stepper",
}


def control_of(field: JobField) -> Control:
    """The control the wizard shows for ``field``, chosen by its kind."""
    return _CONTROLS[field.kind]


def format_number(value: float) -> str:
    """A number as the form's input holds it, exactly (``0.0001``, ``1e-05``, ``1.0``)."""
    return repr(float(value))


def text_of(field: JobField, value: Any) -> str:
    """A typed value as the form's input holds it."""
    if field.kind is FieldKind.NUMBER:
        return format_number(value)
    return str(value)


def default_texts(fields: Iterable[JobField] = JOB_FIELDS) -> dict[str, str]:
    """What a new form holds: the fields' defaults as typed text ("" for none)."""
    return {f.name: "" if f.default is None else text_of(f, f.default) for f in fields}


def step_fields(fields: Iterable[JobField] = JOB_FIELDS) -> dict[str, tuple[str, ...]]:
    """The fields each step shows and checks; the review step checks them all."""
    fields = tuple(fields)
    return {
        step: tuple(f.name for f in fields if f.step == step or step == LAST_STEP) for step in STEPS
    }


FORM_FIELD: dict[str, JobField] = dict(FIELD)
DEFAULT_TEXTS: dict[str, str] = default_texts()
"""What a new form holds: no name or model yet, and settings that keep every rule."""
FIELD_IDS: dict[str, str] = {field.name: field.input_id for field in JOB_FIELDS}
FIELD_HINTS: dict[str, str] = {field.name: field.hint for field in JOB_FIELDS}
STEP_FIELDS: dict[str, tuple[str, ...]] = step_fields()
"""The fields each step checks; the review step checks them all."""
STEPPER_FIELDS: tuple[str, ...] = tuple(
    field.name for field in JOB_FIELDS if control_of(field) == "stepper"
)
"""Whole-number fields, shown with -/+ steppers."""
EPOCH_FIELDS = rules.EPOCH_BUDGET_FIELDS
"""The fields of the epoch budget: a change to one re-checks all three."""


# --- steps ---------------------------------------------------------------------------------


def is_step(value: str | None) -> bool:
    """True for "setup", "configure" and "review"."""
    return value in STEPS


def step_index(step: str) -> int:
    """0, 1 or 2."""
    return STEPS.index(step)  # type: ignore[arg-type]


def next_step(step: str) -> Step:
    """The step after ``step`` (review is the last)."""
    return STEPS[min(step_index(step) + 1, len(STEPS) - 1)]


def previous_step(step: str) -> Step:
    """The step before ``step`` (setup is the first)."""
    return STEPS[max(step_index(step) - 1, 0)]


def step_of_field(name: str) -> Step:
    """The step that shows field ``name``."""
    if name not in FORM_FIELD:
        raise ValueError(f"{name} is not a form field")
    return FORM_FIELD[name].step


def validate_step(
    texts: Mapping[str, str],
    step: str = LAST_STEP,
    model_ids: Collection[str] | None = None,
    fields: Sequence[JobField] = JOB_FIELDS,
) -> rules.Errors:
    """Messages for one step's fields (``review``: all of them), in the form's order."""
    return rules.validate_texts(texts, step_fields(fields)[step], model_ids, fields)


def reachable_step(
    requested: str, texts: Mapping[str, str], model_ids: Collection[str] | None
) -> Step:
    """``requested``, or the first earlier step whose fields are not valid yet."""
    for step in STEPS[: step_index(requested)]:
        if validate_step(texts, step, model_ids):
            return step
    return STEPS[step_index(requested)]


def first_step_of(fields: Iterable[str]) -> Step | None:
    """The earliest step showing any of ``fields`` (None if none is a form field)."""
    steps = [step_of_field(name) for name in fields if name in FORM_FIELD]
    return min(steps, key=step_index) if steps else None


# --- messages ------------------------------------------------------------------------------


def touched_with(touched: Iterable[str], changed: str) -> list[str]:
    """``touched`` plus ``changed``; an epoch field touches the whole epoch budget."""
    return touched_with_all(touched, EPOCH_FIELDS if changed in EPOCH_FIELDS else (changed,))


def touched_with_all(touched: Iterable[str], names: Iterable[str]) -> list[str]:
    """``touched`` plus ``names``, once each, in the form's order."""
    return in_field_order([*touched, *names])


def in_field_order(names: Iterable[str]) -> list[str]:
    """The form fields among ``names``, once each, in the form's order."""
    wanted = set(names)
    return [field.name for field in JOB_FIELDS if field.name in wanted]


def visible_messages(
    texts: Mapping[str, str],
    touched: Iterable[str],
    api_messages: Mapping[str, str],
    model_ids: Collection[str] | None,
    editing: str = "",
) -> dict[str, str]:
    """The message under each field: the rules' for touched fields, else the API's.

    The field being typed in (``editing``) is not told it is too short or empty while it
    grows: only a mistake more typing cannot fix shows before the user leaves it. The epoch
    budget, broken, is said once, under the last field it spans.
    """
    touched_set = set(touched)
    local = validate_step(texts, LAST_STEP, model_ids)
    shown: dict[str, str] = {}
    for name in FORM_FIELD:
        if name in touched_set and name in local:
            if name == editing and rules.is_incomplete(FIELD[name], texts.get(name, "")):
                continue
            shown[name] = local[name]
        elif name in api_messages:
            shown[name] = api_messages[name]
    budget = [shown.get(name) for name in rules.EPOCH_BUDGET_PARTS]
    if budget[0] is not None and budget[0] == budget[-1]:
        for name in rules.EPOCH_BUDGET_PARTS[:-1]:
            del shown[name]
    return shown


def budget_message(texts: Mapping[str, str]) -> str | None:
    """The epoch budget's message when ``texts`` break it; None otherwise."""
    if not over_budget(texts):
        return None
    return rules.epoch_budget_message(_whole_or_none(texts, rules.EPOCH_BUDGET_TOTAL) or 0)


def over_budget(texts: Mapping[str, str]) -> bool:
    """True when evaluation + warm-up epochs exceed the training epochs."""
    counts = [_whole_or_none(texts, name) for name in rules.EPOCH_BUDGET_FIELDS]
    total, *parts = counts
    return total is not None and None not in parts and sum(parts) > total  # type: ignore[arg-type]


def hints(texts: Mapping[str, str]) -> dict[str, str]:
    """The hint under each field, with the room the epoch budget leaves right now (while the
    budget holds: past it, the one budget message says what is wrong)."""
    shown = dict(FIELD_HINTS)
    if over_budget(texts):
        return shown
    for name in rules.EPOCH_BUDGET_PARTS:
        _, high = whole_number_bounds(name, texts)
        if high is not None:
            shown[name] = f"{shown[name]} Up to {high} now."
    return shown


# --- steppers ------------------------------------------------------------------------------


def _whole_or_none(texts: Mapping[str, str], name: str) -> int | None:
    parsed = rules.parse_whole_number(texts.get(name, ""), FIELD[name].label)
    return parsed if isinstance(parsed, int) and parsed >= 0 else None


def whole_number_bounds(name: str, texts: Mapping[str, str]) -> tuple[int, int | None]:
    """``(lowest, highest or None)`` a whole-number field may hold, given the other texts.

    The epoch budget bounds its three fields: epochs may not go under evaluation + warm-up,
    and each of those may not go over what the other leaves of the epochs.
    """
    field = FIELD[name]
    if field.kind is not FieldKind.WHOLE:
        raise ValueError(f"{name} is not a whole-number field")
    low = int(field.minimum or 0)
    high = None if field.maximum is None else int(field.maximum)
    if name == rules.EPOCH_BUDGET_TOTAL:
        parts = [_whole_or_none(texts, part) for part in rules.EPOCH_BUDGET_PARTS]
        if None not in parts:
            low = max(low, sum(parts))  # type: ignore[arg-type]
    elif name in rules.EPOCH_BUDGET_PARTS:
        (other,) = (part for part in rules.EPOCH_BUDGET_PARTS if part != name)
        epochs = _whole_or_none(texts, rules.EPOCH_BUDGET_TOTAL)
        if epochs is not None and epochs >= (FIELD[rules.EPOCH_BUDGET_TOTAL].minimum or 0):
            room = rules.max_aux_epochs(epochs, _whole_or_none(texts, other))
            high = room if high is None else min(high, room or 0)
    return low, high


def step_whole_number(name: str, texts: Mapping[str, str], delta: int) -> int | None:
    """The value a -1/+1 stepper moves ``name`` to, or None when it may not move that way.

    A stepper never leaves a value past a bound of :func:`whole_number_bounds`: from a value
    outside them it moves to the nearest bound in its direction, and from text that is not
    a whole number, "+" gives the lowest allowed value and "-" does nothing.
    """
    low, high = whole_number_bounds(name, texts)
    current = rules.parse_whole_number(texts.get(name, ""), FIELD[name].label)
    if isinstance(current, str):
        return low if delta > 0 else None
    if delta > 0:
        if high is not None and current >= high:
            return None
        return max(current + 1, low)
    if current <= low:
        return None
    target = current - 1
    return min(target, high) if high is not None else target


# --- clone and review ------------------------------------------------------------------------

CLONE_SUFFIX = "-copy"


def clone_name(name: str) -> str:
    """The name for a copy of job ``name``: ``name`` + "-copy", within the name rules.

    Characters the rules refuse become dashes, and the original part is trimmed so that
    the whole stays within :data:`ftapp.job_fields.NAME_MAX_LENGTH`.
    """
    base = re.sub(r"[^A-Za-z0-9-]", "-", name)[: NAME_MAX_LENGTH - len(CLONE_SUFFIX)]
    return (base or "job") + CLONE_SUFFIX


def texts_from_job(
    values: Mapping[str, Any], fields: Sequence[JobField] = JOB_FIELDS
) -> dict[str, str]:
    """The form texts for a copy of a job (its wire values): the same settings, the name
    made a copy's."""
    texts = {f.name: text_of(f, values[f.name]) for f in fields if f.name in values}
    texts["name"] = clone_name(texts.get("name", ""))
    return {**default_texts(fields), **texts}


def review_rows(
    texts: Mapping[str, str],
    step: str,
    model_names: Mapping[str, str],
    fields: Sequence[JobField] = JOB_FIELDS,
) -> list[SettingRow]:
    """The values of ``step``'s fields as the review shows them: as the dashboard and the job
    page will (a model by its display name), or as typed when they do not parse."""
    rows = []
    for field in fields:
        if field.step != step:
            continue
        text = texts.get(field.name, "")
        value = rules.parse_text(field, text)
        if field.kind in (FieldKind.WHOLE, FieldKind.NUMBER) and isinstance(value, str):
            shown = text.strip()  # not a number: shown as typed
        else:
            shown = display_value(field, value, model_names)
        rows.append(SettingRow(field.label, shown))
    return rows


def estimate_inputs(texts: Mapping[str, str], model_ids: Collection[str] | None) -> tuple[str, int]:
    """The base model and training epochs an estimate is for: ``("", 0)`` while either is
    not valid."""
    errors = validate_step(texts, LAST_STEP, model_ids)
    if "baseModel" in errors or "epochs" in errors:
        return "", 0
    epochs = rules.parse_text(FIELD["epochs"], texts.get("epochs", ""))
    if not isinstance(epochs, int):
        return "", 0
    return texts.get("baseModel", "").strip(), epochs
