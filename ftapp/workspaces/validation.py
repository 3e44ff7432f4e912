"""What a workspace's name, slug, API URL and key may be: one definition, for the store, the
key check and the command line. Pure (no database); the URL rule reads the settings.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from urllib.parse import urlsplit

from ftapp.routes import DEFAULT_WORKSPACE, MAX_SLUG_LENGTH, SLUG
from ftapp.settings import EMBEDDED_BASE_URL, Settings, current_settings, key_may_travel_to

DEFAULT_SLUG = DEFAULT_WORKSPACE
"""Reserved: the workspace the environment configures (``FT_API_BASE_URL``/``FT_API_KEY``, or
the embedded sandbox), which is never stored."""
MAX_NAME_LENGTH = 64
MAX_KEY_LENGTH = 512
MAX_URL_LENGTH = 2048
SHOWN_KEY_END = 4
"""How many of a key's last characters are kept in clear and shown (``…abcd``)."""
MIN_KEY_LENGTH_TO_SHOW_END = 12
"""A shorter key shows nothing of itself: its last four would be a third of it or more."""

HTTPS_REQUIRED = (
    "The API URL must use https. The key travels with every request: plain http is allowed "
    "only to this machine, or anywhere with FT_API_ALLOW_HTTP=1."
)
EMBEDDED_ONLY_WITH_SANDBOX = (
    f"{EMBEDDED_BASE_URL} is ftapp's embedded sandbox, which runs only while FT_API_BASE_URL "
    "is unset."
)

Field = Literal["name", "slug", "api_url", "key", "user", "role"]
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class WorkspaceError(ValueError):
    """A workspace request cannot be done; the message is one line for a person (never a
    key), ``field`` says which input was wrong."""

    def __init__(self, message: str, field: Field) -> None:
        super().__init__(message)
        self.field: Field = field


def check_name(name: str) -> str:
    """``name`` trimmed, or :class:`WorkspaceError` (1 to 64 printable characters)."""
    trimmed = name.strip()
    if not trimmed:
        raise WorkspaceError("A workspace needs a name.", "name")
    if len(trimmed) > MAX_NAME_LENGTH:
        raise WorkspaceError(f"A workspace's name is at most {MAX_NAME_LENGTH} characters.", "name")
    if not trimmed.isprintable():
        raise WorkspaceError(
            "A workspace's name must not hold control characters (tabs, line breaks).", "name"
        )
    return trimmed


def check_slug(slug: str) -> str:
    """``slug`` when it is one (lower-case a-z, 0-9 and '-', starting with a letter or digit,
    1 to 32 characters, not the reserved ``default``), else :class:`WorkspaceError`."""
    if not SLUG.fullmatch(slug):
        raise WorkspaceError(
            f"A workspace's slug is 1 to {MAX_SLUG_LENGTH} characters: lower-case letters, "
            "digits and '-' (starting with a letter or digit).",
            "slug",
        )
    if slug == DEFAULT_SLUG:
        raise WorkspaceError(
            f"The slug {DEFAULT_SLUG!r} is reserved for the workspace the environment configures.",
            "slug",
        )
    return slug


def slug_for(name: str) -> str:
    """A slug derived from ``name``: accents dropped, lower case, every run of other
    characters a '-', at most 32 characters; ``workspace`` when nothing is left. (The store
    makes it unique, and never ``default``, by suffixing -2, -3 ...)"""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-") or "workspace"


def with_suffix(slug: str, number: int) -> str:
    """``slug`` numbered (``team-2``), shortened to keep within 32 characters."""
    suffix = f"-{number}"
    return slug[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix


def check_api_url(url: str, settings: Settings | None = None) -> str:
    """``url`` without surrounding spaces and trailing '/', or :class:`WorkspaceError`: an
    http(s) URL with a host and no user name or password; https unless the host is loopback
    or ``FT_API_ALLOW_HTTP=1`` (the rule of ``FT_API_BASE_URL``); the embedded sandbox's URL
    only while the app runs its sandbox."""
    settings = settings or current_settings()
    normalized = url.strip().rstrip("/")
    if normalized == EMBEDDED_BASE_URL:
        if not settings.uses_sandbox:
            raise WorkspaceError(EMBEDDED_ONLY_WITH_SANDBOX, "api_url")
        return normalized
    try:
        parts = urlsplit(normalized)
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(normalized) > MAX_URL_LENGTH
        or any(char.isspace() or not char.isprintable() for char in normalized)
    ):
        raise WorkspaceError(
            "The API URL must be an https URL with a host, including the API's path, e.g. "
            "https://training.example.com/api",
            "api_url",
        )
    if parts.username is not None or parts.password is not None:
        raise WorkspaceError(
            "The API URL must not hold a user name or password (the key is sent on its own).",
            "api_url",
        )
    if not key_may_travel_to(normalized, settings.api_allow_http):
        raise WorkspaceError(HTTPS_REQUIRED, "api_url")
    return normalized


def check_api_key(key: str) -> str:
    """``key`` when it can be one (1 to 512 visible ASCII characters: it travels in an HTTP
    header), else :class:`WorkspaceError`, which never repeats it."""
    if not key:
        raise WorkspaceError("No API key given.", "key")
    if len(key) > MAX_KEY_LENGTH:
        raise WorkspaceError(f"An API key is at most {MAX_KEY_LENGTH} characters.", "key")
    if not all("!" <= char <= "~" for char in key):
        raise WorkspaceError(
            "An API key must not hold spaces, control characters or non-ASCII letters.", "key"
        )
    return key


def key_end(key: str) -> str:
    """What is kept of ``key`` in clear: its last four characters, or "" for a key shorter
    than :data:`MIN_KEY_LENGTH_TO_SHOW_END`."""
    return key[-SHOWN_KEY_END:] if len(key) >= MIN_KEY_LENGTH_TO_SHOW_END else ""
