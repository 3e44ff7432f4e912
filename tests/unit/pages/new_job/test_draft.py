"""The wizard's draft as the browser keeps it."""

from __future__ import annotations

import json

import pytest

from ftapp.pages.new_job.draft import (
    DRAFT_VERSION,
    MAX_DRAFTS,
    Draft,
    read_drafts,
    without_draft,
    write_drafts,
)
from ftapp.pages.new_job.form import DEFAULT_TEXTS, TEXT_LIMIT

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
VALID = {**DEFAULT_TEXTS, "name": "my-job", "baseModel": MODEL}


# --- draft ------------------------------------------------------------------------------


def test_blank_draft_is_stored_as_nothing() -> None:
    assert Draft().is_blank
    assert Draft().to_json() == ""
    assert Draft.from_json("") is None


def test_draft_round_trip() -> None:
    draft = Draft(texts={**VALID, "learningRate": "1e-4"}, step="review", touched=["name"])
    assert Draft.from_json(draft.to_json()) == draft
    assert json.loads(draft.to_json())["v"] == DRAFT_VERSION


def test_a_draft_on_a_later_step_with_default_values_is_kept() -> None:
    assert Draft(step="configure").to_json() != ""
    assert Draft(touched=["name"]).to_json() != ""


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '"text"',
        '{"texts": {}}',
        '{"v": 99, "texts": {}}',
    ],
)
def test_unusable_drafts_are_ignored(raw: str) -> None:
    assert Draft.from_json(raw) is None


def test_draft_from_json_repairs_what_it_can() -> None:
    raw = json.dumps(
        {
            "v": 1,
            "texts": {"name": "abc", "epochs": 5, "extra": "x"},
            "step": "finish",
            "touched": ["epochs", "nope", "name"],
        }
    )
    assert Draft.from_json(raw) == Draft(
        texts={**DEFAULT_TEXTS, "name": "abc"}, step="setup", touched=["name", "epochs"]
    )
    assert Draft.from_json('{"v": 1, "texts": [], "touched": "name"}') == Draft()


def test_a_stored_draft_keeps_at_most_the_form_text_limit() -> None:
    raw = json.dumps({"v": 1, "texts": {"name": "n" * 100_000}, "step": "setup", "touched": []})
    assert Draft.from_json(raw).texts["name"] == "n" * TEXT_LIMIT


# --- one draft per workspace ------------------------------------------------------------------


def test_each_workspace_keeps_its_own_draft() -> None:
    ours = Draft(texts={**VALID, "name": "ours"}, step="configure")
    theirs = Draft(texts={**VALID, "name": "theirs"}, step="review")
    raw = write_drafts({"default": ours, "team-b": theirs})
    assert read_drafts(raw) == {"default": ours, "team-b": theirs}
    assert read_drafts(without_draft(raw, "team-b")) == {"default": ours}
    assert without_draft(without_draft(raw, "team-b"), "default") == ""


def test_a_draft_from_before_workspaces_is_the_default_workspaces() -> None:
    old = Draft(texts=VALID, step="review", touched=["name"])
    assert read_drafts(old.to_json()) == {"default": old}


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "[]",
        '{"v": 2, "drafts": []}',
        '{"v": 2, "drafts": {"../x": {"v": 1}}}',
        '{"v": 9, "drafts": {"default": {"v": 1}}}',
    ],
)
def test_crafted_storage_gives_no_draft(raw: str) -> None:
    assert read_drafts(raw) == {}


def test_blank_drafts_are_not_kept_and_the_number_is_bounded() -> None:
    many = {f"team-{number}": Draft(step="configure") for number in range(MAX_DRAFTS + 5)}
    kept = read_drafts(write_drafts({**many, "blank": Draft()}))
    assert len(kept) == MAX_DRAFTS
    assert "blank" not in kept
    assert "team-24" in kept  # the newest are kept
