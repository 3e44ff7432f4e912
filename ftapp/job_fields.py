"""The fields of a job request, one row each: the table every other per-field thing comes from.

A row of :data:`JOB_FIELDS` holds a field's wire name, label, kind and bounds (its rules,
checked by :mod:`ftapp.rules`), where the new-job wizard shows it and what it says about it,
the value a new form and the sandbox's demo jobs start from, and how the pages write a value.
The request model :class:`JobInput` (the contract's ``JobInput``: camelCase on the wire) is
built from the rows too, so adding a field is adding a row.

What is built from the table is built by a function taking the rows (``fields``, by default
:data:`JOB_FIELDS`), so a test can build it all from a table of its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 50
NAME_CHARACTERS = re.compile(r"[A-Za-z0-9-]+")
MAX_EPOCHS = 1000
"""ftapp's own bound on training epochs (the contract names none): fine-tuning runs take 1 to a
few dozen epochs, so 1,000 refuses only typing slips such as 99999999999999999999999, and every
count stays exact in a browser's numbers."""

FieldStep = Literal["setup", "configure"]
"""The wizard step that shows a field (the last step, the review, shows them all)."""


class FieldKind(StrEnum):
    """What kind of value a field holds, which decides how it is parsed, checked, typed in
    (the wizard's control) and written."""

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
    if not NAME_CHARACTERS.fullmatch(name):
        return "Job name may contain only letters, digits and dashes"
    if len(name) < NAME_MIN_LENGTH:
        return f"Job name must be at least {NAME_MIN_LENGTH} characters"
    if len(name) > NAME_MAX_LENGTH:
        return f"Job name must be at most {NAME_MAX_LENGTH} characters"
    if name.endswith("-"):
        return "Job name must not end with a dash"
    return None


def format_decimal(number: float) -> str:
    """A number as people write it: 0.0001, 2e-05 -> 0.00002, 1e-07 stays 1e-07."""
    if number == 0 or abs(number) >= 1e-5:
        text = f"{number:.10f}".rstrip("0").rstrip(".")
        return text if text not in ("", "-0") else "0"
    return f"{number:.3g}"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@dataclass(frozen=True)
class JobField:
    """One field of a job request: its wire name, label, kind and rules, where the wizard
    shows it, and how its value starts and is written."""

    name: str
    """The contract's (camelCase) name, also the key of form texts and messages."""
    label: str
    kind: FieldKind
    step: FieldStep
    hint: str
    """One sentence saying what the rules allow, shown under the wizard's input."""
    default: Any = None
    """The value a new form holds and the sandbox's demo jobs get unless they name their own;
    None: the user must give one (a new form's text is empty)."""
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], str | None] | None = None
    """A rule of its own for a typed value, run after the kind's checks."""
    required_message: str = ""
    """The message for a missing value; "<label> is required" when empty."""
    control_id: str = ""
    """The id of its input in the wizard; the name in kebab case when empty."""
    placeholder: str = ""
    display: Callable[[Any], str] | None = None
    """How the pages write a value; by the kind when None (:meth:`show`)."""

    @property
    def attribute(self) -> str:
        """The field's Python name in :class:`JobInput` (``learningRate`` -> ``learning_rate``)."""
        return _snake(self.name)

    @property
    def input_id(self) -> str:
        """The id of its input, which its label, hint and message point at."""
        return self.control_id or _kebab(self.name)

    @property
    def python_type(self) -> type:
        """The type of a parsed value: str, int or float."""
        return {FieldKind.WHOLE: int, FieldKind.NUMBER: float}.get(self.kind, str)

    @property
    def missing(self) -> str:
        """The message for a value that is not there."""
        return self.required_message or f"{self.label} is required"

    def show(self, value: Any) -> str:
        """A typed value as the pages write it (a number without float noise)."""
        if self.display is not None:
            return self.display(value)
        if self.kind is FieldKind.NUMBER:
            return format_decimal(value)
        return str(value)


