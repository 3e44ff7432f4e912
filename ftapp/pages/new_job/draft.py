"""The wizard's draft as the browser keeps it (``localStorage``): every text, the step and
which fields were touched, as versioned JSON that a reload reads back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ftapp.pages.new_job.form import (
    DEFAULT_TEXTS,
    FIRST_STEP,
    TEXT_LIMIT,
    in_field_order,
    is_step,
)

DRAFT_VERSION = 1
STORAGE_KEY = "ftapp.new-job.draft"
"""The ``localStorage`` key of the draft."""


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
            name: value[:TEXT_LIMIT] if isinstance(value := stored.get(name), str) else default
            for name, default in DEFAULT_TEXTS.items()
        }
        step = data.get("step")
        touched = data.get("touched")
        return cls(
            texts=texts,
            step=step if isinstance(step, str) and is_step(step) else FIRST_STEP,
            touched=in_field_order(touched) if isinstance(touched, list) else [],
        )
