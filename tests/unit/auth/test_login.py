"""The sign-in routes: the access-token link, the password form (CSRF, throttling, one
message for every failure, ``next``), sign-out, /signed-out and /healthz. The throttle's own
rules, and the routes under parallel guesses, are in test_throttle.py."""

from __future__ import annotations

import logging
import re
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from ftapp.auth import access, accounts, pages, throttle
from ftapp.auth.roles import Role
from ftapp.auth.sessions import session_store, sign_out, token_digest
from ftapp.routes import login_url, safe_next
from tests.helpers.fakes import FakeClock
from tests.helpers.log_injection import FORGED_HEADER, assert_one_bounded_line
from tests.helpers.sign_in import use_settings
from tests.unit.auth.app import ORIGIN, client
from tests.unit.auth.helpers import PASSWORD, add_user

TOKEN = "configured-access-token-0123456789"
HTML = {"accept": "text/html"}


@pytest.fixture
def browser(app_db: str) -> TestClient:
    use_settings(access_token=TOKEN)
    return client()


def set_cookies(response_headers: list[str]) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    found = {}
    for header in response_headers:
        name = header.split("=", 1)[0]
        found[name] = header
    return found


def session_cookie(browser: TestClient) -> str | None:
    return browser.cookies.get("ftapp_session")


# --- the access-token link -----------------------------------------------------------------


