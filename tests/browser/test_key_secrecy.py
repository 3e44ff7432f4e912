"""The API keys never reach the browser: not in pages, scripts, headers, frames or console;
the sign-in session's token only in its cookie, and neither in the server's log.

The app runs with a distinctive key (the embedded sandbox is told to accept it); the test
visits every page, deletes a job, provokes upstream errors, and searches everything the
browser received or sent for the key. Stored workspaces' keys likewise: added on the admin
page (and a refused one), rotated there, added with the CLI; every page of the workspace
visited; each key only in the one frame that carries it from the form to the server, and
in no log, activity line or byte of the app's SQLite database.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.wizard_pages import complete_setup, step_url
from tests.helpers.browser import AppServers, SandboxApi, wait_until_live
from tests.helpers.servers import (
    ACCESS_TOKEN,
    KEYS_SECRET,
    SESSION_COOKIE,
    ServerProcess,
)
from tests.helpers.workspaces import distinctive_key, encodings, holds_in_clear, sqlite_bytes

SECRET = "ftk-SECRET-7c1d9e40-DO-NOT-LEAK"
EMBEDDED_URL = "http://sandbox.embedded/api"
ADDED_KEY = distinctive_key("a1d5")
"""Stored on the admin page, then rotated away."""
ROTATED_KEY = distinctive_key("r0t8")
"""The admin page's New key."""
CLI_KEY = distinctive_key("c1i9")
"""Stored with ``ftapp workspaces add``."""
WRONG_KEY = distinctive_key("n0p3")
"""Typed in the Add form and in New key: the API refuses it."""
STORED_KEYS = (ADDED_KEY, ROTATED_KEY, CLI_KEY, WRONG_KEY)
KEY_EVENTS = ("add_workspace", "rotate_key")
"""The admin page's events whose argument is a key typed in its form."""
STORED_TEAM, STORED_SLUG = "Stored Team", "stored-team"
CLI_TEAM, CLI_SLUG = "Cli Team", "cli-team"
NEW_JOB = "stored-secret-job"
SANDBOX_KEYS = {
    SECRET: {"workspace": "secret", "permissions": ["read", "create", "delete"], "seed": True},
    ADDED_KEY: {"workspace": "stored", "seed": True},
    ROTATED_KEY: {"workspace": "stored", "seed": True},
    CLI_KEY: {"workspace": "from-cli", "seed": True},
}


class Recorder:
    """Everything that crossed between the browser and the app, as text."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.frames = 0

    def add(self, where: str, text: str | bytes | None) -> None:
        if text is None:
            return
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        self.texts.append((where, text))

    def attach(self, page: Page) -> None:
        page.on("console", lambda message: self.add("console", message.text))
        page.on("pageerror", lambda error: self.add("page error", str(error)))
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("websocket", self._websocket)

    def _request(self, request) -> None:
        self.add(f"request {request.url}", request.url)
        self.add(f"request headers {request.url}", json.dumps(request.all_headers()))
        self.add(f"request body {request.url}", request.post_data)

    def _response(self, response) -> None:
        self.add(f"response headers {response.url}", json.dumps(response.all_headers()))
        with contextlib.suppress(PlaywrightError):  # redirects and aborted requests: no body
            self.add(f"response body {response.url}", response.body())

    def _websocket(self, ws) -> None:
        def frame(direction: str):
            def record(payload: str | bytes) -> None:
                self.frames += 1
                self.add(f"websocket {direction}", payload)

            return record

        ws.on("framesent", frame("sent"))
        ws.on("framereceived", frame("received"))

    def leaks(self) -> list[str]:
        return [where for where, text in self.texts if SECRET in text]

    def contains(self, needle: str) -> bool:
        return any(needle in text for _, text in self.texts)

    def snapshot(self, page: Page) -> None:
        """The page's document as it stands (what the browser rendered from frames)."""
        self.add(f"page {page.url}", page.content())

    def carriers(self, key: str) -> list[str]:
        """Where ``key`` (in any of its encodings) was seen, but for the frames that send it
        as the argument of the admin page's event."""
        return [
            where
            for where, text in self.texts
            if _holds(key, text) and not (where == "websocket sent" and typed_key_frame(text, key))
        ]

    def typed_key_frames(self, key: str) -> int:
        """How many frames the browser sent with ``key`` as an admin page event's argument."""
        return sum(
            where == "websocket sent" and typed_key_frame(text, key) for where, text in self.texts
        )


