"""The rules for a fine-tuning job: the one definition used by the form, the client and the sandbox.

Rules (the contract's ``JobInput``; README, "Rules for a job"):

- ``name``: 3 to 50 characters, only ASCII letters, digits and dashes, and it must not end
  with a dash. A leading dash is allowed: neither the contract nor the product rules forbid
  it, and the sandbox must accept whatever the hosted API accepts.
- ``baseModel``: one of the models ``GET /models`` returns.
- ``epochs``: a whole number from 1 to 1,000 (ftapp's own bound: :data:`MAX_EPOCHS`).
- ``evaluationEpochs`` and ``warmupEpochs``: whole numbers, at least 0, and
  ``evaluationEpochs + warmupEpochs <= epochs``.
- ``learningRate``: a finite number from 0 to 1, both ends allowed.

Each field is one row of :data:`JOB_FIELDS` (wire name, label, kind, bounds, extra check);
every other per-field mapping is derived from it. Values arrive in two forms, each with its
own parser, and then meet the same checks:

- text typed into a form (:func:`parse_text`), where ``" 3 "``, ``"3.0"`` and ``"1e-4"``
  are fine and ``""`` or ``"abc"`` get a message;
- JSON values in a request body (:func:`validate_payload`), where ``true`` or ``"3"`` is the
  wrong type and a whole float such as ``3.0`` counts as the integer 3.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_JOBS_PER_WORKSPACE = 10
"""The contract's limit: a workspace holds at most this many jobs (429 beyond)."""
NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 50
MAX_EPOCHS = 1000
"""ftapp's own bound on training epochs (the contract names none): fine-tuning runs take 1 to a
few dozen epochs, so 1,000 refuses only typing slips such as 99999999999999999999999, and every
count stays exact in a browser's numbers."""

_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9-]+")
# Plain ASCII decimal notation only: Python's int()/float() would also take "1_000" or "٣".
_NUMBER_SYNTAX = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

FieldName = Literal[
    "name", "baseModel", "epochs", "evaluationEpochs", "warmupEpochs", "learningRate"
]
Errors = dict[str, str]


class JobStatus(StrEnum):
    """Where a job is: it runs, then completes or fails."""

    RUNNING = "Running"
    COMPLETED = "Completed"
    FAILED = "Failed"


class FieldKind(StrEnum):
    """What kind of value a field holds, which decides how it is parsed and checked."""

    TEXT = "text"
    """Free text with a rule of its own (the job name)."""
    CHOICE = "choice"
    """One id of a list known at run time (the base model)."""
    WHOLE = "whole"
    """A whole number."""
    NUMBER = "number"
    """A finite number."""


def check_name(name: str) -> str | None:
    """The message for a bad job name, or None."""
    if name == "":
        return "Job name is required"
    # A wrong character first: it is the mistake more typing cannot fix.
    if not _NAME_CHARACTERS.fullmatch(name):
        return "Job name may contain only letters, digits and dashes"
    if len(name) < NAME_MIN_LENGTH:
        return f"Job name must be at least {NAME_MIN_LENGTH} characters"
    if len(name) > NAME_MAX_LENGTH:
        return f"Job name must be at most {NAME_MAX_LENGTH} characters"
    if name.endswith("-"):
        return "Job name must not end with a dash"
    return None


@dataclass(frozen=True)
class JobField:
    """One field of a job request: its wire name, label, kind and rules."""

    name: FieldName
    """The contract's (camelCase) name, also the key of form texts and messages."""
    label: str
    kind: FieldKind
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], str | None] | None = None
    """A rule of its own for a typed value, run after the kind's checks."""
    required_message: str = ""
    """The message for a missing value; "<label> is required" when empty."""

    @property
    def python_type(self) -> type:
        """The type of a parsed value: str, int or float."""
        return {FieldKind.WHOLE: int, FieldKind.NUMBER: float}.get(self.kind, str)

    @property
    def missing(self) -> str:
        """The message for a value that is not there."""
        return self.required_message or f"{self.label} is required"


JOB_FIELDS: tuple[JobField, ...] = (
    JobField("name", "Job name", FieldKind.TEXT, check=check_name),
    JobField("baseModel", "Base model", FieldKind.CHOICE, required_message="Choose a base model"),
    JobField("epochs", "Epochs", FieldKind.WHOLE, minimum=1, maximum=MAX_EPOCHS),
    JobField("evaluationEpochs", "Evaluation epochs", FieldKind.WHOLE, minimum=0),
    JobField("warmupEpochs", "Warm-up epochs", FieldKind.WHOLE, minimum=0),
    JobField("learningRate", "Learning rate", FieldKind.NUMBER, minimum=0.0, maximum=1.0),
)
"""Every field of a job request, in the order forms show them."""

