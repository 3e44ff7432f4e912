"""Shared constants and contract checks of the integration tests."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT4

from ftapp.settings import SANDBOX_DEMO_KEY
from tests.helpers.servers import SANDBOX_DRIVER_KEY, ServerProcess, start_app

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO_ROOT / "ftapp" / "sandbox" / "openapi.json"

DEMO_KEY = SANDBOX_DEMO_KEY
READONLY_KEY = "sandbox-readonly-key"
OTHER_KEY = "sandbox-other-key"

JOB_LIMIT = 10
TOO_MANY_JOBS = {
    "error": "Too Many Jobs",
    "message": (
        "Your workspace has reached the maximum limit of 10 jobs. "
        "Please delete some jobs before creating new ones."
    ),
}
FINAL_STATUSES = {"Completed", "Failed"}
STATUSES = {"Running", *FINAL_STATUSES}

_CONTRACT_URI = "urn:ftapp:job-training-api"


def keyed(key: str) -> dict[str, str]:
    """Request headers carrying ``key``."""
    return {"x-api-key": key}


@contextlib.contextmanager
def app_on_its_sandbox(
    folder: Path, log_name: str, poll_seconds: float, **settings: str
) -> Iterator[ServerProcess]:
    """The app in production mode on its embedded sandbox (database in ``folder``, as
    ``.sandbox_db``), polling every ``poll_seconds`` whether or not jobs run; ``settings``
    are more FT_* variables. Stopped when the block ends."""
    env = {
        "FT_SANDBOX_DB": str(folder / "sandbox.db"),
        "FT_POLL_RUNNING_SECONDS": str(poll_seconds),
        "FT_POLL_IDLE_SECONDS": str(poll_seconds),
        **settings,
    }
    server = start_app(env, REPO_ROOT / "test-artifacts" / log_name)
    server.sandbox_db = folder / "sandbox.db"  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


def list_job_polls(app: ServerProcess) -> int:
    """How many ``GET /jobs`` the app's embedded sandbox has answered."""
    stats = httpx.get(
        f"{app.url}/sandbox/api/_sandbox/stats", headers=keyed(SANDBOX_DRIVER_KEY), timeout=5
    ).json()
    return stats["requests"].get("list_jobs", 0)


def valid_job(**overrides: Any) -> dict[str, Any]:
    """A ``JobInput`` body every rule accepts, with ``overrides`` applied."""
    body: dict[str, Any] = {
        "name": "integration-job-1",
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 1,
        "learningRate": 0.0001,
    }
    body.update(overrides)
    return body


@cache
def contract() -> dict[str, Any]:
    """The contract document as parsed JSON."""
    return json.loads(OPENAPI_PATH.read_text())


@cache
def _registry() -> Registry:
    return Registry().with_resource(_CONTRACT_URI, DRAFT4.create_resource(contract()))


def _pointer_escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def response_schema_pointer(path: str, method: str, status: int) -> str:
    """JSON pointer of the contract's JSON schema for one documented response."""
    parts = ["paths", path, method.lower(), "responses", str(status)]
    parts += ["content", "application/json", "schema"]
    return "/" + "/".join(_pointer_escape(part) for part in parts)


def validator(pointer: str) -> jsonschema.Validator:
    """A validator of the contract's schema at ``pointer``, taken as is from the document.

    OpenAPI 3.0 schemas are (close to) JSON Schema draft 4; ``$ref``s inside resolve against
    the whole document. ``format`` is checked where jsonschema can; dates are also checked
    explicitly by :func:`assert_job_shape`.
    """
    return jsonschema.Draft4Validator(
        {"$ref": f"{_CONTRACT_URI}#{pointer}"},
        registry=_registry(),
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )


def assert_conforms(body: Any, path: str, method: str, status: int) -> None:
    """Fail unless ``body`` is valid for the contract's response ``status`` of the operation."""
    errors = sorted(
        validator(response_schema_pointer(path, method, status)).iter_errors(body), key=str
    )
    assert not errors, f"{method.upper()} {path} -> {status} violates the contract: " + "; ".join(
        f"{list(error.absolute_path)}: {error.message}" for error in errors
    )


def assert_job_shape(job: dict[str, Any]) -> None:
    """A job as the contract's ``Job`` plus what ftapp relies on (createdAt, createdAgo)."""
    errors = list(validator("/components/schemas/Job").iter_errors(job))
    assert not errors, [error.message for error in errors]
    assert job["status"] in STATUSES
    for field in ("date", "createdAt"):
        parsed = datetime.fromisoformat(job[field])  # ISO 8601 (Python 3.11 reads "Z")
        assert parsed.tzinfo is not None, f"{field} carries no time zone: {job[field]!r}"
    assert job["date"] == job["createdAt"]
    assert isinstance(job["createdAgo"], str)
    assert job["createdAgo"]
