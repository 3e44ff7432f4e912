"""The sign-in paths, which paths are public, and the rules for paths and ``next``.

Public paths work without a session: the sign-in pages themselves, everything under ``/auth``
(single sign-on; any other path there is a small 404), the health check, Reflex's ``/ping``,
the embedded sandbox (it has its own API keys) and the favicon. Everything else (pages,
``/assets/*``, the ``/_event`` WebSocket, ``/_upload``, any custom route) needs one.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

LOGIN = "/login"
LOGOUT = "/logout"
SIGNED_OUT = "/signed-out"
HEALTHZ = "/healthz"
AUTH = "/auth"
OIDC_LOGIN = AUTH + "/oidc/login"
OIDC_CALLBACK = AUTH + "/oidc/callback"
HOME = "/"

PUBLIC_EXACT = frozenset(
    {LOGIN, LOGOUT, SIGNED_OUT, HEALTHZ, "/ping", "/favicon.ico", AUTH, "/sandbox"}
)
PUBLIC_PREFIXES = (AUTH + "/", "/sandbox/")
_SIGN_IN_PAGES = frozenset({LOGIN, LOGOUT, SIGNED_OUT})
_MAX_NEXT_LENGTH = 2000


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
