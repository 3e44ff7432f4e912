"""The sign-in routes, as plain Starlette routes (a Reflex page would need the WebSocket,
which the gate refuses without a session).

- ``GET /login?token=...``: the access-token link; signs in as the local admin, 303 to ``/``.
- ``GET /login``: the form; ``POST /login``: checks it (CSRF, throttle, password).
- ``POST /logout``; ``GET /signed-out`` (clears the cookie only once the session is dead).
- ``GET /auth/oidc/login``, ``GET /auth/oidc/callback``: single sign-on (:mod:`.oidc`);
  any other ``GET /auth/...``: a small 404 page (not the app's page shell).
- ``GET /healthz``.

Every sign-in link and password is an attempt counted by :mod:`.throttle` before it is checked;
one refused while its keys are locked gets the form again, with 429 and ``Retry-After``.
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ftapp import database, metrics, routes
from ftapp.auth import access, accounts, cookies, csrf, oidc, pages, throttle
from ftapp.auth.sessions import identity_from_cookie_header, session_store, start_session
from ftapp.guard.text import one_line
from ftapp.settings import Settings, current_settings

log = logging.getLogger(__name__)

_MAX_FORM_FIELDS = 8
_MAX_FORM_BYTES = 16 * 1024  # a sign-in form is a few hundred bytes


def sign_in_routes() -> list[BaseRoute]:
    """Every sign-in route, to mount on the Starlette app in Reflex's ``api_transformer``."""
    return [
        Route(routes.LOGIN, login_form, methods=["GET"]),
        Route(routes.LOGIN, login_submit, methods=["POST"]),
        Route(routes.LOGOUT, logout, methods=["POST"]),
        Route(routes.SIGNED_OUT, signed_out, methods=["GET"]),
        Route(routes.OIDC_LOGIN, oidc.oidc_login, methods=["GET"]),
        Route(routes.OIDC_CALLBACK, oidc.oidc_callback, methods=["GET"]),
        Route(routes.AUTH, auth_not_found, methods=["GET"]),
        Route(routes.AUTH + "/{rest:path}", auth_not_found, methods=["GET"]),
        Route(routes.HEALTHZ, healthz, methods=["GET"]),
    ]


async def auth_not_found(_request: Request) -> Response:
    """Any other path under ``/auth`` (public, as sign-in must be): a small page that says so,
    not the app's page shell, which would load the app for a path that is no page of it."""
    return pages.message_page("Not found", "There is no page at this address.", status=404)


async def healthz(_request: Request) -> Response:
    """Liveness: the process answers (public, no detail)."""
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})


def _form_page(
    request: Request,
    settings: Settings,
    next_path: str,
    *,
    error: str = "",
    username: str = "",
    status: int = 200,
) -> Response:
    token = cookies.read_cookie(request.headers.get("cookie"), cookies.CSRF, settings)
    token = token if token and len(token) <= 64 else csrf.new_token()
    response = pages.login_page(
        csrf_token=token,
        next_path=next_path,
        sso=settings.oidc_enabled,
        error=error,
        username=username,
        status=status,
    )
    cookies.set_cookie(response, cookies.CSRF, token, csrf.MAX_AGE_SECONDS, settings)
    return response


async def login_form(request: Request) -> Response:
    """``GET /login``: the access-token link, or the sign-in form."""
    settings = current_settings()
    next_path = routes.safe_next(request.query_params.get("next"))
    if (token := request.query_params.get("token")) is not None:
        return await _token_sign_in(request, token, next_path, settings)
    if await identity_from_cookie_header(request.headers.get("cookie")) is not None:
        return RedirectResponse(next_path, status_code=303, headers=pages.SECURITY_HEADERS)
    return _form_page(request, settings, next_path)


def _throttled_page(
    request: Request,
    settings: Settings,
    next_path: str,
    locked: throttle.Locked,
    username: str = "",
) -> Response:
    """The form again, unchecked, with what was typed (never the password): 429, Retry-After."""
    log.debug("Refused a sign-in attempt while throttled (%ds left).", locked.retry_after)
    response = _form_page(
        request,
        settings,
        next_path,
        error=pages.too_many_attempts(locked.retry_after),
        username=username,
        status=429,
    )
    response.headers["retry-after"] = str(locked.retry_after)
    return response


