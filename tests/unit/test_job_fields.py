"""Unit tests of the job-field table (ftapp.job_fields): a field is one row, and everything that
names fields follows the rows. A hypothetical field added to a copy of the table reaches the
form, the request model, the client's body, the sandbox and the pages, with no other edit."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
from pathlib import Path

import httpx
import respx

from ftapp import job_fields, rules
from ftapp.job_display import job_settings
from ftapp.job_fields import FIELD, FIELDS, JOB_FIELDS, FieldKind, JobField, JobInput, input_model
from ftapp.pages.new_job import form
from ftapp.sandbox.app import SandboxConfig, create_app
from ftapp.sandbox.seeds import demo_jobs
from ftapp.settings import SANDBOX_DEMO_KEY
from ftapp.upstream import Job, UpstreamClient
from ftapp.upstream.models import job_model
from tests.helpers.fakes import FakeClock
from tests.helpers.job_rules import MODEL_IDS, VALID_PAYLOAD, VALID_TEXTS

BATCH_SIZE = JobField(
    "batchSize",
    "Batch size",
    FieldKind.WHOLE,
    "configure",
    "Examples per training step: a whole number from 1 to 512.",
    default=8,
    minimum=1,
    maximum=512,
)
WEIGHT_DECAY = JobField(
    "weightDecay",
    "Weight decay",
    FieldKind.NUMBER,
    "configure",
    "A number from 0 to 0.5.",
    default=0.00001,
    minimum=0.0,
    maximum=0.5,
)
FIELDS_PLUS = (*JOB_FIELDS, BATCH_SIZE, WEIGHT_DECAY)
"""A copy of the table with two more fields; the real table is never changed."""
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


# --- the table and the model -------------------------------------------------------------


def test_the_model_is_built_from_the_rows() -> None:
    assert input_model() is JobInput
    assert input_model(list(JOB_FIELDS)) is JobInput
    aliases = [field.alias for field in JobInput.model_fields.values()]
    assert aliases == [field.name for field in JOB_FIELDS] == list(FIELDS)
    assert list(JobInput.model_fields) == [field.attribute for field in JOB_FIELDS]
    types = [field.annotation for field in JobInput.model_fields.values()]
    assert types == [field.python_type for field in JOB_FIELDS]


def test_what_type_checkers_see_of_job_input_is_the_built_model() -> None:
    """The typed stand-in for :class:`JobInput` (read only by type checkers) names the same
    attributes with the same types as the class built from the table."""
    tree = ast.parse(inspect.getsource(job_fields))
    (stub,) = (
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "JobInput"
    )
    annotations = {
        item.target.id: ast.unparse(item.annotation)  # type: ignore[union-attr]
        for item in stub.body
        if isinstance(item, ast.AnnAssign)
    }
    built = {name: f.annotation.__name__ for name, f in JobInput.model_fields.items()}  # type: ignore[union-attr]
    assert annotations == built


def test_every_row_has_a_wizard_step_a_hint_and_a_unique_input() -> None:
    assert {field.step for field in JOB_FIELDS} <= set(form.STEPS)
    assert all(field.hint.endswith(".") for field in JOB_FIELDS)
    ids = [field.input_id for field in JOB_FIELDS]
    assert len(set(ids)) == len(ids)
    assert form.FIELD_IDS == {
        "name": "job-name",
        "baseModel": "base-model",
        "epochs": "epochs",
        "evaluationEpochs": "evaluation-epochs",
        "warmupEpochs": "warmup-epochs",
        "learningRate": "learning-rate",
    }


def test_defaults_keep_every_rule() -> None:
    values = {**job_fields.default_values(), "name": "my-job", "baseModel": MODEL}
    assert rules.validate_payload(values, {MODEL})[1] == {}
    assert set(job_fields.default_values()) == set(FIELDS) - {"name", "baseModel"}


def test_a_row_writes_its_values() -> None:
    assert FIELD["learningRate"].show(0.00002) == "0.00002"
    assert FIELD["epochs"].show(3) == "3"
    percent = dataclasses.replace(WEIGHT_DECAY, display=lambda value: f"{value:.1%}")
    assert percent.show(0.25) == "25.0%"


# --- a new field is one row ----------------------------------------------------------------


def test_a_new_field_gets_its_form_control() -> None:
    assert form.control_of(BATCH_SIZE) == "stepper"
    assert form.control_of(WEIGHT_DECAY) == "decimal"
    assert [form.control_of(field) for field in JOB_FIELDS] == [
        "text",
        "select",
        "stepper",
        "stepper",
        "stepper",
        "decimal",
    ]
    steps = form.step_fields(FIELDS_PLUS)
    assert steps["configure"][-2:] == ("batchSize", "weightDecay")
    assert steps["review"] == tuple(field.name for field in FIELDS_PLUS)
    assert "batchSize" not in form.STEP_FIELDS["review"]  # the real table is unchanged
    texts = form.default_texts(FIELDS_PLUS)
    assert (texts["batchSize"], texts["weightDecay"]) == ("8", "1e-05")
    assert (BATCH_SIZE.input_id, WEIGHT_DECAY.input_id) == ("batch-size", "weight-decay")


def test_a_new_field_is_checked_in_the_form() -> None:
    texts = {**VALID_TEXTS, "batchSize": "0", "weightDecay": "abc"}
    assert form.validate_step(texts, "configure", MODEL_IDS, FIELDS_PLUS) == {
        "batchSize": "Batch size must be at least 1",
        "weightDecay": "Weight decay must be a number",
    }
    good = {**VALID_TEXTS, "batchSize": " 16 ", "weightDecay": "1e-3"}
    job = rules.job_input_from_form(good, MODEL_IDS, FIELDS_PLUS)
    assert job.to_wire() == {**VALID_PAYLOAD, "batchSize": 16, "weightDecay": 0.001}
    rows = form.review_rows(good, "configure", {}, FIELDS_PLUS)
    assert [(row.label, row.value) for row in rows][-2:] == [
        ("Batch size", "16"),
        ("Weight decay", "0.001"),
    ]
    copied = form.texts_from_job({**VALID_PAYLOAD, "batchSize": 4}, FIELDS_PLUS)
    assert (copied["batchSize"], copied["weightDecay"]) == ("4", "1e-05")


def test_a_new_field_is_in_the_request_model_and_checked_in_json() -> None:
    model = input_model(FIELDS_PLUS)
    assert model is input_model(FIELDS_PLUS)
    assert JobInput.model_fields.keys() == input_model().model_fields.keys()
    assert model.model_fields["batch_size"].alias == "batchSize"
    body = {**VALID_PAYLOAD, "batchSize": 32.0, "weightDecay": 0}
    job, errors = rules.validate_payload(body, MODEL_IDS, FIELDS_PLUS)
    assert errors == {}
    assert job is not None
    assert job.batch_size == 32  # type: ignore[attr-defined]
    assert job.to_wire() == {**VALID_PAYLOAD, "batchSize": 32, "weightDecay": 0.0}
    missing = rules.validate_payload(VALID_PAYLOAD, MODEL_IDS, FIELDS_PLUS)
    assert missing == (
        None,
        {"batchSize": "Batch size is required", "weightDecay": "Weight decay is required"},
    )
    wrong = rules.validate_payload(
        {**body, "batchSize": "8", "weightDecay": 0.6}, None, FIELDS_PLUS
    )
    assert wrong == (
        None,
        {
            "batchSize": "Batch size must be a whole number",
            "weightDecay": "Weight decay must be between 0 and 0.5",
        },
    )
    assert rules.validate_payload(VALID_PAYLOAD, MODEL_IDS)[1] == {}  # the real table


async def test_the_client_sends_a_new_field() -> None:
    job = input_model(FIELDS_PLUS).model_validate(
        {**VALID_PAYLOAD, "batchSize": 4, "weightDecay": 0.1}
    )
    base = "https://api.example.test/api"
    answer = {**job.to_wire(), "id": "job-1", "status": "Running"}
    with respx.mock(base_url=base, assert_all_called=False) as api:
        route = api.post("/jobs").respond(201, json=answer)
        async with UpstreamClient(base, "sk-test", retry_backoff_seconds=0) as client:
            await client.create_job(job)  # type: ignore[arg-type]
    assert json.loads(route.calls.last.request.content) == job.to_wire()


async def test_the_sandbox_takes_stores_and_seeds_a_new_field(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=tmp_path / "s.db", clock=FakeClock(), fields=FIELDS_PLUS)
    app = create_app(config)
    headers = {"x-api-key": SANDBOX_DEMO_KEY}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
    ) as client:
        body = {**VALID_PAYLOAD, "baseModel": MODEL, "batchSize": 64, "weightDecay": 0.01}
        refused = await client.post("/api/jobs", json={**body, "batchSize": 0}, headers=headers)
        assert refused.status_code == 400
        assert refused.json()["fields"] == {"batchSize": "Batch size must be at least 1"}
        created = await client.post("/api/jobs", json=body, headers=headers)
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        stored = (await client.get(f"/api/jobs/{job_id}", headers=headers)).json()
        listed = (await client.get("/api/jobs", headers=headers)).json()["jobs"]
    assert (stored["batchSize"], stored["weightDecay"]) == (64, 0.01)
    seeded = [job for job in listed if job["id"] != job_id]
    assert len(seeded) == 6
    assert all((job["batchSize"], job["weightDecay"]) == (8, 0.00001) for job in seeded)
    assert [seed.input.to_wire()["batchSize"] for seed in demo_jobs(FIELDS_PLUS)] == [8] * 6
    assert "batchSize" not in demo_jobs()[0].input.to_wire()  # the real table

    # The job page writes each setting as its row says.
    job = job_model(FIELDS_PLUS).model_validate(stored)
    assert isinstance(job, Job)
    settings = job_settings(job, {MODEL: "Llama 3.1 8B"}, FIELDS_PLUS)
    assert [(row.label, row.value) for row in settings][-2:] == [
        ("Batch size", "64"),
        ("Weight decay", "0.01"),
    ]
    assert job_model() is Job
