"""Typed failures of upstream calls, one class per kind the UI handles differently.

Every message is safe to show a user: none carries the API key, a header or a raw body.
"""

from __future__ import annotations


class UpstreamError(Exception):
    """Base of every failure talking to the Job Training API."""

    default_message = "The Job Training API call failed."

    def __init__(self, message: str | None = None, *, status_code: int | None = None) -> None:
        self.message = message or self.default_message
        self.status_code = status_code
        super().__init__(self.message)


class ValidationFailed(UpstreamError):
    """400: the API rejected the job; ``fields`` maps contract field names to messages."""

    default_message = "The API rejected some of the values."

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        super().__init__(message, status_code=400)
        self.fields = dict(fields)


class Unauthorized(UpstreamError):
    """401: the API key is missing or unknown."""

    default_message = "The API key was refused. Check FT_API_KEY on the server."


class PermissionDenied(UpstreamError):
    """403: the key may not do this (e.g. a read-only key creating or deleting jobs)."""

    default_message = "This API key is not allowed to do that."


class NotFound(UpstreamError):
    """404: no such job in this workspace."""

    default_message = "That job does not exist (it may have been deleted)."


class JobLimitReached(UpstreamError):
    """429: the workspace holds the maximum number of jobs."""

    default_message = (
        "Your workspace has reached its job limit. Delete some jobs before creating new ones."
    )


class Unavailable(UpstreamError):
    """The API could not be reached, timed out, or answered with a server error (5xx)."""

    default_message = "The Job Training API cannot be reached right now. Try again shortly."


class NotConnected(Unavailable):
    """No connection to the API could be made: the request never left, so a write did not
    happen (unlike a timeout or a 5xx, after which it may have)."""


class ProtocolError(UpstreamError):
    """The API answered with a body that is not JSON or not of the contract's shape."""

    default_message = "The Job Training API sent an answer ftapp does not understand."