async def _token_sign_in(
    request: Request, token: str, next_path: str, settings: Settings
) -> Response:
    if (refusal := access.link_refusal(settings)) is not None:
        metrics.sign_in("link", "expired")
        return _form_page(request, settings, next_path, error=refusal, status=403)
    address = throttle.address_key(request.scope)
    attempt = await database.in_thread(throttle.login_throttle.attempt, address)
    if isinstance(attempt, throttle.Locked):
        metrics.sign_in("link", "throttled")
        return _throttled_page(request, settings, next_path, attempt)
    if not await access.access_token_matches(token, settings):
        metrics.sign_in("link", "refused")
        log.warning(
            "Refused a sign-in link with a wrong token (%s).",
            one_line(address.name),
            extra={"outcome": "refused"},
        )
        return _form_page(request, settings, next_path, error=pages.BAD_LINK, status=403)
    await database.in_thread(throttle.login_throttle.succeeded, attempt)
    try:
        admin = await database.in_thread(accounts.ensure_local_admin)
    except accounts.AccountError as error:
        metrics.sign_in("link", "error")
        log.error("Refused the access token: %s", error)
        return pages.message_page("Cannot sign in", str(error), status=403)
    metrics.sign_in("link", "ok")
    return await start_session(request, admin, next_path, settings, method="access token")


def _too_large(request: Request) -> Response | None:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= _MAX_FORM_BYTES:
        return None
    return Response(status_code=413, headers={"cache-control": "no-store"})


async def login_submit(request: Request) -> Response:
    """``POST /login``: username and password."""
    if (refusal := _too_large(request)) is not None:
        return refusal
    settings = current_settings()
    async with request.form(max_files=0, max_fields=_MAX_FORM_FIELDS) as form:
        fields = {name: str(form.get(name, "")) for name in ("username", "password", "next")}
        form_token = str(form.get(csrf.FIELD, ""))
    next_path = routes.safe_next(fields["next"])
    cookie_token = cookies.read_cookie(request.headers.get("cookie"), cookies.CSRF, settings)
    same_site = csrf.same_origin(request.headers, settings)
    if same_site is False or not csrf.tokens_match(cookie_token, form_token):
        metrics.sign_in("password", "refused")
        log.warning("Refused a sign-in form: cross-site or without its CSRF token.")
        return _form_page(request, settings, next_path, error=pages.FORM_EXPIRED, status=403)
    username = fields["username"][:254]
    address = throttle.address_key(request.scope)
    attempt = await database.in_thread(
        throttle.login_throttle.attempt, throttle.user_key(username), address
    )
    if isinstance(attempt, throttle.Locked):
        metrics.sign_in("password", "throttled")
        return _throttled_page(request, settings, next_path, attempt, username)
    user = await database.in_thread(accounts.authenticate, username, fields["password"][:1024])
    if user is None:
        metrics.sign_in("password", "refused")
        log.info(
            "Refused a password sign-in (%s).",
            one_line(address.name),
            extra={"outcome": "refused"},
        )
        return _form_page(
            request,
            settings,
            next_path,
            error=pages.WRONG_CREDENTIALS,
            username=username,
            status=401,
        )
    await database.in_thread(throttle.login_throttle.succeeded, attempt)
    metrics.sign_in("password", "ok")
    return await start_session(request, user, next_path, settings, method="password")


def _logout_allowed(headers: Headers, form_token: str, settings: Settings) -> bool:
    same_site = csrf.same_origin(headers, settings)
    if same_site is not None:
        return same_site
    # Neither Origin nor Referer: only with the form's double-submit token.
    cookie_token = cookies.read_cookie(headers.get("cookie"), cookies.CSRF, settings)
    return csrf.tokens_match(cookie_token, form_token)


async def logout(request: Request) -> Response:
    """``POST /logout``: end this browser's session, then show ``/signed-out``."""
    if (refusal := _too_large(request)) is not None:
        return refusal
    settings = current_settings()
    async with request.form(max_files=0, max_fields=_MAX_FORM_FIELDS) as form:
        form_token = str(form.get(csrf.FIELD, ""))
    if not _logout_allowed(request.headers, form_token, settings):
        return pages.message_page(
            "Not signed out", "This request came from another site.", status=403
        )
    if token := cookies.session_token(request.headers.get("cookie"), settings):
        await session_store().revoke(token)
    response = RedirectResponse(routes.SIGNED_OUT, status_code=303, headers=pages.SECURITY_HEADERS)
    cookies.clear_cookie(response, cookies.SESSION, settings)
    return response


async def signed_out(request: Request) -> Response:
    """``GET /signed-out``: says so and clears the cookie, but only when its session is
    already over (a link from another site cannot sign anyone out); a live session goes home."""
    settings = current_settings()
    if await identity_from_cookie_header(request.headers.get("cookie")) is not None:
        return RedirectResponse(routes.HOME, status_code=303, headers=pages.SECURITY_HEADERS)
    response = pages.signed_out_page()
    if cookies.session_token(request.headers.get("cookie"), settings):
        cookies.clear_cookie(response, cookies.SESSION, settings)
    return response
