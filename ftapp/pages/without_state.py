"""Showing a tab a few values while its State cannot be had.

On Redis, Reflex keeps every tab's State in Redis: while Redis is down, a background handler
cannot enter ``async with self`` to change what the tab shows. The tab's socket still works
(it is this process's), so :func:`show_without_state` sends the new values of some vars
straight to it, as the delta Reflex would have sent. The State keeps its old values: the
caller sets those vars again, changed or not, at its next update that reaches the State, so
that the tab gets the State's values back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event.context import EventContext


async def show_without_state(state: type[rx.State], values: Mapping[str, Any]) -> None:
    """Send ``values`` (var name -> JSON value) of ``state`` to the tab whose event is being
    handled, without loading its State."""
    delta = {state.get_full_name(): {f"{name}{FIELD_MARKER}": v for name, v in values.items()}}
    await EventContext.get().emit_delta(delta)
