"""Every route of the app, defined once: the pages, the sign-in paths (served by
:mod:`ftapp.auth`, not Reflex pages), which paths are public, and the rules for paths and
``next``.

Public paths work without a session: the sign-in pages themselves, everything under ``/auth``
(single sign-on; any other path there is a small 404), the health check, Reflex's ``/ping``,
the embedded sandbox (it has its own API keys) and the favicon. Everything else (pages,
``/assets/*``, the ``/_event`` WebSocket, ``/_upload``, any custom route) needs a session.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

DEFAULT_WORKSPACE = "default"
"""The slug of the environment's workspace (``FT_API_BASE_URL`` and ``FT_API_KEY``)."""
DASHBOARD = "/"
NEW_JOB = "/jobs/new"
JOB = "/jobs/[job_id]"
ACTIVITY = "/activity"
HISTORY = "/history"
HISTORY_COMPARE = "/history/compare"
ADMIN_WORKSPACES = "/admin/workspaces"
"""The stored workspaces, their keys and members (admins of ftapp only)."""
HISTORY_EXPORT = "/history/export"
"""The current history view as a download (``.csv`` or ``.json``), served by the backend."""
SANDBOX_MOUNT = "/sandbox"
"""Where the embedded sandbox is mounted on the backend: its API is at ``/sandbox/api``."""

LOGIN = "/login"
LOGOUT = "/logout"
SIGNED_OUT = "/signed-out"
"""Where a signed-out browser lands."""
HEALTHZ = "/healthz"
AUTH = "/auth"
OIDC_LOGIN = AUTH + "/oidc/login"
OIDC_CALLBACK = AUTH + "/oidc/callback"

PUBLIC_EXACT = frozenset(
    {LOGIN, LOGOUT, SIGNED_OUT, HEALTHZ, "/ping", "/favicon.ico", AUTH, SANDBOX_MOUNT}
)
PUBLIC_PREFIXES = (AUTH + "/", SANDBOX_MOUNT + "/")
_SIGN_IN_PAGES = frozenset({LOGIN, LOGOUT, SIGNED_OUT})
_MAX_NEXT_LENGTH = 2000


def follows_workspace(path: str) -> bool:
    """True for the pages that show the workspace's live job list (the dashboard, the
    wizard, a job's page)."""
    return path == DASHBOARD or path.startswith("/jobs/")


def job_path(job_id: str) -> str:
    """The page of one job."""
    return f"/jobs/{quote(job_id, safe='')}"


def clone_job_path(job_id: str) -> str:
    """The wizard, pre-filled with the settings of job ``job_id``."""
    return f"{NEW_JOB}?clone={quote(job_id, safe='')}"


def new_job_step_path(step: str, *, then_review: bool = False) -> str:
    """The wizard on one of its steps: ``setup``, ``configure`` or ``review``; with
    ``then_review`` (the review's Edit links), Next leads straight back to the review."""
    back = "&return=review" if then_review else ""
    return f"{NEW_JOB}?step={quote(step, safe='')}{back}"


def activity_page_path(page: int) -> str:
    """A page of the activity log."""
    return ACTIVITY if page <= 1 else f"{ACTIVITY}?page={page}"


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
        return DASHBOARD
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return DASHBOARD
    if _has_control_characters(value):
        return DASHBOARD
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in _SIGN_IN_PAGES:
        return DASHBOARD
    if parts.path.startswith(AUTH + "/"):
        return DASHBOARD
    return value


def login_url(next_path: str | None = None) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards."""
    target = safe_next(next_path)
    return LOGIN if target == DASHBOARD else f"{LOGIN}?next={quote(target, safe='/')}"
