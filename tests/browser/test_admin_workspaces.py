"""The workspaces' admin page in the real app on its embedded sandbox: an admin adds a
workspace (a refused key adds nothing), gives it a new key, manages its members, renames and
removes it, through labels and roles; a viewer is told no and sent nothing; and no key ever
reaches the page or a WebSocket frame. Screenshots at 1280 and 375 px wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, WebSocket, expect

from tests.helpers.accessibility import TOASTS, serious_violations
from tests.helpers.browser import ARTIFACTS, wait_until_live
from tests.helpers.servers import ServerProcess

EMBEDDED_URL = "http://sandbox.embedded/api"
OTHER_KEY = "sandbox-other-key"  # the sandbox's workspace "other", every permission
READONLY_KEY = "sandbox-readonly-key"
WRONG_KEY = "nope-not-a-key-1234"
KEYS = (OTHER_KEY, READONLY_KEY, WRONG_KEY)
PASSWORD = "a long password for tests"
PAGE = "/admin/workspaces"


class Frames:
    """Every WebSocket frame the page receives, as text."""

    def __init__(self, page: Page) -> None:
        self.received: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, socket: WebSocket) -> None:
        socket.on("framereceived", self._add)

    def _add(self, payload: str | bytes) -> None:
        self.received.append(payload if isinstance(payload, str) else payload.decode("latin-1"))

    def text(self) -> str:
        return "\n".join(self.received)


@pytest.fixture
def frames(page: Page) -> Frames:
    return Frames(page)


def open_admin_page(page: Page, app: ServerProcess) -> None:
    page.goto(app.url + PAGE)
    expect(page.get_by_role("heading", name="Workspaces", level=1)).to_be_visible()
    wait_until_live(page)


def workspace_row(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def add(page: Page, name: str, key: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Add", exact=True).click()


def assert_no_key_reached_the_browser(page: Page, frames: Frames, app: ServerProcess) -> None:
    html, received, log = page.content(), frames.text(), app.log()
    assert received, "no WebSocket frame was seen"
    for key in KEYS:
        assert key not in html, f"{key} in the page's HTML"
        assert key not in received, f"{key} in a WebSocket frame"
        assert key not in log, f"{key} in the app's log"


def screenshots(page: Page, name: str) -> None:
    """The page at 1280 and 375 px wide (and axe on both, light and dark), back at 1280 and
    light afterwards."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
        assert serious_violations(page, (TOASTS,)) == [], width
        page.emulate_media(color_scheme="dark")
        page.wait_for_timeout(300)
        assert serious_violations(page, (TOASTS,)) == [], f"{width}, dark"
        page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_admin_manages_a_workspace_and_its_key_never_reaches_the_browser(
    page: Page, frames: Frames, sandbox_app: ServerProcess
) -> None:
    sandbox_app.run_cli("users", "add", "wendy", "--role", "viewer", stdin=PASSWORD + "\n")
    open_admin_page(page, sandbox_app)
    expect(page.get_by_role("navigation", name="Main").first).to_contain_text("Workspaces")
    default = workspace_row(page, "Default Environment")
    expect(default).to_contain_text("Set by FT_API_BASE_URL/FT_API_KEY on the server")
    expect(page.get_by_label("API base URL")).to_have_value(EMBEDDED_URL)
    expect(page.get_by_text("Filled in with the embedded sandbox's API")).to_be_visible()
    expect(page.get_by_label("API key")).to_have_attribute("type", "password")
    expect(page.get_by_label("API key")).to_have_attribute("autocomplete", "off")

    # A key the API refuses: said, its field emptied, nothing added.
    add(page, "Team B", WRONG_KEY)
    expect(
        page.get_by_text("The API refused this key (401 Unauthorized). Nothing was added.")
    ).to_be_visible()
    expect(page.get_by_label("API key")).to_have_value("")
    expect(page.get_by_label("API key")).to_be_focused()
    expect(page.get_by_role("rowheader", name="Team B")).to_have_count(0)

    # A good key: what it may do, the row with the key's end only.
    page.get_by_label("API key").fill(OTHER_KEY)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(
        page.get_by_text("Key check: This key may read, create and delete jobs.")
    ).to_be_visible()
    expect(page.get_by_text("Added workspace Team B (team-b).")).to_be_visible()
    team = workspace_row(page, "Team B")
    expect(team).to_contain_text("team-b")
    expect(team).to_contain_text("key …-key")
    expect(team).to_contain_text("No members")
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    expect(page.get_by_label("API key")).to_have_value("")
    assert_no_key_reached_the_browser(page, frames, sandbox_app)
    screenshots(page, "admin-workspaces")

    # A new key: checked, stored, what it may do said.
    page.get_by_role("button", name="New key Team B").click()
    dialog = page.get_by_role("dialog", name="New key for Team B")
    expect(dialog).to_be_visible()
    dialog.get_by_label("New API key").fill(WRONG_KEY)
    dialog.get_by_role("button", name="Check and store").click()
    expect(dialog).to_contain_text(
        "The API refused this key (401 Unauthorized). The old key is kept."
    )
    dialog.get_by_label("New API key").fill(READONLY_KEY)
    dialog.get_by_role("button", name="Check and store").click()
    expect(dialog).to_contain_text("New key stored. This key may read jobs only")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="New key Team B")).to_be_focused()

    # Members: add an account as operator, see it, remove it.
    page.get_by_role("button", name="Members Team B").click()
    dialog = page.get_by_role("dialog", name="Members of Team B")
    expect(dialog.get_by_text("No members yet.")).to_be_visible()
    dialog.get_by_label("Username").fill("nobody-here")
    dialog.get_by_role("button", name="Add or change").click()
    expect(dialog.get_by_text("There is no account named 'nobody-here'.")).to_be_visible()
    dialog.get_by_label("Username").fill("wendy")
    dialog.get_by_role("combobox", name="Role").click()
    page.get_by_role("option", name="operator").click()
    dialog.get_by_role("button", name="Add or change").click()
    member = dialog.get_by_role("row").filter(has=page.get_by_role("rowheader", name="wendy"))
    expect(member).to_contain_text("operator")
    expect(dialog.get_by_label("Username")).to_have_value("")
    page.set_viewport_size({"width": 375, "height": 900})
    page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / "admin-workspaces-members-375.png")
    assert serious_violations(page, (TOASTS,)) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Members Team B")).to_be_focused()
    expect(workspace_row(page, "Team B")).to_contain_text("1 member")
    page.get_by_role("button", name="Members Team B").click()
    member.get_by_role("button", name="Remove wendy").click()
    expect(dialog.get_by_text("No members yet.")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(workspace_row(page, "Team B")).to_contain_text("No members")

    # Rename.
    page.get_by_role("button", name="Rename Team B").click()
    dialog = page.get_by_role("dialog", name="Rename workspace")
    dialog.get_by_label("New name").fill("Team Research")
    dialog.get_by_role("button", name="Rename").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Team B is now named Team Research.")).to_be_visible()
    expect(workspace_row(page, "Team Research")).to_contain_text("team-b")

    # Remove: the confirmation names it and says its history stays.
    page.get_by_role("button", name="Remove Team Research").click()
    confirm = page.get_by_role("alertdialog", name="Remove workspace")
    expect(confirm).to_contain_text("Remove Team Research?")
    expect(confirm).to_contain_text("its job history records are kept")
    confirm.get_by_role("button", name="Remove").click()
    expect(confirm).to_be_hidden()
    expect(
        page.get_by_text("Removed Team Research. Its job history records are kept.")
    ).to_be_visible()
    expect(page.get_by_role("rowheader", name="Team Research")).to_have_count(0)
    assert_no_key_reached_the_browser(page, frames, sandbox_app)


def test_a_viewer_is_refused_and_sent_no_workspace(
    page: Page, visitor: Page, sandbox_app: ServerProcess
) -> None:
    open_admin_page(page, sandbox_app)
    add(page, "Hidden Team", OTHER_KEY)
    expect(workspace_row(page, "Hidden Team")).to_be_visible()

    result = sandbox_app.run_cli(
        "users", "add", "wsviewer", "--role", "viewer", stdin=PASSWORD + "\n"
    )
    assert result.returncode == 0 or "exists" in result.stderr, result.stderr
    frames = Frames(visitor)
    visitor.goto(sandbox_app.url + PAGE)
    visitor.get_by_label("Username").fill("wsviewer")
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in", exact=True).click()
    expect(visitor.get_by_role("heading", name="Workspaces", level=1)).to_be_visible()
    wait_until_live(visitor)
    expect(visitor.get_by_text("Only admins of ftapp manage workspaces.")).to_be_visible()
    expect(visitor.get_by_role("table")).to_have_count(0)
    expect(visitor.get_by_role("link", name="Workspaces")).to_have_count(0)
    assert "Hidden Team" not in visitor.content()
    assert "Hidden Team" not in frames.text()
    assert EMBEDDED_URL not in frames.text()

    workspace_row(page, "Hidden Team").get_by_role("button", name="Remove Hidden Team").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("rowheader", name="Hidden Team")).to_have_count(0)
