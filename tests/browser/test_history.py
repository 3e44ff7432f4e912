"""The history page in a real browser: recorded jobs written straight into the running app's
database, then listed newest first, searched, filtered, sorted, opened and downloaded."""

from __future__ import annotations

import csv
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import ARTIFACTS, wait_until_live
from tests.helpers.history_records import DAY, MISTRAL, T0, Recorded, insert
from tests.helpers.servers import ServerProcess

PASSWORD = "correct horse battery staple"


@pytest.fixture
def prefix(sandbox_app: ServerProcess) -> str:
    """A name prefix of this test's own jobs, recorded in the app's database (other tests and
    the app's own recorder may add other jobs to the same history)."""
    tag = "h" + uuid.uuid4().hex[:6]
    insert(
        sandbox_app.db_url,
        [
            Recorded(f"{tag}-0001", f"{tag}-oldest", created_at=T0, created_by="bob"),
            Recorded(f"{tag}-0002", f"{tag}-failed", "Failed", MISTRAL, T0 + DAY),
            Recorded(
                f"{tag}-0003",
                f"{tag}-deleted",
                created_at=T0 + 2 * DAY,
                created_by="bob",
                deleted_by="bob",
                deleted_at=T0 + 3 * DAY,
                gone_at=T0 + 3 * DAY,
            ),
            Recorded(f"{tag}-0004", f"{tag}-newest", "Running", created_at=T0 + 4 * DAY),
            Recorded(
                f"{tag}-0005", f"{tag}-gone", "Failed", created_at=T0 + DAY // 2, gone_at=T0 + DAY
            ),
        ],
    )
    return tag


def table(page: Page):
    return page.get_by_role("table", name="Recorded jobs")


def names(page: Page) -> list[str]:
    return table(page).get_by_role("rowheader").get_by_role("link").all_inner_texts()


def first_name(page: Page):
    return table(page).get_by_role("rowheader").first.get_by_role("link")


def open_history(page: Page, app: ServerProcess, query: str = "") -> None:
    page.goto(app.url + "/history" + query)
    expect(page.get_by_role("heading", name="History", exact=True)).to_be_visible()
    wait_until_live(page)


def test_recorded_jobs_newest_first_deleted_ones_say_by_whom(
    page: Page, sandbox_app: ServerProcess, prefix: str
) -> None:
    open_history(page, sandbox_app, f"?q={prefix}")
    expect(table(page).get_by_role("rowheader")).to_have_count(5)
    assert names(page) == [
        f"{prefix}-newest",
        f"{prefix}-deleted",
        f"{prefix}-failed",
        f"{prefix}-gone",
        f"{prefix}-oldest",
    ]
    deleted = table(page).get_by_role("row").filter(has_text=f"{prefix}-deleted")
    expect(deleted).to_contain_text(re.compile(r"Deleted by bob, \d+ \w+ ago"))
    gone = table(page).get_by_role("row").filter(has_text=f"{prefix}-gone")
    expect(gone).to_contain_text("Gone from the API")
    expect(gone).to_contain_text("outside ftapp")
    oldest = table(page).get_by_role("row").filter(has_text=f"{prefix}-oldest")
    expect(oldest).to_contain_text("Completed")
    expect(oldest).to_contain_text("bob")
    page.screenshot(path=ARTIFACTS / "history-1280-light.png", full_page=True)

    table(page).get_by_role("link", name=f"{prefix}-deleted").click()
    expect(page).to_have_url(re.compile(rf"/jobs/{prefix}-0003$"))


def test_search_and_filters_live_in_the_url_and_sorting_works(
    page: Page, sandbox_app: ServerProcess, prefix: str
) -> None:
    open_history(page, sandbox_app)
    page.get_by_label("Search the history").fill(prefix)
    expect(page).to_have_url(re.compile(rf"\?q={prefix}$"))
    expect(table(page).get_by_role("rowheader")).to_have_count(5)
    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="Failed").click()
    expect(page).to_have_url(re.compile(r"status=Failed"))
    expect(table(page).get_by_role("rowheader")).to_have_count(2)

    page.reload()
    wait_until_live(page)
    expect(page.get_by_label("Search the history")).to_have_value(prefix)
    expect(page.get_by_role("combobox", name="Filter by status")).to_have_text("Failed")
    expect(table(page).get_by_role("rowheader")).to_have_count(2)
    assert names(page) == [f"{prefix}-failed", f"{prefix}-gone"]

    name_header = table(page).get_by_role("columnheader", name="Name", exact=True)
    name_header.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"sort=name&dir=asc"))
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    expect(first_name(page)).to_have_text(f"{prefix}-failed")
    name_header.get_by_role("button").click()
    expect(name_header).to_have_attribute("aria-sort", "descending")
    expect(first_name(page)).to_have_text(f"{prefix}-gone")

    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="Deleted").click()
    expect(table(page).get_by_role("rowheader")).to_have_count(2)
    page.get_by_role("combobox", name="Filter by creator").click()
    page.get_by_role("option", name="bob").click()
    expect(page).to_have_url(re.compile(r"by=bob"))
    assert names(page) == [f"{prefix}-deleted"]

    page.get_by_label("Search the history").fill(prefix + "-nothing")
    expect(page.get_by_text("No job matches these filters.")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(page).not_to_have_url(re.compile(r"q=|status=|by="))
    expect(table(page).get_by_role("rowheader").first).to_be_visible()


def test_the_csv_download_holds_exactly_the_filtered_rows(
    page: Page, sandbox_app: ServerProcess, prefix: str
) -> None:
    open_history(page, sandbox_app, f"?q={prefix}&status=Failed")
    expect(table(page).get_by_role("rowheader")).to_have_count(2)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert re.fullmatch(r"ftapp-history-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [row["name"] for row in rows] == [f"{prefix}-failed", f"{prefix}-gone"]
    assert rows[0]["base_model"] == MISTRAL
    assert "settings.epochs" in rows[0]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download JSON").click()
    assert download_info.value.suggested_filename.endswith(".json")


def test_a_viewer_sees_the_history_on_a_phone(
    visitor: Page, sandbox_app: ServerProcess, prefix: str
) -> None:
    sandbox_app.run_cli("users", "remove", "hilda")
    added = sandbox_app.run_cli("users", "add", "hilda", "--role", "viewer", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    visitor.set_viewport_size({"width": 375, "height": 800})
    visitor.goto(sandbox_app.url + f"/history?q={prefix}")
    visitor.get_by_label("Username").fill("hilda")
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in", exact=True).click()
    expect(visitor).to_have_url(re.compile(rf"/history/?\?q={prefix}$"))
    wait_until_live(visitor)
    expect(table(visitor).get_by_role("rowheader")).to_have_count(5)
    expect(visitor.get_by_role("link", name="Download CSV")).to_be_visible()
    visitor.screenshot(path=ARTIFACTS / "history-375-light.png", full_page=True)
    visitor.get_by_role("button", name="Menu").click()
    expect(visitor.get_by_role("menuitem", name="History")).to_be_visible()
    width = visitor.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