def _holds(key: str, text: str) -> bool:
    return any(encoded.decode() in text for encoded in encodings(key))


def typed_key_frame(payload: str, key: str) -> bool:
    """True when the Socket.IO frame ``payload`` is the event adding a workspace or storing its
    new key, with ``key`` as its ``key`` argument and nowhere else in the frame."""
    try:
        message = json.loads(payload[payload.index("[") :])
    except ValueError:
        return False
    if not (isinstance(message, list) and len(message) == 2 and message[0] == "event"):
        return False
    event = message[1]
    if not isinstance(event, dict) or not isinstance(event.get("payload"), dict):
        return False
    handler = str(event.get("name", "")).rsplit(".", 1)[-1]
    if handler not in KEY_EVENTS or event["payload"].get("key") != key:
        return False
    rest = {**event, "payload": {**event["payload"], "key": ""}}
    return not _holds(key, json.dumps(rest))


@pytest.fixture(scope="module")
def secret_sandbox_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One sandbox database for the module's tests: the same app serves them all."""
    return tmp_path_factory.mktemp("secret") / "sandbox.db"


@pytest.fixture
def secret_app(app_servers: AppServers, secret_sandbox_db: Path) -> ServerProcess:
    return app_servers.get(
        {
            "FT_SANDBOX_DB": str(secret_sandbox_db),
            "FT_API_KEY": SECRET,
            "FT_SANDBOX_KEYS": json.dumps(SANDBOX_KEYS),
        }
    )


@pytest.fixture
def recorded_page(browser: Browser) -> Iterator[tuple[Page, Recorder]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    recorder = Recorder()
    recorder.attach(page)
    yield page, recorder
    context.close()


def test_the_key_never_reaches_the_browser(
    secret_app: ServerProcess, recorded_page: tuple[Page, Recorder], tmp_path: Path
) -> None:
    page, recorder = recorded_page
    api = SandboxApi(secret_app.url + "/sandbox/api", key=SECRET)
    victim = api.create("secret-victim")
    gone = api.create("already-gone")

    page.goto(secret_app.url + "/")
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="secret-victim")).to_be_visible()

    # Every page: a job, the wizard, an unknown job (an upstream 404).
    table.get_by_role("link", name="secret-victim").click()
    expect(page.get_by_role("heading", name="secret-victim")).to_be_visible()
    page.goto(secret_app.url + "/jobs/new")
    expect(page.get_by_role("heading", name="New job", level=1)).to_be_visible()
    page.goto(secret_app.url + "/jobs/not-a-real-job")
    expect(page.get_by_role("heading", name="Job not found")).to_be_visible()

    # Delete one job, and one that is already gone (another upstream 404).
    page.goto(secret_app.url + "/")
    page.get_by_role("button", name="Delete secret-victim").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted “secret-victim”.")).to_be_visible()
    page.get_by_role("button", name="Delete already-gone").click()
    api.delete(gone["id"])
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("“already-gone” was already deleted.")).to_be_visible()
    api.close()

    # The recording saw real traffic, so an empty pass is impossible.
    assert recorder.frames > 10
    assert recorder.contains("secret-victim")
    assert recorder.contains("<html")
    assert any(where.startswith("response body") and ".js" in where for where, _ in recorder.texts)
    assert recorder.leaks() == []
    assert victim["id"]

    # The session is as secret: its token travels only in the Cookie and Set-Cookie headers.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    carriers = ("response body", "websocket", "console", "page error", "request body")
    assert [
        where for where, text in recorder.texts if where.startswith(carriers) and token in text
    ] == []
    log = secret_app.log()
    assert token not in log
    assert SECRET not in log
    assert ACCESS_TOKEN not in log


