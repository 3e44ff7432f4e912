"""The rules for a fine-tuning job: the one definition used by the form, the client and the sandbox.

Rules (the contract's ``JobInput``; README, "Rules for a job"):

- ``name``: 3 to 50 characters, only ASCII letters, digits and dashes, and it must not end
  with a dash. A leading dash is allowed: neither the contract nor the product rules forbid
  it, and the sandbox must accept whatever the hosted API accepts.
- ``baseModel``: one of the models ``GET /models`` returns.
- ``epochs``: a whole number from 1 to 1,000 (ftapp's own bound:
  :data:`ftapp.job_fields.MAX_EPOCHS`).
- ``evaluationEpochs`` and ``warmupEpochs``: whole numbers, at least 0, and
  ``evaluationEpochs + warmupEpochs <= epochs``.
- ``learningRate``: a finite number from 0 to 1, both ends allowed.

Each field is one row of :data:`ftapp.job_fields.JOB_FIELDS` (wire name, label, kind, bounds,
extra check); this module checks values against the rows, and its checks of whole forms and
payloads take the rows (``fields``, by default that table). The one rule across fields, the
epoch budget, lives here. Values arrive in two forms, each with its own parser, and then meet
the same checks:

- text typed into a form (:func:`parse_text`), where ``" 3 "``, ``"3.0"`` and ``"1e-4"``
  are fine and ``""`` or ``"abc"`` get a message;
- JSON values in a request body (:func:`validate_payload`), where ``true`` or ``"3"`` is the
  wrong type and a whole float such as ``3.0`` counts as the integer 3.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from ftapp.job_fields import (
    JOB_FIELDS,
    NAME_CHARACTERS,
    NAME_MIN_LENGTH,
    FieldKind,
    JobField,
    JobInput,
    input_model,
)

MAX_JOBS_PER_WORKSPACE = 10
"""The contract's limit: a workspace holds at most this many jobs (429 beyond)."""

# Plain ASCII decimal notation only: Python's int()/float() would also take "1_000" or "٣".
_NUMBER_SYNTAX = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

Errors = dict[str, str]


class JobStatus(StrEnum):
    """Where a job is: it runs, then completes or fails."""

    RUNNING = "Running"
    COMPLETED = "Completed"
    FAILED = "Failed"


EPOCH_BUDGET_TOTAL = "epochs"
EPOCH_BUDGET_PARTS = ("evaluationEpochs", "warmupEpochs")
"""The one rule across fields: evaluationEpochs + warmupEpochs <= epochs."""
EPOCH_BUDGET_FIELDS = (EPOCH_BUDGET_TOTAL, *EPOCH_BUDGET_PARTS)


