"""Unit tests for ftapp.rules: the job rules shared by the form, the client and the sandbox.

The example tests pin every boundary and exact message; the hypothesis properties compare the
module against an oracle written straight from the rules in the module docstring.
"""

from __future__ import annotations

import math
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ftapp.job_fields import FIELDS, JobInput, check_name
from ftapp.rules import (
    JobRulesError,
    epoch_budget_message,
    job_input_from_form,
    max_aux_epochs,
    parse_number,
    parse_whole_number,
    validate_payload,
    validate_texts,
)
from tests.helpers.job_rules import (
    ALL_BAD_ERRORS,
    ALL_BAD_TEXTS,
    CHOOSE_MODEL,
    EPOCHS_MAX,
    EPOCHS_MIN,
    EVAL_MIN,
    LR_RANGE,
    MODEL_IDS,
    NAME_BAD_CHARS,
    NAME_REQUIRED,
    NAME_TOO_LONG,
    NAME_TOO_SHORT,
    NAME_TRAILING_DASH,
    VALID_PAYLOAD,
    WARMUP_MIN,
    budget,
    check_aux_epochs,
    check_base_model,
    check_epochs,
    check_learning_rate,
    payload,
    require_valid,
    texts,
)

STEP_FIELDS = {
    "setup": ("name", "baseModel"),
    "configure": ("epochs", "evaluationEpochs", "warmupEpochs", "learningRate"),
    "review": FIELDS,
}


def validate_form(texts: dict[str, str], step: str = "review", model_ids: Any = None) -> dict:
    """Form texts checked as the wizard's steps check them (the rules know no steps)."""
    return validate_texts(texts, STEP_FIELDS[step], model_ids)


# --- name -------------------------------------------------------------------------------

NAME_CASES = [
    pytest.param("", NAME_REQUIRED, id="empty"),
    pytest.param("a", NAME_TOO_SHORT, id="1-char"),
    pytest.param("ab", NAME_TOO_SHORT, id="2-chars"),
    pytest.param("abc", None, id="3-chars"),
    pytest.param("a" * 49, None, id="49-chars"),
    pytest.param("a" * 50, None, id="50-chars"),
    pytest.param("a" * 51, NAME_TOO_LONG, id="51-chars"),
    pytest.param("a" * 60, NAME_TOO_LONG, id="60-chars"),
    pytest.param("abc-", NAME_TRAILING_DASH, id="trailing-dash"),
    pytest.param("---", NAME_TRAILING_DASH, id="only-dashes"),
    pytest.param("a" * 49 + "-", NAME_TRAILING_DASH, id="50-chars-trailing-dash"),
    pytest.param("-abc", None, id="leading-dash-allowed"),
    pytest.param("-ab", None, id="leading-dash-3-chars"),
    pytest.param("a-b", None, id="inner-dash"),
    pytest.param("a--b", None, id="double-inner-dash"),
    pytest.param("123", None, id="digits-only"),
    pytest.param("My-Job-2024", None, id="mixed-case-digits"),
    pytest.param("ab_c", NAME_BAD_CHARS, id="underscore"),
    pytest.param("ab c", NAME_BAD_CHARS, id="inner-space"),
    pytest.param(" abc", NAME_BAD_CHARS, id="leading-space"),
    pytest.param("abc ", NAME_BAD_CHARS, id="trailing-space"),
    pytest.param("abc\n", NAME_BAD_CHARS, id="trailing-newline"),
    pytest.param("ab\tc", NAME_BAD_CHARS, id="tab"),
    pytest.param("ab.c", NAME_BAD_CHARS, id="dot"),
    pytest.param("ab/c", NAME_BAD_CHARS, id="slash"),
    pytest.param("café-1", NAME_BAD_CHARS, id="non-ascii-letter"),
    pytest.param("naïve", NAME_BAD_CHARS, id="diaeresis"),
    pytest.param("\u0430bc", NAME_BAD_CHARS, id="cyrillic-a"),
    pytest.param("\uff21bc", NAME_BAD_CHARS, id="fullwidth-A"),
    pytest.param("ab\u0663", NAME_BAD_CHARS, id="arabic-indic-digit"),
    pytest.param("ab\u00a0c", NAME_BAD_CHARS, id="nbsp"),
    pytest.param("ab\u2011c", NAME_BAD_CHARS, id="non-ascii-hyphen"),
    pytest.param("ab_", NAME_BAD_CHARS, id="bad-char-checked-before-length-ok"),
]


@pytest.mark.parametrize(("name", "message"), NAME_CASES)
def test_check_name(name: str, message: str | None) -> None:
    assert check_name(name) == message


@pytest.mark.parametrize(("name", "message"), NAME_CASES)
def test_name_in_payload(name: str, message: str | None) -> None:
    job, errors = validate_payload(payload(name=name))
    if message is None:
        assert errors == {}
        assert job is not None
        assert job.name == name
    else:
        assert job is None
        assert errors == {"name": message}


