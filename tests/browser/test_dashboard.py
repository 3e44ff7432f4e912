"""The dashboard in a real browser, against the app's embedded sandbox."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ftapp.sandbox.seeds import demo_jobs
from tests.browser.wizard_pages import step_url
from tests.helpers.browser import ARTIFACTS, SandboxApi, wait_until_live
from tests.helpers.servers import ServerProcess


def _table(page: Page):
    return page.get_by_role("table", name="Jobs")


def _names_in_table(page: Page) -> list[str]:
    return _table(page).get_by_role("rowheader").all_inner_texts()


def test_dashboard_lists_the_seeded_jobs(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")

    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    table = _table(page)
    for seed in demo_jobs():
        expect(table.get_by_role("link", name=seed.input.name, exact=True)).to_be_visible()


def test_table_cards_chart_and_quota_agree_with_the_api(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    page.goto(sandbox_app.url + "/")
    answer = demo_api.jobs()
    jobs, summary = answer["jobs"], answer["summary"]

    expect(_table(page).get_by_role("row")).to_have_count(len(jobs) + 1)
    for label, count in [
        ("Completed", summary["completed"]),
        ("Running", summary["running"]),
        ("Failed", summary["failed"]),
        ("Total", len(jobs)),
    ]:
        expect(page.get_by_role("group", name=label, exact=True)).to_contain_text(str(count))
    expect(page.get_by_role("group", name="Quota")).to_contain_text(f"{len(jobs)} of 10 jobs")
    expect(page.get_by_role("figure", name="Jobs by status")).to_be_visible()
    for header in ["Name", "ID", "Base model", "Epochs", "Learning rate", "Created", "Status"]:
        column = _table(page).get_by_role("columnheader", name=header, exact=True)
        expect(column.get_by_role("button", name=header, exact=True)).to_be_visible()
    first = jobs[0]
    row = _table(page).get_by_role("row").filter(has=page.get_by_role("link", name=first["name"]))
    expect(row).to_contain_text(first["status"])
    expect(page.get_by_role("status", name="Live updates")).to_have_text("Live")
    page.screenshot(path=ARTIFACTS / "dashboard-1280-light.png", full_page=True)


def test_search_filter_sort_and_pages_live_in_the_url(
    page: Page, sandbox_app: ServerProcess
) -> None:
    page.goto(sandbox_app.url + "/")
    expect(_table(page).get_by_role("row")).not_to_have_count(1)

    name_header = _table(page).get_by_role("columnheader", name="Name", exact=True)
    page.get_by_label("Search jobs").fill("QWQ")
    expect(page).to_have_url(re.compile(r"\?q=QWQ$"))
    expect(_table(page).get_by_role("rowheader")).to_have_count(2)
    assert sorted(_names_in_table(page)) == ["math-tutor-qwq", "qwq-reasoning-v2"]
    page.reload()
    expect(page.get_by_label("Search jobs")).to_have_value("QWQ")
    expect(_table(page).get_by_role("rowheader")).to_have_count(2)

    page.get_by_label("Search jobs").fill("")
    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="Completed").click()
    expect(page).to_have_url(re.compile(r"status=Completed"))
    statuses = _table(page).get_by_role("row").filter(has=page.get_by_role("rowheader"))
    expect(statuses.first).to_contain_text("Completed")
    for text in statuses.all_inner_texts():
        assert "Completed" in text
    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="All statuses").click()

    name_header.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"sort=name&dir=asc"))
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    names = _names_in_table(page)
    assert names == sorted(names, key=str.casefold)
    name_header.get_by_role("button").click()
    expect(name_header).to_have_attribute("aria-sort", "descending")
    names = _names_in_table(page)
    assert names == sorted(names, key=str.casefold, reverse=True)

    page.get_by_role("combobox", name="Rows per page").click()
    page.get_by_role("option", name="5", exact=True).click()
    expect(_table(page).get_by_role("rowheader")).to_have_count(5)
    total = page.get_by_role("navigation", name="Pagination")
    pages = int(re.search(r"of (\d+)", total.inner_text()).group(1))
    assert pages >= 2
    page.get_by_role("button", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    second_page = _names_in_table(page)
    page.reload()
    expect(page.get_by_role("navigation", name="Pagination")).to_contain_text("Page 2 of")
    assert _names_in_table(page) == second_page
    expect(name_header).to_have_attribute("aria-sort", "descending")


def test_delete_cancel_keeps_the_job_and_confirm_removes_it_everywhere(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    demo_api.create("doomed-job")
    page.goto(sandbox_app.url + "/")
    total = page.get_by_role("group", name="Total", exact=True)
    count = len(demo_api.jobs()["jobs"])
    expect(total).to_contain_text(str(count))

    page.get_by_role("button", name="Delete doomed-job").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("doomed-job")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(_table(page).get_by_role("link", name="doomed-job")).to_be_visible()
    assert "doomed-job" in demo_api.job_names()

    page.get_by_role("button", name="Delete doomed-job").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted “doomed-job”.")).to_be_visible()
    expect(_table(page).get_by_role("link", name="doomed-job")).to_have_count(0)
    expect(total).to_contain_text(str(count - 1))
    expect(page.get_by_role("group", name="Quota")).to_contain_text(f"{count - 1} of 10 jobs")
    assert "doomed-job" not in demo_api.job_names()


def test_deleting_a_job_already_deleted_elsewhere(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    job = demo_api.create("ghost-job")
    page.goto(sandbox_app.url + "/")
    expect(_table(page).get_by_role("link", name="ghost-job")).to_be_visible()
    page.get_by_role("button", name="Delete ghost-job").click()
    assert demo_api.delete(job["id"]) == 200  # someone else was quicker

    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("“ghost-job” was already deleted.")).to_be_visible()
    expect(_table(page).get_by_role("link", name="ghost-job")).to_have_count(0)


def test_new_job_is_disabled_with_the_reason_when_the_workspace_is_full(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    page.goto(sandbox_app.url + "/")
    expect(page.get_by_role("button", name="New job")).to_be_enabled()
    for index in range(10 - len(demo_api.jobs()["jobs"])):
        demo_api.create(f"filler-{index}")

    page.reload()
    button = page.get_by_role("button", name="New job")
    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description(re.compile("10 of 10 jobs"))
    expect(page.get_by_role("group", name="Quota")).to_contain_text("10 of 10 jobs")


def test_new_job_button_opens_the_wizard(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")
    wait_until_live(page)
    expect(page.get_by_role("link", name="New job")).to_have_count(1)  # the header's
    page.get_by_role("button", name="New job").click()
    expect(page).to_have_url(step_url("setup"))  # the wizard, loaded on its first step


def test_header_links_lead_to_the_pages(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("link", name="New job").click()
    expect(page).to_have_url(step_url("setup"))  # the wizard, loaded on its first step
    expect(page.get_by_role("heading", name="New job", level=1)).to_be_visible()

    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
