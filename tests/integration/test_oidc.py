"""Single sign-on end to end, against a real OpenID Connect provider (oidc-provider-mock,
in-process on loopback): our /auth/oidc/login -> the provider's form (POST sub=...) -> our
callback -> session cookie -> identity with the role from the claim. And the refusals: bad
state, replay, tampered or expired transaction cookie, provider errors."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from ftapp import database
from ftapp.auth import accounts, oidc, pages
from ftapp.auth.access import secret_key
from ftapp.auth.roles import Role
from ftapp.auth.sessions import identity_from_cookie_header, sign_out
from ftapp.database import upgrade_on_start
from ftapp.models import User as Account
from ftapp.workspaces import add_workspace, roles_of, user_id_of
from tests.helpers.appdb import use_database
from tests.helpers.log_injection import FORGED, assert_one_bounded_line
from tests.helpers.sign_in import use_settings
from tests.helpers.workspaces import API_URL, KEYS_SECRET, distinctive_key
from tests.unit.auth.app import client

with warnings.catch_warnings():
    # The provider mock uses authlib APIs that authlib now deprecates (authlib sets its own
    # warnings to "always" when imported, so the filter comes after that import).
    import authlib.deprecate

    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from oidc_provider_mock import User, run_server_in_thread

pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

CLIENT_ID = "ftapp-test"
CLIENT_SECRET = "ftapp-test-secret-value"
CALLBACK = "http://localhost:3000/auth/oidc/callback"
USERS = [
    User(sub="alice", claims={"email": "alice@example.test", "role": "admin"}),
    User(
        sub="bob",
        claims={"preferred_username": "Bob", "role": "Operator", "groups": ["ft", "viewer"]},
    ),
    User(sub="carol", claims={"email": "carol@example.test", "groups": ["ft", "operator"]}),
]


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with run_server_in_thread(port=0, require_nonce=True, user_claims=USERS) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def app_db(tmp_path: Path) -> Iterator[str]:
    with use_database(f"sqlite:///{tmp_path / 'app.db'}") as url:
        upgrade_on_start()
        yield url


@pytest.fixture
def browser(app_db: str, issuer: str, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.delenv("REFLEX_FRONTEND_PORT", raising=False)
    use_settings(oidc_issuer=issuer, oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET)
    return client()


def start(browser: TestClient, next_path: str = "/jobs/new") -> str:
    """Our /auth/oidc/login; returns the provider's authorization URL."""
    response = browser.get("/auth/oidc/login", params={"next": next_path})
    assert response.status_code == 302, response.text
    return response.headers["location"]


