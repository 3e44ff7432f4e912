"""The sandbox: a local implementation of the Job Training API contract, as an ASGI app.

Every contract path lives under ``/api``. Keys, workspaces, validation (with the shared rules
module), permissions, the job limit and the job lifecycle behave as the contract describes.
A request body over :data:`MAX_BODY_BYTES` is refused with 413 before it is parsed.
"""

from __future__ import annotations

import functools
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ftapp import rules
from ftapp.job_fields import JOB_FIELDS, JobField, input_model
from ftapp.sandbox import keys as key_registry
from ftapp.sandbox.catalog import MODELS
from ftapp.sandbox.keys import ApiKey
from ftapp.sandbox.lifecycle import status_at
from ftapp.sandbox.seeds import demo_jobs
from ftapp.sandbox.store import JobStore, StoredJob, WorkspaceFull
from ftapp.settings import DEFAULT_SANDBOX_DB, Settings, load_settings
from ftapp.timeago import ago

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
STATS_PATH = "/api/_sandbox/stats"
TOO_MANY_JOBS = {
    "error": "Too Many Jobs",
    "message": (
        "Your workspace has reached the maximum limit of 10 jobs. "
        "Please delete some jobs before creating new ones."
    ),
}
REFUSED_MODEL_MESSAGE = "This base model is not accepting new fine-tuning jobs right now"
MAX_BODY_BYTES = 64 * 1024
"""The largest request body the sandbox reads (a job is a few hundred bytes)."""
BODY_TOO_LARGE_MESSAGE = f"Request body too large: at most {MAX_BODY_BYTES // 1024} KB"


@dataclass
class SandboxConfig:
    """How one sandbox instance behaves."""

    db_path: Path = DEFAULT_SANDBOX_DB
    speed: float = 1.0
    keys: Mapping[str, ApiKey] = field(default_factory=lambda: dict(key_registry.BUILTIN_KEYS))
    models: tuple[dict[str, str], ...] = MODELS
    refused_models: frozenset[str] = frozenset()
    """Listed models that ``POST /jobs`` refuses with a 400 (``FT_SANDBOX_REFUSED_MODELS``)."""
    clock: Callable[[], float] = time.time
    fields: tuple[JobField, ...] = JOB_FIELDS
    """The job fields ``POST /jobs`` takes and the demo jobs hold (a test may add one)."""

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> SandboxConfig:
        """The sandbox ``settings`` describe (``FT_SANDBOX_*``); ``overrides`` that are not
        None replace single values (the command line's ``--db`` and ``--speed``)."""
        config = cls(
            db_path=settings.sandbox_db,
            speed=settings.sandbox_speed,
            keys=key_registry.load_keys(settings),
            refused_models=settings.refused_models,
        )
        for name, value in overrides.items():
            if value is not None:
                setattr(config, name, value)
        if not math.isfinite(config.speed) or config.speed <= 0:
            raise ValueError("the sandbox speed must be a number greater than 0")
        return config

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> SandboxConfig:
        """:meth:`from_settings` with the settings read from ``env`` (default: the process's)."""
        return cls.from_settings(load_settings(env), **overrides)


