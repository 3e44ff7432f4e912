"""Single sign-on with an OpenID Connect provider (authorization code + PKCE S256, state,
nonce), with authlib but without Starlette's session middleware.

The sign-in transaction (state, nonce, PKCE verifier, where to go next) lives in a signed,
HttpOnly cookie for 10 minutes; the redirect URI comes from the public origin, never from the
Host header. The ID token is checked by authlib (signature against the provider's keys,
issuer, audience, expiry, nonce). The role comes from the configured claim, the roles in
stored workspaces from the groups claim (:mod:`ftapp.auth.sso_roles`); the account is found
or made by (issuer, subject).
"""

from __future__ import annotations

import hmac
import logging
import threading
import warnings
from collections.abc import Mapping
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ftapp import database, metrics, routes
from ftapp.auth import accounts, cookies, pages
from ftapp.auth.access import secret_key_async
from ftapp.auth.roles import Role, highest_role
from ftapp.auth.sessions import start_session
from ftapp.auth.sso_roles import claim_strings, sync_sso_roles, workspace_roles
from ftapp.guard.text import one_line
from ftapp.settings import Settings, current_settings

with warnings.catch_warnings():
    # authlib 1.9 announces its move to httpx2 at import; its httpx client works (authlib is
    # pinned <2). Its own module sets its warnings to "always", so filter after importing it.
    import authlib.deprecate  # noqa: F401

    warnings.filterwarnings("ignore", "The httpx module is deprecated", DeprecationWarning)
    from authlib.integrations.starlette_client import OAuth

log = logging.getLogger(__name__)

TRANSACTION_SECONDS = 600
_SALT = "ftapp.oidc-transaction"
_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


def reset() -> None:
    """Forget the provider clients and their cached discovery documents (tests)."""
    with _clients_lock:
        _clients.clear()


def redirect_uri(settings: Settings) -> str:
    """Where the provider sends the browser back: always on the public origin."""
    return settings.public_origin + routes.OIDC_CALLBACK


def _client(settings: Settings) -> Any:
    assert settings.oidc_issuer is not None
    assert settings.oidc_client_id is not None
    key = (settings.oidc_issuer, settings.oidc_client_id)
    with _clients_lock:
        if key not in _clients:
            secret = settings.oidc_client_secret
            oauth = OAuth()
            _clients[key] = oauth.register(
                "sso",
                client_id=settings.oidc_client_id,
                client_secret=secret.get_secret_value() if secret else None,
                server_metadata_url=(
                    settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
                ),
                client_kwargs={
                    "scope": "openid email profile",
                    "code_challenge_method": "S256",
                    "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
                },
            )
        return _clients[key]


def role_from_claims(claims: Mapping[str, Any], settings: Settings) -> Role:
    """The role the configured claim names: a string, or a list (such as groups) whose highest
    known role wins; a dotted name reaches into objects (``realm_access.roles``). Else the
    default role."""
    names = claim_strings(claims, settings.oidc_role_claim)
    return highest_role(names) or settings.oidc_default_role


def workspace_roles_from_claims(claims: Mapping[str, Any], settings: Settings) -> dict[str, Role]:
    """The roles in stored workspaces the person's groups give (``FT_OIDC_GROUPS_CLAIM``
    mapped by ``FT_OIDC_WORKSPACE_ROLES``)."""
    groups = claim_strings(claims, settings.oidc_groups_claim)
    return workspace_roles(groups, settings.oidc_workspace_roles)


async def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(await secret_key_async(settings), salt=_SALT)


def _failure(message: str, status: int) -> Response:
    metrics.sign_in("sso", "disabled" if status == 403 else "error" if status >= 500 else "refused")
    return pages.message_page("Single sign-on failed", message, status=status, link_text="Back")


