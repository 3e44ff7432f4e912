"""Sign-in in the browser: the gate, the three ways in (the token link, an account, single
sign-on against a real OpenID provider on loopback), sign-out, an expired session, each role's
view, and a viewer's crafted events that change nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from ftapp import routes
from ftapp.pages.dashboard.state import DashboardState
from ftapp.pages.new_job.state import NewJobState
from tests.helpers.accessibility import serious_violations
from tests.helpers.browser import ARTIFACTS, AppServers, wait_until_live
from tests.helpers.rawsocket import RawReflexClient
from tests.helpers.servers import ACCESS_TOKEN, SANDBOX_DRIVER_KEY, SESSION_COOKIE, ServerProcess

DEMO = {"x-api-key": SANDBOX_DRIVER_KEY}
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def oidc_issuer() -> Iterator[str]:
    """A real OpenID provider on loopback, knowing two people and their roles."""
    people = [
        User(sub="carol", claims={"email": "carol@example.test", "role": "operator"}),
        User(sub="vince", claims={"email": "vince@example.test", "role": "viewer"}),
    ]
    with run_server_in_thread(port=0, require_nonce=True, user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sign_in_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sign-in") / "sandbox.db"


@pytest.fixture
def app(app_servers: AppServers, sign_in_db: Path, oidc_issuer: str) -> ServerProcess:
    return app_servers.get(
        {
            "FT_SANDBOX_DB": str(sign_in_db),
            "FT_OIDC_ISSUER": oidc_issuer,
            "FT_OIDC_CLIENT_ID": "ftapp-test",
            "FT_OIDC_CLIENT_SECRET": "ftapp-test-secret",
        }
    )


def add_user(app: ServerProcess, name: str, role: str) -> None:
    result = app.run_cli("users", "remove", name)
    result = app.run_cli("users", "add", name, "--role", role, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


def sign_in_with_password(page: Page, app: ServerProcess, name: str, path: str = "/") -> None:
    page.goto(app.url + path)
    expect(page).to_have_url(re.compile(r"/login(\?next=.*)?$"))
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # Back where they were going (a path from before workspaces: the default workspace's); a
    # full page load of /w/default/jobs/new is served from its folder, /w/default/jobs/new/.
    path_part, _, query = path.partition("?")
    target = routes.legacy_target(path_part, "", None) or path_part
    landed = (
        re.escape(app.url + target.rstrip("/")) + "/?" + (re.escape("?" + query) if query else "")
    )
    expect(page).to_have_url(re.compile(f"^{landed}$"))


def signed_in_as(page: Page) -> str:
    return page.get_by_label("Signed in as").inner_text()


def upstream_calls(app: ServerProcess) -> dict[str, int]:
    stats = httpx.get(f"{app.url}/sandbox/api/_sandbox/stats", headers=DEMO, timeout=10)
    return stats.json()["requests"]


def session_cookie(page: Page) -> str:
    cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    return f"{SESSION_COOKIE}={cookie['value']}"


# --- the gate ---------------------------------------------------------------------------------


def test_a_visitor_gets_the_sign_in_page_not_the_app(visitor: Page, app: ServerProcess) -> None:
    before = upstream_calls(app)
    visitor.goto(app.url + "/jobs/new?step=configure")
    expect(visitor).to_have_url(re.compile(r"/login\?next=/jobs/new"))
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(visitor.get_by_label("Username")).to_be_visible()
    expect(visitor.get_by_label("Password")).to_be_visible()
    expect(visitor.get_by_role("link", name="Sign in with SSO")).to_be_visible()
    visitor.wait_for_timeout(1000)
    assert visitor.get_by_role("heading", name="Fine-tuning jobs").count() == 0
    assert upstream_calls(app) == before  # nothing asked the API for a visitor
    answer = httpx.get(app.url + "/", headers={"accept": "text/html"}, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")


# --- three ways in ----------------------------------------------------------------------------


def test_the_printed_link_signs_in_as_the_local_admin(visitor: Page, app: ServerProcess) -> None:
    visitor.goto(f"{app.url}/login?token={ACCESS_TOKEN}")
    expect(visitor).to_have_url(app.url + "/w/default")  # the token left the address bar
    expect(visitor.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    expect(visitor.get_by_label("Signed in as")).to_have_text("admin · admin")
    assert "Open ftapp: " in app.log()


def test_a_wrong_link_signs_nobody_in(visitor: Page, app: ServerProcess) -> None:
    visitor.goto(f"{app.url}/login?token=not-the-token-of-this-start")
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not any(c["name"] == SESSION_COOKIE for c in visitor.context.cookies())


def test_an_account_signs_in_with_username_and_password(visitor: Page, app: ServerProcess) -> None:
    add_user(app, "olga", "operator")
    sign_in_with_password(visitor, app, "olga", "/jobs/new?step=setup")
    expect(visitor.get_by_label("Signed in as")).to_have_text("olga · operator")
    expect(visitor.get_by_role("heading", name="New job")).to_be_visible()
    listed = app.run_cli("users", "list")
    assert "olga" in listed.stdout
    assert "argon2" not in listed.stdout


@pytest.mark.parametrize(("name", "password"), [("olga", "wrong password"), ("nobody", PASSWORD)])
def test_a_failed_sign_in_does_not_say_which_part_was_wrong(
    visitor: Page, app: ServerProcess, name: str, password: str
) -> None:
    add_user(app, "olga", "operator")
    visitor.goto(app.url + "/login")
    visitor.get_by_label("Username").fill(name)
    visitor.get_by_label("Password").fill(password)
    visitor.get_by_role("button", name="Sign in", exact=True).click()
    expect(visitor.get_by_text("Wrong username or password.")).to_be_visible()
    expect(visitor.get_by_label("Username")).to_have_value(name)


def test_single_sign_on_takes_the_role_from_the_provider(visitor: Page, app: ServerProcess) -> None:
    visitor.goto(app.url + "/")
    visitor.get_by_role("link", name="Sign in with SSO").click()
    expect(visitor.get_by_role("heading", name="Authorize Client")).to_be_visible()
    visitor.get_by_placeholder("sub").fill("carol")
    visitor.get_by_role("button", name="Authorize").click()
    expect(visitor).to_have_url(app.url + "/w/default")
    expect(visitor.get_by_label("Signed in as")).to_have_text("carol@example.test · operator")
    expect(visitor.get_by_role("button", name="New job")).to_be_enabled()


# --- leaving ----------------------------------------------------------------------------------


def test_sign_out_ends_the_session(page: Page, app: ServerProcess) -> None:
    page.goto(app.url + "/")
    wait_until_live(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    page.goto(app.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_expired_session_goes_back_to_sign_in(visitor: Page, app: ServerProcess) -> None:
    add_user(app, "olga", "operator")
    sign_in_with_password(visitor, app, "olga")
    expect(visitor.get_by_role("table")).to_be_visible()
    with sqlite3.connect(app.db_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE auth_session SET expires_at = 0")
    # Any event is checked; the sweep (every 2 s) may send the page away first, and then
    # the button is gone before the click: either way the page goes back to sign-in.
    with contextlib.suppress(PlaywrightError):
        visitor.get_by_role("button", name="Name").click(timeout=3000)
    expect(visitor).to_have_url(re.compile(r"/login(\?next=.*)?$"))
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()


# --- roles ------------------------------------------------------------------------------------


def test_a_viewer_sees_what_is_off_and_why(visitor: Page, app: ServerProcess) -> None:
    add_user(app, "vera", "viewer")
    sign_in_with_password(visitor, app, "vera")
    expect(visitor.get_by_label("Signed in as")).to_have_text("vera · viewer")
    expect(visitor.get_by_role("button", name="New job")).to_be_disabled()
    expect(visitor.get_by_text("Viewers may not create jobs.")).to_be_visible()
    first_delete = visitor.get_by_role("button", name=re.compile("^Delete "))
    expect(first_delete.first).to_be_disabled()
    expect(visitor.get_by_role("link", name="Activity")).to_have_count(0)

    visitor.get_by_role("row").nth(1).get_by_role("link").first.click()
    expect(visitor).to_have_url(re.compile(r"/jobs/"))
    delete = visitor.get_by_role("button", name="Delete", exact=True)
    clone = visitor.get_by_role("button", name="Clone", exact=True)
    expect(delete).to_be_disabled()
    expect(delete).to_have_accessible_description("Viewers may not delete jobs.")
    expect(clone).to_be_disabled()
    expect(clone).to_have_accessible_description("Viewers may not create jobs.")

    visitor.goto(app.url + "/activity")
    expect(visitor.get_by_text("Only admins see the activity log.")).to_be_visible()


def test_a_viewers_crafted_events_reach_no_api_and_are_logged(
    visitor: Page, page: Page, app: ServerProcess
) -> None:
    add_user(app, "vera", "viewer")
    sign_in_with_password(visitor, app, "vera")
    job_id = visitor.get_by_role("row").nth(1).get_by_role("link").first.get_attribute("href")
    job_id = job_id.rsplit("/", 1)[1]
    cookie = session_cookie(visitor)
    before = upstream_calls(app)

    async def craft() -> None:
        async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as script:
            await script.hydrate("/")
            await script.replies(within=1)
            await script.send(DashboardState, "confirm_delete", {"job_id": job_id})
            await script.replies(within=1)
        wizard = "/jobs/new?step=setup"
        async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as script:
            await script.hydrate(wizard)
            await script.replies(within=1)
            fields = {"name": "made-by-a-viewer", "baseModel": "meta-llama/Llama-3.1-8B-Instruct"}
            for name, value in fields.items():
                await script.send(NewJobState, "set_field", {"name": name, "value": value}, wizard)
            for _ in range(2):  # set up -> configure -> review
                await script.send(NewJobState, "go_next", {}, wizard)
            # Submit is a background event, which Reflex runs at once, ahead of the events
            # queued before it: send it once the form is on its last step, as a page would.
            at_review = lambda reply: '"step_rx_state_": "review"' in json.dumps(reply.delta)  # noqa: E731
            await script.replies(within=15, until=at_review)
            await script.send(NewJobState, "submit", {}, wizard)
            refused = "Viewers may not create jobs."
            said = lambda reply: refused in json.dumps(reply.delta)  # noqa: E731
            replies = await script.replies(within=15, until=said)
            assert refused in json.dumps([r.delta for r in replies])

    with ThreadPoolExecutor(1) as thread:  # Playwright's own loop runs in this thread
        thread.submit(asyncio.run, craft()).result(timeout=60)
    after = upstream_calls(app)
    assert after.get("delete_job", 0) == before.get("delete_job", 0)
    assert after.get("create_job", 0) == before.get("create_job", 0)

    page.goto(app.url + "/activity")  # the local admin reads the log
    log = page.get_by_role("table")
    expect(log).to_contain_text("vera")
    expect(log.get_by_role("row").filter(has_text="made-by-a-viewer")).to_contain_text(
        "Refused (role)"
    )
    expect(log.get_by_role("row").filter(has_text="Delete").first).to_contain_text("Refused (role)")


def test_an_operators_create_and_delete_are_in_the_log(page: Page, app: ServerProcess) -> None:
    api = httpx.Client(base_url=app.url + "/sandbox/api", headers=DEMO, timeout=10)
    for job in api.get("/jobs").json()["jobs"][5:]:
        api.delete(f"/jobs/{job['id']}")  # room for one more
    page.goto(app.url + "/jobs/new?step=setup")
    wait_until_live(page)
    page.get_by_label("Job name").fill("logged-create")
    page.get_by_label("Base model").click()
    page.get_by_role("option").first.click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("link", name="logged-create")).to_be_visible()
    page.get_by_role("button", name="Delete logged-create").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("link", name="logged-create")).to_have_count(0)

    page.goto(app.url + "/activity")
    rows = page.get_by_role("row").filter(has_text="logged-create")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Delete")  # newest first
    expect(rows.nth(0)).to_contain_text("Done")
    expect(rows.nth(1)).to_contain_text("Create")
    expect(rows.nth(1)).to_contain_text("admin")

    # On a phone: the same entries as a list of cards, within the screen's width.
    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.get_by_role("table")).to_be_hidden()
    entries = page.get_by_role("list", name="Activity").get_by_role("listitem")
    logged = entries.filter(has_text="logged-create")
    expect(logged).to_have_count(2)
    expect(logged.nth(0)).to_contain_text("Delete logged-create")
    expect(logged.nth(0)).to_contain_text("Done")
    expect(logged.nth(1)).to_contain_text("Create logged-create")
    expect(logged.nth(1)).to_contain_text("admin · admin")
    expect(logged.nth(1).get_by_role("link", name="logged-create")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "activity-375.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
    assert serious_violations(page) == []
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(300)
    assert serious_violations(page) == [], "dark"
