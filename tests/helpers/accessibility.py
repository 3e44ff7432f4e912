"""axe-core in the browser: the WCAG 2.2 AA findings that fail a test."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE = Axe()
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}
TOASTS = "[data-sonner-toaster]"
"""The app's toasts: the same on every page, and gone in seconds."""


def serious_violations(page: Page, exclude: tuple[str, ...] = ()) -> list[str]:
    """Each serious or critical violation on ``page`` (but in ``exclude``, CSS selectors) as
    "rule: target (summary)"."""
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = AXE.run(page, context=context, options=WCAG_AA)
    return [
        f"{violation['id']}: {node['target']} ({node.get('failureSummary', '')[:160]})"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]
