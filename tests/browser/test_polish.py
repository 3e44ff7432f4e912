"""What a demanding user meets: long names, honest states, context kept across pages, feedback
that says what happened and never hides actions, the focus where it belongs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from ftapp.settings import SANDBOX_DEMO_KEY
from tests.browser.wizard_pages import (
    complete_setup,
    field,
    open_wizard,
    set_epochs,
    step_url,
)
from tests.helpers.browser import ARTIFACTS, AppServers, HeldSocket, SandboxApi, wait_until_live
from tests.helpers.servers import SandboxLauncher, SandboxProcess, ServerProcess

LONG_NAME = "a-very-long-fine-tuning-job-name-for-tables-1234567"[:50]


def box(locator: Locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def inside_viewport(page: Page, locator: Locator) -> bool:
    area = box(locator)
    width = page.viewport_size["width"]  # type: ignore[index]
    return area["x"] >= 0 and area["x"] + area["width"] <= width


def overlaps(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


# --- the job list -----------------------------------------------------------------------------


def test_a_50_character_name_keeps_status_and_delete_in_view(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    assert len(LONG_NAME) == 50
    demo_api.create(LONG_NAME)
    page.goto(sandbox_app.url + "/")
    row = page.get_by_role("table", name="Jobs").get_by_role("row").filter(has_text="a-very")
    expect(row).to_be_visible()
    assert inside_viewport(page, row.get_by_role("button", name=f"Delete {LONG_NAME}"))
    assert inside_viewport(page, row.get_by_text("Running"))
    link = row.get_by_role("link", name=LONG_NAME)
    assert link.evaluate("(element) => element.scrollWidth > element.clientWidth")  # cut with …
    link.focus()  # the whole name on keyboard focus, as on hover
    expect(page.get_by_role("tooltip")).to_have_text(LONG_NAME)
    page.screenshot(path=ARTIFACTS / "dashboard-long-name-1280.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    cards = page.get_by_role("list", name="Jobs")
    card = cards.get_by_role("listitem").filter(has_text="a-very")
    expect(card).to_be_visible()
    assert inside_viewport(page, card.get_by_role("button", name=f"Delete {LONG_NAME}"))
    expect(card.get_by_text("Running")).to_be_visible()
    expect(card.get_by_text("just now")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    first = cards.get_by_role("listitem").first
    assert box(first)["y"] < 800  # a phone's first screen shows jobs
    page.screenshot(path=ARTIFACTS / "dashboard-long-name-375.png", full_page=True)


def test_the_stat_cards_filter_the_list(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")
    wait_until_live(page)
    failed = page.get_by_role("button", name="Show failed jobs")
    failed.click()
    expect(page).to_have_url(re.compile(r"\?status=Failed$"))
    expect(failed).to_have_attribute("aria-pressed", "true")
    statuses = (
        page.get_by_role("table", name="Jobs")
        .get_by_role("row")
        .filter(has=page.get_by_role("link"))
    )
    for status_cell in statuses.all():
        expect(status_cell).to_contain_text("Failed")
    page.get_by_role("button", name="Show all jobs").click()
    expect(page).to_have_url(sandbox_app.url + "/w/default")


def test_a_phones_header_is_one_line_with_everything_in_its_menu(
    page: Page, sandbox_app: ServerProcess
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(sandbox_app.url + "/")
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    assert box(page.locator("header"))["height"] < 70  # one line, not three
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    expect(page.get_by_role("button", name="Toggle dark mode")).to_be_visible()

    page.get_by_role("button", name="Menu").click()
    menu = page.get_by_role("menu")
    items = [text.strip() for text in menu.get_by_role("menuitem").all_inner_texts()]
    # The admin's menu (an admin of ftapp: the workspaces' page too; one workspace: no switcher).
    assert items == ["Dashboard", "New job", "History", "Activity", "Workspaces", "Sign out"]
    expect(menu.get_by_label("Signed in as")).to_have_text("admin · admin")
    page.screenshot(path=ARTIFACTS / "phone-menu-375.png")
    page.keyboard.press("ArrowDown")  # the keyboard reaches every item
    expect(menu.get_by_role("menuitem", name="Dashboard")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="New job")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/jobs/new"))

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()


# --- context kept -----------------------------------------------------------------------------


def test_the_way_back_from_a_job_keeps_the_dashboards_view(
    page: Page, sandbox_app: ServerProcess
) -> None:
    page.goto(sandbox_app.url + "/?q=qwq&sort=name&dir=asc")
    page.get_by_role("link", name="math-tutor-qwq").click()
    expect(page).to_have_title("math-tutor-qwq · ftapp")
    back = page.get_by_role("link", name="All jobs")
    expect(back).to_have_attribute("href", "/w/default?q=qwq&sort=name&dir=asc")
    back.click()
    expect(page.get_by_role("searchbox", name="Search jobs")).to_have_value("qwq")
    expect(page.get_by_role("link", name="summarizer-7")).to_have_count(0)


def test_a_page_past_the_end_is_corrected_in_the_address_bar(
    page: Page, sandbox_app: ServerProcess
) -> None:
    page.goto(sandbox_app.url + "/?per=5&page=99")
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/w/default\?page=2&per=5$"))


def test_search_finds_a_pasted_id_and_clear_filters_brings_all_back(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    target = next(job for job in demo_api.jobs()["jobs"] if job["name"] == "summarizer-7")
    page.goto(sandbox_app.url + "/")
    search = page.get_by_role("searchbox", name="Search jobs")
    search.fill(target["id"][:8])
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(2)
    search.fill("no-job-is-called-this")
    page.get_by_role("button", name="Clear filters").click()
    expect(search).to_have_value("")
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()


def test_unknown_pages_and_ids_get_styled_pages_with_the_header(
    page: Page, sandbox_app: ServerProcess
) -> None:
    page.goto(sandbox_app.url + "/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="ftapp home")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the dashboard")).to_be_visible()

    page.goto(sandbox_app.url + "/jobs/" + "x" * 5000)
    expect(page.get_by_role("heading", name="Job not found")).to_be_visible()
    expect(page.get_by_role("link", name="ftapp home")).to_be_visible()
    expect(page.get_by_role("link", name="All jobs")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_a_job_created_elsewhere_and_opened_at_once_is_not_called_deleted(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    page.goto(sandbox_app.url + "/")  # the shared list is loaded, then a job appears upstream
    expect(page.get_by_role("link", name="summarizer-7")).to_be_visible()
    created = demo_api.create("made-outside-ftapp")
    page.goto(sandbox_app.url + f"/jobs/{created['id']}")
    expect(page.get_by_role("heading", name="made-outside-ftapp")).to_be_visible()
    page.wait_for_timeout(5000)  # a few polls
    expect(page.get_by_text("has been deleted")).to_have_count(0)


# --- the wizard -------------------------------------------------------------------------------


def test_a_huge_epoch_count_is_refused_with_the_bound(
    page: Page, sandbox_app: ServerProcess
) -> None:
    open_wizard(page, sandbox_app)
    complete_setup(page, "too-many-epochs", "QwQ 32B")
    field(page, "Epochs").fill("99999999999999999999999")
    expect(field(page, "Epochs")).to_have_accessible_description("Epochs must be at most 1,000")
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("configure"))


def test_a_notice_about_the_form_goes_once_the_form_changes(
    page: Page, sandbox_app: ServerProcess
) -> None:
    open_wizard(page, sandbox_app)
    field(page, "Job name").fill("to-be-cleared")
    page.get_by_role("button", name="Start over").click()
    notice = page.get_by_role("status").filter(has_text="The form was cleared.")
    expect(notice).to_be_visible()
    field(page, "Job name").fill("new-start")
    expect(notice).to_have_count(0)


def test_a_pasted_name_loses_its_spaces(page: Page, sandbox_app: ServerProcess) -> None:
    open_wizard(page, sandbox_app)
    name = field(page, "Job name")
    name.fill("  pasted-name  ")
    name.blur()
    expect(name).to_have_value("pasted-name")
    expect(name).to_have_attribute("aria-invalid", "false")


def test_the_wizard_says_it_is_busy_until_it_is_live(
    page: Page, sandbox_app: ServerProcess
) -> None:
    # The server-rendered form shows before the page is connected (its draft restored); what
    # is typed then reaches the server with the next keystroke or on leaving the field.
    socket = HeldSocket(page)
    page.goto(sandbox_app.url + "/jobs/new")
    page_region = page.get_by_role("main")  # holds the form
    expect(page_region).to_have_attribute("aria-busy", "true")
    socket.release()
    page.reload()
    expect(page_region).to_have_attribute("aria-busy", "false")
    field(page, "Job name").fill("live-at-last")
    page.get_by_role("button", name="Next").click()
    expect(field(page, "Base model")).to_have_attribute("aria-invalid", "true")  # checked
    expect(field(page, "Job name")).to_have_attribute("aria-invalid", "false")  # and seen


def test_every_page_says_it_is_busy_until_it_is_live(
    page: Page, sandbox_app: ServerProcess
) -> None:
    socket = HeldSocket(page)
    for path in ("/", "/jobs/new", "/activity"):
        page.goto(sandbox_app.url + path)
        expect(page.get_by_role("main")).to_have_attribute("aria-busy", "true")
    socket.release()
    page.reload()
    expect(page.get_by_role("main")).to_have_attribute("aria-busy", "false")


# --- feedback ---------------------------------------------------------------------------------


def test_a_created_job_offers_view_job_and_is_marked_on_the_dashboard(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    open_wizard(page, sandbox_app)
    complete_setup(page, "fresh-from-the-wizard", "QwQ 32B")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit").click()
    row = (
        page.get_by_role("table", name="Jobs")
        .get_by_role("row")
        .filter(has_text="fresh-from-the-wizard")
    )
    expect(row).to_have_attribute("data-new", "true")
    toast = page.get_by_text("Job fresh-from-the-wizard created.")
    expect(toast).to_be_visible()
    page.get_by_role("button", name="View job").click()
    expect(page.get_by_role("heading", name="fresh-from-the-wizard")).to_be_visible()


def test_a_toast_never_covers_an_action_and_the_focus_goes_on(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    demo_api.create("to-cancel")
    demo_api.create("to-delete")
    page.goto(sandbox_app.url + "/")

    opener = page.get_by_role("button", name="Delete to-cancel")
    opener.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    expect(opener).to_be_focused()  # back to the control that opened the dialog

    page.get_by_role("button", name="Delete to-delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    toast = page.locator("[data-sonner-toast]").filter(has_text="Deleted “to-delete”.")
    expect(toast).to_be_visible()
    page.wait_for_timeout(500)  # the toast's entry animation
    toast_box = box(toast)
    for control in page.get_by_role("button").all() + page.get_by_role("link").all():
        if control.is_visible() and not toast.locator(control).count():
            control_box = control.bounding_box()
            if control_box and not overlaps(toast_box, control_box):
                continue
            if control_box:
                inside = control.evaluate("(e) => !!e.closest('[data-sonner-toast]')")
                assert inside, f"the toast covers {control.text_content() or control}"
    focused = page.evaluate("document.activeElement?.getAttribute('data-delete-job') ?? ''")
    assert focused != ""  # the next row's Delete, not the page's body


@pytest.fixture
def fast_app(app_servers: AppServers, tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    """Sandbox jobs run 30 times faster: a 1-epoch job ends in about 1.5 s."""
    return app_servers.get(
        {
            "FT_SANDBOX_DB": str(tmp_path_factory.mktemp("fast") / "sandbox.db"),
            "FT_SANDBOX_SPEED": "30",
            "FT_POLL_RUNNING_SECONDS": "0.5",
        }
    )


def test_a_job_that_ends_is_announced_on_any_page(page: Page, fast_app: ServerProcess) -> None:
    open_wizard(page, fast_app)
    complete_setup(page, "ends-soon", "QwQ 32B")
    set_epochs(page, "1", "0", "0")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    page.goto(fast_app.url + "/jobs/new?step=setup")  # another page: it is still told
    ended = page.get_by_text(re.compile(r"^Job ends-soon (completed|failed)\.$"))
    expect(ended).to_be_visible(timeout=20_000)


# --- the API down from the first load ---------------------------------------------------------


@pytest.fixture
def dead_upstream(tmp_path: Path) -> Iterator[SandboxProcess]:
    launcher = SandboxLauncher(tmp_path)
    sandbox = launcher()
    sandbox.stop()
    yield sandbox
    launcher.stop_all()


def test_with_the_api_down_from_the_start_nothing_pretends_to_be_zero(
    browser: Browser, app_servers: AppServers, dead_upstream: SandboxProcess
) -> None:
    app = app_servers.get(
        {"FT_API_BASE_URL": dead_upstream.api_url, "FT_API_KEY": SANDBOX_DEMO_KEY}
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(app.url + "/")
        expect(page.get_by_text("The jobs could not be loaded.")).to_be_visible(timeout=20_000)
        expect(page.get_by_role("button", name="Retry")).to_be_visible()
        expect(page.get_by_role("group", name="Total", exact=True)).to_contain_text("—")
        expect(page.get_by_role("group", name="Quota")).to_contain_text("Not loaded yet")
        expect(page.get_by_role("button", name="New job")).to_be_disabled()
        expect(page.get_by_text("cannot be reached yet")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "dashboard-api-down-from-start.png", full_page=True)

        page.goto(app.url + "/jobs/some-job")
        expect(page.get_by_role("heading", name="Job", exact=True)).to_be_visible(timeout=20_000)
        expect(page.get_by_role("link", name="All jobs")).to_be_visible()
        expect(page.get_by_text("This job could not be loaded.")).to_be_visible()
    finally:
        page.close()


def test_a_refused_key_says_so_and_backs_off(
    browser: Browser, app_servers: AppServers, tmp_path: Path
) -> None:
    launcher = SandboxLauncher(tmp_path)
    upstream = launcher()
    try:
        app = app_servers.get({"FT_API_BASE_URL": upstream.api_url, "FT_API_KEY": "not-a-key"})
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(app.url + "/")
        expect(page.get_by_text("The API key was refused").first).to_be_visible(timeout=20_000)
        expect(page.get_by_text("ftapp asks again every minute.")).to_be_visible()
        expect(page.get_by_role("button", name="New job")).to_be_disabled()
        refused = upstream_requests(upstream)
        page.wait_for_timeout(6000)
        assert upstream_requests(upstream) - refused <= 1  # not retried every few seconds
        page.close()
    finally:
        launcher.stop_all()


def upstream_requests(upstream: SandboxProcess) -> int:
    import httpx

    stats = httpx.get(
        upstream.api_url + "/_sandbox/stats", headers={"x-api-key": SANDBOX_DEMO_KEY}, timeout=5
    ).json()
    return stats["requests"].get("list_jobs", 0)