def test_the_token_link_signs_in_the_local_admin_and_leaves_the_address_bar(
    browser: TestClient,
) -> None:
    response = browser.get(f"/login?token={TOKEN}")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = set_cookies(response.headers.get_list("set-cookie"))["ftapp_session"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert attributes == {"httponly", "max-age", "path", "samesite"}
    assert "Path=/" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=43200" in cookie
    assert TOKEN not in response.text
    assert browser.get("/", headers=HTML).text == "<p>page for admin</p>"


def test_the_cookie_is_secure_and_host_bound_on_https(app_db: str) -> None:
    use_settings(access_token=TOKEN, public_url="https://ft.example.test")
    browser = client("https://ft.example.test")
    response = browser.get(f"/login?token={TOKEN}")
    cookie = set_cookies(response.headers.get_list("set-cookie"))["__Host-ftapp_session"]
    assert "; Secure" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie
    assert "ftapp_session=" not in cookie.replace("__Host-ftapp_session=", "")
    assert browser.get("/", headers=HTML).status_code == 200


def test_a_wrong_token_signs_in_nobody(browser: TestClient) -> None:
    for wrong in ("wrong", TOKEN + "x", TOKEN.upper()):
        response = browser.get("/login", params={"token": wrong})
        assert response.status_code == 403
        assert pages.BAD_LINK in response.text
        assert "ftapp_session" not in response.headers.get("set-cookie", "")
    refused = browser.get("/login", params={"token": ""})  # the 4th from this address
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
    assert pages.too_many_attempts(1) in refused.text
    assert pages.BAD_LINK not in refused.text
    assert "ftapp_session" not in refused.headers.get("set-cookie", "")
    assert browser.get("/", headers=HTML).status_code == 303


def test_the_random_token_is_the_same_in_every_worker_and_new_each_start(
    app_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftapp import database
    from ftapp.auth import access

    settings = use_settings()
    monkeypatch.setenv("FTAPP_START_ID", "start-1")
    first = access.access_token(settings)
    access.forget_cached_keys()  # as another worker process would start
    database.dispose_engines()
    assert access.access_token(settings) == first
    assert len(first) == 43
    monkeypatch.setenv("FTAPP_START_ID", "start-2")
    assert access.access_token(settings) != first
    browser = client()
    assert browser.get("/login", params={"token": first}).status_code == 403
    assert browser.get("/login", params={"token": access.access_token(settings)}).status_code == 303


def test_the_sign_in_link(app_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REFLEX_FRONTEND_PORT", raising=False)
    settings = use_settings()
    link = access.sign_in_link(settings)
    assert re.fullmatch(r"http://localhost:3000/login\?token=[A-Za-z0-9_-]{43}", link)
    hosted = use_settings(access_token=TOKEN, public_url="https://ft.example.test/console")
    assert access.sign_in_link(hosted) == f"https://ft.example.test/login?token={TOKEN}"
    assert (
        access.banner(hosted) == "Open ftapp: https://ft.example.test/login?token=<FT_ACCESS_TOKEN>"
    )


def test_the_link_is_announced_once_per_start(
    app_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_settings()
    monkeypatch.setenv("FTAPP_START_ID", "start-a")
    access.announce_sign_in_link()
    access.announce_sign_in_link()  # another worker of the same start
    printed = capsys.readouterr().out
    assert printed.count("Open ftapp: http://") == 1
    monkeypatch.setenv("FTAPP_START_ID", "start-b")
    access.announce_sign_in_link()
    assert capsys.readouterr().out.count("Open ftapp: ") == 1


def test_the_announcement_says_which_api_the_app_uses(
    app_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ftapp.services import connection

    use_settings()
    monkeypatch.setenv("FTAPP_START_ID", "start-c")
    monkeypatch.delenv("FT_API_BASE_URL", raising=False)
    connection.reset()
    access.announce_sign_in_link(*connection.describe_upstream())
    printed = capsys.readouterr().out
    assert "ftapp uses its embedded sandbox API" in printed
    assert printed.index("sandbox API") < printed.index("Open ftapp: ")

    monkeypatch.setenv("FT_API_BASE_URL", "https://training.example.test/api")
    monkeypatch.setenv("FT_API_KEY", "sk-secret-never-printed")
    connection.reset()
    lines = connection.describe_upstream()
    assert lines == ["ftapp uses the Job Training API at https://training.example.test/api"]
    connection.reset()


# --- the form ------------------------------------------------------------------------------


def test_the_form(browser: TestClient) -> None:
    response = browser.get("/login?next=/jobs/new")
    assert response.status_code == 200
    html = response.text
    assert '<label for="username">Username</label>' in html
    assert '<input id="username" name="username"' in html
    assert '<label for="password">Password</label>' in html
    assert '<input id="password" name="password" type="password"' in html
    assert '<button class="button" type="submit">Sign in</button>' in html
    assert "Sign in with SSO" not in html
    assert '<input type="hidden" name="next" value="/jobs/new">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "prefers-color-scheme: dark" in html
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert csrf is not None
    assert browser.cookies.get("ftapp_csrf") == csrf.group(1)
    headers = response.headers
    assert headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_the_form_offers_sso_when_configured(app_db: str) -> None:
    use_settings(oidc_issuer="https://login.example.test", oidc_client_id="ftapp")
    html = client().get("/login?next=/jobs/new").text
    assert '<a class="button secondary" href="/auth/oidc/login?next=/jobs/new">' in html
    assert "Sign in with SSO</a>" in html


def sign_in(
    browser: TestClient, username: str, password: str, next_path: str = "/", **headers: str
) -> object:
    form = browser.get("/login").text
    match = re.search(r'name="csrf" value="([^"]+)"', form)
    assert match is not None
    data = {"csrf": match.group(1), "username": username, "password": password, "next": next_path}
    return browser.post("/login", data=data, headers={"origin": ORIGIN, **headers})


def test_a_right_password_signs_in(browser: TestClient) -> None:
    add_user("bob", Role.OPERATOR)
    response = sign_in(browser, "Bob", PASSWORD, "/jobs/42")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/jobs/42"  # type: ignore[attr-defined]
    assert browser.get("/", headers=HTML).text == "<p>page for bob</p>"


def test_every_failure_says_the_same(browser: TestClient) -> None:
    add_user("bob")
    wrong_password = sign_in(browser, "bob", "not the password")
    unknown_user = sign_in(browser, "nobody", PASSWORD)
    empty = sign_in(browser, "", "")
    for response in (wrong_password, unknown_user, empty):
        assert response.status_code == 401  # type: ignore[attr-defined]
        text = response.text  # type: ignore[attr-defined]
        assert pages.WRONG_CREDENTIALS in text
        assert text.count('class="error"') == 1
    assert "not the password" not in wrong_password.text  # type: ignore[attr-defined]
    assert 'value="nobody"' in unknown_user.text  # type: ignore[attr-defined]
    assert session_cookie(browser) is None


def test_a_disabled_account_is_refused_without_saying_the_password_was_right(
    browser: TestClient,
) -> None:
    add_user("bob")
    accounts.disable_user("bob")
    right = sign_in(browser, "bob", PASSWORD)
    wrong = sign_in(browser, "bob", "not the password")
    for response in (right, wrong):
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert pages.WRONG_CREDENTIALS in response.text  # type: ignore[attr-defined]
        assert pages.ACCOUNT_DISABLED not in response.text  # type: ignore[attr-defined]
    assert session_cookie(browser) is None


def test_signing_in_again_rotates_the_session(browser: TestClient) -> None:
    add_user("bob")
    sign_in(browser, "bob", PASSWORD)
    first = session_cookie(browser)
    assert first is not None
    response = browser.get(f"/login?token={TOKEN}")
    second = session_cookie(browser)
    assert response.status_code == 303
    assert second is not None
    assert second != first
    old = client()
    assert old.get("/", headers={**HTML, "cookie": f"ftapp_session={first}"}).status_code == 303


@pytest.mark.parametrize(
    ("headers", "data_csrf"),
    [
        ({"origin": ORIGIN}, None),  # no token field
        ({"origin": ORIGIN}, "forged-token"),  # not the cookie's
        ({"origin": "http://evil.test"}, "cookie"),  # another site
        ({"origin": "null"}, "cookie"),
        ({"referer": "http://evil.test/form"}, "cookie"),
        ({"origin": ORIGIN, "sec-fetch-site": "cross-site"}, "cookie"),
    ],
)
def test_csrf_refusals(browser: TestClient, headers: dict[str, str], data_csrf: str | None) -> None:
    add_user("bob")
    browser.get("/login")
    data = {"username": "bob", "password": PASSWORD}
    if data_csrf is not None:
        data["csrf"] = browser.cookies["ftapp_csrf"] if data_csrf == "cookie" else data_csrf
    response = browser.post("/login", data=data, headers=headers)
    assert response.status_code == 403
    assert pages.FORM_EXPIRED in response.text
    assert session_cookie(browser) is None


def test_a_form_without_origin_but_with_its_token_is_accepted(browser: TestClient) -> None:
    add_user("bob")
    browser.get("/login")
    data = {"csrf": browser.cookies["ftapp_csrf"], "username": "bob", "password": PASSWORD}
    assert browser.post("/login", data=data).status_code == 303


def test_the_origin_may_be_the_host_when_no_public_url_is_set(app_db: str) -> None:
    use_settings()
    add_user("bob")
    browser = client("http://127.0.0.1:3000")
    response = sign_in(browser, "bob", PASSWORD, origin="http://127.0.0.1:3000")
    assert response.status_code == 303  # type: ignore[attr-defined]
    use_settings(public_url="https://ft.example.test")
    hosted = client("https://ft.example.test")
    refused = sign_in(hosted, "bob", PASSWORD, origin="https://other.example.test")
    assert refused.status_code == 403  # type: ignore[attr-defined]


def test_repeated_failures_are_refused_with_the_form_and_what_was_typed(
    browser: TestClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(throttle, "login_throttle", throttle.AttemptThrottle(clock=clock))
    add_user("bob")
    for _ in range(3):
        assert sign_in(browser, "bob", "wrong-password").status_code == 401  # type: ignore[attr-defined]
    refused = sign_in(browser, "Bob", PASSWORD, "/jobs/42")  # right, but not even checked
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert refused.headers["retry-after"] == "1"  # type: ignore[attr-defined]
    html = refused.text  # type: ignore[attr-defined]
    assert '<p class="error" role="alert">Too many attempts. Try again in 1 second.</p>' in html
    assert 'value="Bob"' in html
    assert '<input type="hidden" name="next" value="/jobs/42">' in html
    assert PASSWORD not in html
    assert session_cookie(browser) is None
    clock.advance(1)
    assert sign_in(browser, "bob", PASSWORD).status_code == 303  # type: ignore[attr-defined]
    assert session_cookie(browser) is not None


def test_a_forwarded_address_is_logged_as_one_bounded_line(
    browser: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Behind a trusted proxy the address comes from X-Forwarded-For, which a client can write.
    monkeypatch.setattr(throttle, "get_config", lambda: SimpleNamespace(trusted_proxy_hops=1))
    caplog.set_level(logging.INFO)
    forwarded = {"x-forwarded-for": FORGED_HEADER}
    sign_in(browser, "bob", "wrong-password", **forwarded)  # type: ignore[arg-type]
    browser.get("/login", params={"token": "wrong-token"}, headers=forwarded)
    assert_one_bounded_line(caplog.records, "Refused a password sign-in")
    assert_one_bounded_line(caplog.records, "Refused a sign-in link")


def test_the_sign_in_line_names_the_address_through_the_trusted_hops_only(
    browser: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One proxy is trusted: the client wrote the first entry, the proxy appended the second.
    monkeypatch.setattr(throttle, "get_config", lambda: SimpleNamespace(trusted_proxy_hops=1))
    caplog.set_level(logging.INFO)
    add_user("bob")
    forwarded = {"x-forwarded-for": "203.0.113.9, 198.51.100.2"}
    assert sign_in(browser, "bob", PASSWORD, **forwarded).status_code == 303  # type: ignore[attr-defined]
    signed_in = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Signed in")]
    assert len(signed_in) == 1
    assert signed_in[0].endswith(", from 198.51.100.2).")
    assert "203.0.113.9" not in caplog.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/jobs/new?step=review", "/jobs/new?step=review"),
        ("/", "/"),
        ("//evil.test/x", "/"),
        ("/\\evil.test", "/"),
        ("https://evil.test/", "/"),
        ("javascript:alert(1)", "/"),
        ("jobs", "/"),
        ("/\t/evil.test", "/"),
        ("/login?next=/x", "/"),
        ("/logout", "/"),
        ("/auth/oidc/login", "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_next_must_be_a_path_on_this_site(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_a_bad_next_is_ignored_after_sign_in(browser: TestClient) -> None:
    add_user("bob")
    response = sign_in(browser, "bob", PASSWORD, "//evil.test/phish")
    assert response.headers["location"] == "/"  # type: ignore[attr-defined]
    assert login_url("/jobs/a b") == "/login?next=/jobs/a%20b"


def test_a_signed_in_visitor_skips_the_form(browser: TestClient) -> None:
    browser.get(f"/login?token={TOKEN}")
    response = browser.get("/login?next=/jobs/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/jobs/new"


# --- signing out ---------------------------------------------------------------------------


def test_logout(browser: TestClient) -> None:
    browser.get(f"/login?token={TOKEN}")
    token = session_cookie(browser)
    response = browser.post("/logout", headers={"origin": ORIGIN})
    assert response.status_code == 303
    assert response.headers["location"] == "/signed-out"
    cleared = set_cookies(response.headers.get_list("set-cookie"))["ftapp_session"]
    assert "Max-Age=0" in cleared
    old = client()
    assert old.get("/", headers={**HTML, "cookie": f"ftapp_session={token}"}).status_code == 303


@pytest.mark.parametrize(
    "headers", [{"origin": "http://evil.test"}, {}, {"referer": "https://evil.test/"}]
)
def test_logout_from_another_site_is_refused(browser: TestClient, headers: dict[str, str]) -> None:
    browser.get(f"/login?token={TOKEN}")
    response = browser.post("/logout", headers=headers)
    assert response.status_code == 403
    assert browser.get("/", headers=HTML).status_code == 200


def test_logout_without_origin_needs_the_form_token(browser: TestClient) -> None:
    browser.get("/login")
    browser.get(f"/login?token={TOKEN}")
    response = browser.post("/logout", data={"csrf": browser.cookies["ftapp_csrf"]})
    assert response.status_code == 303


async def test_sign_out_from_a_reflex_handler_then_signed_out(browser: TestClient) -> None:
    browser.get(f"/login?token={TOKEN}")
    cookie_header = f"ftapp_session={session_cookie(browser)}; theme=dark"
    # A live session: a link from another site cannot sign anyone out.
    live = browser.get("/signed-out")
    assert live.status_code == 303
    assert live.headers["location"] == "/"
    assert "set-cookie" not in live.headers
    assert await sign_out(cookie_header) is True
    assert await sign_out(cookie_header) is False
    assert await sign_out(None) is False
    page = browser.get("/signed-out")
    assert page.status_code == 200
    assert "You are signed out" in page.text
    assert 'href="/login">Sign in again</a>' in page.text
    assert "Max-Age=0" in page.headers["set-cookie"]
    assert "set-cookie" not in client().get("/signed-out").headers


def test_oversized_or_unsized_forms_are_refused(browser: TestClient) -> None:
    big = browser.post(
        "/login",
        content=b"username=" + b"x" * 20000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413

    def chunks():  # no Content-Length
        yield b"username=bob"

    unsized = browser.post(
        "/logout", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert unsized.status_code == 413


@pytest.mark.parametrize("path", ["/auth", "/auth/", "/auth/nope", "/auth/oidc", "/auth/a/b/c"])
def test_an_unknown_auth_path_is_a_small_404_page(browser: TestClient, path: str) -> None:
    response = browser.get(path, headers=HTML)
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.text
    assert "<script" not in response.text
    assert len(response.content) < 4096  # the sign-in look, not the app's page shell


def test_healthz(browser: TestClient) -> None:
    response = browser.get("/healthz")
    assert response.json() == {"status": "ok"}


# --- secrecy -------------------------------------------------------------------------------


def test_no_token_password_or_hash_in_logs_or_pages(
    browser: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_user("bob")
    bodies = [sign_in(browser, "bob", "wrong-password").text]  # type: ignore[attr-defined]
    bodies.append(sign_in(browser, "bob", PASSWORD).text)  # type: ignore[attr-defined]
    token = session_cookie(browser)
    assert token is not None
    bodies.append(browser.get("/login", params={"token": "wrong-token"}).text)
    bodies.append(browser.get(f"/login?token={TOKEN}").text)
    admin_token = session_cookie(browser)
    assert admin_token is not None
    bodies.append(browser.post("/logout", headers={"origin": ORIGIN}).text)
    secrets_ = [
        token,
        token_digest(token),
        admin_token,
        token_digest(admin_token),
        PASSWORD,
        "wrong-password",
        TOKEN,
    ]
    # The test browser's own request log (httpx) shows the link it opened; the server's not.
    server_log = "\n".join(
        f"{record.name} {record.getMessage()}"
        for record in caplog.records
        if not record.name.startswith("httpx")
    )
    for text in [server_log, *bodies]:
        for secret in secrets_:
            assert secret not in text
    assert "Signed in bob (password" in server_log


def test_the_store_default_is_shared(browser: TestClient) -> None:
    assert session_store() is session_store()


def test_cookie_parsing_ignores_other_cookies() -> None:
    parsed = SimpleCookie()
    parsed.load("a=1; ftapp_session=x")
    assert parsed["ftapp_session"].value == "x"
