"""Unit tests of ftapp.job_form: the create-job form's data, without Reflex."""

from __future__ import annotations

import json

import pytest

from ftapp import job_form
from ftapp.job_form import DEFAULT_TEXTS, Draft
from ftapp.rules import FIELDS, STEPS, validate_form
from ftapp.upstream.models import Job

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
MODEL_IDS = {MODEL, "Qwen/QwQ-32B"}
VALID = {**DEFAULT_TEXTS, "name": "my-job", "baseModel": MODEL}


def test_defaults_keep_every_rule_but_need_a_name_and_a_model() -> None:
    assert validate_form(DEFAULT_TEXTS, "configure", MODEL_IDS) == {}
    assert set(validate_form(DEFAULT_TEXTS, "review", MODEL_IDS)) == {"name", "baseModel"}
    assert validate_form(VALID, "review", MODEL_IDS) == {}


def test_step_order() -> None:
    assert [job_form.next_step(step) for step in STEPS] == ["configure", "review", "review"]
    assert [job_form.previous_step(step) for step in STEPS] == ["setup", "setup", "configure"]
    assert [job_form.step_index(step) for step in STEPS] == [0, 1, 2]
    assert job_form.is_step("review")
    assert not job_form.is_step("finish")
    assert not job_form.is_step(None)
    assert set(job_form.STEP_TITLES) == set(STEPS)


def test_step_of_field() -> None:
    assert {name: job_form.step_of_field(name) for name in FIELDS} == {
        "name": "setup",
        "baseModel": "setup",
        "epochs": "configure",
        "evaluationEpochs": "configure",
        "warmupEpochs": "configure",
        "learningRate": "configure",
    }
    with pytest.raises(ValueError, match="body"):
        job_form.step_of_field("body")


@pytest.mark.parametrize(
    ("requested", "texts", "expected"),
    [
        pytest.param("setup", DEFAULT_TEXTS, "setup", id="first-step-always"),
        pytest.param("configure", DEFAULT_TEXTS, "setup", id="no-name-yet"),
        pytest.param("review", DEFAULT_TEXTS, "setup", id="review-without-setup"),
        pytest.param("configure", VALID, "configure", id="setup-done"),
        pytest.param("review", VALID, "review", id="all-done"),
        pytest.param("review", {**VALID, "epochs": "0"}, "configure", id="configure-broken"),
        pytest.param("review", {**VALID, "name": "x_"}, "setup", id="setup-broken"),
        pytest.param("review", {**VALID, "baseModel": "gone"}, "setup", id="unknown-model"),
    ],
)
def test_reachable_step(requested: str, texts: dict[str, str], expected: str) -> None:
    assert job_form.reachable_step(requested, texts, MODEL_IDS) == expected


def test_reachable_step_without_the_model_list_checks_only_that_a_model_is_chosen() -> None:
    assert job_form.reachable_step("review", {**VALID, "baseModel": "gone"}, None) == "review"


def test_first_step_of() -> None:
    assert job_form.first_step_of(["learningRate", "name"]) == "setup"
    assert job_form.first_step_of(["epochs"]) == "configure"
    assert job_form.first_step_of(["body"]) is None
    assert job_form.first_step_of([]) is None


def test_touched_with_an_epoch_field_touches_the_whole_budget() -> None:
    assert job_form.touched_with([], "name") == ["name"]
    assert job_form.touched_with(["learningRate"], "epochs") == [
        "epochs",
        "evaluationEpochs",
        "warmupEpochs",
        "learningRate",
    ]
    assert job_form.touched_with(["name", "name"], "name") == ["name"]
    assert job_form.touched_with_all(["learningRate"], ["name", "body"]) == [
        "name",
        "learningRate",
    ]


def test_visible_messages_only_for_touched_fields() -> None:
    texts = {**DEFAULT_TEXTS, "name": "x", "epochs": "1"}
    assert job_form.visible_messages(texts, [], {}, MODEL_IDS) == {}
    assert job_form.visible_messages(texts, ["name"], {}, MODEL_IDS) == {
        "name": "Job name must be at least 3 characters"
    }
    budget = "Evaluation + warm-up epochs must not exceed 1 training epoch"
    assert job_form.visible_messages(texts, job_form.touched_with([], "epochs"), {}, None) == {
        "evaluationEpochs": budget,
        "warmupEpochs": budget,
    }


def test_visible_messages_show_the_apis_message_unless_the_rules_have_one() -> None:
    api = {"baseModel": "Not accepting jobs", "name": "Taken"}
    texts = {**VALID, "name": "x"}
    assert job_form.visible_messages(texts, ["name", "baseModel"], api, MODEL_IDS) == {
        "name": "Job name must be at least 3 characters",
        "baseModel": "Not accepting jobs",
    }


# --- draft ------------------------------------------------------------------------------


def test_blank_draft_is_stored_as_nothing() -> None:
    assert Draft().is_blank
    assert Draft().to_json() == ""
    assert Draft.from_json("") is None


def test_draft_round_trip() -> None:
    draft = Draft(texts={**VALID, "learningRate": "1e-4"}, step="review", touched=["name"])
    assert Draft.from_json(draft.to_json()) == draft
    assert json.loads(draft.to_json())["v"] == job_form.DRAFT_VERSION


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


# --- clone and API answers -----------------------------------------------------------------


def test_texts_from_job_copies_the_settings_and_suffixes_the_name() -> None:
    job = Job.model_validate(
        {
            "id": "j1",
            "name": "a" * 50,
            "baseModel": MODEL,
            "epochs": 8,
            "evaluationEpochs": 2,
            "warmupEpochs": 1,
            "learningRate": 1e-05,
            "status": "Completed",
        }
    )
    texts = job_form.texts_from_job(job)
    assert texts == {
        "name": "a" * 45 + "-copy",
        "baseModel": MODEL,
        "epochs": "8",
        "evaluationEpochs": "2",
        "warmupEpochs": "1",
        "learningRate": "1e-05",
    }
    assert validate_form(texts, "review", MODEL_IDS) == {}


@pytest.mark.parametrize(
    ("value", "text"), [(0.0001, "0.0001"), (1e-05, "1e-05"), (1, "1.0"), (0.5, "0.5")]
)
def test_format_number(value: float, text: str) -> None:
    assert job_form.format_number(value) == text


def test_split_api_fields() -> None:
    fields = {"body": "Request body must be valid JSON", "learningRate": "Too high", "name": "Bad"}
    assert job_form.split_api_fields(fields) == (
        {"name": "Bad", "learningRate": "Too high"},
        ["body: Request body must be valid JSON"],
    )
    assert job_form.split_api_fields({}) == ({}, [])
