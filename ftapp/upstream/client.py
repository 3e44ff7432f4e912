"""Async client for the Job Training API: every contract operation, typed in and out.

Failures become the typed exceptions of :mod:`ftapp.upstream.errors`. Reads are retried a
bounded number of times, with backoff, on connection errors and 5xx answers; writes never
are, so a create cannot run twice. The key travels only in the ``x-api-key`` header.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import SecretStr, TypeAdapter, ValidationError

from ftapp.job_fields import JobInput
from ftapp.upstream.errors import (
    JobLimitReached,
    NotConnected,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Unauthorized,
    Unavailable,
    UpstreamError,
    ValidationFailed,
)
from ftapp.upstream.models import Deleted, Job, JobList, Model

log = logging.getLogger(__name__)

T = TypeVar("T")
RequestObserver = Callable[[str, str, float], None]
"""Told of every request sent: the operation (``list_jobs``...), how it ended (the HTTP status,
or ``timeout``, ``unreachable``, ``error``) and how long it took in seconds."""
MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest answer ftapp reads: the contract's largest (10 jobs) is a few kilobytes."""
MAX_JOBS_LISTED = 1000
"""The most jobs ftapp accepts in one list (the contract allows 10 per workspace)."""
TOO_LARGE = "The Job Training API sent an answer larger than 4 MB; ftapp did not read it."
_MODELS = TypeAdapter(list[Model])


class UpstreamClient:
    """A connection to one Job Training API workspace (one base URL and key)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | SecretStr,
        *,
        timeout_seconds: float = 10.0,
        read_retries: int = 2,
        retry_backoff_seconds: float = 0.25,
        transport: httpx.AsyncBaseTransport | None = None,
        observe: RequestObserver | None = None,
    ) -> None:
        secret = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self.base_url = base_url.rstrip("/")
        self.read_retries = max(read_retries, 0)
        self.retry_backoff_seconds = retry_backoff_seconds
        self._observe = observe
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            headers={"x-api-key": secret, "accept": "application/json"},
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"UpstreamClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> UpstreamClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    # --- operations ---------------------------------------------------------------------

    async def list_jobs(self) -> JobList:
        """``GET /jobs``: every job of the workspace and the summary counts.

        A list longer than :data:`MAX_JOBS_LISTED` is refused with a :class:`ProtocolError`.
        """
        return await self._read("list_jobs", "jobs", _job_list)

    async def get_job(self, job_id: str) -> Job:
        """``GET /jobs/{id}``; raises :class:`NotFound` for an unknown id."""
        return await self._read("get_job", _job_path(job_id), lambda body: Job.model_validate(body))

    async def list_models(self) -> list[Model]:
        """``GET /models``: the base models jobs can start from."""
        return await self._read("list_models", "models", _MODELS.validate_python)

    async def health(self) -> bool:
        """``GET /health``: True when the API reports ``{"status": "ok"}``."""
        body = await self._read("health", "health", lambda body: body)
        return isinstance(body, dict) and body.get("status") == "ok"

    async def probe_create_permission(self) -> bool | None:
        """Whether this key may create jobs, asked without creating one.

        The contract has no permissions endpoint, so this posts an empty body, which no
        workspace accepts: 400 (validation) means the key may create, 403 that it may not,
        and 429 that it may but the workspace is full. Any other answer: None (unknown).
        Raises :class:`Unauthorized` for a refused key and :class:`Unavailable` when down.
        """
        response = await self._send("probe_create", "POST", "jobs", json={})
        return _permission(response, allowed=(400, 429))

    async def probe_delete_permission(self) -> bool | None:
        """Whether this key may delete jobs, asked without deleting one.

        Deletes a random id that names no job: 404 means the key may delete (the API got past
        its permission check), 403 that it may not. Any other answer: None (unknown).
        Raises :class:`Unauthorized` for a refused key and :class:`Unavailable` when down.
        """
        response = await self._send("probe_delete", "DELETE", _job_path(str(uuid.uuid4())))
        return _permission(response, allowed=(404,))

    async def create_job(self, job: JobInput) -> Job:
        """``POST /jobs``; never retried, so a job is created at most once per call."""
        response = await self._send("create_job", "POST", "jobs", json=job.to_wire())
        return _parse(response, lambda body: Job.model_validate(body), creating=True)

    async def delete_job(self, job_id: str) -> Deleted:
        """``DELETE /jobs/{id}``; raises :class:`NotFound` if it is already gone."""
        response = await self._send("delete_job", "DELETE", _job_path(job_id))
        return _parse(response, lambda body: Deleted.model_validate(body))

    # --- plumbing -----------------------------------------------------------------------

    async def _read(self, operation: str, path: str, parse: Callable[[Any], T]) -> T:
        async def attempt() -> T:
            return _parse(await self._send(operation, "GET", path), parse)

        return await self._with_retries(attempt)

    async def _with_retries(self, attempt: Callable[[], Awaitable[T]]) -> T:
        for attempt_number in range(self.read_retries + 1):
            try:
                return await attempt()
            except (_Timeout, _UnsentTimeout):
                raise  # the caller has already waited a full timeout once
            except Unavailable as exc:
                client_error = exc.status_code is not None and exc.status_code < 500
                if attempt_number == self.read_retries or client_error:
                    raise  # out of attempts, or a 4xx (429 on a read): only 5xx is retried
                delay = self.retry_backoff_seconds * 2**attempt_number
                log.info("upstream read failed (%s); retrying in %.2fs", exc.message, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, operation: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request and read its answer, at most :data:`MAX_BODY_BYTES` of it; each
        request (a retry too) is reported to the observer with how it ended."""
        started = time.perf_counter()
        outcome = "error"
        try:
            response = await self._exchange(method, path, **kwargs)
            outcome = str(response.status_code)
            return response
        except (_UnsentTimeout, _Timeout):
            outcome = "timeout"
            raise
        except NotConnected:
            outcome = "unreachable"
            raise
        finally:
            if self._observe is not None:
                self._observe(operation, outcome, time.perf_counter() - started)

    async def _exchange(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            async with self._http.stream(method, path, **kwargs) as response:
                body = bytearray()
                # Decoded bytes are counted, so a compressed bomb stops at the bound too.
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise ProtocolError(TOO_LARGE, status_code=response.status_code)
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _UnsentTimeout() from exc  # nothing was sent
        except httpx.ConnectError as exc:
            raise NotConnected() from exc  # nothing was sent
        except httpx.TimeoutException as exc:
            raise _Timeout() from exc
        except httpx.HTTPError as exc:
            raise Unavailable() from exc
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code, headers=headers, content=bytes(body), request=response.request
        )