@pytest.mark.parametrize(("name", "message"), NAME_CASES)
def test_name_in_form_setup_step(name: str, message: str | None) -> None:
    """A form takes the name without the spaces around it (a paste); the API does not."""
    trimmed = check_name(name.strip())
    expected = {} if trimmed is None else {"name": trimmed}
    assert validate_form(texts(name=name), "setup", MODEL_IDS) == expected


# --- base model -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "model_ids", "message"),
    [
        pytest.param("", MODEL_IDS, CHOOSE_MODEL, id="empty-with-list"),
        pytest.param("", None, CHOOSE_MODEL, id="empty-without-list"),
        pytest.param("llama-3-8b", MODEL_IDS, None, id="known"),
        pytest.param("mistral-7b", MODEL_IDS, None, id="known-second"),
        pytest.param("gpt-9", MODEL_IDS, "Unknown base model: gpt-9", id="unknown"),
        pytest.param("Llama-3-8b", MODEL_IDS, "Unknown base model: Llama-3-8b", id="case"),
        pytest.param("gpt-9", None, None, id="none-skips-list-check"),
        pytest.param("llama-3-8b", (), "Unknown base model: llama-3-8b", id="empty-list"),
        pytest.param("llama-3-8b", {"llama-3-8b"}, None, id="set-collection"),
    ],
)
def test_check_base_model(model_id: str, model_ids: Any, message: str | None) -> None:
    assert check_base_model(model_id, model_ids) == message


def test_base_model_in_payload_checks_the_list() -> None:
    assert validate_payload(payload(baseModel="gpt-9"), MODEL_IDS) == (
        None,
        {"baseModel": "Unknown base model: gpt-9"},
    )
    job, errors = validate_payload(payload(baseModel="gpt-9"), None)
    assert errors == {}
    assert job is not None
    assert job.base_model == "gpt-9"
    assert validate_payload(payload(baseModel=""), None) == (None, {"baseModel": CHOOSE_MODEL})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", {"baseModel": CHOOSE_MODEL}, id="empty"),
        pytest.param("   ", {"baseModel": CHOOSE_MODEL}, id="blank"),
        pytest.param(" llama-3-8b ", {}, id="stripped"),
        pytest.param("gpt-9", {"baseModel": "Unknown base model: gpt-9"}, id="unknown"),
    ],
)
def test_base_model_in_form(text: str, expected: dict[str, str]) -> None:
    assert validate_form(texts(baseModel=text), "setup", MODEL_IDS) == expected


# --- epochs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epochs", "message"),
    [
        (-5, EPOCHS_MIN),
        (-1, EPOCHS_MIN),
        (0, EPOCHS_MIN),
        (1, None),
        (2, None),
        (1000, None),
        (1001, EPOCHS_MAX),
        (10**23, EPOCHS_MAX),
    ],
)
def test_check_epochs(epochs: int, message: str | None) -> None:
    assert check_epochs(epochs) == message


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("evaluationEpochs", -1, EVAL_MIN),
        ("evaluationEpochs", -10, EVAL_MIN),
        ("evaluationEpochs", 0, None),
        ("evaluationEpochs", 1, None),
        ("warmupEpochs", -1, WARMUP_MIN),
        ("warmupEpochs", -10, WARMUP_MIN),
        ("warmupEpochs", 0, None),
        ("warmupEpochs", 1, None),
    ],
)
def test_check_aux_epochs(field: str, value: int, message: str | None) -> None:
    assert check_aux_epochs(field, value) == message


@pytest.mark.parametrize(
    ("epochs", "expected"),
    [
        (0, {"epochs": EPOCHS_MIN}),
        (-1, {"epochs": EPOCHS_MIN}),
        (1, {}),
    ],
)
def test_epochs_boundary_in_payload_and_form(epochs: int, expected: dict[str, str]) -> None:
    values = {"evaluationEpochs": 0, "warmupEpochs": 0}
    assert validate_payload(payload(epochs=epochs, **values))[1] == expected
    form = texts(epochs=str(epochs), evaluationEpochs="0", warmupEpochs="0")
    assert validate_form(form, "configure") == expected


@pytest.mark.parametrize(
    ("field", "message"), [("evaluationEpochs", EVAL_MIN), ("warmupEpochs", WARMUP_MIN)]
)
@pytest.mark.parametrize("value", [-1, -3])
def test_negative_aux_epochs(field: str, message: str, value: int) -> None:
    assert validate_payload(payload(**{field: value}))[1] == {field: message}
    assert validate_form(texts(**{field: str(value)}), "configure") == {field: message}


@pytest.mark.parametrize(("epochs", "unit"), [(1, "training epoch"), (2, "training epochs")])
def test_epoch_budget_message(epochs: int, unit: str) -> None:
    assert epoch_budget_message(epochs) == (
        f"Evaluation + warm-up epochs must not exceed {epochs} {unit}"
    )


