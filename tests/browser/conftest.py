"""Browser tests: the real app in production mode, driven by Playwright in system Chromium
(the helpers live in :mod:`tests.helpers.browser`; here only the fixtures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    Playwright,
    sync_playwright,
)

from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    AppServers,
    SandboxApi,
    signing_contexts,
)
from tests.helpers.servers import SandboxLauncher, SandboxProcess, ServerProcess


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules whose every test runs on the default app (``sandbox_app``) first, in their
    order, then the others in theirs: each app start costs a build's time, and the default
    app would otherwise start again after each module that needs another environment. A
    module's tests stay together (its module-scoped fixtures are made once)."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)

    def on_the_default_app(tests: list[pytest.Item]) -> bool:
        return all("sandbox_app" in getattr(test, "fixturenames", ()) for test in tests)

    ordered = sorted(modules.values(), key=lambda tests: not on_the_default_app(tests))
    items[:] = [item for tests in ordered for item in tests]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with apt-get install chromium")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield signing_contexts(browser)
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def visitor(browser: Browser) -> Iterator[Page]:
    """A page of a browser that has not signed in (and does not do so by itself)."""
    context = browser.plain_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def app_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServers]:
    servers = AppServers(tmp_path_factory.mktemp("apps"))
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def embedded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedded") / "sandbox.db"


@pytest.fixture
def sandbox_app(app_servers: AppServers, embedded_db: Path) -> ServerProcess:
    """The app as `make run` starts it: the embedded sandbox, on a fresh database."""
    return app_servers.get({"FT_SANDBOX_DB": str(embedded_db)})


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[SandboxProcess]:
    """A standalone sandbox (a hosted API stand-in) that a test may stop and start again on
    the same port; stopped after the test."""
    launcher = SandboxLauncher(tmp_path)
    yield launcher()
    launcher.stop_all()


@pytest.fixture
def demo_api(sandbox_app: ServerProcess) -> Iterator[SandboxApi]:
    """The embedded sandbox of ``sandbox_app``, with the demo key; jobs a test creates are
    deleted afterwards."""
    api = SandboxApi(sandbox_app.url + "/sandbox/api")
    before = {job["id"] for job in api.jobs()["jobs"]}
    yield api
    for job in api.jobs()["jobs"]:
        if job["id"] not in before:
            api.delete(job["id"])
    api.close()