FIELD: dict[str, JobField] = {field.name: field for field in JOB_FIELDS}
FIELDS: tuple[FieldName, ...] = tuple(field.name for field in JOB_FIELDS)
FIELD_LABELS: dict[str, str] = {field.name: field.label for field in JOB_FIELDS}

EPOCH_BUDGET_TOTAL = "epochs"
EPOCH_BUDGET_PARTS = ("evaluationEpochs", "warmupEpochs")
"""The one rule across fields: evaluationEpochs + warmupEpochs <= epochs."""
EPOCH_BUDGET_FIELDS = (EPOCH_BUDGET_TOTAL, *EPOCH_BUDGET_PARTS)


class JobInput(BaseModel):
    """A valid job request, as the contract's ``JobInput`` (camelCase on the wire).

    Its aliases are the names of :data:`JOB_FIELDS` (a unit test keeps the two equal).
    """

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    name: str
    base_model: str = Field(alias="baseModel")
    epochs: int
    evaluation_epochs: int = Field(alias="evaluationEpochs")
    warmup_epochs: int = Field(alias="warmupEpochs")
    learning_rate: float = Field(alias="learningRate")

    def to_wire(self) -> dict[str, Any]:
        """The JSON body for ``POST /jobs``."""
        return self.model_dump(by_alias=True)


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
    fields: Iterable[str] = FIELDS,
    model_ids: Collection[str] | None = None,
) -> Errors:
    """Check already-typed values; returns ``{field: message}`` for ``fields`` only.

    A field missing from ``values`` was unparseable and already has a message, so it is
    skipped; the epoch budget is checked only when all three epoch counts are valid.
    """
    wanted = set(fields)
    errors: Errors = {}
    for field in JOB_FIELDS:
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
        return len(stripped) < NAME_MIN_LENGTH and bool(_NAME_CHARACTERS.fullmatch(stripped))
    return False


def parse_form(texts: Mapping[str, str], fields: Iterable[str] = FIELDS) -> tuple[dict, Errors]:
    """Turn a form's raw texts into typed values; returns ``(values, parse_errors)``."""
    values: dict[str, Any] = {}
    errors: Errors = {}
    for name in fields:
        field = FIELD[name]
        parsed = parse_text(field, texts.get(name, ""))
        if field.kind in (FieldKind.WHOLE, FieldKind.NUMBER) and isinstance(parsed, str):
            errors[name] = parsed
        else:
            values[name] = parsed
    return values, errors


def validate_texts(
    texts: Mapping[str, str],
    fields: Iterable[str] = FIELDS,
    model_ids: Collection[str] | None = None,
) -> Errors:
    """Messages for ``fields`` of a form's texts, in the fields' order.

    The epoch budget needs all three counts: it is checked when ``fields`` holds them.
    """
    fields = tuple(fields)
    values, errors = parse_form(texts, fields)
    errors.update(check_values(values, fields, model_ids))
    return {name: errors[name] for name in FIELDS if name in errors}


def job_input_from_form(
    texts: Mapping[str, str], model_ids: Collection[str] | None = None
) -> JobInput:
    """The :class:`JobInput` for a complete form; raises :class:`JobRulesError` if invalid."""
    values, errors = parse_form(texts)
    errors.update(check_values(values, FIELDS, model_ids))
    if errors:
        raise JobRulesError(errors)
    return JobInput.model_validate(values)


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
    payload: Any, model_ids: Collection[str] | None = None
) -> tuple[JobInput | None, Errors]:
    """Validate a decoded JSON request body; returns ``(job, {})`` or ``(None, errors)``.

    Unknown keys are ignored; a missing key gets "<label> is required".
    """
    if not isinstance(payload, Mapping):
        return None, {"body": "Request body must be a JSON object"}
    values: dict[str, Any] = {}
    errors: Errors = {}
    for field in JOB_FIELDS:
        if payload.get(field.name) is None:
            errors[field.name] = f"{field.label} is required"
            continue
        value, message = _coerce_json(field, payload[field.name])
        if message is None:
            values[field.name] = value
        else:
            errors[field.name] = message
    errors.update(check_values(values, FIELDS, model_ids))
    if errors:
        return None, {name: errors[name] for name in FIELDS if name in errors}
    return JobInput.model_validate(values), {}