@pytest.mark.parametrize(
    ("epochs", "evaluation", "warmup"),
    [
        (3, 3, 0),
        (3, 0, 3),
        (3, 1, 2),
        (3, 2, 1),
        (1, 1, 0),
        (1, 0, 1),
        (1, 0, 0),
        (50, 25, 25),
    ],
)
def test_budget_equal_to_epochs_is_ok(epochs: int, evaluation: int, warmup: int) -> None:
    values = {"epochs": epochs, "evaluationEpochs": evaluation, "warmupEpochs": warmup}
    job, errors = validate_payload(payload(**values))
    assert errors == {}
    assert job is not None
    form = texts(**{field: str(value) for field, value in values.items()})
    assert validate_form(form, "configure") == {}


@pytest.mark.parametrize(
    ("epochs", "evaluation", "warmup"),
    [
        (3, 4, 0),
        (3, 0, 4),
        (3, 2, 2),
        (3, 3, 1),
        (1, 1, 1),
        (1, 2, 0),
        (50, 26, 25),
        (2, 60, 60),
    ],
)
def test_budget_one_above_epochs_fails_on_both_fields(
    epochs: int, evaluation: int, warmup: int
) -> None:
    expected = {"evaluationEpochs": budget(epochs), "warmupEpochs": budget(epochs)}
    values = {"epochs": epochs, "evaluationEpochs": evaluation, "warmupEpochs": warmup}
    assert validate_payload(payload(**values)) == (None, expected)
    form = texts(**{field: str(value) for field, value in values.items()})
    assert validate_form(form, "configure") == expected
    assert validate_form(form, "review") == expected
    assert str(epochs) in expected["evaluationEpochs"]


def test_budget_message_names_the_bound() -> None:
    errors = validate_payload(payload(epochs=7, evaluationEpochs=4, warmupEpochs=4))[1]
    assert errors["evaluationEpochs"] == (
        "Evaluation + warm-up epochs must not exceed 7 training epochs"
    )
    assert errors["warmupEpochs"] == errors["evaluationEpochs"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(
            {"epochs": 0, "evaluationEpochs": 1, "warmupEpochs": 0},
            {"epochs": EPOCHS_MIN},
            id="bad-epochs-hides-budget",
        ),
        pytest.param(
            {"epochs": 3, "evaluationEpochs": -1, "warmupEpochs": 10},
            {"evaluationEpochs": EVAL_MIN},
            id="bad-evaluation-hides-budget",
        ),
        pytest.param(
            {"epochs": 3, "evaluationEpochs": 10, "warmupEpochs": -1},
            {"warmupEpochs": WARMUP_MIN},
            id="bad-warmup-hides-budget",
        ),
    ],
)
def test_budget_checked_only_when_all_counts_are_valid(
    values: dict[str, int], expected: dict[str, str]
) -> None:
    assert validate_payload(payload(**values))[1] == expected


def test_budget_not_checked_when_a_count_does_not_parse() -> None:
    form = texts(epochs="abc", evaluationEpochs="9", warmupEpochs="9")
    assert validate_form(form, "configure") == {"epochs": "Epochs must be a whole number"}


# --- learning rate ----------------------------------------------------------------------

LEARNING_RATE_CASES = [
    pytest.param(-1.0, LR_RANGE, id="-1"),
    pytest.param(-0.0001, LR_RANGE, id="-0.0001"),
    pytest.param(math.nextafter(0.0, -1.0), LR_RANGE, id="just-below-0"),
    pytest.param(-0.0, None, id="-0.0"),
    pytest.param(0.0, None, id="0"),
    pytest.param(5e-324, None, id="smallest-subnormal"),
    pytest.param(0.0001, None, id="0.0001"),
    pytest.param(0.5, None, id="0.5"),
    pytest.param(1.0, None, id="1"),
    pytest.param(math.nextafter(1.0, 2.0), LR_RANGE, id="just-above-1"),
    pytest.param(1.0001, LR_RANGE, id="1.0001"),
    pytest.param(2.0, LR_RANGE, id="2"),
]


@pytest.mark.parametrize(("rate", "message"), LEARNING_RATE_CASES)
def test_check_learning_rate(rate: float, message: str | None) -> None:
    assert check_learning_rate(rate) == message


@pytest.mark.parametrize("rate", [math.nan, math.inf, -math.inf])
def test_check_learning_rate_rejects_non_finite(rate: float) -> None:
    assert check_learning_rate(rate) == LR_RANGE


@pytest.mark.parametrize(("rate", "message"), LEARNING_RATE_CASES)
def test_learning_rate_in_payload_and_form(rate: float, message: str | None) -> None:
    expected = {} if message is None else {"learningRate": message}
    assert validate_payload(payload(learningRate=rate))[1] == expected
    assert validate_form(texts(learningRate=repr(rate)), "configure") == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("1e-4", 0.0001), ("1E-4", 0.0001), (" 0.0001 ", 0.0001), ("0", 0.0), ("1", 1.0)],
)
def test_learning_rate_text_forms(text: str, value: float) -> None:
    assert validate_form(texts(learningRate=text), "configure") == {}
    job = job_input_from_form(texts(learningRate=text))
    assert job.learning_rate == value


