"""Several workspaces in the real app on its embedded sandbox (a stored workspace reaches the
sandbox's workspace "other" with its own key): the header's switcher, a job created and
deleted in the second workspace only, a role per workspace, a workspace that is not yours (or
no longer exists) refused by URL, a rotated key used without a restart, and ``/`` opening the
workspace used last."""

from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import Locator, Page, expect

from tests.browser.wizard_pages import complete_setup, step_url
from tests.helpers.browser import ARTIFACTS, wait_until_live
from tests.helpers.servers import ServerProcess

EMBEDDED_URL = "http://sandbox.embedded/api"
OTHER_KEY = "sandbox-other-key"  # the sandbox's workspace "other": no jobs at first
DEMO_KEY = "sandbox-demo-key"  # the sandbox's workspace "demo": the default's six jobs
PASSWORD = "a long password for tests"
NOT_YOURS = "This workspace does not exist, or you are not a member of it."


def add_workspace(app: ServerProcess, key: str = OTHER_KEY) -> tuple[str, str]:
    """A new stored workspace (a unique name, as the app's database outlives a test): its
    name and slug."""
    name = f"Team {uuid.uuid4().hex[:6]}"
    added = app.run_cli("workspaces", "add", name, "--api-url", EMBEDDED_URL, stdin=key + "\n")
    assert added.returncode == 0, added.stdout + added.stderr
    return name, name.lower().replace(" ", "-")


def add_user(app: ServerProcess, name: str, role: str) -> None:
    made = app.run_cli("users", "add", name, "--role", role, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr


def sign_in(page: Page, app: ServerProcess, name: str, path: str) -> None:
    page.goto(app.url + path)
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_until_live(page)


def open_dashboard(page: Page, app: ServerProcess, slug: str) -> None:
    page.goto(f"{app.url}/w/{slug}")
    expect(page.get_by_role("heading", name="Fine-tuning jobs", level=1)).to_be_visible()
    wait_until_live(page)


def jobs_table(page: Page):
    return page.get_by_role("table", name="Jobs")


LISTED_WITHIN = 5.0 + 5.0
"""Seconds until a page lists a workspace added in another process (the command line): the
app reads the stored workspaces' list again at most every 5 s, then a reload shows it."""


def open_switcher_listing(page: Page, name: str) -> Locator:
    """The open page's workspace switcher, opened once it lists ``name`` (the page reloaded
    until it does, within :data:`LISTED_WITHIN`); returns its menu."""
    deadline = time.monotonic() + LISTED_WITHIN
    while True:
        switcher = page.get_by_role("button", name=re.compile(r"^Workspace: "))
        if switcher.count():  # one workspace only: a name, no switcher
            switcher.click()
            menu = page.get_by_role("menu")
            expect(menu).to_be_visible()
            if menu.get_by_role("menuitem", name=name).count():
                return menu
            page.keyboard.press("Escape")
        assert time.monotonic() < deadline, f"{name} not listed within {LISTED_WITHIN} s"
        page.wait_for_timeout(500)
        page.reload()
        wait_until_live(page)


def test_switch_workspace_then_create_and_delete_there_only(
    page: Page, sandbox_app: ServerProcess
) -> None:
    team, slug = add_workspace(sandbox_app)
    open_dashboard(page, sandbox_app, "default")
    expect(jobs_table(page).get_by_role("link")).not_to_have_count(0)  # the demo's jobs

    menu = open_switcher_listing(page, team)
    expect(menu.get_by_role("menuitem", name="Default")).to_be_disabled()  # the one open
    menu.get_by_role("menuitem", name=team).click()
    expect(page).to_have_url(f"{sandbox_app.url}/w/{slug}")
    expect(page.get_by_text("No fine-tuning jobs yet.")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "workspace-switched-1280.png", full_page=True)

    page.get_by_role("link", name="New job", exact=True).first.click()
    expect(page).to_have_url(re.compile(rf"/w/{slug}/jobs/new"))
    wait_until_live(page)
    name = f"in-{slug}"
    complete_setup(page, name)
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("review"))
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(f"{sandbox_app.url}/w/{slug}")
    expect(jobs_table(page).get_by_role("link", name=name)).to_be_visible()

    open_dashboard(page, sandbox_app, "default")
    expect(jobs_table(page).get_by_role("link")).not_to_have_count(0)
    expect(jobs_table(page).get_by_role("link", name=name)).to_have_count(0)

    open_dashboard(page, sandbox_app, slug)
    page.get_by_role("button", name=f"Delete {name}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(jobs_table(page).get_by_role("link", name=name)).to_have_count(0)
    expect(page.get_by_text("No fine-tuning jobs yet.")).to_be_visible()

    # "/" opens the workspace used last.
    page.goto(sandbox_app.url + "/")
    expect(page).to_have_url(f"{sandbox_app.url}/w/{slug}")


def test_a_role_per_workspace_and_no_way_into_anothers(
    visitor: Page, sandbox_app: ServerProcess
) -> None:
    secret, hidden = add_workspace(sandbox_app)
    team, slug = add_workspace(sandbox_app)  # after: a list that holds it holds the other too
    person = f"vic{uuid.uuid4().hex[:6]}"
    add_user(sandbox_app, person, "viewer")
    granted = sandbox_app.run_cli("workspaces", "grant", person, slug, "operator")
    assert granted.returncode == 0, granted.stdout + granted.stderr

    sign_in(visitor, sandbox_app, person, "/w/default")
    expect(visitor.get_by_label("Signed in as")).to_contain_text("viewer")
    expect(visitor.get_by_role("link", name="New job", exact=True).last).to_be_visible()
    new_job = visitor.get_by_role("button", name="New job")
    expect(new_job).to_be_disabled()  # a viewer here

    open_dashboard(visitor, sandbox_app, slug)
    expect(visitor.get_by_label("Signed in as")).to_contain_text("operator")
    expect(visitor.get_by_role("button", name="New job")).to_be_enabled()  # an operator there

    # The switcher lists only the person's workspaces.
    menu = open_switcher_listing(visitor, team)
    expect(menu.get_by_role("menuitem", name=secret)).to_have_count(0)
    visitor.keyboard.press("Escape")

    # Another workspace by URL: refused, nothing of it shown.
    visitor.goto(f"{sandbox_app.url}/w/{hidden}/history")
    expect(visitor.get_by_text(NOT_YOURS)).to_be_visible()
    assert secret not in visitor.content()
    visitor.screenshot(path=ARTIFACTS / "workspace-not-yours-1280.png", full_page=True)
    assert f"Refused {person} access to workspace '{hidden}'" in sandbox_app.log()


def test_a_rotated_key_is_used_without_a_restart_and_a_removed_workspace_says_so(
    page: Page, sandbox_app: ServerProcess
) -> None:
    _, slug = add_workspace(sandbox_app)
    open_dashboard(page, sandbox_app, slug)
    expect(page.get_by_text("No fine-tuning jobs yet.")).to_be_visible()

    rotated = sandbox_app.run_cli("workspaces", "rotate-key", slug, stdin=DEMO_KEY + "\n")
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    # The open page follows: the new key reaches the demo workspace's jobs.
    expect(jobs_table(page).get_by_role("link")).not_to_have_count(0, timeout=30_000)

    removed = sandbox_app.run_cli("workspaces", "remove", slug)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    page.wait_for_timeout(6_000)  # the app reads a stored workspace again within 5 s
    page.reload()
    expect(page.get_by_text(NOT_YOURS)).to_be_visible()
    expect(page.get_by_role("table", name="Jobs")).to_have_count(0)