class JobRulesError(ValueError):
    """Raised by :func:`job_input_from_form` with a message per broken field."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


# --- checks on typed values -------------------------------------------------------------


def check_field(field: JobField, value: Any, choices: Collection[str] | None = None) -> str | None:
    """The message for a typed ``value`` of ``field`` breaking a rule of its own, or None.

    ``choices`` are the ids a CHOICE field may hold (None skips that check).
    """
    if field.kind is FieldKind.CHOICE:
        if value == "":
            return field.missing
        if choices is not None and value not in choices:
            return f"Unknown {field.label.lower()}: {value}"
    if field.kind is FieldKind.NUMBER and not math.isfinite(value):
        return _range_message(field, value)
    low, high = field.minimum, field.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        return _range_message(field, value)
    return field.check(value) if field.check is not None else None


def _range_message(field: JobField, value: float) -> str:
    """A number says its whole range; a whole number the bound it crossed."""
    low, high = field.minimum, field.maximum
    if field.kind is FieldKind.NUMBER and low is not None and high is not None:
        return f"{field.label} must be between {low:g} and {high:g}"
    if low is not None and value < low:
        return f"{field.label} must be at least {low:g}"
    return f"{field.label} must be at most {high:,.0f}"


def epoch_budget_message(epochs: int) -> str:
    """The message of the shared rule evaluationEpochs + warmupEpochs <= epochs."""
    unit = "training epoch" if epochs == 1 else "training epochs"
    return f"Evaluation + warm-up epochs must not exceed {epochs} {unit}"


def max_aux_epochs(epochs: int | None, other: int | None) -> int | None:
    """The largest evaluation (or warm-up) count the budget leaves, given the other count."""
    if epochs is None:
        return None
    return max(epochs - (other or 0), 0)


def check_values(
    values: Mapping[str, Any],
    names: Iterable[str] | None = None,
    model_ids: Collection[str] | None = None,
    fields: Sequence[JobField] = JOB_FIELDS,
) -> Errors:
    """Check already-typed values; returns ``{field: message}`` for ``names`` only (None:
    every field).

    A field missing from ``values`` was unparseable and already has a message, so it is
    skipped; the epoch budget is checked only when all three epoch counts are valid.
    """
    wanted = {field.name for field in fields} if names is None else set(names)
    errors: Errors = {}
    for field in fields:
        if field.name in values:
            message = check_field(field, values[field.name], model_ids)
            if message is not None:
                errors[field.name] = message
    if all(name in values and name not in errors for name in EPOCH_BUDGET_FIELDS):
        epochs = values[EPOCH_BUDGET_TOTAL]
        if sum(values[name] for name in EPOCH_BUDGET_PARTS) > epochs:
            for name in EPOCH_BUDGET_PARTS:
                errors[name] = epoch_budget_message(epochs)
    return {name: message for name, message in errors.items() if name in wanted}


# --- text from a form -------------------------------------------------------------------


def parse_whole_number(text: str, label: str) -> int | str:
    """Parse typed text into an int; returns the message (a str) when it is not one.

    Accepts surrounding spaces and whole decimals such as ``"3.0"`` or ``"1e1"``.
    """
    stripped = text.strip()
    if stripped == "":
        return f"{label} is required"
    if not _NUMBER_SYNTAX.fullmatch(stripped):
        return f"{label} must be a whole number"
    if stripped.lstrip("+-").isdigit():
        try:
            return int(stripped)
        except ValueError:  # beyond Python's 4300-digit conversion limit
            return f"{label} must be a whole number"
    number = float(stripped)
    if not math.isfinite(number) or not number.is_integer():
        return f"{label} must be a whole number"
    return int(number)


def parse_number(text: str, label: str) -> float | str:
    """Parse typed text into a finite float (``"0.0001"``, ``"1e-4"``); else the message."""
    stripped = text.strip()
    if stripped == "":
        return f"{label} is required"
    if not _NUMBER_SYNTAX.fullmatch(stripped):
        return f"{label} must be a number"
    number = float(stripped)
    if not math.isfinite(number):
        return f"{label} must be a number"
    return number


def parse_text(field: JobField, text: str) -> Any:
    """The typed value of ``text`` typed into ``field``; a message (str) for a number that
    does not parse. Text and choices come back without the spaces around them (a pasted
    " my-job " is the name "my-job")."""
    if field.kind is FieldKind.WHOLE:
        return parse_whole_number(text, field.label)
    if field.kind is FieldKind.NUMBER:
        return parse_number(text, field.label)
    return text.strip()


def is_incomplete(field: JobField, text: str) -> bool:
    """True when ``text`` breaks a rule of ``field`` only by being too short so far (more
    typing can fix it): empty, or a name of allowed characters under the minimum length."""
    stripped = text.strip()
    if stripped == "":
        return True
    if field.kind is FieldKind.TEXT and field.name == "name":
        return len(stripped) < NAME_MIN_LENGTH and bool(NAME_CHARACTERS.fullmatch(stripped))
    return False


def parse_form(
    texts: Mapping[str, str],
    names: Iterable[str] | None = None,
    fields: Sequence[JobField] = JOB_FIELDS,
) -> tuple[dict, Errors]:
    """Turn a form's raw texts into typed values; returns ``(values, parse_errors)``."""
    wanted = None if names is None else set(names)
    values: dict[str, Any] = {}
    errors: Errors = {}
    for field in fields:
        name = field.name
        if wanted is not None and name not in wanted:
            continue
        parsed = parse_text(field, texts.get(name, ""))
        if field.kind in (FieldKind.WHOLE, FieldKind.NUMBER) and isinstance(parsed, str):
            errors[name] = parsed
        else:
            values[name] = parsed
    return values, errors