@pytest.mark.parametrize(("rate", "expected"), [(0, 0.0), (1, 1.0)])
def test_learning_rate_integer_json_is_a_float(rate: int, expected: float) -> None:
    job, errors = validate_payload(payload(learningRate=rate))
    assert errors == {}
    assert job is not None
    assert job.learning_rate == expected
    assert type(job.learning_rate) is float


@pytest.mark.parametrize(
    "rate", [2, -1, 10**400, -(10**400)], ids=["2", "-1", "10**400", "-10**400"]
)
def test_learning_rate_out_of_range_integer_json(rate: int) -> None:
    # A JSON integer too large for a float (json.loads returns an int) is still just a number
    # far outside [0, 1]: a message, never an OverflowError.
    assert validate_payload(payload(learningRate=rate)) == (None, {"learningRate": LR_RANGE})


# --- parsing typed text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("\t3\n", 3),
        ("3.0", 3),
        ("3.", 3),
        ("1e1", 10),
        ("0", 0),
        ("-0", 0),
        ("-2", -2),
        ("+4", 4),
        ("0.0", 0),
        ("60", 60),
    ],
)
def test_parse_whole_number_accepts(text: str, expected: int) -> None:
    parsed = parse_whole_number(text, "Epochs")
    assert parsed == expected
    assert type(parsed) is int


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Epochs is required"),
        ("   ", "Epochs is required"),
        ("\n", "Epochs is required"),
        ("abc", "Epochs must be a whole number"),
        ("3.5", "Epochs must be a whole number"),
        ("0.1", "Epochs must be a whole number"),
        ("-2.5", "Epochs must be a whole number"),
        ("3 4", "Epochs must be a whole number"),
        ("3,0", "Epochs must be a whole number"),
        ("0x10", "Epochs must be a whole number"),
        ("nan", "Epochs must be a whole number"),
        ("NaN", "Epochs must be a whole number"),
        ("inf", "Epochs must be a whole number"),
        ("-inf", "Epochs must be a whole number"),
        ("Infinity", "Epochs must be a whole number"),
        ("1e400", "Epochs must be a whole number"),
        ("9" * 5000, "Epochs must be a whole number"),
        ("1_000", "Epochs must be a whole number"),
        ("\u0663", "Epochs must be a whole number"),  # Arabic-Indic digit three
    ],
)
def test_parse_whole_number_rejects(text: str, message: str) -> None:
    assert parse_whole_number(text, "Epochs") == message


def test_parse_whole_number_uses_the_label() -> None:
    assert parse_whole_number("", "Warm-up epochs") == "Warm-up epochs is required"
    assert parse_whole_number("x", "Warm-up epochs") == "Warm-up epochs must be a whole number"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e-4", 0.0001),
        (" 0.5 ", 0.5),
        ("0.0001", 0.0001),
        ("1", 1.0),
        ("0", 0.0),
        ("-0.0001", -0.0001),
        (".5", 0.5),
        ("2", 2.0),
    ],
)
def test_parse_number_accepts(text: str, expected: float) -> None:
    parsed = parse_number(text, "Learning rate")
    assert parsed == expected
    assert type(parsed) is float


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Learning rate is required"),
        ("  ", "Learning rate is required"),
        ("abc", "Learning rate must be a number"),
        ("0.1.2", "Learning rate must be a number"),
        ("1e", "Learning rate must be a number"),
        ("nan", "Learning rate must be a number"),
        ("inf", "Learning rate must be a number"),
        ("-inf", "Learning rate must be a number"),
        ("Infinity", "Learning rate must be a number"),
        ("1e400", "Learning rate must be a number"),
        ("0_1", "Learning rate must be a number"),
        ("\u0661e-4", "Learning rate must be a number"),
    ],
)
def test_parse_number_rejects(text: str, message: str) -> None:
    assert parse_number(text, "Learning rate") == message


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("epochs", "", "Epochs is required"),
        ("epochs", "abc", "Epochs must be a whole number"),
        ("epochs", "3.5", "Epochs must be a whole number"),
        ("epochs", "nan", "Epochs must be a whole number"),
        ("evaluationEpochs", "", "Evaluation epochs is required"),
        ("evaluationEpochs", "0.5", "Evaluation epochs must be a whole number"),
        ("warmupEpochs", "", "Warm-up epochs is required"),
        ("warmupEpochs", "inf", "Warm-up epochs must be a whole number"),
        ("learningRate", "", "Learning rate is required"),
        ("learningRate", "abc", "Learning rate must be a number"),
        ("learningRate", "nan", "Learning rate must be a number"),
        ("learningRate", "inf", "Learning rate must be a number"),
    ],
)
def test_form_parse_messages(field: str, text: str, message: str) -> None:
    assert validate_form(texts(**{field: text}), "configure") == {field: message}


