"""Who is signed in inside Reflex event handlers: from the state's server-side copy of the
WebSocket upgrade's Cookie header, re-checked before every event by RequireSession, with each
tab's state bound to the sign-in that built it."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from reflex.istate.data import RouterData
from reflex.state import State, StateUpdate
from reflex_base.event import Event

from ftapp.auth import state as auth_state
from ftapp.auth.roles import Role
from ftapp.auth.sessions import session_store, sign_out
from ftapp.auth.state import (
    NEW_TAB_STATE_SCRIPT,
    RequireSession,
    SessionBinding,
    current_user,
    to_login_script,
)
from tests.helpers.sign_in import use_settings
from tests.unit.auth.helpers import add_user

HYDRATE = Event(name="reflex___state____state.hydrate", payload={})


def tab_state(cookie_header: str, client_ip: str = "") -> State:
    """A tab's root state, as Reflex builds it from the socket's upgrade request."""
    state = State()
    state.router = RouterData.from_router_data(
        {
            "headers": {"cookie": cookie_header},
            "pathname": "/jobs/new",
            "asPath": "/jobs/new",
            "ip": client_ip,
        }
    )
    return state


async def cookie_for(name: str, role: Role = Role.OPERATOR) -> str:
    token = await session_store().create(add_user(name, role))
    return f"theme=dark; ftapp_session={token}"


def scripts(update: StateUpdate | None) -> list[str]:
    assert update is not None
    assert update.delta == {}
    return [event.payload["javascript_code"] for event in update.events]


@pytest.fixture
def settings(app_db: str) -> None:
    use_settings()


async def test_current_user_reads_the_cookie_header(settings: None) -> None:
    state = tab_state(await cookie_for("bob", Role.OPERATOR))
    identity = await current_user(state)
    assert identity is not None
    assert (identity.username, identity.role) == ("bob", Role.OPERATOR)
    substate = await state.get_state(SessionBinding)
    assert await current_user(substate) == identity  # from any state of the tab


async def test_current_user_acts_from_the_sockets_address(settings: None) -> None:
    # Reflex resolves the socket's address once, when it opens (X-Forwarded-For through the
    # trusted hops), and puts it in every event's router data: the activity log names it.
    state = tab_state(await cookie_for("bob"), client_ip="198.51.100.7")
    identity = await current_user(state)
    assert identity is not None
    assert identity.address == "198.51.100.7"
    assert identity.in_workspace("team", Role.VIEWER).address == "198.51.100.7"


@pytest.mark.parametrize(
    "cookie", ["", "ftapp_session=forged-" + "x" * 40, "ftapp_session=", "theme=dark"]
)
async def test_no_or_forged_cookie_is_nobody(settings: None, cookie: str) -> None:
    assert await current_user(tab_state(cookie)) is None


async def test_events_without_a_session_go_to_the_sign_in_page(settings: None) -> None:
    update = await RequireSession().preprocess(None, tab_state(""), HYDRATE)  # type: ignore[arg-type]
    assert scripts(update) == [to_login_script()]
    assert to_login_script() == (
        'window.location.assign("/login?next=" + '
        "encodeURIComponent(window.location.pathname + window.location.search))"
    )


async def test_a_live_session_runs_the_handler_and_binds_the_tab(settings: None) -> None:
    cookie = await cookie_for("bob")
    state = tab_state(cookie)
    middleware = RequireSession()
    assert await middleware.preprocess(None, state, HYDRATE) is None  # type: ignore[arg-type]
    binding = await state.get_state(SessionBinding)
    identity = await current_user(state)
    assert identity is not None
    assert binding._owner == identity.session_key
    assert await middleware.preprocess(None, state, HYDRATE) is None  # type: ignore[arg-type]
    assert "_owner" not in str(state.dict())  # backend-only: never sent to the browser


async def test_sign_out_stops_the_next_event(settings: None) -> None:
    cookie = await cookie_for("bob")
    state = tab_state(cookie)
    middleware = RequireSession()
    assert await middleware.preprocess(None, state, HYDRATE) is None  # type: ignore[arg-type]
    assert await sign_out(state.router.headers.cookie) is True
    update = await middleware.preprocess(None, state, HYDRATE)  # type: ignore[arg-type]
    assert scripts(update) == [to_login_script()]


async def test_a_new_sign_in_in_the_same_tab_never_sees_the_previous_state(
    settings: None,
) -> None:
    state = tab_state(await cookie_for("bob"))
    middleware = RequireSession()
    assert await middleware.preprocess(None, state, HYDRATE) is None  # type: ignore[arg-type]
    # Bob signs out; Alice signs in in the same tab: same tab token, so the same state.
    await sign_out(state.router.headers.cookie)
    state.router = tab_state(await cookie_for("alice")).router
    update = await middleware.preprocess(None, state, HYDRATE)  # type: ignore[arg-type]
    assert scripts(update) == [NEW_TAB_STATE_SCRIPT]
    assert "sessionStorage.removeItem('token')" in NEW_TAB_STATE_SCRIPT


async def test_the_events_own_router_data_is_not_read(settings: None) -> None:
    # Reflex replaces an event's client-sent headers with the socket's own before the state
    # sees them (reflex/app.py, EventNamespace.on_event: router_data.update(static data));
    # the middleware reads only the state's router, never the event's router_data.
    state = tab_state(await cookie_for("bob"))
    forged = Event(
        name="reflex___state____state.hydrate",
        payload={},
        router_data={"headers": {"cookie": "ftapp_session=" + "A" * 43}},
    )
    assert await RequireSession().preprocess(None, state, forged) is None  # type: ignore[arg-type]
    identity = await current_user(state)
    assert identity is not None
    assert identity.username == "bob"


# --- open sockets whose session ended or whose role changed ---------------------------------


def test_a_socket_is_closed_when_its_session_ends_or_its_role_changes() -> None:
    from ftapp.auth.roles import Identity
    from ftapp.auth.state import RELOAD_SCRIPT, OpenSocket, verdict

    socket = OpenSocket("sid-1", "token", Role.ADMIN)
    same = Identity(1, "ada", Role.ADMIN, "0123456789abcdef", 2_000_000_000)
    demoted = Identity(1, "ada", Role.VIEWER, "0123456789abcdef", 2_000_000_000)
    assert verdict(socket, same) is None
    assert verdict(socket, None) == to_login_script()
    assert verdict(socket, demoted) == RELOAD_SCRIPT
    assert verdict(OpenSocket("sid-2", None, None), None) == to_login_script()


def test_a_socket_is_reloaded_when_its_accounts_memberships_change() -> None:
    from ftapp.auth.roles import Identity
    from ftapp.auth.state import RELOAD_SCRIPT, OpenSocket, verdict

    socket = OpenSocket("sid-1", "token", Role.VIEWER, access_at_connect=3)
    same = Identity(1, "ada", Role.VIEWER, "0123456789abcdef", 2_000_000_000, access_version=3)
    granted = Identity(1, "ada", Role.VIEWER, "0123456789abcdef", 2_000_000_000, access_version=4)
    assert verdict(socket, same) is None
    assert verdict(socket, granted) == RELOAD_SCRIPT
    assert verdict(OpenSocket("sid-2", "token", None), granted) is None  # opened unknown


async def test_sweeps_that_cannot_reach_the_store_are_logged_when_they_start_and_stop(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes = [RedisConnectionError("Error 111")] * 5 + [None] * 3
    done = asyncio.Event()

    async def sweep(_namespace: object) -> int:
        if not outcomes:
            done.set()
            await asyncio.sleep(3600)
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return 0

    monkeypatch.setattr(auth_state, "sweep_sockets", sweep)
    app = SimpleNamespace(event_namespace=object())
    with caplog.at_level(logging.INFO, logger="ftapp.auth.state"):
        task = asyncio.create_task(auth_state.end_revoked_sockets(app, interval_seconds=0.001))
        await asyncio.wait_for(done.wait(), 5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert [r.getMessage() for r in caplog.records] == [
        "Could not check open sockets' sessions (ConnectionError); retrying every 0.001 s.",
        "Open sockets' sessions are checked again.",
    ]
