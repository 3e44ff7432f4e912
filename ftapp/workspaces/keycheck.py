"""What an API key may do, asked of its API before the key is stored: may it list jobs, create
them, delete them (the client's probes, which create and delete nothing), or why it fails.

No message ever holds the key.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from ftapp.guard.text import one_line
from ftapp.upstream import (
    NotConnected,
    NotFound,
    PermissionDenied,
    Unauthorized,
    Unavailable,
    UpstreamClient,
    UpstreamError,
)
from ftapp.workspaces.validation import WorkspaceError, check_api_key, check_api_url

REFUSED = "The API refused this key (401 Unauthorized)."
MAY_NOT_LIST = "This key may not list jobs (403 Forbidden)."
_REASON_LENGTH = 120
_SCRUBBED_KEY_LENGTH = 8


@dataclass(frozen=True)
class KeyCheck:
    """What a key may do: ``reads`` (list jobs), ``creates`` and ``deletes`` (None: the API
    did not tell, or it was not asked because the key cannot read); ``problem`` is why the
    key does not work ("" when it does)."""

    reads: bool
    creates: bool | None
    deletes: bool | None
    problem: str = ""

    @property
    def works(self) -> bool:
        """True when the key lists the workspace's jobs."""
        return not self.problem and self.reads

    @property
    def summary(self) -> str:
        """One plain sentence, e.g. "This key may read, create and delete jobs."."""
        if self.problem:
            return self.problem
        actions = {"create": self.creates, "delete": self.deletes}
        allowed = ["read"] + [action for action, may in actions.items() if may]
        refused = [action for action, may in actions.items() if may is False]
        unknown = [action for action, may in actions.items() if may is None]
        sentence = f"This key may {_join(allowed, 'and')} jobs"
        if len(allowed) == 1 and not unknown:
            sentence += " only"
        if refused:
            sentence += f" (not {_join(refused, 'or')})"
        if unknown:
            sentence += f"; whether it may {_join(unknown, 'or')} them is unknown"
        return sentence + "."


def _join(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _failed(problem: str) -> KeyCheck:
    return KeyCheck(reads=False, creates=None, deletes=None, problem=problem)


async def check_key(
    api_base_url: str,
    api_key: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout_seconds: float = 10.0,
) -> KeyCheck:
    """Ask the API at ``api_base_url`` what ``api_key`` may do (``transport``: e.g. an
    ``httpx.ASGITransport`` to the embedded sandbox). The URL and key are checked first, with
    the store's rules (https...), before any request."""
    try:
        url = check_api_url(api_base_url)
        check_api_key(api_key)
    except WorkspaceError as error:
        return _failed(str(error))
    async with UpstreamClient(
        url, api_key, timeout_seconds=timeout_seconds, read_retries=0, transport=transport
    ) as client:
        try:
            await client.list_jobs()
        except UpstreamError as error:
            return _failed(_scrub(_list_problem(url, error, timeout_seconds), api_key))
        return KeyCheck(
            reads=True,
            creates=await _ask(client.probe_create_permission),
            deletes=await _ask(client.probe_delete_permission),
        )


async def _ask(probe: Callable[[], Awaitable[bool | None]]) -> bool | None:
    try:
        return await probe()
    except UpstreamError:
        return None  # a failing probe does not tell


def _list_problem(url: str, error: UpstreamError, timeout_seconds: float) -> str:
    if isinstance(error, Unauthorized):
        return REFUSED
    if isinstance(error, PermissionDenied):
        return MAY_NOT_LIST
    if isinstance(error, NotFound):
        return (
            f"The API at {url} has no job list (404 Not Found): the URL must be the Job "
            "Training API's, including its path, e.g. https://training.example.com/api"
        )
    if isinstance(error, Unavailable):
        return f"The API at {url} cannot be reached ({_reason(error, timeout_seconds)})."
    status = f" (HTTP {error.status_code})" if error.status_code else ""
    return (
        f"The answer from {url}{status} is not the Job Training API's: the URL must be the "
        "API's, including its path, e.g. https://training.example.com/api"
    )


def _reason(error: Unavailable, timeout_seconds: float) -> str:
    if error.status_code is not None:
        return f"it answered HTTP {error.status_code}"
    cause = error.__cause__
    if isinstance(cause, httpx.TimeoutException):
        return f"no answer within {timeout_seconds:g} s"
    if isinstance(error, NotConnected) and cause is not None:
        return _connect_reason(cause)
    return "the connection failed"


def _connect_reason(cause: BaseException) -> str:
    """The root of a failed connection in a few words (the libraries wrap it in layers)."""
    seen: BaseException | None = cause
    for _ in range(10):
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "unknown host name"
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"its TLS certificate is not trusted: {one_line(seen.verify_message, 80)}"
        if isinstance(seen, ssl.SSLError):
            return f"TLS failed: {one_line(seen.reason or seen, 80)}"
        seen = seen.__cause__ or seen.__context__
    return one_line(cause, _REASON_LENGTH).strip() or type(cause).__name__


def _scrub(message: str, api_key: str) -> str:
    """Whatever a library said, the key never reaches a message (a key too short to be
    told apart from words is left to the libraries, which never quote a header)."""
    return message.replace(api_key, "[key]") if len(api_key) >= _SCRUBBED_KEY_LENGTH else message
