"""The wizard's draft as the browser keeps it (``localStorage``): every text, the step and
which fields were touched, as versioned JSON that a reload reads back."""

from __future__ import annotations

import json
import secrets
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
SUBMITTED_KEY = "ftapp.new-job.submitted"
"""The ``localStorage`` key holding the id of the last draft that became a job."""


def new_draft_id() -> str:
    """An id for a new draft (a form started afresh, cleared, copied, or after a create)."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Draft:
    """What the browser keeps of an unfinished form: every text, the step, touched fields."""

    texts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TEXTS))
    step: str = FIRST_STEP
    touched: list[str] = field(default_factory=list)
    id: str = ""
    """Which form this is: a draft whose id became a job is never restored."""

    @property
    def is_blank(self) -> bool:
        """True when there is nothing to keep: default values on the first step."""
        return self.texts == DEFAULT_TEXTS and self.step == FIRST_STEP and not self.touched

    def to_json(self) -> str:
        """The draft as stored in the browser; "" for a blank draft (nothing stored)."""
        if self.is_blank:
            return ""
        return json.dumps(
            {
                "v": DRAFT_VERSION,
                "id": self.id,
                "texts": self.texts,
                "step": self.step,
                "touched": self.touched,
            },
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
        draft_id = data.get("id")
        return cls(
            texts=texts,
            step=step if isinstance(step, str) and is_step(step) else FIRST_STEP,
            touched=in_field_order(touched) if isinstance(touched, list) else [],
            id=draft_id[:32] if isinstance(draft_id, str) else "",
        )
