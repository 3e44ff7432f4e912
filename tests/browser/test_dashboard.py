"""The dashboard in a real browser, against the app's embedded sandbox."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ftapp.sandbox.seeds import demo_jobs
from tests.browser.conftest import ARTIFACTS
from tests.servers import ServerProcess


def test_dashboard_lists_the_seeded_jobs(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")

    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    table = page.get_by_role("table", name="Jobs")
    expect(table).to_be_visible()
    for seed in demo_jobs():
        expect(table.get_by_role("link", name=seed.input.name, exact=True)).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(len(demo_jobs()) + 1)  # + header row
    page.screenshot(path=ARTIFACTS / "dashboard-1280.png", full_page=True)


def test_header_links_lead_to_the_pages(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("link", name="New job").click()
    expect(page).to_have_url(sandbox_app.url + "/jobs/new")
    expect(page.get_by_role("heading", name="New job", level=1)).to_be_visible()

    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