@given(st.text(max_size=30))
@settings(max_examples=200, deadline=None)
def test_parsers_never_raise(text: str) -> None:
    whole = parse_whole_number(text, "Epochs")
    assert (type(whole) is int) or (isinstance(whole, str) and whole.startswith("Epochs "))
    number = parse_number(text, "Learning rate")
    assert (type(number) is float and math.isfinite(number)) or (
        isinstance(number, str) and number.startswith("Learning rate ")
    )
    assert isinstance(validate_form({field: text for field in FIELDS}), dict)


# --- job_input_from_form / JobInput / JobRulesError -------------------------------------


def test_job_input_from_form_returns_typed_job() -> None:
    form = {
        "name": "-job-1",
        "baseModel": " mistral-7b ",
        "epochs": " 3.0 ",
        "evaluationEpochs": "1",
        "warmupEpochs": "2",
        "learningRate": "1e-4",
    }
    job = job_input_from_form(form, MODEL_IDS)
    assert isinstance(job, JobInput)
    assert job.name == "-job-1"
    assert job.base_model == "mistral-7b"
    assert job.epochs == 3
    assert type(job.epochs) is int
    assert job.evaluation_epochs == 1
    assert job.warmup_epochs == 2
    assert job.learning_rate == 0.0001
    wire = job.to_wire()
    assert wire == {
        "name": "-job-1",
        "baseModel": "mistral-7b",
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 2,
        "learningRate": 0.0001,
    }
    assert list(wire) == list(FIELDS)


def test_job_input_from_form_raises_with_errors() -> None:
    with pytest.raises(JobRulesError) as caught:
        job_input_from_form(ALL_BAD_TEXTS, MODEL_IDS)
    assert caught.value.errors == ALL_BAD_ERRORS
    assert isinstance(caught.value, ValueError)


def test_job_input_from_form_raises_on_budget() -> None:
    with pytest.raises(JobRulesError) as caught:
        job_input_from_form(texts(epochs="2", evaluationEpochs="2", warmupEpochs="1"))
    assert caught.value.errors == {"evaluationEpochs": budget(2), "warmupEpochs": budget(2)}


def test_job_input_from_form_checks_model_ids() -> None:
    with pytest.raises(JobRulesError) as caught:
        job_input_from_form(texts(baseModel="gpt-9"), MODEL_IDS)
    assert caught.value.errors == {"baseModel": "Unknown base model: gpt-9"}
    assert job_input_from_form(texts(baseModel="gpt-9"), None).base_model == "gpt-9"


def test_job_input_from_form_empty_form() -> None:
    with pytest.raises(JobRulesError) as caught:
        job_input_from_form({})
    assert set(caught.value.errors) == set(FIELDS)


def test_job_rules_error_message() -> None:
    error = JobRulesError({"name": NAME_REQUIRED, "epochs": EPOCHS_MIN})
    assert str(error) == f"name: {NAME_REQUIRED}; epochs: {EPOCHS_MIN}"
    assert error.errors == {"name": NAME_REQUIRED, "epochs": EPOCHS_MIN}


def test_job_input_accepts_aliases_and_field_names_and_is_frozen() -> None:
    by_alias = JobInput.model_validate(VALID_PAYLOAD)
    by_name = JobInput(
        name="my-job-1",
        base_model="llama-3-8b",
        epochs=3,
        evaluation_epochs=1,
        warmup_epochs=1,
        learning_rate=0.0001,
    )
    assert by_alias == by_name
    assert by_alias.to_wire() == VALID_PAYLOAD
    with pytest.raises(ValidationError):
        by_alias.epochs = 4  # type: ignore[misc]


# --- require_valid ----------------------------------------------------------------------


def make_job(**changes: Any) -> JobInput:
    return JobInput.model_validate(payload(**changes))


def test_require_valid_returns_the_same_job() -> None:
    job = make_job()
    assert require_valid(job) is job
    assert require_valid(job, MODEL_IDS) is job