_BUDGET_HINT = "Evaluation + warm-up epochs must not exceed the training epochs."

JOB_FIELDS: tuple[JobField, ...] = (
    JobField(
        "name",
        "Job name",
        FieldKind.TEXT,
        "setup",
        f"{NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters: letters, digits and dashes, "
        "not ending with a dash.",
        check=check_name,
        control_id="job-name",
        placeholder="e.g. support-bot-v2",
    ),
    JobField(
        "baseModel",
        "Base model",
        FieldKind.CHOICE,
        "setup",
        "The model the job fine-tunes.",
        required_message="Choose a base model",
    ),
    JobField(
        "epochs",
        "Epochs",
        FieldKind.WHOLE,
        "configure",
        "Training epochs: a whole number, at least 1.",
        default=3,
        minimum=1,
        maximum=MAX_EPOCHS,
    ),
    JobField(
        "evaluationEpochs",
        "Evaluation epochs",
        FieldKind.WHOLE,
        "configure",
        _BUDGET_HINT,
        default=1,
        minimum=0,
    ),
    JobField(
        "warmupEpochs",
        "Warm-up epochs",
        FieldKind.WHOLE,
        "configure",
        _BUDGET_HINT,
        default=1,
        minimum=0,
    ),
    JobField(
        "learningRate",
        "Learning rate",
        FieldKind.NUMBER,
        "configure",
        "A number from 0 to 1, e.g. 0.0001 or 1e-4.",
        default=0.0001,
        minimum=0.0,
        maximum=1.0,
        placeholder="e.g. 0.0001 or 1e-4",
    ),
)
"""Every field of a job request, in the order the form, the wire and the pages show them."""

FIELD: dict[str, JobField] = {field.name: field for field in JOB_FIELDS}
FIELDS: tuple[str, ...] = tuple(field.name for field in JOB_FIELDS)
FIELD_LABELS: dict[str, str] = {field.name: field.label for field in JOB_FIELDS}


def default_values(fields: Iterable[JobField] = JOB_FIELDS) -> dict[str, Any]:
    """The wire values of the fields that have a default (:attr:`JobField.default`)."""
    return {field.name: field.default for field in fields if field.default is not None}


# --- the request model ---------------------------------------------------------------------


class JobInputBase(BaseModel):
    """What every job request model is: frozen, filled by wire or Python names."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON body for ``POST /jobs``."""
        return self.model_dump(by_alias=True)


M = TypeVar("M", bound=JobInputBase)


def input_model(fields: Iterable[JobField] = JOB_FIELDS, base: type[M] = JobInputBase) -> type[M]:
    """The request model of ``fields``: one attribute per row (``learning_rate``, aliased
    ``learningRate``), on ``base`` (which may add fields, as the API's ``Job`` does).

    The same rows give the same class (:class:`JobInput` for :data:`JOB_FIELDS`)."""
    return _built_model(tuple(fields), base)


@functools.cache
def _built_model(fields: tuple[JobField, ...], base: type[Any]) -> type[Any]:
    definitions: dict[str, Any] = {
        field.attribute: (field.python_type, Field(alias=field.name)) for field in fields
    }
    name = "JobInput" if base is JobInputBase else base.__name__
    return create_model(name, __base__=base, __module__=base.__module__, **definitions)


if TYPE_CHECKING:

    class JobInput(JobInputBase):
        """A valid job request (what type checkers see; at run time it is built from
        :data:`JOB_FIELDS`, and a unit test keeps these attributes equal to it)."""

        name: str
        base_model: str
        epochs: int
        evaluation_epochs: int
        warmup_epochs: int
        learning_rate: float

else:
    JobInput = input_model(JOB_FIELDS)
    JobInput.__doc__ = """A valid job request, as the contract's ``JobInput`` (camelCase on
    the wire): an attribute per row of :data:`JOB_FIELDS`."""
