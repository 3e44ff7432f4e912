"""Helpers for driving the create-job wizard through its labels and roles."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.helpers.browser import wait_until_live
from tests.helpers.servers import ServerProcess

LLAMA_NAME = "Llama 3.1 8B Instruct"


def budget(epochs: int) -> str:
    """The epoch budget's message, as the rules word it."""
    unit = "training epoch" if epochs == 1 else "training epochs"
    return f"Evaluation + warm-up epochs must not exceed {epochs} {unit}"


def step_url(step: str) -> re.Pattern[str]:
    """The wizard's URL on ``step`` (a reload may add a slash before the query)."""
    return re.compile(rf"/jobs/new/?\?step={step}$")


def field(page: Page, label: str) -> Locator:
    """The control labelled exactly ``label`` ("Epochs" is part of two other labels)."""
    return page.get_by_label(label, exact=True)


def open_wizard(page: Page, app: ServerProcess, query: str = "") -> None:
    """Go to ``/jobs/new`` + ``query`` and wait for the page."""
    page.goto(app.url + "/jobs/new" + query)
    expect(page.get_by_role("heading", name="New job", level=1)).to_be_visible()
    wait_until_live(page)


def choose_model(page: Page, display_name: str) -> None:
    """Pick a base model in the select by its display name."""
    field(page, "Base model").click()
    page.get_by_role("option", name=display_name, exact=True).click()
    expect(field(page, "Base model")).to_have_text(display_name)


def complete_setup(page: Page, name: str, model: str = LLAMA_NAME) -> None:
    """Fill the set-up step and go on to Configure."""
    field(page, "Job name").fill(name)
    choose_model(page, model)
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("configure"))
    expect(page.get_by_role("heading", name="Configure", level=2)).to_be_visible()


def set_epochs(page: Page, epochs: str, evaluation: str, warmup: str) -> None:
    """Type the three epoch counts."""
    field(page, "Epochs").fill(epochs)
    field(page, "Evaluation epochs").fill(evaluation)
    field(page, "Warm-up epochs").fill(warmup)
    expect(field(page, "Warm-up epochs")).to_have_value(warmup)


def expect_message(control: Locator, message: str) -> None:
    """``message`` is shown and tied to ``control`` (its accessible description)."""
    expect(control).to_have_accessible_description(message)
    expect(control).to_have_attribute("aria-invalid", "true")


def expect_valid(control: Locator) -> None:
    """``control`` has no message."""
    expect(control).to_have_attribute("aria-invalid", "false")