@pytest.mark.parametrize(
    ("changes", "model_ids", "expected"),
    [
        pytest.param({"name": "ab"}, None, {"name": NAME_TOO_SHORT}, id="short-name"),
        pytest.param({"name": "abc-"}, None, {"name": NAME_TRAILING_DASH}, id="trailing-dash"),
        pytest.param({"name": "café-1"}, None, {"name": NAME_BAD_CHARS}, id="non-ascii"),
        pytest.param({"baseModel": ""}, None, {"baseModel": CHOOSE_MODEL}, id="no-model"),
        pytest.param(
            {"baseModel": "gpt-9"},
            MODEL_IDS,
            {"baseModel": "Unknown base model: gpt-9"},
            id="unknown-model",
        ),
        pytest.param({"epochs": 0}, None, {"epochs": EPOCHS_MIN}, id="zero-epochs"),
        pytest.param(
            {"evaluationEpochs": -1}, None, {"evaluationEpochs": EVAL_MIN}, id="negative-eval"
        ),
        pytest.param(
            {"evaluationEpochs": 2, "warmupEpochs": 2},
            None,
            {"evaluationEpochs": budget(3), "warmupEpochs": budget(3)},
            id="budget",
        ),
        pytest.param({"learningRate": 1.0001}, None, {"learningRate": LR_RANGE}, id="lr-high"),
        pytest.param({"learningRate": math.nan}, None, {"learningRate": LR_RANGE}, id="lr-nan"),
        pytest.param({"learningRate": math.inf}, None, {"learningRate": LR_RANGE}, id="lr-inf"),
    ],
)
def test_require_valid_raises(
    changes: dict[str, Any], model_ids: Any, expected: dict[str, str]
) -> None:
    with pytest.raises(JobRulesError) as caught:
        require_valid(make_job(**changes), model_ids)
    assert caught.value.errors == expected


def test_require_valid_without_model_ids_skips_list() -> None:
    job = make_job(baseModel="gpt-9")
    assert require_valid(job) is job


# --- max_aux_epochs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epochs", "other", "expected"),
    [
        (None, None, None),
        (None, 2, None),
        (5, None, 5),
        (5, 0, 5),
        (5, 2, 3),
        (5, 5, 0),
        (3, 4, 0),
        (1, 0, 1),
        (0, None, 0),
        (0, 0, 0),
    ],
)
def test_max_aux_epochs(epochs: int | None, other: int | None, expected: int | None) -> None:
    assert max_aux_epochs(epochs, other) == expected


@given(epochs=st.integers(1, 60), other=st.integers(0, 60))
@settings(max_examples=200, deadline=None)
def test_max_aux_epochs_is_the_budget_bound(epochs: int, other: int) -> None:
    bound = max_aux_epochs(epochs, other)
    assert bound is not None
    at_bound = payload(epochs=epochs, warmupEpochs=other, evaluationEpochs=bound)
    over = payload(epochs=epochs, warmupEpochs=other, evaluationEpochs=bound + 1)
    if other <= epochs:
        assert validate_payload(at_bound)[1] == {}
    assert "evaluationEpochs" in validate_payload(over)[1]


# --- validate_payload: types, missing fields, body shape --------------------------------


def test_valid_payload() -> None:
    job, errors = validate_payload(VALID_PAYLOAD, MODEL_IDS)
    assert errors == {}
    assert job is not None
    assert job.to_wire() == VALID_PAYLOAD


@pytest.mark.parametrize("body", [None, [], [VALID_PAYLOAD], "x", 3, 3.0, True, ("name", "x")])
def test_payload_must_be_an_object(body: Any) -> None:
    assert validate_payload(body) == (None, {"body": "Request body must be a JSON object"})


def test_empty_object_every_field_required() -> None:
    assert validate_payload({}) == (
        None,
        {
            "name": NAME_REQUIRED,
            "baseModel": "Base model is required",
            "epochs": "Epochs is required",
            "evaluationEpochs": "Evaluation epochs is required",
            "warmupEpochs": "Warm-up epochs is required",
            "learningRate": "Learning rate is required",
        },
    )


REQUIRED_MESSAGES = {
    "name": NAME_REQUIRED,
    "baseModel": "Base model is required",
    "epochs": "Epochs is required",
    "evaluationEpochs": "Evaluation epochs is required",
    "warmupEpochs": "Warm-up epochs is required",
    "learningRate": "Learning rate is required",
}


@pytest.mark.parametrize("field", FIELDS)
def test_missing_field(field: str) -> None:
    body = {key: value for key, value in VALID_PAYLOAD.items() if key != field}
    assert validate_payload(body) == (None, {field: REQUIRED_MESSAGES[field]})


@pytest.mark.parametrize("field", FIELDS)
def test_null_field(field: str) -> None:
    assert validate_payload(payload(**{field: None})) == (None, {field: REQUIRED_MESSAGES[field]})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", 123, "Job name must be a string"),
        ("name", 1.5, "Job name must be a string"),
        ("name", True, "Job name must be a string"),
        ("name", ["abc"], "Job name must be a string"),
        ("name", {"v": "abc"}, "Job name must be a string"),
        ("baseModel", 7, "Base model must be a string"),
        ("baseModel", False, "Base model must be a string"),
        ("epochs", True, "Epochs must be a whole number"),
        ("epochs", False, "Epochs must be a whole number"),
        ("epochs", "3", "Epochs must be a whole number"),
        ("epochs", 3.5, "Epochs must be a whole number"),
        ("epochs", math.nan, "Epochs must be a whole number"),
        ("epochs", math.inf, "Epochs must be a whole number"),
        ("epochs", [3], "Epochs must be a whole number"),
        ("epochs", {}, "Epochs must be a whole number"),
        ("evaluationEpochs", True, "Evaluation epochs must be a whole number"),
        ("evaluationEpochs", "1", "Evaluation epochs must be a whole number"),
        ("evaluationEpochs", 0.5, "Evaluation epochs must be a whole number"),
        ("warmupEpochs", False, "Warm-up epochs must be a whole number"),
        ("warmupEpochs", "1", "Warm-up epochs must be a whole number"),
        ("warmupEpochs", -math.inf, "Warm-up epochs must be a whole number"),
        ("learningRate", True, "Learning rate must be a number"),
        ("learningRate", False, "Learning rate must be a number"),
        ("learningRate", "0.1", "Learning rate must be a number"),
        ("learningRate", math.nan, "Learning rate must be a number"),
        ("learningRate", math.inf, "Learning rate must be a number"),
        ("learningRate", -math.inf, "Learning rate must be a number"),
        ("learningRate", [0.1], "Learning rate must be a number"),
    ],
)
def test_payload_wrong_types(field: str, value: Any, message: str) -> None:
    assert validate_payload(payload(**{field: value})) == (None, {field: message})


