"""Job-rule data and checks the unit tests share: valid and invalid forms and payloads, the
exact messages, and single-field checks (production code checks whole forms or payloads)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ftapp.job_fields import FIELD, FIELDS, JobInput
from ftapp.rules import JobRulesError, check_field, check_values

MODEL_IDS = ("llama-3-8b", "mistral-7b")

VALID_PAYLOAD: dict[str, Any] = {
    "name": "my-job-1",
    "baseModel": "llama-3-8b",
    "epochs": 3,
    "evaluationEpochs": 1,
    "warmupEpochs": 1,
    "learningRate": 0.0001,
}
VALID_TEXTS: dict[str, str] = {
    "name": "my-job-1",
    "baseModel": "llama-3-8b",
    "epochs": "3",
    "evaluationEpochs": "1",
    "warmupEpochs": "1",
    "learningRate": "0.0001",
}

NAME_REQUIRED = "Job name is required"
NAME_TOO_SHORT = "Job name must be at least 3 characters"
NAME_TOO_LONG = "Job name must be at most 50 characters"
NAME_BAD_CHARS = "Job name may contain only letters, digits and dashes"
NAME_TRAILING_DASH = "Job name must not end with a dash"
CHOOSE_MODEL = "Choose a base model"
EPOCHS_MIN = "Epochs must be at least 1"
EPOCHS_MAX = "Epochs must be at most 1,000"
EVAL_MIN = "Evaluation epochs must be at least 0"
WARMUP_MIN = "Warm-up epochs must be at least 0"
LR_RANGE = "Learning rate must be between 0 and 1"

ALL_BAD_TEXTS = {
    "name": "a_",
    "baseModel": "",
    "epochs": "0",
    "evaluationEpochs": "-1",
    "warmupEpochs": "x",
    "learningRate": "2",
}
ALL_BAD_ERRORS = {
    "name": NAME_BAD_CHARS,  # "a_": a wrong character is said before the length
    "baseModel": CHOOSE_MODEL,
    "epochs": EPOCHS_MIN,
    "evaluationEpochs": EVAL_MIN,
    "warmupEpochs": "Warm-up epochs must be a whole number",
    "learningRate": LR_RANGE,
}


def payload(**changes: Any) -> dict[str, Any]:
    """A valid request body with ``changes``."""
    return {**VALID_PAYLOAD, **changes}


def texts(**changes: str) -> dict[str, str]:
    """A valid form's texts with ``changes``."""
    return {**VALID_TEXTS, **changes}


def budget(epochs: int) -> str:
    """The epoch budget's message for ``epochs`` training epochs."""
    unit = "training epoch" if epochs == 1 else "training epochs"
    return f"Evaluation + warm-up epochs must not exceed {epochs} {unit}"


def check_base_model(model_id: str, model_ids: Collection[str] | None) -> str | None:
    """The message for a bad base model, or None; ``model_ids=None`` skips the list check."""
    return check_field(FIELD["baseModel"], model_id, model_ids)


def check_epochs(epochs: int) -> str | None:
    """The message for a bad number of training epochs, or None."""
    return check_field(FIELD["epochs"], epochs)


def check_aux_epochs(field: str, value: int) -> str | None:
    """The message for a negative evaluation or warm-up epoch count, or None."""
    return check_field(FIELD[field], value)


def check_learning_rate(rate: float) -> str | None:
    """The message for a learning rate outside [0, 1], or None."""
    return check_field(FIELD["learningRate"], rate)


def require_valid(job: JobInput, model_ids: Collection[str] | None = None) -> JobInput:
    """``job`` if it keeps every rule; raises :class:`JobRulesError` otherwise."""
    errors = check_values(job.model_dump(by_alias=True), FIELDS, model_ids)
    if errors:
        raise JobRulesError(errors)
    return job
