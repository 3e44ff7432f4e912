"""The API key never reaches the browser: not in pages, scripts, headers, frames or console;
the sign-in session's token only in its cookie, and neither in the server's log.

The app runs with a distinctive key (the embedded sandbox is told to accept it); the test
visits every page, deletes a job, provokes upstream errors, and searches everything the
browser received or sent for the key.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.helpers.browser import AppServers, SandboxApi
from tests.helpers.servers import ACCESS_TOKEN, SESSION_COOKIE, ServerProcess

SECRET = "ftk-SECRET-7c1d9e40-DO-NOT-LEAK"


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


@pytest.fixture
def secret_app(app_servers: AppServers, tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    keys = {
        SECRET: {"workspace": "secret", "permissions": ["read", "create", "delete"], "seed": True}
    }
    return app_servers.get(
        {
            "FT_SANDBOX_DB": str(tmp_path_factory.mktemp("secret") / "sandbox.db"),
            "FT_API_KEY": SECRET,
            "FT_SANDBOX_KEYS": json.dumps(keys),
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