@pytest.mark.parametrize(
    ("field", "value"), [("epochs", 2.0), ("evaluationEpochs", 1.0), ("warmupEpochs", 0.0)]
)
def test_integral_float_counts_as_int(field: str, value: float) -> None:
    job, errors = validate_payload(payload(**{field: value}))
    assert errors == {}
    assert job is not None
    wire = job.to_wire()[field]
    assert wire == value
    assert type(wire) is int


def test_epochs_float_three_is_three() -> None:
    job, errors = validate_payload(payload(epochs=3.0))
    assert errors == {}
    assert job is not None
    assert job.epochs == 3
    assert type(job.epochs) is int


def test_unknown_keys_are_ignored() -> None:
    job, errors = validate_payload(payload(extra="x", id=5, status=None, Name=1))
    assert errors == {}
    assert job is not None
    assert job.to_wire() == VALID_PAYLOAD


def test_payload_errors_in_field_order() -> None:
    body = {"learningRate": 5, "epochs": 0, "name": "x"}
    _, errors = validate_payload(body)
    assert list(errors) == list(FIELDS)


# --- properties: the module agrees with an oracle written from the rules ----------------

ALLOWED_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-")
PROPERTY_MODEL_IDS = ("m1", "m-2")
MISSING = object()


def oracle_failing_fields(body: dict[str, Any], model_ids: Any) -> set[str]:
    """The fields the written rules reject, computed without ftapp.rules.

    Precedence (the module's documented decision): the shared epoch budget is judged only when
    all three epoch counts are individually valid whole numbers.
    """
    failing: set[str] = set()

    name = body.get("name")
    if not (
        isinstance(name, str)
        and 3 <= len(name) <= 50
        and all(character in ALLOWED_NAME_CHARACTERS for character in name)
        and not name.endswith("-")
    ):
        failing.add("name")

    model = body.get("baseModel")
    if not (isinstance(model, str) and model != "" and (model_ids is None or model in model_ids)):
        failing.add("baseModel")

    def whole(value: Any) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and math.isfinite(value) and value == int(value):
            return int(value)
        return None

    counts: dict[str, int] = {}
    for field, minimum, maximum in (
        ("epochs", 1, 1000),
        ("evaluationEpochs", 0, None),
        ("warmupEpochs", 0, None),
    ):
        value = whole(body.get(field))
        if value is None or value < minimum or (maximum is not None and value > maximum):
            failing.add(field)
        else:
            counts[field] = value
    if len(counts) == 3 and counts["evaluationEpochs"] + counts["warmupEpochs"] > counts["epochs"]:
        failing.update({"evaluationEpochs", "warmupEpochs"})

    rate = body.get("learningRate")
    if not (
        isinstance(rate, int | float)
        and not isinstance(rate, bool)
        and math.isfinite(rate)
        and 0 <= rate <= 1
    ):
        failing.add("learningRate")
    return failing


VALID_NAME_ALPHABET = st.sampled_from(sorted(ALLOWED_NAME_CHARACTERS))
MIXED_NAME_ALPHABET = st.one_of(
    VALID_NAME_ALPHABET,
    st.sampled_from(list("-_ .\t\néüß\u0430\u042f\u00a0\uff21\u0663\u2011")),
    st.characters(),
)
names = st.one_of(
    st.text(VALID_NAME_ALPHABET, max_size=60),
    st.text(MIXED_NAME_ALPHABET, max_size=60),
    st.sampled_from(["ab", "abc", "a" * 50, "a" * 51, "abc-", "-abc", "123", "café-1"]),
)
models = st.sampled_from([*PROPERTY_MODEL_IDS, "", "unknown", " m1"])
counts = st.integers(-3, 60)
rates = st.one_of(
    st.floats(-0.5, 1.5),
    st.floats(0, 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            0.0,
            -0.0,
            1.0,
            0.0001,
            -0.0001,
            1.0001,
            5e-324,
            math.nextafter(0.0, -1.0),
            math.nextafter(1.0, 2.0),
            math.nan,
            math.inf,
            -math.inf,
        ]
    ),
    st.integers(-3, 3),
)
junk = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.lists(st.integers(), max_size=1))
model_id_lists = st.sampled_from([None, PROPERTY_MODEL_IDS])