# --- stored workspaces' keys -------------------------------------------------------------------


def workspace_row(page: Page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def open_admin_page(page: Page, app: ServerProcess, recorder: Recorder) -> None:
    page.goto(app.url + "/admin/workspaces")
    expect(page.get_by_role("heading", name="Workspaces", level=1)).to_be_visible()
    wait_until_live(page)
    recorder.snapshot(page)


def open_workspace_page(page: Page, app: ServerProcess, tail: str, heading: str) -> None:
    page.goto(f"{app.url}/w/{STORED_SLUG}{tail}")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    wait_until_live(page)


def activity_text(db_url: str) -> str:
    """Every line of the app's activity log, every column, as text."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM activity")).all()
    finally:
        engine.dispose()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def test_stored_workspaces_keys_never_reach_the_browser_a_log_or_the_database_in_clear(
    secret_app: ServerProcess, recorded_page: tuple[Page, Recorder], tmp_path: Path
) -> None:
    page, recorder = recorded_page
    app = secret_app
    assert app.env["FT_KEYS_SECRET"] == KEYS_SECRET

    # The CLI stores one (its embedded sandbox knows the key as the app's does).
    cli_sandbox = {
        "FT_SANDBOX_KEYS": json.dumps({CLI_KEY: SANDBOX_KEYS[CLI_KEY]}),
        "FT_SANDBOX_DB": str(tmp_path / "cli-sandbox.db"),
    }
    added = app.run_cli(
        "workspaces",
        "add",
        CLI_TEAM,
        "--api-url",
        EMBEDDED_URL,
        stdin=CLI_KEY + "\n",
        env=cli_sandbox,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    recorder.add("cli output", added.stdout + added.stderr)

    # The admin page: a key the API refuses adds nothing, then a working one is stored.
    open_admin_page(page, app, recorder)
    expect(workspace_row(page, CLI_TEAM)).to_contain_text(f"key …{CLI_KEY[-4:]}")
    page.get_by_label("Name", exact=True).fill(STORED_TEAM)
    page.get_by_label("API key").fill(WRONG_KEY)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("The API refused this key (401 Unauthorized).")).to_be_visible()
    recorder.snapshot(page)
    page.get_by_label("API key").fill(ADDED_KEY)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text(f"Added workspace {STORED_TEAM} ({STORED_SLUG}).")).to_be_visible()
    expect(workspace_row(page, STORED_TEAM)).to_contain_text(f"key …{ADDED_KEY[-4:]}")
    recorder.snapshot(page)

    # The workspace on its first key (its API's demo jobs), and the CLI's workspace.
    open_workspace_page(page, app, "", "Fine-tuning jobs")
    jobs = page.get_by_role("table", name="Jobs")
    expect(jobs.get_by_role("link", name="support-bot-llama")).to_be_visible()
    page.goto(f"{app.url}/w/{CLI_SLUG}")
    expect(page.get_by_role("table", name="Jobs").get_by_role("link").first).to_be_visible()
    recorder.snapshot(page)

    # New key: a refused one keeps the old, then the new one is stored.
    open_admin_page(page, app, recorder)
    page.get_by_role("button", name=f"New key {STORED_TEAM}").click()
    dialog = page.get_by_role("dialog", name=f"New key for {STORED_TEAM}")
    dialog.get_by_label("New API key").fill(WRONG_KEY)
    dialog.get_by_role("button", name="Check and store").click()
    expect(dialog).to_contain_text("The API refused this key (401 Unauthorized).")
    recorder.snapshot(page)
    dialog.get_by_label("New API key").fill(ROTATED_KEY)
    dialog.get_by_role("button", name="Check and store").click()
    expect(dialog).to_contain_text("New key stored.")
    dialog.get_by_role("button", name="Close").click()
    expect(workspace_row(page, STORED_TEAM)).to_contain_text(f"key …{ROTATED_KEY[-4:]}")
    expect(workspace_row(page, STORED_TEAM)).not_to_contain_text(ADDED_KEY[-4:])
    recorder.snapshot(page)
    page.get_by_role("button", name=f"Members {STORED_TEAM}").click()
    members = page.get_by_role("dialog", name=f"Members of {STORED_TEAM}")
    expect(members.get_by_text("No members yet.")).to_be_visible()
    recorder.snapshot(page)
    members.get_by_role("button", name="Close").click()

    # Every page of the workspace on its new key: a job created, its page, an unknown job
    # (the API's 404), the job deleted, the history, two jobs compared, the activity.
    open_workspace_page(page, app, "", "Fine-tuning jobs")
    links = jobs.get_by_role("link")
    expect(links.first).to_be_visible()
    compared = [links.nth(n).get_attribute("href") or "" for n in (0, 1)]
    recorder.snapshot(page)
    open_workspace_page(page, app, "/jobs/new", "New job")
    complete_setup(page, NEW_JOB)
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("review"))
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(f"{app.url}/w/{STORED_SLUG}")
    jobs.get_by_role("link", name=NEW_JOB).click()
    expect(page.get_by_role("heading", name=NEW_JOB)).to_be_visible()
    recorder.snapshot(page)
    page.goto(f"{app.url}/w/{STORED_SLUG}/jobs/not-a-real-job")
    expect(page.get_by_role("heading", name="Job not found")).to_be_visible()
    recorder.snapshot(page)
    open_workspace_page(page, app, "", "Fine-tuning jobs")
    page.get_by_role("button", name=f"Delete {NEW_JOB}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text(f"Deleted “{NEW_JOB}”.")).to_be_visible()
    recorder.snapshot(page)
    open_workspace_page(page, app, "/history", "History")
    expect(page.get_by_role("table", name="Recorded jobs")).to_contain_text("support-bot-llama")
    recorder.snapshot(page)
    ids = ",".join(href.rsplit("/", 1)[-1] for href in compared)
    open_workspace_page(page, app, f"/history/compare?ids={ids}", "Compare jobs")
    expect(page.get_by_role("table", name="Compared jobs")).to_be_visible()
    recorder.snapshot(page)
    open_workspace_page(page, app, "/activity", "Activity")
    expect(page.get_by_role("row").filter(has_text=NEW_JOB)).to_have_count(2)
    recorder.snapshot(page)

    # The recording saw the workspaces: their pages, each key's end on the admin page, and
    # the frames that carried each typed key to the server (the only place a key may be).
    assert recorder.frames > 20
    received = "\n".join(text for where, text in recorder.texts if where == "websocket received")
    for key in (ADDED_KEY, ROTATED_KEY, CLI_KEY):
        assert f"key …{key[-4:]}" in received, key[-4:]
    assert NEW_JOB in received
    sent = {key: recorder.typed_key_frames(key) for key in STORED_KEYS}
    assert sent == {ADDED_KEY: 1, ROTATED_KEY: 1, CLI_KEY: 0, WRONG_KEY: 2}
    for key in (*STORED_KEYS, SECRET, KEYS_SECRET):
        assert recorder.carriers(key) == [], key

    # Nor in the server's log, the activity log or the app database's files (with its WAL).
    log = app.log()
    assert "Added workspace" in added.stdout
    activity = activity_text(app.db_url)
    assert NEW_JOB in activity
    stored = sqlite_bytes(app.db_url)
    assert STORED_TEAM.encode() in stored
    assert CLI_TEAM.encode() in stored
    for key in (*STORED_KEYS, SECRET, KEYS_SECRET):
        assert not _holds(key, log), key
        assert not _holds(key, activity), key
        assert not holds_in_clear(key, stored), key
