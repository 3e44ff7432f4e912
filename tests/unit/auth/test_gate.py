"""The gate at ASGI level: public paths, sessions on HTTP and WebSocket, forged and expired
cookies, path tricks, cache headers, and the identity in the scope."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketDenialResponse

from ftapp.auth import gate
from ftapp.auth.roles import Role
from ftapp.auth.sessions import session_store
from ftapp.routes import is_canonical
from tests.helpers.fakes import FakeClock
from tests.helpers.sign_in import use_settings
from tests.unit.auth import app as test_app
from tests.unit.auth.app import HASHED_ASSET, ORIGIN, client
from tests.unit.auth.helpers import add_user

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def signed_in_cookie(name: str = "bob", role: Role = Role.OPERATOR) -> str:
    token = await session_store().create(add_user(name, role))
    return f"ftapp_session={token}"


@pytest.fixture
def browser(app_db: str) -> TestClient:
    use_settings()
    return client()


@pytest.mark.parametrize(
    "path",
    ["/login", "/signed-out", "/healthz", "/ping", "/favicon.ico", "/sandbox/api/ping"],
)
def test_public_paths_need_no_session(browser: TestClient, path: str) -> None:
    assert browser.get(path).status_code == 200


def test_a_page_without_a_session_goes_to_the_sign_in_page(browser: TestClient) -> None:
    response = browser.get("/", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert response.headers["cache-control"] == "no-store"
    deep = browser.get("/jobs/abc?tab=logs&x=1", headers=HTML)
    assert deep.headers["location"] == "/login?next=/jobs/abc%3Ftab%3Dlogs%26x%3D1"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", HASHED_ASSET),
        ("GET", "/assets/app.css"),
        ("POST", "/_upload"),
        ("GET", "/anything/else"),
        ("HEAD", "/"),
    ],
)
def test_anything_else_without_a_session_is_a_bare_401(
    browser: TestClient, method: str, path: str
) -> None:
    response = browser.request(method, path, headers={"accept": "*/*"})
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["cache-control"] == "no-store"


async def test_a_session_opens_everything_and_names_the_user(browser: TestClient) -> None:
    browser.cookies.set("ftapp_session", (await signed_in_cookie("bob")).split("=", 1)[1])
    page = browser.get("/", headers=HTML)
    assert page.status_code == 200
    assert page.text == "<p>page for bob</p>"
    assert page.headers["cache-control"] == "no-store"
    assert browser.post("/_upload").json() == {"uploaded_by": "bob"}


async def test_cache_headers(browser: TestClient) -> None:
    cookie = await signed_in_cookie()
    hashed = browser.get(HASHED_ASSET, headers={"cookie": cookie})
    assert hashed.headers["cache-control"] == "private, max-age=31536000, immutable"
    plain = browser.get("/assets/relative_time.js", headers={"cookie": cookie})
    assert plain.headers["cache-control"] == "no-store"
    gzipped = browser.get("/assets/root-BdRPQKd2.js.gz", headers={"cookie": cookie})
    assert gzipped.headers["cache-control"] == "private, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "cookie",
    [
        "ftapp_session=" + "A" * 43,
        "ftapp_session=",
        "ftapp_session=not a token",
        "__Host-ftapp_session=" + "A" * 43,
        "other=1",
    ],
)
def test_forged_cookies_are_refused(browser: TestClient, cookie: str) -> None:
    assert browser.get("/", headers={**HTML, "cookie": cookie}).status_code == 303
    assert browser.get(HASHED_ASSET, headers={"cookie": cookie}).status_code == 401


async def test_an_expired_or_revoked_session_is_refused(
    app_db: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings(session_idle_minutes="30")
    store = session_store()
    monkeypatch.setattr(store, "_clock", clock)
    browser = client()
    cookie = await signed_in_cookie()
    assert browser.get("/", headers={"cookie": cookie}).status_code == 200
    clock.advance(31 * 60)
    assert browser.get("/", headers={"cookie": cookie}).status_code == 401
    other = await signed_in_cookie("alice")
    await store.revoke(other.split("=", 1)[1])
    assert browser.get("/", headers={"cookie": other}).status_code == 401


# --- WebSocket -----------------------------------------------------------------------------


def test_a_websocket_upgrade_without_a_session_is_refused_before_accept(
    browser: TestClient,
) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        browser.websocket_connect("/_event/?EIO=4&transport=websocket"),
    ):
        pass
    assert refused.value.status_code == 403


async def test_a_websocket_upgrade_with_a_session_is_accepted(browser: TestClient) -> None:
    cookie = await signed_in_cookie("bob")
    headers = {"cookie": cookie, "origin": ORIGIN}
    with browser.websocket_connect("/_event", headers=headers) as socket:
        assert socket.receive_text() == "bob"


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.test"},
        {"origin": "null"},
        {"origin": ORIGIN, "sec-fetch-site": "cross-site"},
        {"cookie": "ftapp_session=" + "B" * 43},
    ],
)
async def test_a_websocket_upgrade_from_another_site_or_forged_is_refused(
    browser: TestClient, headers: dict[str, str]
) -> None:
    cookie = await signed_in_cookie()
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        browser.websocket_connect("/_event", headers={"cookie": cookie, **headers}),
    ):
        pass
    assert refused.value.status_code == 403


async def test_without_the_denial_extension_the_socket_is_closed_before_accept(
    app_db: str,
) -> None:
    use_settings()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/_event",
        "raw_path": b"/_event",
        "headers": [],
        "query_string": b"",
        "extensions": {},
    }
    await test_app.build_app()(scope, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]


async def test_a_state_changing_request_from_another_site_is_refused(
    browser: TestClient,
) -> None:
    cookie = await signed_in_cookie()
    response = browser.post("/_upload", headers={"cookie": cookie, "origin": "http://evil.test"})
    assert response.status_code == 403
    same = browser.post("/_upload", headers={"cookie": cookie, "origin": ORIGIN})
    assert same.status_code == 200


# --- paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "raw_path"),
    [
        ("/sandbox/../assets/x.js", b"/sandbox/../assets/x.js"),
        ("/sandbox/../assets/x.js", b"/sandbox/%2e%2e/assets/x.js"),
        ("/sandbox/../assets/x.js", b"/sandbox/%2E%2E/assets/x.js"),
        ("/login/../assets/x.js", b"/login/%2e%2e%2fassets/x.js"),
        ("/auth/./x", b"/auth/%2e/x"),
        ("//assets/x.js", b"//assets/x.js"),
        ("/sandbox//x", b"/sandbox//x"),
        ("/sandbox\\..\\assets", b"/sandbox%5c..%5cassets"),
        ("/sandbox/\x00", b"/sandbox/%00"),
        ("/auth/x", b"/auth/x/%2e%2e"),
    ],
)
async def test_non_canonical_paths_are_refused(app_db: str, path: str, raw_path: bytes) -> None:
    use_settings()
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": raw_path,
        "headers": [],
        "query_string": b"",
        "scheme": "http",
        "server": ("x", 80),
    }
    await test_app.build_app()(scope, receive, send)
    assert statuses == [400]


@pytest.mark.parametrize(
    "path", ["/", "/jobs/abc", "/jobs/a.b", "/assets/", "/a-b_c~d", "/jobs/%2F"]
)
def test_canonical_paths(path: str) -> None:
    assert is_canonical(path, path.encode())


def test_lifespan_passes_through() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    import asyncio

    asyncio.run(gate.AuthGate(inner)({"type": "lifespan"}, None, None))  # type: ignore[arg-type]
    assert seen == ["lifespan"]


# --- build files right after a check ---------------------------------------------------------


async def test_a_page_and_its_build_files_cost_one_session_lookup(
    browser: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[str | None] = []
    real_lookup = gate.identity_from_cookie_header

    async def counted(cookie_header: str | None) -> Any:
        lookups.append(cookie_header)
        return await real_lookup(cookie_header)

    monkeypatch.setattr(gate, "identity_from_cookie_header", counted)
    cookie = await signed_in_cookie()
    assert browser.get("/", headers={**HTML, "cookie": cookie}).status_code == 200
    for _ in range(5):
        assert browser.get(HASHED_ASSET, headers={"cookie": cookie}).status_code == 200
    assert len(lookups) == 1
    # Anything but a content-hashed build file is checked every time.
    browser.get("/assets/relative_time.js", headers={"cookie": cookie})
    browser.get("/", headers={**HTML, "cookie": cookie})
    assert len(lookups) == 3


async def test_an_ended_session_gets_build_files_only_within_the_pass(
    app_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings()
    clock = FakeClock()
    monkeypatch.setattr(gate, "RECENT", gate.RecentSessions(gate.ASSET_PASS_SECONDS, clock=clock))
    browser = client()
    cookie = await signed_in_cookie()
    assert browser.get("/", headers={**HTML, "cookie": cookie}).status_code == 200
    await session_store().revoke(cookie.split("=", 1)[1])
    assert browser.get("/", headers={**HTML, "cookie": cookie}).status_code == 303  # at once
    assert browser.get(HASHED_ASSET, headers={"cookie": cookie}).status_code == 200
    clock.advance(gate.ASSET_PASS_SECONDS + 0.1)
    assert browser.get(HASHED_ASSET, headers={"cookie": cookie}).status_code == 401


def test_the_pass_keeps_digests_and_a_bounded_number_of_them() -> None:
    recent = gate.RecentSessions(2.0, size=3)
    identity = object()
    for n in range(10):
        recent.add(f"ftapp_session=token-{n}", identity)  # type: ignore[arg-type]
    assert len(recent) == 3
    assert recent.get("ftapp_session=token-9") is identity
    assert recent.get("ftapp_session=token-0") is None  # the oldest went first
    assert not any("token" in key for key in recent._checked)
