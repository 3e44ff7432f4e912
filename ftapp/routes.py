"""Every route of the app, defined once: the pages, the sign-in paths (served by
:mod:`ftapp.auth`, not Reflex pages), which paths are public, and the rules for paths and
``next``.

Public paths work without a session: the sign-in pages themselves, everything under ``/auth``
(single sign-on; any other path there is a small 404), the health check, Reflex's ``/ping``,
the embedded sandbox (it has its own API keys) and the favicon. Everything else (pages,
``/assets/*``, the ``/_event`` WebSocket, ``/_upload``, any custom route) needs a session.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

DEFAULT_WORKSPACE = "default"
"""The slug of the environment's workspace (``FT_API_BASE_URL`` and ``FT_API_KEY``)."""
HOME = "/"
"""Opens the workspace last used in this browser (:data:`LAST_WORKSPACE_COOKIE`), else the
default one."""
MAX_SLUG_LENGTH = 32
SLUG = re.compile(rf"[a-z0-9](?:[a-z0-9-]{{0,{MAX_SLUG_LENGTH - 1}}})")
"""What a workspace's slug is: lower-case letters, digits and '-', 1 to 32 characters."""
LAST_WORKSPACE_COOKIE = "ft_workspace"
"""The slug of the workspace this browser last opened (not a secret; checked on use)."""
WORKSPACE_PARAM = "workspace_slug"
WORKSPACE_PREFIX = "/w/"
_IN_WORKSPACE = f"{WORKSPACE_PREFIX}[{WORKSPACE_PARAM}]"
# Page routes: every page is in a workspace, ``/w/<slug>/...``, but ftapp's own administration.
DASHBOARD = _IN_WORKSPACE
NEW_JOB = _IN_WORKSPACE + "/jobs/new"
JOB = _IN_WORKSPACE + "/jobs/[job_id]"
ACTIVITY = _IN_WORKSPACE + "/activity"
HISTORY = _IN_WORKSPACE + "/history"
HISTORY_COMPARE = _IN_WORKSPACE + "/history/compare"
ADMIN_WORKSPACES = "/admin/workspaces"
"""The stored workspaces, their keys and members (admins of ftapp only)."""
HISTORY_EXPORT = "/history/export"
"""The current history view as a download (``<workspace>/history/export.csv`` or ``.json``),
served by the backend."""
_LEGACY_PAGES = frozenset({"/history", "/history/compare", "/activity"})
"""Paths of the pages before workspaces (with ``/jobs/...``): they lead to the same page of the
default workspace, so old links and bookmarks keep working."""
SANDBOX_MOUNT = "/sandbox"
"""Where the embedded sandbox is mounted on the backend: its API is at ``/sandbox/api``."""

LOGIN = "/login"
LOGOUT = "/logout"
SIGNED_OUT = "/signed-out"
"""Where a signed-out browser lands."""
HEALTHZ = "/healthz"
READYZ = "/readyz"
AUTH = "/auth"
OIDC_LOGIN = AUTH + "/oidc/login"
OIDC_CALLBACK = AUTH + "/oidc/callback"

PUBLIC_EXACT = frozenset(
    {LOGIN, LOGOUT, SIGNED_OUT, HEALTHZ, READYZ, "/ping", "/favicon.ico", AUTH, SANDBOX_MOUNT}
)
PUBLIC_PREFIXES = (AUTH + "/", SANDBOX_MOUNT + "/")
_SIGN_IN_PAGES = frozenset({LOGIN, LOGOUT, SIGNED_OUT})
_MAX_NEXT_LENGTH = 2000


def is_slug(text: object) -> bool:
    """True when ``text`` has the form of a workspace's slug (whether or not one exists)."""
    return isinstance(text, str) and SLUG.fullmatch(text) is not None


def workspace_home(slug: str) -> str:
    """The dashboard of workspace ``slug``."""
    return f"{WORKSPACE_PREFIX}{quote(slug, safe='')}"


def in_workspace(slug: str, tail: str = "") -> str:
    """``tail`` (a path such as ``/history?page=2``, or "") in workspace ``slug``."""
    return workspace_home(slug) + tail


