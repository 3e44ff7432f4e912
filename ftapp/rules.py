"""The rules for a fine-tuning job: the one definition used by the form, the client and the sandbox.

Rules (PRODUCT.md, "Rules for a job"; the contract's ``JobInput``):

- ``name``: 3 to 50 characters, only ASCII letters, digits and dashes, and it must not end
  with a dash. A leading dash is allowed: neither the contract nor the product rules forbid
  it, and the sandbox must accept whatever the hosted API accepts.
- ``baseModel``: one of the models ``GET /models`` returns.
- ``epochs``: a whole number, at least 1.
- ``evaluationEpochs`` and ``warmupEpochs``: whole numbers, at least 0, and
  ``evaluationEpochs + warmupEpochs <= epochs``.
- ``learningRate``: a finite number from 0 to 1, both ends allowed.

Values arrive in two forms, each with its own parser, and then meet the same checks:

- text typed into the form (:func:`parse_whole_number`, :func:`parse_number`), where
  ``" 3 "``, ``"3.0"`` and ``"1e-4"`` are fine and ``""`` or ``"abc"`` get a message;
- JSON values in a request body (:func:`validate_payload`), where ``true`` or ``"3"`` is the
  wrong type and a whole float such as ``3.0`` counts as the integer 3.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_JOBS_PER_WORKSPACE = 10
"""The contract's limit: a workspace holds at most this many jobs (429 beyond)."""
NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 50
MIN_EPOCHS = 1
MIN_AUX_EPOCHS = 0
LEARNING_RATE_MIN = 0.0
LEARNING_RATE_MAX = 1.0

_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9-]+")
# Plain ASCII decimal notation only: Python's int()/float() would also take "1_000" or "٣".
_NUMBER_SYNTAX = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

FieldName = Literal[
    "name", "baseModel", "epochs", "evaluationEpochs", "warmupEpochs", "learningRate"
]
FIELDS: tuple[FieldName, ...] = (
    "name",
    "baseModel",
    "epochs",
    "evaluationEpochs",
    "warmupEpochs",
    "learningRate",
)
FIELD_LABELS: dict[str, str] = {
    "name": "Job name",
    "baseModel": "Base model",
    "epochs": "Epochs",
    "evaluationEpochs": "Evaluation epochs",
    "warmupEpochs": "Warm-up epochs",
    "learningRate": "Learning rate",
}

Step = Literal["setup", "configure", "review"]
STEPS: tuple[Step, ...] = ("setup", "configure", "review")
STEP_FIELDS: dict[str, tuple[FieldName, ...]] = {
    "setup": ("name", "baseModel"),
    "configure": ("epochs", "evaluationEpochs", "warmupEpochs", "learningRate"),
    "review": FIELDS,
}
_WHOLE_FIELDS = ("epochs", "evaluationEpochs", "warmupEpochs")

Errors = dict[str, str]