def validate_texts(
    texts: Mapping[str, str],
    names: Iterable[str] | None = None,
    model_ids: Collection[str] | None = None,
    fields: Sequence[JobField] = JOB_FIELDS,
) -> Errors:
    """Messages for the fields ``names`` (None: all) of a form's texts, in the fields' order.

    The epoch budget needs all three counts: it is checked when ``names`` holds them.
    """
    names = None if names is None else tuple(names)
    values, errors = parse_form(texts, names, fields)
    errors.update(check_values(values, names, model_ids, fields))
    return _in_order(errors, fields)


def _in_order(errors: Errors, fields: Sequence[JobField]) -> Errors:
    return {field.name: errors[field.name] for field in fields if field.name in errors}


def job_input_from_form(
    texts: Mapping[str, str],
    model_ids: Collection[str] | None = None,
    fields: Sequence[JobField] = JOB_FIELDS,
) -> JobInput:
    """The request (a :class:`~ftapp.job_fields.JobInput` for the default ``fields``) for a
    complete form; raises :class:`JobRulesError` if invalid."""
    values, errors = parse_form(texts, None, fields)
    errors.update(check_values(values, None, model_ids, fields))
    if errors:
        raise JobRulesError(errors)
    return input_model(fields).model_validate(values)


# --- JSON from a request body -----------------------------------------------------------


def _coerce_json(field: JobField, raw: Any) -> tuple[Any, str | None]:
    """``(value, None)`` for a JSON value of the field's type, else ``(None, message)``."""
    if field.python_type is str:
        return (raw, None) if isinstance(raw, str) else (None, f"{field.label} must be a string")
    kind = "a whole number" if field.kind is FieldKind.WHOLE else "a number"
    wrong = (None, f"{field.label} must be {kind}")
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return wrong
    if isinstance(raw, float) and not math.isfinite(raw):
        return wrong
    if field.kind is FieldKind.WHOLE:
        if isinstance(raw, float) and not raw.is_integer():
            return wrong
        return int(raw), None
    try:
        return float(raw), None
    except OverflowError:  # a JSON integer beyond float range: a number far outside any bound
        return (math.inf if raw > 0 else -math.inf), None


def validate_payload(
    payload: Any,
    model_ids: Collection[str] | None = None,
    fields: Sequence[JobField] = JOB_FIELDS,
) -> tuple[JobInput | None, Errors]:
    """Validate a decoded JSON request body; returns ``(job, {})`` or ``(None, errors)``, the
    job a :class:`~ftapp.job_fields.JobInput` for the default ``fields``.

    Unknown keys are ignored; a missing key gets "<label> is required".
    """
    if not isinstance(payload, Mapping):
        return None, {"body": "Request body must be a JSON object"}
    values: dict[str, Any] = {}
    errors: Errors = {}
    for field in fields:
        if payload.get(field.name) is None:
            errors[field.name] = f"{field.label} is required"
            continue
        value, message = _coerce_json(field, payload[field.name])
        if message is None:
            values[field.name] = value
        else:
            errors[field.name] = message
    errors.update(check_values(values, None, model_ids, fields))
    if errors:
        return None, _in_order(errors, fields)
    return input_model(fields).model_validate(values), {}
