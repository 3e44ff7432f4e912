"""The cookies sign-in sets, and reading the session token back from a Cookie header.

All are HttpOnly, SameSite=Lax, Path=/. On https (by ``FT_PUBLIC_URL``, never by request
headers) they are Secure and carry the ``__Host-`` prefix, which pins them to this host.
"""

from __future__ import annotations

from starlette.requests import cookie_parser
from starlette.responses import Response

from ftapp.settings import Settings

SESSION = "ftapp_session"
CSRF = "ftapp_csrf"
OIDC_TRANSACTION = "ftapp_oidc"


def cookie_name(base: str, settings: Settings) -> str:
    """``base``, with the ``__Host-`` prefix when ftapp is served over https."""
    return f"__Host-{base}" if settings.public_is_https else base


def read_cookie(cookie_header: str | None, base: str, settings: Settings) -> str | None:
    """The value of cookie ``base`` in a raw Cookie header, or None."""
    if not cookie_header:
        return None
    return cookie_parser(cookie_header).get(cookie_name(base, settings)) or None


def session_token(cookie_header: str | None, settings: Settings) -> str | None:
    """The session token in a raw Cookie header, or None."""
    return read_cookie(cookie_header, SESSION, settings)


def set_cookie(response: Response, base: str, value: str, max_age: int, settings: Settings) -> None:
    """Set cookie ``base`` with the attributes every ftapp cookie has."""
    response.set_cookie(
        cookie_name(base, settings),
        value,
        max_age=max_age,
        path="/",
        secure=settings.public_is_https,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, base: str, settings: Settings) -> None:
    """Tell the browser to drop cookie ``base``."""
    response.delete_cookie(
        cookie_name(base, settings),
        path="/",
        secure=settings.public_is_https,
        httponly=True,
        samesite="lax",
    )
