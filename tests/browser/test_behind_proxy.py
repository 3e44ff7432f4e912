"""ftapp behind Caddy over https, set up as ``deploy/Caddyfile`` and ``deploy/ftapp.env.example``
say: one app start (``FT_PUBLIC_URL`` https, ``REFLEX_TRUSTED_PROXY_HOPS=1``,
``FT_BIND_ADDRESS=127.0.0.1``) behind Caddy with its own local CA (``tls internal``).

Chromium trusts that CA's key only (``--ignore-certificate-errors-spki-list``, not every
certificate). Scripts connect to Caddy from other loopback addresses (127.0.0.2, 127.0.0.3), so
the address Caddy forwards differs from Caddy's own (127.0.0.1, the app's peer), and they send
a forged X-Forwarded-For that must never count.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, expect

from ftapp.asgi import HSTS
from ftapp.pages.dashboard.state import DashboardState
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, AppServers, SandboxApi, wait_until_live
from tests.helpers.caddy import CaddyProcess, start_caddy
from tests.helpers.rawsocket import RawReflexClient, Refused
from tests.helpers.servers import ACCESS_TOKEN, ServerProcess, free_port

SESSION = "__Host-ftapp_session"
GUESSER = "127.0.0.2"
"""A client guessing passwords, as Caddy sees it (and forwards it)."""
MEMBER = "127.0.0.3"
"""Another client behind the same proxy: a person signing in and deleting a job."""
FORGED = "203.0.113.9"
"""What the clients write into their own X-Forwarded-For."""
EVIL = "https://evil.example"
PASSWORD = "correct horse battery staple"
VIEWPORT = {"width": 1280, "height": 900}


@dataclass
class Proxied:
    """The app, and Caddy in front of it."""

    app: ServerProcess
    caddy: CaddyProcess

    @property
    def origin(self) -> str:
        """The public origin: Caddy's, over https."""
        return self.caddy.origin

    def client(self, local_address: str, **kwargs: Any) -> httpx.Client:
        """An https client of Caddy that trusts its CA, connecting from ``local_address``."""
        tls = self.caddy.ssl_context()
        transport = httpx.HTTPTransport(verify=tls, local_address=local_address)
        return httpx.Client(base_url=self.origin, transport=transport, timeout=15, **kwargs)


@pytest.fixture(scope="module")
def proxied(app_servers: AppServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    directory = tmp_path_factory.mktemp("behind-proxy")
    public_port = free_port()
    origin = f"https://127.0.0.1:{public_port}"
    app = app_servers.get(
        {
            "FT_PUBLIC_URL": origin,
            "FT_BIND_ADDRESS": "127.0.0.1",
            "REFLEX_TRUSTED_PROXY_HOPS": "1",
            # The public port is not 443: the pages must be told where their WebSocket is.
            "REFLEX_API_URL": origin,
            "FT_SANDBOX_DB": str(directory / "sandbox.db"),
            "FT_POLL_IDLE_SECONDS": "1",
            "FT_POLL_RUNNING_SECONDS": "1",
        }
    )
    made = app.run_cli("users", "add", "pat", "--role", "operator", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    caddy = start_caddy(app.url, directory, public_port)
    yield Proxied(app, caddy)
    caddy.stop()


@pytest.fixture(scope="module")
def chromium(playwright: Playwright, proxied: Proxied) -> Iterator[Browser]:
    """Chromium that trusts Caddy's local CA (its key), as a machine with the CA installed."""
    trust = f"--ignore-certificate-errors-spki-list={proxied.caddy.ca_spki_hashes()}"
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trust])
    yield browser
    browser.close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    yield context
    context.close()


def run_async(coroutine: Any) -> Any:
    with ThreadPoolExecutor(1) as thread:  # Playwright's own loop runs in this thread
        return thread.submit(asyncio.run, coroutine).result(timeout=60)


def session_cookie(context: BrowserContext) -> dict:
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert "ftapp_session" not in cookies  # over https only the prefixed one
    return dict(cookies[SESSION])


def assert_host_only_secure_cookie(cookie: dict) -> None:
    assert cookie["secure"] is True
    assert cookie["httpOnly"] is True
    assert cookie["path"] == "/"
    assert cookie["sameSite"] == "Lax"
    assert cookie["domain"] == "127.0.0.1"  # no Domain attribute: this host only


def password_attempt(
    client: httpx.Client, origin: str, username: str, password: str
) -> httpx.Response:
    """The sign-in form, filled and sent, with a forged X-Forwarded-For."""
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None, form.text
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf.group(1), "next": "/"},
        headers={"origin": origin, "x-forwarded-for": FORGED},
    )


def activity_lines(app: ServerProcess, job_name: str, seconds: float = 10) -> list[tuple]:
    """The activity log's lines about ``job_name`` (who, action, outcome, address), once there
    is one: the app writes them in the background, just after the action answers."""
    deadline = time.monotonic() + seconds
    while True:
        with sqlite3.connect(app.db_url.removeprefix("sqlite:///")) as db:
            lines = db.execute(
                "SELECT username, action, outcome, address FROM activity WHERE job_name = ?",
                (job_name,),
            ).fetchall()
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


# --- signing in, over https ------------------------------------------------------------------