async def oidc_login(request: Request) -> Response:
    """``GET /auth/oidc/login``: start a transaction and send the browser to the provider."""
    settings = current_settings()
    if not settings.oidc_enabled:
        return pages.message_page("Not found", "Single sign-on is not set up.", status=404)
    client = _client(settings)
    try:
        metadata = await client.load_server_metadata()
        issuer = str(metadata.get("issuer", ""))
        if issuer.rstrip("/") != (settings.oidc_issuer or "").rstrip("/"):
            log.error(
                "The provider's discovery names issuer %r, not FT_OIDC_ISSUER.", one_line(issuer)
            )
            return _failure("The sign-in provider is misconfigured.", 502)
        started = await client.create_authorization_url(redirect_uri(settings))
    except Exception as error:  # discovery: network, HTTP or JSON errors
        log.error("The sign-in provider cannot be reached: %s", type(error).__name__)
        return _failure("The sign-in provider cannot be reached. Try again later.", 502)
    transaction = {
        "state": started["state"],
        "nonce": started["nonce"],
        "verifier": started["code_verifier"],
        "next": routes.safe_next(request.query_params.get("next")),
    }
    response = RedirectResponse(started["url"], status_code=302, headers=pages.SECURITY_HEADERS)
    value = (await _serializer(settings)).dumps(transaction)
    cookies.set_cookie(response, cookies.OIDC_TRANSACTION, value, TRANSACTION_SECONDS, settings)
    return response


async def oidc_callback(request: Request) -> Response:
    """``GET /auth/oidc/callback``: check the answer, the tokens, and sign the person in."""
    settings = current_settings()
    if not settings.oidc_enabled:
        return pages.message_page("Not found", "Single sign-on is not set up.", status=404)
    response = await _callback(request, settings)
    cookies.clear_cookie(response, cookies.OIDC_TRANSACTION, settings)  # one use only
    return response


async def _callback(request: Request, settings: Settings) -> Response:
    raw = cookies.read_cookie(request.headers.get("cookie"), cookies.OIDC_TRANSACTION, settings)
    try:
        transaction = (await _serializer(settings)).loads(raw or "", max_age=TRANSACTION_SECONDS)
    except BadSignature:  # also an expired one
        log.warning("Refused an SSO callback without a valid transaction cookie.")
        return _failure("This sign-in attempt expired or is not valid. Please try again.", 400)
    query = request.query_params
    if query.get("error"):
        log.info(
            "The provider refused the sign-in: %s (%s)",
            one_line(query["error"], 100),
            one_line(query.get("error_description", ""), 200),
        )
        return _failure("The sign-in provider did not sign you in.", 400)
    state, code = query.get("state", ""), query.get("code", "")
    if not code or not hmac.compare_digest(state.encode(), str(transaction["state"]).encode()):
        log.warning("Refused an SSO callback whose state does not match its transaction.")
        return _failure("This sign-in attempt is not valid. Please try again.", 400)
    client = _client(settings)
    try:
        token = await client.fetch_access_token(
            redirect_uri=redirect_uri(settings), code=code, code_verifier=transaction["verifier"]
        )
        claims = dict(await client.parse_id_token(token, nonce=transaction["nonce"]))
    except Exception as error:  # token endpoint refusal, bad signature, claims, network
        log.warning("Refused an SSO sign-in: %s", type(error).__name__)
        return _failure("The sign-in could not be verified. Please try again.", 400)
    role = role_from_claims(claims, settings)
    names = [claims.get("preferred_username"), claims.get("email"), str(claims["sub"])]
    user = await database.in_thread(
        accounts.provision_sso_user, str(claims["iss"]), str(claims["sub"]), names, role
    )
    if user is None:
        return _failure(pages.ACCOUNT_DISABLED, 403)  # the provider vouched: no secret told
    if settings.oidc_workspace_roles:
        wanted = workspace_roles_from_claims(claims, settings)
        await database.in_thread(sync_sso_roles, user.id, wanted)
    metrics.sign_in("sso", "ok")
    return await start_session(request, user, transaction["next"], settings, method="SSO")
