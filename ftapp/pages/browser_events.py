"""The events handlers send to the browser: toasts, navigation, focus, the address bar.

Every such event built at run time goes through here, so text from the browser or the
upstream API can never reach Reflex's Var re-parsing (see :mod:`ftapp.guard.text`): pages
call these, never ``rx.toast``, ``rx.redirect`` or ``rx.call_script`` (a unit test checks).
"""

from __future__ import annotations

import json

import reflex as rx

from ftapp.guard.text import safe_text
from ftapp.services import Level

_TOASTS = {Level.SUCCESS: rx.toast.success, Level.INFO: rx.toast.info, Level.ERROR: rx.toast.error}


def toast(level: Level, message: str, *, link: tuple[str, str] | None = None) -> rx.event.EventSpec:
    """A toast of the given level, with a close button; ``link`` = (label, path) adds a
    button that opens ``path`` in the app (e.g. "View job")."""
    options: dict = {"close_button": True}
    if link is not None:
        label, path = link
        options["action"] = {"label": safe_text(label), "on_click": navigate(path)}
    return _TOASTS[level](safe_text(message), **options)


def navigate(path: str, *, replace: bool = False) -> rx.event.EventSpec:
    """Go to ``path`` inside the app (``replace``: without a new history entry)."""
    return rx.redirect(safe_text(path), replace=replace)


def leave_to(path: str) -> rx.event.EventSpec:
    """Load ``path`` as a new page (outside the app's own pages, e.g. the sign-in pages)."""
    return rx.call_script(f"window.location.assign({safe_text(json.dumps(path))})")


def focus(element_id: str) -> rx.event.EventSpec:
    """Move the keyboard focus to the element with id ``element_id`` (if it is there)."""
    return rx.call_script(f"document.getElementById({safe_text(json.dumps(element_id))})?.focus()")


def replace_url(url: str) -> rx.event.EventSpec:
    """Show ``url`` in the address bar without navigating or adding a history entry."""
    return rx.call_script(
        f"window.history.replaceState(window.history.state, '', {safe_text(json.dumps(url))})"
    )


def focus_first_visible(*selectors: str) -> rx.event.EventSpec:
    """Move the focus to the first visible element matching one of ``selectors`` (in order),
    e.g. the next row's Delete after a row went away."""
    return rx.call_script(
        "(() => { for (const selector of "
        + safe_text(json.dumps(list(selectors)))
        + ") { const found = [...document.querySelectorAll(selector)]"
        + ".find((element) => element.offsetParent !== null);"
        + " if (found) { found.focus(); return; } } })()"
    )


def update_local_storage(
    *, remove: tuple[str, ...] = (), put: dict[str, str] | None = None
) -> rx.event.EventSpec:
    """Remove ``remove`` and write ``put`` in the browser's ``localStorage`` now, directly
    (not waiting for Reflex's sync of storage vars, which skips writes during navigation)."""
    return rx.call_script(
        "(() => { const removed = "
        + safe_text(json.dumps(list(remove)))
        + "; const put = "
        + safe_text(json.dumps(put or {}))
        + "; removed.forEach((key) => window.localStorage.removeItem(key));"
        + " Object.entries(put).forEach(([key, value]) => window.localStorage.setItem(key, value));"
        + " })()"
    )


def focus_by_attribute(attribute: str, value: str) -> rx.event.EventSpec:
    """Move the focus to the visible element whose ``attribute`` is ``value`` (e.g. the
    Delete button of one job, after its dialog closed)."""
    return rx.call_script(
        "(() => { const selector = `["
        + attribute
        + '="${CSS.escape('
        + safe_text(json.dumps(value))
        + ')}"]`; const found = [...document.querySelectorAll(selector)]'
        + ".find((element) => element.offsetParent !== null); found?.focus(); })()"
    )
