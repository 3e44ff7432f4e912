"""The create-job form as plain data: defaults, steps, the browser draft and API answers.

No Reflex here: the wizard's State keeps what the page shows and calls these functions, and
every rule comes from :mod:`ftapp.rules`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from ftapp import rules
from ftapp.upstream.models import Job

DEFAULT_TEXTS: dict[str, str] = {
    "name": "",
    "baseModel": "",
    "epochs": "3",
    "evaluationEpochs": "1",
    "warmupEpochs": "1",
    "learningRate": "0.0001",
}
"""What a new form holds: no name or model yet, and settings that keep every rule."""

STEP_TITLES: dict[str, str] = {"setup": "Set up", "configure": "Configure", "review": "Review"}
FIRST_STEP: str = rules.STEPS[0]
EPOCH_FIELDS: tuple[str, ...] = ("epochs", "evaluationEpochs", "warmupEpochs")
"""The fields of the epoch budget: a change to one re-checks all three."""
DRAFT_VERSION = 1


def is_step(value: str | None) -> bool:
    """True for "setup", "configure" and "review"."""
    return value in rules.STEPS


def step_index(step: str) -> int:
    """0, 1 or 2."""
    return rules.STEPS.index(step)  # type: ignore[arg-type]


def next_step(step: str) -> str:
    """The step after ``step`` (review is the last)."""
    return rules.STEPS[min(step_index(step) + 1, len(rules.STEPS) - 1)]


def previous_step(step: str) -> str:
    """The step before ``step`` (setup is the first)."""
    return rules.STEPS[max(step_index(step) - 1, 0)]


def step_of_field(name: str) -> str:
    """The step that shows field ``name``."""
    for step in rules.STEPS[:-1]:
        if name in rules.STEP_FIELDS[step]:
            return step
    raise ValueError(f"{name} is not a form field")


def reachable_step(
    requested: str, texts: Mapping[str, str], model_ids: Collection[str] | None
) -> str:
    """``requested``, or the first earlier step whose fields are not valid yet."""
    for step in rules.STEPS[: step_index(requested)]:
        if rules.validate_form(texts, step, model_ids):
            return step
    return requested


def first_step_of(fields: Iterable[str]) -> str | None:
    """The earliest step showing any of ``fields`` (None if none is a form field)."""
    steps = [step_of_field(name) for name in fields if name in rules.FIELDS]
    return min(steps, key=step_index) if steps else None


def touched_with(touched: Iterable[str], changed: str) -> list[str]:
    """``touched`` plus ``changed``; an epoch field touches the whole epoch budget."""
    return touched_with_all(touched, EPOCH_FIELDS if changed in EPOCH_FIELDS else (changed,))


def touched_with_all(touched: Iterable[str], names: Iterable[str]) -> list[str]:
    """``touched`` plus ``names``, once each, in the form's order."""
    return _in_field_order([*touched, *names])


def _in_field_order(names: Iterable[str]) -> list[str]:
    wanted = set(names)
    return [name for name in rules.FIELDS if name in wanted]


def visible_messages(
    texts: Mapping[str, str],
    touched: Iterable[str],
    api_messages: Mapping[str, str],
    model_ids: Collection[str] | None,
) -> dict[str, str]:
    """The message under each field: the rules' for touched fields, else the API's."""
    touched_set = set(touched)
    local = rules.validate_form(texts, "review", model_ids)
    shown: dict[str, str] = {}
    for name in rules.FIELDS:
        if name in touched_set and name in local:
            shown[name] = local[name]
        elif name in api_messages:
            shown[name] = api_messages[name]
    return shown


# --- the draft kept in the browser ------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What the browser keeps of an unfinished form: every text, the step, touched fields."""

    texts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TEXTS))
    step: str = FIRST_STEP
    touched: list[str] = field(default_factory=list)

    @property
    def is_blank(self) -> bool:
        """True when there is nothing to keep: default values on the first step."""
        return self.texts == DEFAULT_TEXTS and self.step == FIRST_STEP and not self.touched

    def to_json(self) -> str:
        """The draft as stored in the browser; "" for a blank draft (nothing stored)."""
        if self.is_blank:
            return ""
        return json.dumps(
            {"v": DRAFT_VERSION, "texts": self.texts, "step": self.step, "touched": self.touched},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str) -> Draft | None:
        """Read a stored draft; None when nothing usable is stored (missing, garbled, old)."""
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("v") != DRAFT_VERSION:
            return None
        stored = data.get("texts")
        stored = stored if isinstance(stored, dict) else {}
        texts = {
            name: value if isinstance(value := stored.get(name), str) else default
            for name, default in DEFAULT_TEXTS.items()
        }
        step = data.get("step")
        touched = data.get("touched")
        return cls(
            texts=texts,
            step=step if isinstance(step, str) and is_step(step) else FIRST_STEP,
            touched=_in_field_order(touched) if isinstance(touched, list) else [],
        )


# --- clone --------------------------------------------------------------------------------


def format_number(value: float) -> str:
    """A learning rate as the form's input holds it, exactly (``0.0001``, ``1e-05``, ``1.0``).

    Pages that only display a rate use :func:`ftapp.jobs_view.format_learning_rate`.
    """
    return repr(float(value))


def texts_from_job(job: Job) -> dict[str, str]:
    """The form texts for a copy of ``job``: the same settings, the name made a copy's."""
    return {
        "name": rules.clone_name(job.name),
        "baseModel": job.base_model,
        "epochs": str(job.epochs),
        "evaluationEpochs": str(job.evaluation_epochs),
        "warmupEpochs": str(job.warmup_epochs),
        "learningRate": format_number(job.learning_rate),
    }


# --- answers of the API -----------------------------------------------------------------


def split_api_fields(fields: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """A 400's ``fields``: ``(messages for form fields, messages for anything else)``.

    The contract names fields as the form does (``baseModel``, ``learningRate``...); a
    message for another name (e.g. ``body``) has no field to sit under.
    """
    for_fields = {name: fields[name] for name in rules.FIELDS if name in fields}
    others = [
        f"{rules.FIELD_LABELS.get(name, name)}: {message}"
        for name, message in fields.items()
        if name not in rules.FIELDS
    ]
    return for_fields, others
