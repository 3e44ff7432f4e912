"""The event surface: every handler a browser can reach is on the reviewed list."""

from __future__ import annotations

from typing import Any

from ftapp.guard.surface import PUBLIC_EVENTS, REFLEX_EVENTS


def reachable(app: Any) -> set[str]:
    """``StateClass.handler`` for every event Reflex would route to a handler."""
    return {
        f"{registered.states[0].__name__}.{name.rpartition('.')[2]}"
        for name, registered in app._registration_context.event_handlers.items()
    }


def test_every_reachable_handler_was_reviewed(reflex_app: Any) -> None:
    unreviewed = {
        name
        for name in reachable(reflex_app)
        if name not in PUBLIC_EVENTS
        and name not in REFLEX_EVENTS
        and not name.endswith(".setvar")  # Reflex's generic setter: the gate refuses it
    }
    assert unreviewed == set(), (
        "New handlers a browser can call; make them private (_name) or review them into "
        f"ftapp/guard/surface.py: {sorted(unreviewed)}"
    )


def test_the_reviewed_list_names_only_real_handlers(reflex_app: Any) -> None:
    stale = (set(PUBLIC_EVENTS) | set(REFLEX_EVENTS)) - reachable(reflex_app)
    assert stale == set()


def test_no_helper_of_a_page_state_is_public(reflex_app: Any) -> None:
    helpers = [name for name in PUBLIC_EVENTS if name.rpartition(".")[2].startswith("apply")]
    assert helpers == []
