"""The Reflex sockets of this process: send one an event, close one.

Used where the server speaks first, outside any event handler: the sweep that closes the
sockets of ended sessions (:mod:`ftapp.auth.state`) and the clean stop that tells every page
the app is restarting (:mod:`ftapp.stopping`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from reflex.event import EventSpec
from reflex.state import StateUpdate
from reflex_base import constants
from reflex_base.event import Event


async def send_event(namespace: Any, sid: str, spec: EventSpec) -> bool:
    """Send ``spec`` (a toast, a script...) to the socket ``sid``; False when it is gone."""
    update = StateUpdate(events=Event.from_event_type(spec))
    try:
        await namespace.emit(str(constants.SocketEvent.EVENT), update, to=sid)
    except Exception:  # a socket going away by itself is not an error here
        return False
    return True


async def close_socket(namespace: Any, sid: str) -> None:
    """Leave the namespace (no more deltas), end the Engine.IO session and close the
    WebSocket itself."""
    server = namespace.server
    eio_sid = server.manager.eio_sid_from_sid(sid, namespace.namespace)
    transport = server.eio.sockets.get(eio_sid) if eio_sid is not None else None
    await server.disconnect(sid, namespace=namespace.namespace)
    if eio_sid is None:
        return
    with contextlib.suppress(Exception):
        await server.eio.disconnect(eio_sid)
    if transport is not None:
        # Engine.IO sends its CLOSE packet but leaves the WebSocket open until the client
        # speaks again (a browser closes it then; a raw client need not): an empty item
        # ends its writer, which closes the WebSocket.
        with contextlib.suppress(Exception):
            transport.queue.put_nowait(None)
