"""The wizard's drafts as the browser keeps them (``localStorage``), one per workspace: every
text, the step and which fields were touched, as versioned JSON that a reload reads back; and,
while a submit's outcome is not known, what was submitted and when, so that a reload, a
reconnect or another tab first checks whether the job was made before it offers Submit
again. A draft belongs to its workspace: the wizard of another shows that one's own."""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ftapp.pages.new_job.form import (
    DEFAULT_TEXTS,
    FIRST_STEP,
    TEXT_LIMIT,
    in_field_order,
    is_step,
)
from ftapp.routes import DEFAULT_WORKSPACE, is_slug

DRAFT_VERSION = 1
DRAFTS_VERSION = 2
STORAGE_KEY = "ftapp.new-job.draft"
"""The ``localStorage`` key of the drafts: ``{"v": 2, "drafts": {slug: draft}}`` (before
workspaces: one draft, version 1, which is the default workspace's)."""
MAX_DRAFTS = 20
"""Drafts kept at most (one per workspace the browser used; the others are dropped)."""
SUBMITTED_KEY = "ftapp.new-job.submitted"
"""The ``localStorage`` key holding the id of the last draft that became a job."""


MAX_KNOWN_IDS = 1000
"""At most this many ids of jobs that existed before a submit are kept (the API lists 10)."""


@dataclass(frozen=True)
class SubmitMark:
    """A submit whose outcome the browser does not know yet: the body sent, when it began,
    and the ids of the jobs the workspace held just before."""

    job: dict[str, Any]
    started_at: float
    known_ids: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {"job": self.job, "at": self.started_at, "known": list(self.known_ids)}

    @classmethod
    def from_data(cls, data: Any) -> SubmitMark | None:
        """Read a stored mark; None when it is missing or not of its shape (a browser can
        store anything)."""
        if not isinstance(data, dict):
            return None
        job, at, known = data.get("job"), data.get("at"), data.get("known", [])
        if not isinstance(job, dict) or not isinstance(at, int | float) or not math.isfinite(at):
            return None
        if not isinstance(known, list) or not all(isinstance(i, str) for i in known):
            return None
        return cls(job=job, started_at=float(at), known_ids=tuple(known[:MAX_KNOWN_IDS]))


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
    submit: SubmitMark | None = None
    """Set while a submit of this draft may have made a job that nobody has seen yet."""

    @property
    def is_blank(self) -> bool:
        """True when there is nothing to keep: default values on the first step."""
        return (
            self.texts == DEFAULT_TEXTS
            and self.step == FIRST_STEP
            and not self.touched
            and self.submit is None
        )

    def to_json(self) -> str:
        """The draft alone as JSON; "" for a blank draft (nothing stored)."""
        if self.is_blank:
            return ""
        return json.dumps(self.to_data(), separators=(",", ":"))

    def to_data(self) -> dict[str, Any]:
        """The draft as a JSON object."""
        data: dict[str, Any] = {
            "v": DRAFT_VERSION,
            "id": self.id,
            "texts": self.texts,
            "step": self.step,
            "touched": self.touched,
        }
        if self.submit is not None:
            data["submit"] = self.submit.to_data()
        return data

    @classmethod
    def from_json(cls, raw: str) -> Draft | None:
        """Read a draft alone; None when nothing usable is there (missing, garbled, old)."""
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: Any) -> Draft | None:
        """A draft from its JSON object; None when it is not one (a browser can store anything)."""
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
            submit=SubmitMark.from_data(data.get("submit")),
        )


def read_drafts(raw: str) -> dict[str, Draft]:
    """Each workspace's draft in the browser's storage, by slug (anything unusable left out;
    a single draft from before workspaces is the default workspace's)."""
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    if data.get("v") == DRAFT_VERSION:
        draft = Draft.from_data(data)
        return {DEFAULT_WORKSPACE: draft} if draft is not None else {}
    stored = data.get("drafts") if data.get("v") == DRAFTS_VERSION else None
    if not isinstance(stored, dict):
        return {}
    drafts = {}
    for slug, value in list(stored.items())[:MAX_DRAFTS]:
        if is_slug(slug) and (draft := Draft.from_data(value)) is not None:
            drafts[slug] = draft
    return drafts


def write_drafts(drafts: Mapping[str, Draft]) -> str:
    """The drafts as stored (blank ones left out, the last :data:`MAX_DRAFTS`); "" for none."""
    kept = {slug: draft.to_data() for slug, draft in drafts.items() if not draft.is_blank}
    if not kept:
        return ""
    kept = dict(list(kept.items())[-MAX_DRAFTS:])
    return json.dumps({"v": DRAFTS_VERSION, "drafts": kept}, separators=(",", ":"))


def without_draft(raw: str, slug: str) -> str:
    """The stored drafts ``raw`` without workspace ``slug``'s."""
    drafts = read_drafts(raw)
    drafts.pop(slug, None)
    return write_drafts(drafts)
