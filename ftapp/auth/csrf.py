"""Cross-site request checks for the sign-in forms and the gate.

Two independent checks: the request's ``Origin`` (or ``Referer``) must be ftapp's own, and a
form must echo the random value of the ``ftapp_csrf`` cookie (double submit). A cross-site
page can do neither: it cannot set our Origin, nor read our cookie.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers

from ftapp.settings import Settings

FIELD = "csrf"
MAX_AGE_SECONDS = 12 * 3600


def new_token() -> str:
    """A fresh double-submit token."""
    return secrets.token_urlsafe(24)


def allowed_origins(settings: Settings, host: str | None) -> set[str]:
    """ftapp's own origins: the public origin; without ``FT_PUBLIC_URL`` also the origin the
    request was sent to (someone opening http://127.0.0.1:3000 instead of localhost)."""
    origins = {settings.public_origin}
    if settings.public_url is None and host:
        origins |= {f"http://{host}".lower(), f"https://{host}".lower()}
    return origins


def request_origin(headers: Headers) -> str | None:
    """Where the request comes from by its headers: ``Origin``, else ``Referer``'s origin."""
    if origin := headers.get("origin"):
        return origin.lower()
    if referer := headers.get("referer"):
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}".lower()
        return "null"
    return None


def same_origin(headers: Headers, settings: Settings) -> bool | None:
    """True: sent by ftapp's own pages; False: by another site; None: the request does not
    say (a non-browser client, or a browser that sends neither header)."""
    if headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request_origin(headers)
    if origin is None:
        return None
    return origin in allowed_origins(settings, headers.get("host"))


def tokens_match(cookie_value: str | None, form_value: str | None) -> bool:
    """True when the form echoes the cookie's token (compared in constant time)."""
    if not cookie_value or not form_value:
        return False
    return hmac.compare_digest(cookie_value.encode(), form_value.encode())
