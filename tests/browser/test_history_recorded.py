"""The history as the app records it, end to end, nothing seeded: jobs created through the
wizard and outside ftapp (on the sandbox's API), one that finishes, one deleted on the
dashboard and one deleted on the API; then /history says how each ended, who ended it and
who made it.

The app polls every 0.5 s and its embedded sandbox runs 30 times faster than real time, so a
one-epoch job ends in about 1.5 s and a 100-epoch one runs for minutes.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from ftapp.sandbox.lifecycle import simulated_outcome
from tests.browser.wizard_pages import complete_setup, open_wizard, set_epochs
from tests.helpers.browser import ARTIFACTS, AppServers, SandboxApi, wait_until_live
from tests.helpers.servers import ServerProcess

LONG = {"epochs": 100, "evaluationEpochs": 0, "warmupEpochs": 0}
"""A job that runs for minutes here (never ends during the test)."""


@pytest.fixture
def fast_app(app_servers: AppServers, tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    return app_servers.get(
        {
            "FT_SANDBOX_DB": str(tmp_path_factory.mktemp("recorded") / "sandbox.db"),
            "FT_SANDBOX_SPEED": "30",
            "FT_POLL_RUNNING_SECONDS": "0.5",
            "FT_POLL_IDLE_SECONDS": "0.5",
        }
    )


@pytest.fixture
def outside(fast_app: ServerProcess) -> Iterator[SandboxApi]:
    """The app's sandbox called directly, as another client of the API would."""
    api = SandboxApi(fast_app.url + "/sandbox/api")
    yield api
    api.close()


def dashboard_row(page: Page, name: str) -> Locator:
    jobs = page.get_by_role("table", name="Jobs")
    return jobs.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def history_row(page: Page, name: str) -> Locator:
    table = page.get_by_role("table", name="Recorded jobs")
    return table.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def eventually(page: Page, check: Callable[[], None], seconds: float = 10) -> None:
    """``check`` passes on the history page, reloaded until it does: the recorder writes in
    the background, a moment after the dashboard shows the change."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()
            wait_until_live(page)


def test_created_finished_and_deleted_here_and_elsewhere(
    page: Page, fast_app: ServerProcess, outside: SandboxApi
) -> None:
    tag = "rec" + uuid.uuid4().hex[:6]
    made_here, made_elsewhere, deleted_elsewhere = (
        f"{tag}-wizard",
        f"{tag}-api-deleted-here",
        f"{tag}-api-deleted-there",
    )

    # Created through ftapp (one epoch: it ends within seconds), and twice outside it.
    open_wizard(page, fast_app)
    complete_setup(page, made_here)
    set_epochs(page, "1", "0", "0")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    wait_until_live(page)
    outside.create(made_elsewhere, **LONG)
    doomed = outside.create(deleted_elsewhere, **LONG)
    for name in (made_elsewhere, deleted_elsewhere):
        expect(dashboard_row(page, name)).to_contain_text("Running", timeout=10_000)
    job_id = next(j["id"] for j in outside.jobs()["jobs"] if j["name"] == made_here)
    outcome = simulated_outcome(job_id)
    expect(dashboard_row(page, made_here)).to_contain_text(outcome, timeout=15_000)

    # Deleted on the dashboard, and on the API behind ftapp's back.
    page.get_by_role("button", name=f"Delete {made_elsewhere}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text(f"Deleted “{made_elsewhere}”.")).to_be_visible()
    assert outside.delete(doomed["id"]) == 200
    # A poll has seen it: the total agrees with the API (the row alone can vanish for a
    # moment while the table redraws, before any poll).
    total = page.get_by_role("group", name="Total", exact=True)
    expect(total).to_contain_text(str(len(outside.jobs()["jobs"])), timeout=10_000)
    expect(dashboard_row(page, deleted_elsewhere)).to_have_count(0)

    # Straight on, in the same tab: nobody watches the dashboard any more, so nobody polls;
    # the poll that saw the job gone must have decided it (polls half a second apart fall in
    # one second: a record a poll made is judged by the very next one).
    history = page
    history.goto(fast_app.url + f"/history?q={tag}")
    wait_until_live(history)

    def every_row_as_it_ended() -> None:
        finished = history_row(history, made_here)
        expect(finished).to_contain_text(outcome, timeout=1_000)
        expect(finished).to_contain_text("admin", timeout=1_000)
        expect(finished).not_to_contain_text(re.compile("Deleted by|Gone from the API"))
        here = history_row(history, made_elsewhere)
        expect(here).to_contain_text("Deleted by admin, ", timeout=1_000)
        expect(here).to_contain_text("outside ftapp")
        there = history_row(history, deleted_elsewhere)
        expect(there).to_contain_text("Gone from the API", timeout=1_000)
        expect(there).to_contain_text("outside ftapp")
        expect(there).not_to_contain_text("Deleted by")

    eventually(history, every_row_as_it_ended)
    history.screenshot(path=ARTIFACTS / "history-recorded.png", full_page=True)

    creator = history.get_by_role("combobox", name="Filter by creator")
    creator.click()
    history.get_by_role("option", name="admin", exact=True).click()
    expect(history).to_have_url(re.compile(r"by=admin"))
    names = history.get_by_role("table", name="Recorded jobs").get_by_role("rowheader")
    expect(names).to_have_count(1)
    expect(names).to_contain_text(made_here)
    creator.click()
    history.get_by_role("option", name="outside ftapp", exact=True).click()
    expect(names).to_have_count(2)
    expect(history_row(history, made_elsewhere)).to_be_visible()
    expect(history_row(history, deleted_elsewhere)).to_be_visible()
