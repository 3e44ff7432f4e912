"""The browser tests' helpers: system Chromium, pages that sign in on their first visit to
an app, one app server at a time, direct calls to an app's sandbox, waiting until a page is
live, a WebSocket held back."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    WebSocketRoute,
    expect,
)

from tests.helpers.servers import (
    ACCESS_TOKEN,
    PROJECT_ROOT,
    SANDBOX_DRIVER_KEY,
    ServerProcess,
    start_app,
)

CHROMIUM = os.environ.get("FT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


APP_ORIGINS: set[str] = set()
"""Origins of the apps the tests started: a page's first visit to one signs in first."""


def wait_until_live(page: Page) -> None:
    """Wait until the page is connected and loaded (its main region stops being busy), as a
    person waits for the data: the server-rendered page shows its controls before that."""
    expect(page.locator("main")).to_have_attribute("aria-busy", "false", timeout=15_000)


class HeldSocket:
    """The page's WebSocket held back (its pages never connect) until :meth:`release`."""

    def __init__(self, page: Page) -> None:
        self.live = False
        page.route_web_socket(re.compile(r"/_event"), self._route)

    def _route(self, route: WebSocketRoute) -> None:
        if self.live:
            route.connect_to_server()

    def release(self) -> None:
        self.live = True


def signing_in(page: Page) -> Page:
    """``page``, whose context's first visit to each app signs in through the app's sign-in
    link (as a person opening the link the server printed), then lands where the test was
    going. Other pages of the context share that session, as tabs of one browser do."""
    original_goto = page.goto
    context = page.context
    if not hasattr(context, "ftapp_signed_in"):
        context.ftapp_signed_in = set()  # type: ignore[attr-defined]
    signed_in: set[str] = context.ftapp_signed_in  # type: ignore[attr-defined]

    def goto(url: str, **kwargs):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in APP_ORIGINS and origin not in signed_in:
            signed_in.add(origin)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            url = f"{origin}/login?token={ACCESS_TOKEN}&next={quote(target or '/', safe='')}"
        return original_goto(url, **kwargs)

    page.goto = goto  # type: ignore[method-assign]
    return page


def signing_contexts(browser: Browser) -> Browser:
    """Every page of every context of ``browser`` signs in on its first visit to an app."""
    new_context = browser.new_context

    def new_signing_context(**kwargs) -> BrowserContext:
        context = new_context(**kwargs)
        new_page = context.new_page
        context.new_page = lambda: signing_in(new_page())  # type: ignore[method-assign]
        return context

    def new_signing_page(**kwargs) -> Page:
        return new_signing_context(**kwargs).new_page()

    browser.plain_context = new_context  # type: ignore[attr-defined]
    browser.new_context = new_signing_context  # type: ignore[method-assign]
    browser.new_page = new_signing_page  # type: ignore[method-assign]
    return browser


class AppServers:
    """At most one app server at a time: a prod build embeds its port, and all builds share
    the project's ``.web`` folder. A request for another environment restarts the app."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.current: ServerProcess | None = None
        self.current_env: dict[str, str] | None = None
        self.starts = 0

    def get(self, env: dict[str, str]) -> ServerProcess:
        if self.current is not None and self.current_env == env:
            return self.current
        self.stop()
        self.starts += 1
        self.current = start_app(env, ARTIFACTS / f"app-{self.starts}.log")
        self.current_env = dict(env)
        APP_ORIGINS.add(self.current.url)
        return self.current

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()
        self.current = self.current_env = None


class SandboxApi:
    """Direct calls to the sandbox an app runs on, to arrange and check what tests need."""

    def __init__(self, base_url: str, key: str = SANDBOX_DRIVER_KEY) -> None:
        self.client = httpx.Client(base_url=base_url, headers={"x-api-key": key}, timeout=10)

    def jobs(self) -> dict:
        response = self.client.get("/jobs")
        response.raise_for_status()
        return response.json()

    def job_names(self) -> list[str]:
        return [job["name"] for job in self.jobs()["jobs"]]

    def create(self, name: str, **overrides) -> dict:
        body = {
            "name": name,
            "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
            "epochs": 3,
            "evaluationEpochs": 1,
            "warmupEpochs": 1,
            "learningRate": 0.0001,
            **overrides,
        }
        response = self.client.post("/jobs", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def delete(self, job_id: str) -> int:
        return self.client.delete(f"/jobs/{job_id}").status_code

    def close(self) -> None:
        self.client.close()
