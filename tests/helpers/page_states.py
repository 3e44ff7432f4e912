"""Every page of the app and its states (a dialog or a menu open...), for the browser tests
that visit them all (accessibility, the stylesheet)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect


def open_delete_dialog(page: Page) -> None:
    page.get_by_role("button", name="Delete summarizer-7").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()


def wizard_with_messages(page: Page) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Job name is required")).to_be_visible()


def first_job(page: Page) -> None:
    page.get_by_role("link", name="summarizer-7").first.click()
    expect(page.get_by_role("heading", name="summarizer-7")).to_be_visible()


def compare_two(page: Page) -> None:
    """The history's first two jobs side by side (the demo's jobs, once recorded)."""
    boxes = page.get_by_role("checkbox", name=re.compile(r"^Select "))
    expect(boxes.nth(1)).to_be_visible()
    boxes.nth(0).click()
    boxes.nth(1).click()
    page.get_by_role("button", name="Compare (2)").click()
    expect(page.get_by_role("table", name="Compared jobs")).to_be_visible()


STATES: list[tuple[str, str, Callable[[Page], None] | None]] = [
    ("dashboard", "/", None),
    ("delete dialog", "/", open_delete_dialog),
    ("no match", "/?q=nothing-matches-this", None),
    ("job page", "/", first_job),
    ("job not found", "/jobs/no-such-job", None),
    ("wizard set up", "/jobs/new?step=setup", None),
    ("wizard messages", "/jobs/new?step=setup", wizard_with_messages),
    ("wizard configure", "/jobs/new?step=configure", None),
    ("activity", "/activity", None),
    ("admin workspaces", "/admin/workspaces", None),
    ("history", "/history", None),
    ("history compare", "/history", compare_two),
    ("404", "/no/such/page", None),
]
