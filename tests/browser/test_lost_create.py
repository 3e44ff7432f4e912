"""A create whose answer is lost is made once, and the person is told it was: the API makes
the job but the proxy between ftapp and the API drops the answer; while the API cannot be
asked the wizard says it is checking (through a reload too), and once the API answers again
it reports the job created. The workspace holds exactly one such job, and the activity log
one line for it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from ftapp.settings import SANDBOX_DEMO_KEY
from tests.browser.wizard_pages import complete_setup, open_wizard, step_url
from tests.helpers.browser import ARTIFACTS, AppServers, wait_until_live
from tests.helpers.faultproxy import Fault, FaultProxy
from tests.helpers.servers import SandboxProcess

NAME = "made-once"


@pytest.fixture
def proxy(upstream: SandboxProcess) -> Iterator[FaultProxy]:
    with FaultProxy(upstream.origin) as running:
        yield running


def test_a_create_whose_answer_is_lost_is_made_once_and_reported_through_a_reload(
    page: Page, app_servers: AppServers, upstream: SandboxProcess, proxy: FaultProxy
) -> None:
    app = app_servers.get(
        {
            "FT_API_BASE_URL": proxy.url + "/api",
            "FT_API_KEY": SANDBOX_DEMO_KEY,
            "FT_API_READ_RETRIES": "0",
        }
    )
    open_wizard(page, app)
    complete_setup(page, NAME)
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("review"))

    # The create reaches the API, its answer is dropped, and the API cannot be asked after.
    outage = {"on": True}

    def faults(method: str, path: str) -> Fault | None:
        if method == "POST" and path == "/api/jobs":
            return Fault.DROP_ANSWER
        if outage["on"] and method == "GET" and path == "/api/jobs":
            return Fault.UNAVAILABLE
        return None

    proxy.rule = faults
    page.get_by_role("button", name="Submit").click()
    checking = page.get_by_role("status").filter(has_text="checking whether your job was created")
    expect(checking).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()
    page.screenshot(path=ARTIFACTS / "wizard-lost-create-checking.png", full_page=True)

    # A reload in the middle: the tab keeps checking.
    page.reload()
    wait_until_live(page)
    still_checking = page.get_by_role("status").filter(has_text="ftapp is checking whether")
    expect(still_checking).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()
    # Another tab finds the submit in the draft and checks before it offers Submit.
    other = page.context.new_page()
    open_wizard(other, app, "?step=review")
    resumed = other.get_by_role("status").filter(has_text="no known outcome yet")
    expect(resumed).to_be_visible(timeout=15_000)
    expect(other.get_by_role("button", name="Submit")).to_be_disabled()
    assert upstream.jobs_named(NAME) == 1

    outage["on"] = False  # the API answers again: the check finds the job
    toast = page.get_by_text(f"Job {NAME} created (the API's answer was lost")
    expect(toast).to_be_visible(timeout=15_000)
    expect(page).to_have_url(app.url + "/w/default")
    page.screenshot(path=ARTIFACTS / "wizard-lost-create-found.png", full_page=True)

    expect(other).to_have_url(app.url + "/w/default", timeout=15_000)  # the other tab was told too
    # Sent once (the other POST is the permission probe, an empty body the API refuses).
    assert proxy.count("POST", "/api/jobs", "answer dropped") == 1
    assert proxy.count("POST", "/api/jobs") - proxy.count("POST", "/api/jobs", "400") == 1
    assert upstream.jobs_named(NAME) == 1
    expect(page.get_by_role("table", name="Jobs").get_by_role("link", name=NAME)).to_be_visible()
    # The process that sent the create settles its line once the outcome is known.
    deadline = time.monotonic() + 15
    while app.activity_lines(NAME) != [f"{NAME} done"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert app.activity_lines(NAME) == [f"{NAME} done"]