def workspace_of(path: str) -> str | None:
    """The workspace slug a page path names (``/w/<slug>/...``), or None."""
    if not path.startswith(WORKSPACE_PREFIX):
        return None
    slug = unquote(path[len(WORKSPACE_PREFIX) :].split("/", 1)[0])
    return slug or None


def follows_workspace(path: str) -> bool:
    """True for the pages that show a workspace's live job list (the dashboard, the wizard, a
    job's page)."""
    if (slug := workspace_of(path)) is None:
        return False
    tail = path[len(workspace_home(slug)) :]
    return tail in ("", "/") or tail.startswith("/jobs/")


def legacy_target(path: str, query: str, last_workspace: str | None) -> str | None:
    """Where a path of the pages before workspaces leads now (with its ``query``): ``/`` to
    the workspace last used (else the default), ``/jobs/...``, ``/history`` and ``/activity``
    to the same page of the default workspace; None for any other path."""
    suffix = f"?{query}" if query else ""
    if path == HOME:
        last = last_workspace if is_slug(last_workspace) else None
        return workspace_home(last or DEFAULT_WORKSPACE) + suffix
    if path.startswith("/jobs/") or path in _LEGACY_PAGES:
        return in_workspace(DEFAULT_WORKSPACE, path) + suffix
    return None


def job_path(slug: str, job_id: str) -> str:
    """The page of one job of workspace ``slug``."""
    return in_workspace(slug, f"/jobs/{quote(job_id, safe='')}")


def new_job_path(slug: str) -> str:
    """The wizard of workspace ``slug``."""
    return in_workspace(slug, "/jobs/new")


def clone_job_path(slug: str, job_id: str) -> str:
    """The wizard, pre-filled with the settings of job ``job_id``."""
    return f"{new_job_path(slug)}?clone={quote(job_id, safe='')}"


def new_job_step_tail(step: str, *, then_review: bool = False) -> str:
    """The wizard on one of its steps, in any workspace: ``setup``, ``configure`` or
    ``review``; with ``then_review`` (the review's Edit links), Next leads straight back to the
    review."""
    back = "&return=review" if then_review else ""
    return f"/jobs/new?step={quote(step, safe='')}{back}"


def new_job_step_path(slug: str, step: str, *, then_review: bool = False) -> str:
    """The wizard of workspace ``slug`` on one of its steps (:func:`new_job_step_tail`)."""
    return in_workspace(slug, new_job_step_tail(step, then_review=then_review))


def history_path(slug: str) -> str:
    """The history of workspace ``slug``."""
    return in_workspace(slug, "/history")


def activity_page_path(slug: str, page: int = 1) -> str:
    """A page of workspace ``slug``'s activity log."""
    path = in_workspace(slug, "/activity")
    return path if page <= 1 else f"{path}?page={page}"


def is_public(path: str) -> bool:
    """True when ``path`` (canonical, see :func:`is_canonical`) needs no session."""
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def _has_control_characters(text: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def is_canonical(path: str, raw_path: bytes | None = None) -> bool:
    """False for paths that could mean something else further in: dot segments (also
    percent-encoded), empty segments (``//``), backslashes, control characters.

    Otherwise ``/sandbox/../index.html`` would pass as public here and then be resolved to a
    gated file by a static file server.
    """
    if not path.startswith("/") or "\\" in path or _has_control_characters(path):
        return False
    segments = path[1:].split("/")
    if "" in segments[:-1] or any(segment in (".", "..") for segment in segments):
        return False
    if raw_path is not None:
        raw_segments = raw_path.decode("latin-1").split("/")
        if any(unquote(segment) in (".", "..") for segment in raw_segments):
            return False
    return True


def safe_next(value: str | None) -> str:
    """Where to go after signing in: ``value`` when it is a path on this site, else ``/``.

    A path starts with one ``/`` (``//host`` and ``/\\host`` are other sites to a browser),
    has no scheme, host or control characters, and is not a sign-in page (no loops).
    """
    if not value or len(value) > _MAX_NEXT_LENGTH:
        return HOME
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return HOME
    if _has_control_characters(value):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in _SIGN_IN_PAGES:
        return HOME
    if parts.path.startswith(AUTH + "/"):
        return HOME
    return value


def login_url(next_path: str | None = None) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards."""
    target = safe_next(next_path)
    return LOGIN if target == HOME else f"{LOGIN}?next={quote(target, safe='/')}"
