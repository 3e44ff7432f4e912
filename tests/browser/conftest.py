"""Browser tests: the real app in production mode, driven by Playwright in system Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.servers import PROJECT_ROOT, ServerProcess, start_app

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


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with apt-get install chromium")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def sandbox_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The app as `make run` starts it: embedded sandbox, fresh database."""
    workdir = tmp_path_factory.mktemp("app")
    server = start_app(
        {"FT_SANDBOX_DB": str(workdir / "sandbox.db")}, ARTIFACTS / "app-sandbox.log"
    )
    yield server
    server.stop()
