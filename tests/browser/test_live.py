"""Live statuses from the shared poller, against a standalone sandbox the tests control.

The app polls every 0.5 s here (FT_POLL_*), and the sandbox runs simulated time 10x faster,
so a one-epoch job finishes in about 3-5 s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from ftapp.sandbox.lifecycle import simulated_outcome
from ftapp.settings import SANDBOX_DEMO_KEY
from tests.helpers.browser import ARTIFACTS, AppServers, SandboxApi
from tests.helpers.servers import SandboxLauncher, SandboxProcess, ServerProcess

POLL_SECONDS = "0.5"


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A standalone sandbox (speed 10) that tests may stop and start on the same port."""
    launcher = SandboxLauncher(tmp_path_factory.mktemp("live-upstream"))
    yield launcher(speed=10)
    launcher.stop_all()


@pytest.fixture
def live_app(app_servers: AppServers, upstream: SandboxProcess) -> ServerProcess:
    if not upstream.running:
        upstream.start(upstream.port)
    return app_servers.get(
        {
            "FT_API_BASE_URL": upstream.api_url,
            "FT_API_KEY": SANDBOX_DEMO_KEY,
            "FT_POLL_RUNNING_SECONDS": POLL_SECONDS,
            "FT_POLL_IDLE_SECONDS": POLL_SECONDS,
            "FT_POLL_MAX_BACKOFF_SECONDS": "2",
        }
    )


@pytest.fixture
def api(upstream: SandboxProcess) -> Iterator[SandboxApi]:
    client = SandboxApi(upstream.api_url, key=SANDBOX_DEMO_KEY)  # a standalone sandbox
    yield client
    client.close()


def _list_job_requests(upstream: SandboxProcess) -> int:
    stats = httpx.get(
        upstream.api_url + "/_sandbox/stats", headers={"x-api-key": SANDBOX_DEMO_KEY}, timeout=5
    ).json()
    return stats["requests"].get("list_jobs", 0)


def test_status_and_cards_change_without_a_reload_in_two_tabs(
    browser: Browser, live_app: ServerProcess, api: SandboxApi
) -> None:
    tabs = []
    for _ in range(2):
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(live_app.url + "/")
        expect(tab.get_by_role("table", name="Jobs")).to_be_visible()
        tabs.append(tab)
    try:
        job = api.create("quick-one", epochs=1, evaluationEpochs=0, warmupEpochs=0)
        final = simulated_outcome(job["id"])
        for tab in tabs:
            row = tab.get_by_role("row").filter(has=tab.get_by_role("link", name="quick-one"))
            expect(row).to_contain_text("Running", timeout=10_000)
        for tab in tabs:
            row = tab.get_by_role("row").filter(has=tab.get_by_role("link", name="quick-one"))
            expect(row).to_contain_text(final, timeout=20_000)
            summary = api.jobs()["summary"]
            expect(tab.get_by_role("group", name="Running", exact=True)).to_contain_text(
                str(summary["running"])
            )
            expect(tab.get_by_role("group", name=final, exact=True)).to_contain_text(
                str(summary[final.lower()])
            )
    finally:
        for tab in tabs:
            tab.close()


def test_five_tabs_cost_the_upstream_about_as_much_as_one(
    browser: Browser, live_app: ServerProcess, upstream: SandboxProcess
) -> None:
    """The shared poller: request counts over equal windows, compared as a ratio."""
    context = browser.new_context()

    def open_tabs_and_count(tabs: int) -> int:
        for _ in range(tabs):
            tab = context.new_page()
            tab.goto(live_app.url + "/")
            expect(tab.get_by_role("table", name="Jobs")).to_be_visible()
        time.sleep(1)  # the pokes of arriving tabs fall outside the window
        before = _list_job_requests(upstream)
        time.sleep(4.0)
        return _list_job_requests(upstream) - before

    try:
        one_tab = open_tabs_and_count(1)
        five_tabs = open_tabs_and_count(4)  # 1 + 4 open now
    finally:
        context.close()

    assert one_tab >= 3, f"the poller should have polled during the window ({one_tab})"
    assert five_tabs <= one_tab * 1.5 + 1, (one_tab, five_tabs)


def test_banner_when_the_upstream_goes_down_and_recovery_by_itself(
    page: Page, live_app: ServerProcess, upstream: SandboxProcess
) -> None:
    page.goto(live_app.url + "/")
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()
    freshness = page.get_by_role("status", name="Live updates")
    expect(freshness).to_have_text("Live")

    upstream.stop()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Live updates paused", timeout=15_000)
    expect(alert).to_contain_text("cannot be reached")
    expect(freshness).to_have_text(re.compile(r"^Updated \d+ s ago$"))  # the last good list
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()  # last data stays
    page.screenshot(path=ARTIFACTS / "dashboard-upstream-down.png", full_page=True)

    upstream.start(upstream.port)
    expect(page.get_by_role("alert")).to_have_count(0, timeout=15_000)
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()
    expect(freshness).to_have_text("Live")


def test_job_page_status_updates_live(page: Page, live_app: ServerProcess, api: SandboxApi) -> None:
    job = api.create("watch-me", epochs=1, evaluationEpochs=0, warmupEpochs=0)
    page.goto(f"{live_app.url}/jobs/{job['id']}")
    expect(page.get_by_role("heading", name="watch-me")).to_be_visible()
    expect(page.locator("dl")).to_contain_text(simulated_outcome(job["id"]), timeout=20_000)
