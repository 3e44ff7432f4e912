"""Unit tests of the wizard's form as data (ftapp.pages.new_job.form), without Reflex."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftapp.job_fields import FIELDS, NAME_MAX_LENGTH, check_name
from ftapp.pages.new_job import form as job_form
from ftapp.pages.new_job.form import (
    DEFAULT_TEXTS,
    FIELD_HINTS,
    STEP_FIELDS,
    STEPS,
    clone_name,
    step_whole_number,
    whole_number_bounds,
)
from ftapp.pages.new_job.form import validate_step as validate_form
from ftapp.upstream.models import Job
from tests.helpers.job_rules import (
    ALL_BAD_ERRORS,
    ALL_BAD_TEXTS,
    CHOOSE_MODEL,
    NAME_REQUIRED,
    VALID_TEXTS,
    texts,
)
from tests.helpers.job_rules import MODEL_IDS as RULES_MODEL_IDS

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
    # The budget spans both fields: it is said once, under the last of them.
    assert job_form.visible_messages(texts, job_form.touched_with([], "epochs"), {}, None) == {
        "warmupEpochs": budget,
    }


def test_the_field_being_typed_is_not_called_too_short_while_it_grows() -> None:
    texts = {**DEFAULT_TEXTS, "name": "ab"}
    assert job_form.visible_messages(texts, ["name"], {}, None, editing="name") == {}
    bad = {**DEFAULT_TEXTS, "name": "a_"}  # no more typing fixes this one
    assert job_form.visible_messages(bad, ["name"], {}, None, editing="name") == {
        "name": "Job name may contain only letters, digits and dashes"
    }
    assert job_form.visible_messages(texts, ["name"], {}, None) == {
        "name": "Job name must be at least 3 characters"
    }


def test_the_budget_hints_never_contradict() -> None:
    within = {**DEFAULT_TEXTS, "epochs": "5", "evaluationEpochs": "1", "warmupEpochs": "2"}
    assert job_form.hints(within)["evaluationEpochs"].endswith("Up to 3 now.")
    assert job_form.hints(within)["warmupEpochs"].endswith("Up to 4 now.")
    over = {**DEFAULT_TEXTS, "epochs": "3", "evaluationEpochs": "3", "warmupEpochs": "1"}
    assert "Up to" not in job_form.hints(over)["evaluationEpochs"]
    assert "Up to" not in job_form.hints(over)["warmupEpochs"]


def test_visible_messages_show_the_apis_message_unless_the_rules_have_one() -> None:
    api = {"baseModel": "Not accepting jobs", "name": "Taken"}
    texts = {**VALID, "name": "x"}
    assert job_form.visible_messages(texts, ["name", "baseModel"], api, MODEL_IDS) == {
        "name": "Job name must be at least 3 characters",
        "baseModel": "Not accepting jobs",
    }


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
    texts = job_form.texts_from_job(job.to_wire())
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


# --- validate_step: per-step scoping ------------------------------------------------------


def test_step_fields() -> None:
    assert STEPS == ("setup", "configure", "review")
    assert STEP_FIELDS["setup"] == ("name", "baseModel")
    assert STEP_FIELDS["configure"] == (
        "epochs",
        "evaluationEpochs",
        "warmupEpochs",
        "learningRate",
    )
    assert STEP_FIELDS["review"] == FIELDS


@pytest.mark.parametrize(
    ("step", "fields"),
    [
        ("setup", ("name", "baseModel")),
        ("configure", ("epochs", "evaluationEpochs", "warmupEpochs", "learningRate")),
        ("review", FIELDS),
    ],
)
def test_validate_form_checks_only_the_steps_fields(step: str, fields: tuple[str, ...]) -> None:
    errors = validate_form(ALL_BAD_TEXTS, step, RULES_MODEL_IDS)
    assert errors == {field: ALL_BAD_ERRORS[field] for field in fields}
    assert list(errors) == list(fields)  # always in form order


def test_validate_form_default_step_is_review() -> None:
    assert validate_form(ALL_BAD_TEXTS) == ALL_BAD_ERRORS


@pytest.mark.parametrize("step", STEPS)
def test_validate_form_valid_texts(step: str) -> None:
    assert validate_form(VALID_TEXTS, step, RULES_MODEL_IDS) == {}


def test_setup_step_ignores_broken_configure_fields() -> None:
    form = {**ALL_BAD_TEXTS, "name": "ok-name", "baseModel": "llama-3-8b"}
    assert validate_form(form, "setup", RULES_MODEL_IDS) == {}


def test_configure_step_ignores_broken_setup_fields() -> None:
    form = {**VALID_TEXTS, "name": "", "baseModel": "nope"}
    assert validate_form(form, "configure", RULES_MODEL_IDS) == {}


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("setup", {"name": NAME_REQUIRED, "baseModel": CHOOSE_MODEL}),
        (
            "configure",
            {
                "epochs": "Epochs is required",
                "evaluationEpochs": "Evaluation epochs is required",
                "warmupEpochs": "Warm-up epochs is required",
                "learningRate": "Learning rate is required",
            },
        ),
    ],
)
def test_validate_form_missing_keys_are_required(step: str, expected: dict[str, str]) -> None:
    assert validate_form({}, step, RULES_MODEL_IDS) == expected


def test_validate_form_model_ids_none_skips_list() -> None:
    assert validate_form(texts(baseModel="anything"), "setup", None) == {}
    assert validate_form(texts(baseModel="anything"), "setup", RULES_MODEL_IDS) == {
        "baseModel": "Unknown base model: anything"
    }


# --- form helpers: hints, steppers, clone names -------------------------------------------


def test_every_field_has_a_hint() -> None:
    assert set(FIELD_HINTS) == set(FIELDS)
    assert "3 to 50 characters" in FIELD_HINTS["name"]
    assert "0 to 1" in FIELD_HINTS["learningRate"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("llama-ft", "llama-ft-copy"),
        ("abc", "abc-copy"),
        ("a" * 45, "a" * 45 + "-copy"),
        ("a" * 46, "a" * 45 + "-copy"),
        ("a" * 50, "a" * 45 + "-copy"),
        ("a" * 44 + "-b", "a" * 44 + "--copy"),
        ("bad_name.v2", "bad-name-v2-copy"),
        ("", "job-copy"),
        ("job-copy", "job-copy-copy"),
    ],
)
def test_clone_name(name: str, expected: str) -> None:
    assert clone_name(name) == expected
    assert len(clone_name(name)) <= NAME_MAX_LENGTH


@given(name=st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_clone_name_always_keeps_the_name_rules(name: str) -> None:
    assert check_name(clone_name(name)) is None


def epoch_texts(epochs: str = "3", evaluation: str = "1", warmup: str = "1") -> dict[str, str]:
    return {"epochs": epochs, "evaluationEpochs": evaluation, "warmupEpochs": warmup}


@pytest.mark.parametrize(
    ("field", "values", "bounds"),
    [
        pytest.param("epochs", epoch_texts("3", "1", "1"), (2, 1000), id="epochs-over-budget"),
        pytest.param("epochs", epoch_texts("3", "0", "0"), (1, 1000), id="epochs-min"),
        pytest.param("epochs", epoch_texts("3", "x", "1"), (1, 1000), id="epochs-eval-unknown"),
        pytest.param("epochs", epoch_texts("3", "-2", "1"), (1, 1000), id="epochs-eval-neg"),
        pytest.param("evaluationEpochs", epoch_texts("3", "1", "1"), (0, 2), id="eval"),
        pytest.param("evaluationEpochs", epoch_texts("3", "0", "3"), (0, 0), id="eval-none-left"),
        pytest.param("evaluationEpochs", epoch_texts("3", "0", "5"), (0, 0), id="eval-over"),
        pytest.param("evaluationEpochs", epoch_texts("3", "0", ""), (0, 3), id="eval-warm-empty"),
        pytest.param("evaluationEpochs", epoch_texts("", "0", "1"), (0, None), id="eval-no-ep"),
        pytest.param("evaluationEpochs", epoch_texts("0", "0", "0"), (0, None), id="eval-ep-0"),
        pytest.param("warmupEpochs", epoch_texts("5", "2", "1"), (0, 3), id="warmup"),
    ],
)
def test_whole_number_bounds(
    field: str, values: dict[str, str], bounds: tuple[int, int | None]
) -> None:
    assert whole_number_bounds(field, values) == bounds


def test_whole_number_bounds_only_for_epoch_fields() -> None:
    with pytest.raises(ValueError, match="learningRate"):
        whole_number_bounds("learningRate", VALID_TEXTS)


@pytest.mark.parametrize(
    ("field", "values", "delta", "expected"),
    [
        pytest.param("epochs", epoch_texts("3", "1", "1"), 1, 4, id="epochs-up"),
        pytest.param("epochs", epoch_texts("3", "1", "1"), -1, 2, id="epochs-down"),
        pytest.param("epochs", epoch_texts("2", "1", "1"), -1, None, id="epochs-at-budget"),
        pytest.param("epochs", epoch_texts("1", "0", "0"), -1, None, id="epochs-at-min"),
        pytest.param("epochs", epoch_texts("1", "1", "1"), 1, 2, id="epochs-up-to-budget"),
        pytest.param("epochs", epoch_texts("1", "2", "2"), 1, 4, id="epochs-up-jumps-to-budget"),
        pytest.param("epochs", epoch_texts("0", "0", "0"), 1, 1, id="epochs-from-0"),
        pytest.param("epochs", epoch_texts("", "0", "0"), 1, 1, id="epochs-empty-up"),
        pytest.param("epochs", epoch_texts("", "0", "0"), -1, None, id="epochs-empty-down"),
        pytest.param("epochs", epoch_texts("2.5", "0", "0"), 1, 1, id="epochs-fraction-up"),
        pytest.param("evaluationEpochs", epoch_texts("3", "1", "1"), 1, 2, id="eval-up"),
        pytest.param("evaluationEpochs", epoch_texts("3", "2", "1"), 1, None, id="eval-at-max"),
        pytest.param("evaluationEpochs", epoch_texts("3", "0", "1"), -1, None, id="eval-at-0"),
        pytest.param("evaluationEpochs", epoch_texts("1", "1", "1"), -1, 0, id="eval-over-down"),
        pytest.param("evaluationEpochs", epoch_texts("1", "3", "0"), -1, 1, id="eval-clamped"),
        pytest.param("evaluationEpochs", epoch_texts("1", "1", "1"), 1, None, id="eval-over-up"),
        pytest.param("evaluationEpochs", epoch_texts("", "4", "0"), 1, 5, id="eval-unbounded"),
        pytest.param("warmupEpochs", epoch_texts("3", "1", "1"), 1, 2, id="warmup-up"),
        pytest.param("warmupEpochs", epoch_texts("3", "1", "-1"), 1, 0, id="warmup-neg-up"),
    ],
)
def test_step_whole_number(
    field: str, values: dict[str, str], delta: int, expected: int | None
) -> None:
    assert step_whole_number(field, values, delta) == expected


@given(
    epochs=st.integers(1, 12),
    evaluation=st.integers(0, 12),
    warmup=st.integers(0, 12),
    field=st.sampled_from(["epochs", "evaluationEpochs", "warmupEpochs"]),
    delta=st.sampled_from([-1, 1]),
)
@settings(max_examples=400, deadline=None)
def test_steppers_never_break_a_valid_configuration(
    epochs: int, evaluation: int, warmup: int, field: str, delta: int
) -> None:
    values = texts(epochs=str(epochs), evaluationEpochs=str(evaluation), warmupEpochs=str(warmup))
    stepped = step_whole_number(field, values, delta)
    if stepped is None:
        return
    after = {**values, field: str(stepped)}
    if not validate_form(values, "configure"):
        assert validate_form(after, "configure") == {}
    assert abs(stepped - int(values[field])) >= 1
    assert (stepped > int(values[field])) == (delta > 0)


def test_the_epochs_stepper_stops_at_the_largest_count() -> None:
    texts = {**DEFAULT_TEXTS, "epochs": "1000"}
    assert step_whole_number("epochs", texts, 1) is None
    assert step_whole_number("epochs", {**texts, "epochs": "99999999999999999999999"}, -1) == 1000
    assert validate_form({**texts, "epochs": "1001"}, "configure") == {
        "epochs": "Epochs must be at most 1,000"
    }