def provider_signs_in(authorize_url: str, sub: str) -> str:
    """What the person does at the provider (its form: type a subject, press Authorize);
    returns our callback URL, with the code and state, that the provider redirects to."""
    with httpx.Client() as provider:
        form = provider.get(authorize_url)
        assert form.status_code == 200
        assert 'name="sub"' in form.text
        answer = provider.post(authorize_url, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return location


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def transaction(browser: TestClient) -> dict[str, str]:
    from itsdangerous import URLSafeTimedSerializer

    from ftapp.settings import current_settings

    serializer = URLSafeTimedSerializer(secret_key(current_settings()), salt=oidc._SALT)
    return serializer.loads(browser.cookies["ftapp_oidc"])


def signed_in_as(browser: TestClient) -> tuple[str, Role] | None:
    token = browser.cookies.get("ftapp_session")
    cookie_header = f"ftapp_session={token}" if token else None
    identity = asyncio.run(identity_from_cookie_header(cookie_header))
    return (identity.username, identity.role) if identity else None


def test_the_full_flow_signs_in_with_the_role_from_the_claim(browser: TestClient) -> None:
    authorize_url = start(browser)
    query = {name: values[0] for name, values in parse_qs(urlsplit(authorize_url).query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert set(query["scope"].split()) >= {"openid", "email", "profile"}
    assert query["code_challenge_method"] == "S256"
    tx = transaction(browser)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(tx["verifier"].encode()).digest())
    assert query["code_challenge"] == challenge.rstrip(b"=").decode()  # we keep the verifier
    assert (query["state"], query["nonce"], tx["next"]) == (tx["state"], tx["nonce"], "/jobs/new")

    response = browser.get(callback_path(provider_signs_in(authorize_url, "alice")))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/jobs/new"
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("ftapp_session=") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("ftapp_oidc=") and "Max-Age=0" in c for c in cookies)  # one use
    assert signed_in_as(browser) == ("alice@example.test", Role.ADMIN)
    assert browser.get("/", headers={"accept": "text/html"}).text == (
        "<p>page for alice@example.test</p>"
    )


def test_a_known_person_keeps_their_account_and_follows_the_claim(
    browser: TestClient, issuer: str
) -> None:
    browser.get(callback_path(provider_signs_in(start(browser), "bob")))
    assert signed_in_as(browser) == ("bob", Role.OPERATOR)
    with httpx.Client() as provider:  # the provider changes bob's role
        assert provider.put(f"{issuer}/users/bob", json={"role": "viewer"}).status_code == 204
    again = client()
    again.get(callback_path(provider_signs_in(start(again), "bob")))
    assert signed_in_as(again) == ("bob", Role.VIEWER)
    with database.session() as session:  # the same account, updated
        rows = session.exec(select(Account).where(Account.oidc_subject == "bob")).all()
    assert [(row.username, row.role, row.oidc_issuer) for row in rows] == [
        ("bob", "viewer", issuer)
    ]


def test_a_list_claim_such_as_groups_gives_its_highest_role(app_db: str, issuer: str) -> None:
    use_settings(
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_role_claim="groups",
    )
    browser = client()
    browser.get(callback_path(provider_signs_in(start(browser), "carol")))
    assert signed_in_as(browser) == ("carol@example.test", Role.OPERATOR)


def test_groups_give_roles_in_stored_workspaces(app_db: str, issuer: str) -> None:
    """FT_OIDC_WORKSPACE_ROLES maps carol's groups to a role in a stored workspace; her
    account's own role still comes from FT_OIDC_ROLE_CLAIM (none: the default)."""
    use_settings(
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        keys_secret=KEYS_SECRET,
        oidc_workspace_roles='{"ft": {"research": "operator"}, "ops": {"research": "admin"}}',
    )
    add_workspace("Research", API_URL, distinctive_key())
    browser = client()
    browser.get(callback_path(provider_signs_in(start(browser), "carol")))
    assert signed_in_as(browser) == ("carol@example.test", Role.VIEWER)
    user_id = user_id_of("carol@example.test")
    assert user_id is not None
    assert roles_of(user_id) == {"research": Role.OPERATOR}
    with httpx.Client() as provider:  # carol leaves group "ft": her next sign-in ends it
        assert provider.put(f"{issuer}/users/carol", json={"groups": ["other"]}).status_code == 204
        try:
            again = client()
            again.get(callback_path(provider_signs_in(start(again), "carol")))
        finally:  # the provider is the module's: the other tests expect carol as she was
            groups = {"groups": USERS[2].claims["groups"]}
            assert provider.put(f"{issuer}/users/carol", json=groups).status_code == 204
    assert roles_of(user_id) == {}


def test_no_role_claim_means_the_default_role(app_db: str, issuer: str) -> None:
    use_settings(
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_default_role="operator",
    )
    browser = client()
    browser.get(callback_path(provider_signs_in(start(browser), "dave@example.test")))
    assert signed_in_as(browser) == ("dave@example.test", Role.OPERATOR)


def test_a_changed_state_is_refused(browser: TestClient) -> None:
    location = provider_signs_in(start(browser), "alice")
    forged = location.replace("state=", "state=x")
    response = browser.get(callback_path(forged))
    assert response.status_code == 400
    assert "Single sign-on failed" in response.text
    assert signed_in_as(browser) is None


def test_a_replayed_callback_is_refused(browser: TestClient) -> None:
    authorize_url = start(browser)
    transaction_cookie = browser.cookies["ftapp_oidc"]
    location = provider_signs_in(authorize_url, "alice")
    assert browser.get(callback_path(location)).status_code == 303
    # The same answer again: the transaction cookie is gone from the browser...
    assert browser.get(callback_path(location)).status_code == 400
    # ...and with the old cookie put back, the provider refuses the used code.
    replay = client()
    replay.cookies.set("ftapp_oidc", transaction_cookie)
    response = replay.get(callback_path(location))
    assert response.status_code == 400
    assert signed_in_as(replay) is None


def test_a_tampered_or_missing_transaction_cookie_is_refused(browser: TestClient) -> None:
    location = provider_signs_in(start(browser), "alice")
    value = browser.cookies["ftapp_oidc"]
    browser.cookies.set("ftapp_oidc", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert browser.get(callback_path(location)).status_code == 400
    stranger = client()  # someone else's browser, with the stolen callback URL
    assert stranger.get(callback_path(location)).status_code == 400
    assert signed_in_as(browser) is None
    assert signed_in_as(stranger) is None


def test_an_expired_transaction_is_refused(
    browser: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = provider_signs_in(start(browser), "alice")
    monkeypatch.setattr(oidc, "TRANSACTION_SECONDS", -1)
    response = browser.get(callback_path(location))
    assert response.status_code == 400
    assert "expired" in response.text


def test_a_refusal_at_the_provider(browser: TestClient) -> None:
    authorize_url = start(browser)
    state = transaction(browser)["state"]
    response = browser.get(f"/auth/oidc/callback?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "did not sign you in" in response.text
    with httpx.Client() as provider:
        denied = provider.post(authorize_url, data={"sub": "alice", "action": "deny"})
    assert "error=access_denied" in denied.headers["location"]


def test_a_crafted_refusal_is_logged_as_one_bounded_line(
    browser: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    start(browser)
    state = transaction(browser)["state"]
    response = browser.get(
        "/auth/oidc/callback",
        params={"error": FORGED, "error_description": FORGED, "state": state},
    )
    assert response.status_code == 400
    assert_one_bounded_line(caplog.records, "The provider refused the sign-in")


def test_a_crafted_username_from_the_provider_is_logged_as_one_bounded_line(
    browser: TestClient, issuer: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with httpx.Client() as provider:
        claims = {"preferred_username": FORGED}
        assert provider.put(f"{issuer}/users/eve", json=claims).status_code == 204
    response = browser.get(callback_path(provider_signs_in(start(browser), "eve")))
    assert response.status_code == 303, response.text
    assert asyncio.run(sign_out(f"ftapp_session={browser.cookies['ftapp_session']}"))
    for line in ("SSO account", "Signed in", "Signed out"):
        assert_one_bounded_line(caplog.records, line)


def alice_accounts() -> list[Account]:
    with database.session() as session:
        return list(session.exec(select(Account).where(Account.oidc_subject == "alice")).all())


def test_a_disabled_account_is_signed_out_refused_and_not_made_again(browser: TestClient) -> None:
    browser.get(callback_path(provider_signs_in(start(browser), "alice")))
    assert signed_in_as(browser) == ("alice@example.test", Role.ADMIN)
    accounts.disable_user("alice@example.test")  # what `ftapp users disable` does
    assert signed_in_as(browser) is None  # her session ended at once
    again = client()
    response = again.get(callback_path(provider_signs_in(start(again), "alice")))
    assert response.status_code == 403
    assert pages.ACCOUNT_DISABLED in response.text  # the provider vouched: no secret told
    assert signed_in_as(again) is None
    assert [account.disabled for account in alice_accounts()] == [True]  # not made again
    accounts.enable_user("alice@example.test")
    assert signed_in_as(browser) is None  # the ended session stays ended
    response = again.get(callback_path(provider_signs_in(start(again), "alice")))
    assert response.status_code == 303
    assert signed_in_as(again) == ("alice@example.test", Role.ADMIN)
    assert len(alice_accounts()) == 1


def test_sso_is_off_unless_configured(app_db: str) -> None:
    use_settings()
    browser = client()
    assert browser.get("/auth/oidc/login").status_code == 404
    assert browser.get("/auth/oidc/callback?code=x&state=y").status_code == 404


def test_an_unreachable_provider_is_a_clear_error(app_db: str) -> None:
    from tests.helpers.servers import free_port

    use_settings(oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id=CLIENT_ID)
    response = client().get("/auth/oidc/login")
    assert response.status_code == 502
    assert "cannot be reached" in response.text


def test_no_token_or_secret_in_the_logs(
    browser: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    location = provider_signs_in(start(browser), "alice")
    code = parse_qs(urlsplit(location).query)["code"][0]
    browser.get(callback_path(location))
    session_token = browser.cookies["ftapp_session"]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("ftapp"))
    for secret in (session_token, CLIENT_SECRET, code):
        assert secret not in ours
    assert "Signed in alice@example.test (SSO, role admin" in ours
