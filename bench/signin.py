"""Signed-in browser contexts for the benchmarks (the app lets nobody in without a session)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, BrowserContext

from tests.helpers.servers import ServerProcess


def signed_in_context(browser: Browser, app: ServerProcess, **options: Any) -> BrowserContext:
    """A new context (empty cache) holding a fresh session of ``app``, as after its sign-in
    link, so a measured navigation is the dashboard itself, not the sign-in redirect."""
    context = browser.new_context(**options)
    name, _, value = app.sign_in_cookie().partition("=")
    context.add_cookies([{"name": name, "value": value, "url": app.url}])
    return context