class Sandbox:
    """The sandbox's behaviour, independent of HTTP: what each route answers."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = JobStore(
            config.db_path, clock=config.clock, job_model=input_model(config.fields)
        )
        self.model_ids = frozenset(model["id"] for model in config.models)
        self.requests: Counter[str] = Counter()
        """Requests received, by operation (e.g. ``list_jobs``; refused ones too), for tests."""
        self.workspace_requests: defaultdict[str, Counter[str]] = defaultdict(Counter)
        """The same for each workspace, counted once the key is known (its own only are
        reported to a key's holder)."""

    def job_body(self, job: StoredJob) -> dict[str, Any]:
        """A stored job as the contract's ``Job``, with its status as of now."""
        now = self.config.clock()
        created = _iso(job.created_at)
        return {
            "id": job.id,
            **job.input.to_wire(),
            "date": created,
            "createdAt": created,
            "createdAgo": ago(now - job.created_at),
            "status": status_at(
                job.created_at, job.duration_seconds, job.outcome, now, self.config.speed
            ),
        }

    def workspace_of(self, key: ApiKey) -> str:
        """The key's workspace, created (and seeded, for demo keys) on first use."""
        seeds = functools.partial(demo_jobs, self.config.fields) if key.seed else None
        self.store.ensure_workspace(key.workspace, seeds)
        return key.workspace

    def list_jobs(self, key: ApiKey) -> dict[str, Any]:
        jobs = [self.job_body(job) for job in self.store.list(self.workspace_of(key))]
        counts = Counter(job["status"] for job in jobs)
        summary = {
            "completed": counts["Completed"],
            "running": counts["Running"],
            "failed": counts["Failed"],
        }
        return {"jobs": jobs, "summary": summary}

    def create_job(self, key: ApiKey, payload: Any) -> tuple[int, dict[str, Any]]:
        job, errors = rules.validate_payload(payload, self.model_ids, self.config.fields)
        if job is None:
            return 400, {"error": "Validation failed", "fields": errors}
        if job.base_model in self.config.refused_models:
            return 400, {
                "error": "Validation failed",
                "fields": {"baseModel": REFUSED_MODEL_MESSAGE},
            }
        try:
            stored = self.store.create(self.workspace_of(key), job)
        except WorkspaceFull:
            return 429, TOO_MANY_JOBS
        return 201, self.job_body(stored)

    def get_job(self, key: ApiKey, job_id: str) -> tuple[int, dict[str, Any]]:
        job = self.store.get(self.workspace_of(key), job_id)
        if job is None:
            return 404, {"error": "Job not found"}
        return 200, self.job_body(job)

    def delete_job(self, key: ApiKey, job_id: str) -> tuple[int, dict[str, Any]]:
        if not self.store.delete(self.workspace_of(key), job_id):
            return 404, {"error": "Job not found"}
        return 200, {"message": "Job deleted successfully"}


def _iso(timestamp: float) -> str:
    return (
        datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_body(request: Request) -> bytes:
    """The request's body, or a 413 :class:`HTTPException` when it is over
    :data:`MAX_BODY_BYTES`: at once when its Content-Length says so, else (a chunked body) as
    soon as the chunks read pass the limit, so no more than the limit is ever kept."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, BODY_TOO_LARGE_MESSAGE)
    body = bytearray()
    async for chunk in request.stream():
        if len(body) + len(chunk) > MAX_BODY_BYTES:
            raise HTTPException(413, BODY_TOO_LARGE_MESSAGE)
        body += chunk
    return bytes(body)


Handler = Callable[[Request, Sandbox, ApiKey], Awaitable[Response]]


def _authenticated(permission: str, denied: str) -> Callable[[Handler], Callable]:
    """Wrap a handler: 401 without a known key, 403 without ``permission``."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            sandbox: Sandbox = request.app.state.sandbox
            sandbox.requests[handler.__name__] += 1
            supplied = request.headers.get("x-api-key")
            if not supplied:
                return _error(401, "Missing API key: send it in the x-api-key header")
            key = request.app.state.keys.get(supplied)
            if key is None:
                return _error(401, "Invalid API key")
            sandbox.workspace_requests[key.workspace][handler.__name__] += 1
            if not key.may(permission):
                return _error(403, denied)
            return await handler(request, sandbox, key)

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


@_authenticated(key_registry.READ, "Insufficient permissions to read jobs")
async def list_jobs(request: Request, sandbox: Sandbox, key: ApiKey) -> Response:
    return JSONResponse(await run_in_threadpool(sandbox.list_jobs, key))


@_authenticated(key_registry.CREATE, "Insufficient permissions to create jobs")
async def create_job(request: Request, sandbox: Sandbox, key: ApiKey) -> Response:
    raw = await _read_body(request)
    try:
        payload = json.loads(raw)
    # ValueError covers JSONDecodeError, UnicodeDecodeError and an integer literal longer
    # than Python's int-conversion digit limit (4300 digits), which json.loads refuses.
    except (ValueError, RecursionError):
        return JSONResponse(
            {"error": "Validation failed", "fields": {"body": "Request body must be valid JSON"}},
            status_code=400,
        )
    status, body = await run_in_threadpool(sandbox.create_job, key, payload)
    return JSONResponse(body, status_code=status)


@_authenticated(key_registry.READ, "Insufficient permissions to read jobs")
async def get_job(request: Request, sandbox: Sandbox, key: ApiKey) -> Response:
    status, body = await run_in_threadpool(sandbox.get_job, key, request.path_params["id"])
    return JSONResponse(body, status_code=status)


@_authenticated(key_registry.DELETE, "Insufficient permissions to delete jobs")
async def delete_job(request: Request, sandbox: Sandbox, key: ApiKey) -> Response:
    status, body = await run_in_threadpool(sandbox.delete_job, key, request.path_params["id"])
    return JSONResponse(body, status_code=status)


@_authenticated(key_registry.READ, "Insufficient permissions to read models")
async def list_models(request: Request, sandbox: Sandbox, key: ApiKey) -> Response:
    return JSONResponse(list(sandbox.config.models))


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@_authenticated(key_registry.READ, "Insufficient permissions to read jobs")
async def stats(request: Request, sandbox: Sandbox, key: ApiKey) -> Response:
    """Sandbox-only diagnostics (not in the contract): requests received per operation, in
    all and in the key's own workspace (no other workspace's).

    It needs a key like every other route, and is itself not counted.
    """

    def without_stats(counts: Counter[str]) -> dict[str, int]:
        return {name: count for name, count in counts.items() if name != "stats"}

    own = sandbox.workspace_requests.get(key.workspace, Counter())
    return JSONResponse(
        {"requests": without_stats(sandbox.requests), "workspace_requests": without_stats(own)}
    )


async def openapi(request: Request) -> Response:
    return Response(OPENAPI_PATH.read_bytes(), media_type="application/json")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(exc.status_code, exc.detail)


async def _server_error(request: Request, exc: Exception) -> Response:
    return _error(500, "Internal sandbox error")


def create_app(
    config: SandboxConfig | None = None,
    *,
    sandbox: Sandbox | None = None,
    keys: Mapping[str, ApiKey] | None = None,
) -> Starlette:
    """The sandbox as an ASGI app; its routes start with ``/api``.

    ``sandbox`` shares one instance (its jobs and counters) between several apps, and
    ``keys`` narrows the keys this app accepts (default: the sandbox's own), e.g. to serve
    the app's in-process sandbox to others with unpublished keys only.
    """
    config = sandbox.config if sandbox is not None else config or SandboxConfig.from_env()
    app = Starlette(
        routes=[
            Route("/api/openapi.json", openapi, methods=["GET"]),
            Route("/api/health", health, methods=["GET"]),
            Route("/api/jobs", list_jobs, methods=["GET"]),
            Route("/api/jobs", create_job, methods=["POST"]),
            Route("/api/jobs/{id}", get_job, methods=["GET"]),
            Route("/api/jobs/{id}", delete_job, methods=["DELETE"]),
            Route("/api/models", list_models, methods=["GET"]),
            Route(STATS_PATH, stats, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.sandbox = sandbox if sandbox is not None else Sandbox(config)
    app.state.keys = dict(config.keys if keys is None else keys)
    return app