def test_the_link_signs_in_with_a_secure_host_cookie_hsts_and_a_live_dashboard(
    context: BrowserContext, proxied: Proxied
) -> None:
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    response = page.goto(f"{proxied.origin}/login?token={ACCESS_TOKEN}")
    expect(page).to_have_url(re.compile(re.escape(proxied.origin) + r"/w/default/?$"))
    wait_until_live(page)
    assert response is not None
    assert response.headers.get("strict-transport-security") == HSTS
    assert_host_only_secure_cookie(session_cookie(context))
    assert sockets, "the page opened no WebSocket"
    wss = proxied.origin.replace("https://", "wss://") + "/_event"
    assert all(url.startswith(wss) for url in sockets), sockets

    # The dashboard follows the job list over the proxied WebSocket: no reload.
    page.evaluate("window.stillTheSamePage = true")
    api = SandboxApi(proxied.app.url + "/sandbox/api")
    job = api.create("arrived-through-caddy")
    try:
        expect(page.get_by_role("link", name="arrived-through-caddy")).to_be_visible(timeout=20_000)
        assert page.evaluate("window.stillTheSamePage === true")
    finally:
        api.delete(job["id"])
        api.close()


def test_a_password_signs_in_through_the_proxy(context: BrowserContext, proxied: Proxied) -> None:
    page = context.new_page()
    page.goto(proxied.origin + "/")
    expect(page).to_have_url(re.compile(re.escape(proxied.origin) + r"/login(\?next=.*)?$"))
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_label("Signed in as")).to_have_text("pat · operator")
    wait_until_live(page)
    assert_host_only_secure_cookie(session_cookie(context))


def test_every_response_through_the_proxy_asks_for_https_only(proxied: Proxied) -> None:
    with proxied.client(MEMBER) as client:
        for path in ("/login", "/healthz", "/w/default"):
            response = client.get(path)
            assert response.headers.get("strict-transport-security") == HSTS, path


# --- another site ----------------------------------------------------------------------------


def test_a_foreign_origin_is_refused_through_the_proxy(proxied: Proxied) -> None:
    with proxied.client(MEMBER) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        posted = client.post(
            "/login",
            data={"username": "pat", "password": PASSWORD, "csrf": csrf.group(1)},
            headers={"origin": EVIL},
        )
        assert posted.status_code == 403
        assert "Cross-site request refused." in posted.text
        linked = client.get("/login", params={"token": ACCESS_TOKEN})
        assert linked.status_code == 303
        cookie = f"{SESSION}={linked.cookies[SESSION]}"

    async def open_socket(origin: str) -> None:
        async with RawReflexClient.connect(
            proxied.origin,
            origin=origin,
            cookie=cookie,
            tls=proxied.caddy.ssl_context(),
            local_address=MEMBER,
        ) as socket:
            await socket.hydrate("/w/default")

    run_async(open_socket(proxied.origin))  # the same session, from the app's own origin
    with pytest.raises(Refused) as refused:
        run_async(open_socket(EVIL))
    assert refused.value.status_code == 403


# --- the client's address: X-Forwarded-For through one trusted hop ---------------------------


def test_the_throttle_and_the_activity_log_see_the_client_not_the_proxy_nor_a_forgery(
    context: BrowserContext, proxied: Proxied
) -> None:
    # A guesser behind the proxy tries a new username each time, each time with a forged
    # X-Forwarded-For: its attempts count against its own address, so it gets locked.
    guesser = proxied.client(GUESSER)
    statuses: list[int] = []
    locked = 0
    for attempt in range(16):
        response = password_attempt(guesser, proxied.origin, f"guess-{attempt}", "wrong")
        statuses.append(response.status_code)
        if response.status_code == 429:
            locked = int(response.headers["retry-after"])
            if locked >= 4:  # long enough to check the others below while it lasts
                break
            time.sleep(locked)
    assert locked >= 4, statuses
    assert set(statuses) == {401, 429}, statuses
    # Another client behind the same proxy is not locked with it (the proxy's own address,
    # which every request comes from, is not what is counted); the guesser still is.
    with proxied.client(MEMBER) as member:
        assert password_attempt(member, proxied.origin, "someone-else", "wrong").status_code == 401
        assert password_attempt(guesser, proxied.origin, "guess-last", "wrong").status_code == 429
        wrong_link = member.get(
            "/login", params={"token": "not-the-token"}, headers={"x-forwarded-for": FORGED}
        )
        assert wrong_link.status_code == 403  # and a WARNING line naming the address
        signed_in = password_attempt(member, proxied.origin, "pat", PASSWORD)
        assert signed_in.status_code == 303, signed_in.text
        cookie = f"{SESSION}={signed_in.cookies[SESSION]}"
    guesser.close()

    # The member deletes a job over a WebSocket of their own, through the proxy, forging again.
    api = SandboxApi(proxied.app.url + "/sandbox/api")
    job = api.create("deleted-through-caddy")
    api.close()

    async def delete_job() -> None:
        async with RawReflexClient.connect(
            proxied.origin,
            origin=proxied.origin,
            cookie=cookie,
            tls=proxied.caddy.ssl_context(),
            local_address=MEMBER,
            headers={"x-forwarded-for": FORGED},
        ) as socket:
            await socket.hydrate("/w/default")
            await socket.replies(within=2)
            await socket.send(DashboardState, "confirm_delete", {"job_id": job["id"]})
            deleted = lambda reply: "Deleted" in str(reply.events)  # noqa: E731
            assert any(deleted(r) for r in await socket.replies(within=15, until=deleted))

    run_async(delete_job())
    assert activity_lines(proxied.app, "deleted-through-caddy") == [
        ("pat", "delete", "done", MEMBER)
    ]

    # The admin reads it on the activity page, through the proxy.
    page = context.new_page()
    page.goto(f"{proxied.origin}/login?token={ACCESS_TOKEN}&next=/w/default/activity")
    row = page.get_by_role("row").filter(has_text="deleted-through-caddy")
    expect(row).to_contain_text("pat")
    expect(row).to_contain_text(f"from {MEMBER}")

    log = proxied.app.log()
    assert f"Refused a sign-in link with a wrong token (address:{MEMBER})." in log
    assert FORGED not in log