@st.composite
def near_valid(draw: st.DrawFn) -> dict[str, Any]:
    """A payload that usually keeps every rule (the name may still end with a dash, and the
    epoch budget may be exceeded by one), so the properties see plenty of valid verdicts."""
    epochs = draw(st.integers(1, 60))
    evaluation = draw(st.integers(0, epochs))
    return {
        "name": draw(st.text(VALID_NAME_ALPHABET, min_size=3, max_size=50)),
        "baseModel": draw(st.sampled_from(PROPERTY_MODEL_IDS)),
        "epochs": epochs,
        "evaluationEpochs": evaluation,
        "warmupEpochs": draw(st.integers(0, epochs - evaluation + 1)),
        "learningRate": draw(st.one_of(st.floats(0, 1), st.sampled_from([0, 1, 0.0001]))),
    }


def with_one_field_redrawn(
    draw: st.DrawFn, body: dict[str, Any], broad: dict[str, st.SearchStrategy[Any]]
) -> dict[str, Any]:
    field = draw(st.sampled_from([None, *FIELDS]))
    if field is not None:
        body[field] = draw(broad[field])
    return body


BROAD_JSON: dict[str, st.SearchStrategy[Any]] = {
    "name": names,
    "baseModel": models,
    "epochs": st.one_of(counts, counts, counts.map(float), st.floats()),
    "evaluationEpochs": st.one_of(counts, counts, counts.map(float)),
    "warmupEpochs": st.one_of(counts, counts, counts.map(float)),
    "learningRate": rates,
}


@st.composite
def payloads(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        body = with_one_field_redrawn(draw, draw(near_valid()), BROAD_JSON)
    else:
        body = {field: draw(strategy) for field, strategy in BROAD_JSON.items()}
    # Now and then a field goes missing, turns null or takes a value of the wrong JSON type.
    for field in FIELDS:
        damage = draw(st.integers(0, 29))
        if damage == 0:
            del body[field]
        elif damage == 1:
            body[field] = draw(junk)
    if draw(st.booleans()):
        body["unrelated"] = draw(junk)
    return body


@given(body=payloads(), model_ids=model_id_lists)
@settings(max_examples=300, deadline=None)
def test_validate_payload_matches_oracle(body: dict[str, Any], model_ids: Any) -> None:
    job, errors = validate_payload(body, model_ids)
    assert set(errors) == oracle_failing_fields(body, model_ids)
    assert all(isinstance(message, str) and message for message in errors.values())
    if errors:
        assert job is None
    else:
        assert job is not None
        wire = job.to_wire()
        assert wire == {field: body[field] for field in FIELDS}
        assert type(wire["epochs"]) is int
        assert type(wire["learningRate"]) is float
        assert require_valid(job, model_ids) is job


_WHOLE_TYPED = st.one_of(counts, counts, counts.map(float), st.floats())
BROAD_TYPED: dict[str, st.SearchStrategy[Any]] = {
    "name": names,
    "baseModel": st.sampled_from([*PROPERTY_MODEL_IDS, "", "unknown"]),
    "epochs": _WHOLE_TYPED,
    "evaluationEpochs": _WHOLE_TYPED,
    "warmupEpochs": _WHOLE_TYPED,
    "learningRate": st.one_of(rates, st.floats()),
}


@st.composite
def typed_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """Values of the right JSON type for every field (their str() is what a user could type)."""
    if draw(st.booleans()):
        return with_one_field_redrawn(draw, draw(near_valid()), BROAD_TYPED)
    return {field: draw(strategy) for field, strategy in BROAD_TYPED.items()}


@given(body=typed_payloads(), model_ids=model_id_lists)
@settings(max_examples=300, deadline=None)
def test_validate_form_on_text_agrees_with_validate_payload(
    body: dict[str, Any], model_ids: Any
) -> None:
    form = {field: str(value) for field, value in body.items()}
    # The form reads a text field without the spaces around it (a pasted " my-job " is the
    # name "my-job"); the API takes the string as sent.
    as_read = {f: v.strip() if isinstance(v, str) else v for f, v in body.items()}
    _, payload_errors = validate_payload(as_read, model_ids)
    assert validate_form(form, "review", model_ids) == payload_errors
    for step in ("setup", "configure"):
        expected = {f: m for f, m in payload_errors.items() if f in STEP_FIELDS[step]}
        assert validate_form(form, step, model_ids) == expected
    if payload_errors:
        with pytest.raises(JobRulesError) as caught:
            job_input_from_form(form, model_ids)
        assert caught.value.errors == payload_errors
    else:
        job = job_input_from_form(form, model_ids)
        assert job == validate_payload(body, model_ids)[0]
