"""Small browser-side effects that handlers send: focus an element, rewrite the URL."""

from __future__ import annotations

import json

import reflex as rx


def focus(element_id: str) -> rx.event.EventSpec:
    """Move the keyboard focus to the element with id ``element_id`` (if it is there)."""
    return rx.call_script(f"document.getElementById({json.dumps(element_id)})?.focus()")


def replace_url(url: str) -> rx.event.EventSpec:
    """Show ``url`` in the address bar without navigating or adding a history entry."""
    return rx.call_script(
        f"window.history.replaceState(window.history.state, '', {json.dumps(url)})"
    )