class JobInput(BaseModel):
    """A valid job request, as the contract's ``JobInput`` (camelCase on the wire)."""

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
    """Raised by :func:`require_valid` with a message per broken field."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


# --- checks on typed values -------------------------------------------------------------


def check_name(name: str) -> str | None:
    """The message for a bad job name, or None."""
    if name == "":
        return "Job name is required"
    if len(name) < NAME_MIN_LENGTH:
        return f"Job name must be at least {NAME_MIN_LENGTH} characters"
    if len(name) > NAME_MAX_LENGTH:
        return f"Job name must be at most {NAME_MAX_LENGTH} characters"
    if not _NAME_CHARACTERS.fullmatch(name):
        return "Job name may contain only letters, digits and dashes"
    if name.endswith("-"):
        return "Job name must not end with a dash"
    return None


def check_base_model(model_id: str, model_ids: Collection[str] | None) -> str | None:
    """The message for a bad base model, or None; ``model_ids=None`` skips the list check."""
    if model_id == "":
        return "Choose a base model"
    if model_ids is not None and model_id not in model_ids:
        return f"Unknown base model: {model_id}"
    return None


def check_epochs(epochs: int) -> str | None:
    """The message for a bad number of training epochs, or None."""
    if epochs < MIN_EPOCHS:
        return f"Epochs must be at least {MIN_EPOCHS}"
    return None


def check_aux_epochs(field: str, value: int) -> str | None:
    """The message for a negative evaluation or warm-up epoch count, or None."""
    if value < MIN_AUX_EPOCHS:
        return f"{FIELD_LABELS[field]} must be at least {MIN_AUX_EPOCHS}"
    return None


def epoch_budget_message(epochs: int) -> str:
    """The message of the shared rule evaluationEpochs + warmupEpochs <= epochs."""
    unit = "training epoch" if epochs == 1 else "training epochs"
    return f"Evaluation + warm-up epochs must not exceed {epochs} {unit}"


def check_learning_rate(rate: float) -> str | None:
    """The message for a learning rate outside [0, 1], or None."""
    if not math.isfinite(rate) or not LEARNING_RATE_MIN <= rate <= LEARNING_RATE_MAX:
        return "Learning rate must be between 0 and 1"
    return None


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
    if "name" in values:
        _put(errors, "name", check_name(values["name"]))
    if "baseModel" in values:
        _put(errors, "baseModel", check_base_model(values["baseModel"], model_ids))
    if "epochs" in values:
        _put(errors, "epochs", check_epochs(values["epochs"]))
    for field in ("evaluationEpochs", "warmupEpochs"):
        if field in values:
            _put(errors, field, check_aux_epochs(field, values[field]))
    if "learningRate" in values:
        _put(errors, "learningRate", check_learning_rate(values["learningRate"]))

    if all(f in values and f not in errors for f in _WHOLE_FIELDS):
        epochs = values["epochs"]
        if values["evaluationEpochs"] + values["warmupEpochs"] > epochs:
            errors["evaluationEpochs"] = errors["warmupEpochs"] = epoch_budget_message(epochs)
    return {field: message for field, message in errors.items() if field in wanted}


def _put(errors: Errors, field: str, message: str | None) -> None:
    if message is not None:
        errors[field] = message


# --- text from the form -----------------------------------------------------------------


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


def parse_form(texts: Mapping[str, str], fields: Iterable[str] = FIELDS) -> tuple[dict, Errors]:
    """Turn the form's raw texts into typed values; returns ``(values, parse_errors)``."""
    values: dict[str, Any] = {}
    errors: Errors = {}
    for field in fields:
        text = texts.get(field, "")
        if field in ("name", "baseModel"):
            # A name with spaces around it is a mistake to show, not to fix silently.
            values[field] = text if field == "name" else text.strip()
            continue
        parser = parse_whole_number if field in _WHOLE_FIELDS else parse_number
        parsed = parser(text, FIELD_LABELS[field])
        if isinstance(parsed, str):
            errors[field] = parsed
        else:
            values[field] = parsed
    return values, errors


def validate_form(
    texts: Mapping[str, str],
    step: str = "review",
    model_ids: Collection[str] | None = None,
) -> Errors:
    """Messages for one wizard step's fields (``setup``, ``configure`` or ``review`` = all).

    The epoch budget needs all three counts, so the configure step parses them together.
    """
    fields = STEP_FIELDS[step]
    values, errors = parse_form(texts, fields)
    errors.update(check_values(values, fields, model_ids))
    return {field: errors[field] for field in FIELDS if field in errors}


def job_input_from_form(
    texts: Mapping[str, str], model_ids: Collection[str] | None = None
) -> JobInput:
    """The :class:`JobInput` for a complete form; raises :class:`JobRulesError` if invalid."""
    values, errors = parse_form(texts)
    errors.update(check_values(values, FIELDS, model_ids))
    if errors:
        raise JobRulesError(errors)
    return JobInput.model_validate(values)


# --- helpers for the form: hints, steppers, clone names ---------------------------------

FIELD_HINTS: dict[str, str] = {
    "name": (
        f"{NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters: letters, digits and dashes, "
        "not ending with a dash."
    ),
    "baseModel": "The model the job fine-tunes.",
    "epochs": f"Training epochs: a whole number, at least {MIN_EPOCHS}.",
    "evaluationEpochs": "Evaluation + warm-up epochs must not exceed the training epochs.",
    "warmupEpochs": "Evaluation + warm-up epochs must not exceed the training epochs.",
    "learningRate": (
        f"A number from {LEARNING_RATE_MIN:g} to {LEARNING_RATE_MAX:g}, e.g. 0.0001 or 1e-4."
    ),
}
"""One sentence per field saying what its rules allow, shown under its input."""