class _Timeout(Unavailable):
    default_message = "The Job Training API did not answer in time. Try again shortly."


class _UnsentTimeout(NotConnected):
    default_message = _Timeout.default_message


def _job_list(body: Any) -> JobList:
    jobs = body.get("jobs") if isinstance(body, dict) else None
    if isinstance(jobs, list) and len(jobs) > MAX_JOBS_LISTED:
        raise ProtocolError(
            f"The Job Training API listed {len(jobs):,} jobs; "
            f"ftapp shows at most {MAX_JOBS_LISTED:,}."
        )
    return JobList.model_validate(body)


def _permission(response: httpx.Response, allowed: tuple[int, ...]) -> bool | None:
    """A permission probe's answer: True for an ``allowed`` status (the API got past its
    permission check), False for 403, None for anything else; raises for a refused key
    (401) and an API that is down (5xx)."""
    status = response.status_code
    if status in allowed:
        return True
    if status == 403:
        return False
    if status == 401:
        raise Unauthorized(status_code=401)
    if status >= 500:
        raise Unavailable(status_code=status)
    return None


def _job_path(job_id: str) -> str:
    if not job_id:
        raise NotFound(status_code=404)  # "jobs/" would address the collection, not a job
    quoted = quote(job_id, safe="")
    if quoted in (".", ".."):
        quoted = quoted.replace(".", "%2E")  # a dot segment would be resolved away by httpx
    return f"jobs/{quoted}"


def _json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(status_code=response.status_code) from exc


def _error_text(body: Any, *keys: str) -> str | None:
    if isinstance(body, dict):
        for key in keys:
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value
    return None


def _parse(response: httpx.Response, parse: Callable[[Any], T], *, creating: bool = False) -> T:
    status = response.status_code
    if 200 <= status < 300:
        body = _json_body(response)
        try:
            return parse(body)
        except ValidationError as exc:
            raise ProtocolError(status_code=status) from exc
    raise _error_for(response, creating=creating)


def _error_for(response: httpx.Response, *, creating: bool) -> UpstreamError:
    status = response.status_code
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if status == 400:
        fields = body.get("fields") if isinstance(body, dict) else None
        fields = {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}
        return ValidationFailed(fields, _error_text(body, "message", "error"))
    if status == 401:
        return Unauthorized(status_code=401)
    if status == 403:
        return PermissionDenied(_error_text(body, "error", "message"), status_code=403)
    if status == 404:
        return NotFound(status_code=404)
    if status == 429:
        if creating:
            return JobLimitReached(_error_text(body, "message", "error"), status_code=429)
        return Unavailable("The Job Training API is rate limiting requests.", status_code=429)
    if status >= 500:
        return Unavailable(status_code=status)
    return ProtocolError(f"The Job Training API answered with HTTP {status}.", status_code=status)