CLONE_SUFFIX = "-copy"


def clone_name(name: str) -> str:
    """The name for a copy of job ``name``: ``name`` + "-copy", within the name rules.

    Characters the rules refuse become dashes, and the original part is trimmed so that
    the whole stays within :data:`NAME_MAX_LENGTH`.
    """
    base = re.sub(r"[^A-Za-z0-9-]", "-", name)[: NAME_MAX_LENGTH - len(CLONE_SUFFIX)]
    return (base or "job") + CLONE_SUFFIX


def _whole_or_none(texts: Mapping[str, str], field: str) -> int | None:
    parsed = parse_whole_number(texts.get(field, ""), FIELD_LABELS[field])
    return parsed if isinstance(parsed, int) and parsed >= MIN_AUX_EPOCHS else None


def whole_number_bounds(field: str, texts: Mapping[str, str]) -> tuple[int, int | None]:
    """``(lowest, highest or None)`` an epoch field may hold, given the other fields' texts.

    The epoch budget bounds all three: epochs may not go under evaluation + warm-up, and
    each of those may not go over what the other leaves of the epochs.
    """
    if field == "epochs":
        evaluation = _whole_or_none(texts, "evaluationEpochs")
        warmup = _whole_or_none(texts, "warmupEpochs")
        if evaluation is None or warmup is None:
            return MIN_EPOCHS, None
        return max(MIN_EPOCHS, evaluation + warmup), None
    if field not in ("evaluationEpochs", "warmupEpochs"):
        raise ValueError(f"{field} is not a whole-number field")
    other = "warmupEpochs" if field == "evaluationEpochs" else "evaluationEpochs"
    epochs = _whole_or_none(texts, "epochs")
    if epochs is None or epochs < MIN_EPOCHS:
        return MIN_AUX_EPOCHS, None
    return MIN_AUX_EPOCHS, max_aux_epochs(epochs, _whole_or_none(texts, other))


def step_whole_number(field: str, texts: Mapping[str, str], delta: int) -> int | None:
    """The value a -1/+1 stepper moves ``field`` to, or None when it may not move that way.

    A stepper never leaves a value past a bound of :func:`whole_number_bounds`: from a value
    outside them it moves to the nearest bound in its direction, and from text that is not
    a whole number, "+" gives the lowest allowed value and "-" does nothing.
    """
    low, high = whole_number_bounds(field, texts)
    current = parse_whole_number(texts.get(field, ""), FIELD_LABELS[field])
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


# --- JSON from a request body -----------------------------------------------------------


def _coerce_json(field: str, raw: Any) -> tuple[Any, str | None]:
    """``(value, None)`` for a JSON value of the field's type, else ``(None, message)``."""
    label = FIELD_LABELS[field]
    if field in ("name", "baseModel"):
        return (raw, None) if isinstance(raw, str) else (None, f"{label} must be a string")
    kind = "a whole number" if field in _WHOLE_FIELDS else "a number"
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None, f"{label} must be {kind}"
    if isinstance(raw, float) and not math.isfinite(raw):
        return None, f"{label} must be {kind}"
    if field in _WHOLE_FIELDS:
        if isinstance(raw, float) and not raw.is_integer():
            return None, f"{label} must be a whole number"
        return int(raw), None
    try:
        return float(raw), None
    except OverflowError:  # a JSON integer beyond float range: a number far outside [0, 1]
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
    for field in FIELDS:
        if field not in payload or payload[field] is None:
            errors[field] = f"{FIELD_LABELS[field]} is required"
            continue
        value, message = _coerce_json(field, payload[field])
        if message is None:
            values[field] = value
        else:
            errors[field] = message
    errors.update(check_values(values, FIELDS, model_ids))
    if errors:
        return None, {field: errors[field] for field in FIELDS if field in errors}
    return JobInput.model_validate(values), {}


def require_valid(job: JobInput, model_ids: Collection[str] | None = None) -> JobInput:
    """Return ``job`` if it keeps every rule; raise :class:`JobRulesError` otherwise."""
    errors = check_values(job.model_dump(by_alias=True), FIELDS, model_ids)
    if errors:
        raise JobRulesError(errors)
    return job
