"""The real app in production mode, driven by a raw socket.io client as an attacker would:
foreign origins, crafted and oversized arguments, events by hand, floods. The backend must
stay correct, responsive and small, and its log short and free of client data."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ftapp.guard.gate import ANY_EVENT, MAX_TEXT, _arguments
from ftapp.guard.surface import PUBLIC_EVENTS
from ftapp.job_fields import JobInput
from ftapp.pages.dashboard.state import DashboardState
from ftapp.pages.new_job.form import TEXT_LIMIT
from ftapp.pages.new_job.state import NewJobState
from ftapp.sandbox.store import JobStore
from tests.helpers.rawsocket import RawReflexClient, Refused, Reply
from tests.helpers.reflex_states import page_states
from tests.helpers.servers import SANDBOX_DRIVER_KEY, ServerProcess
from tests.integration.helpers import app_on_its_sandbox, list_job_polls

STATES = page_states()
"""Every page's State by class name (a new page's State joins by itself)."""
DEMO = {"x-api-key": SANDBOX_DRIVER_KEY}
MARKUP = "<reflex.Var>x</reflex.Var>"
INJECTED = "INJECTED-BY-A-SCRIPT"
POLL_SECONDS = 0.5


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with app_on_its_sandbox(
        tmp_path_factory.mktemp("surface"), "surface-app.log", POLL_SECONDS
    ) as server:
        yield server


async def dashboard_client(app: ServerProcess, **kwargs: Any):
    """A signed-in tab of the app (its own session, through the sign-in link)."""
    return RawReflexClient.connect(app.url, origin=app.url, cookie=app.sign_in_cookie(), **kwargs)


async def round_trip(client: RawReflexClient) -> float:
    """Seconds from an event to its answer (a sort: the server asks to rewrite the URL)."""
    started = time.monotonic()
    await client.send(DashboardState, "sort_by", {"column": "name"})
    replies = await client.replies(within=10, until=lambda reply: _scripts(reply))
    assert replies, "no answer to a sort"
    assert _scripts(replies[-1]), "no answer to a sort"
    return time.monotonic() - started


def _scripts(reply: Reply) -> list[str]:
    return [event["payload"].get("javascript_code", "") for event in reply.events]


def _everything(replies: list[Reply]) -> str:
    return json.dumps([(reply.delta, reply.events) for reply in replies])


# --- origins and headers ---------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1"])
async def test_a_websocket_from_another_origin_is_refused_at_the_handshake(
    app: ServerProcess, origin: str
) -> None:
    with pytest.raises(Refused) as refused:
        async with RawReflexClient.connect(app.url, origin=origin, cookie=app.sign_in_cookie()):
            pass
    assert refused.value.status_code == 403


@pytest.mark.parametrize("cookie", [None, "ftapp_session=forged-session-token"])
async def test_a_websocket_without_a_session_is_refused_at_the_handshake(
    app: ServerProcess, cookie: str | None
) -> None:
    with pytest.raises(Refused) as refused:
        async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie):
            pass
    assert refused.value.status_code == 403


async def test_the_apps_own_origin_is_served(app: ServerProcess) -> None:
    async with await dashboard_client(app) as client:
        await client.hydrate("/w/default")
        assert await round_trip(client) < 10


def test_every_response_carries_the_security_headers(app: ServerProcess) -> None:
    signed_in = {"cookie": app.sign_in_cookie()}
    page = httpx.get(app.url + "/w/default", headers=signed_in, timeout=10)
    asset = re.search(r'(/assets/[^"\']+\.js)', page.text)
    assert asset is not None
    for response in (
        page,
        httpx.get(app.url + asset.group(1), headers=signed_in, timeout=10),
        httpx.get(app.url + "/sandbox/api/health", timeout=10),
        httpx.get(app.url + "/no-such-page", headers=signed_in, timeout=10),
        httpx.get(app.url + "/login", timeout=10),
        httpx.get(app.url + "/", timeout=10),  # the gate's answer to a visitor
    ):
        headers = response.headers
        assert headers["x-frame-options"] == "DENY", response.url
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "referrer-policy" in headers
        assert "strict-transport-security" not in headers  # the app is on http here


def test_the_sandbox_answers_no_other_site(app: ServerProcess) -> None:
    foreign = {"origin": "http://evil.example", **DEMO}
    response = httpx.get(app.url + "/sandbox/api/jobs", headers=foreign, timeout=10)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    preflight = httpx.options(
        app.url + "/sandbox/api/jobs",
        headers={"origin": "http://evil.example", "access-control-request-method": "DELETE"},
        timeout=10,
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert httpx.get(app.url + "/sandbox/api/_sandbox/stats", timeout=10).status_code == 401


# --- crafted events --------------------------------------------------------------------------


def crafted_payloads(arguments: list[str]) -> list[Any]:
    """What a script may send instead of a handler's arguments."""
    payloads: list[Any] = [{}, [], "text", {"unexpected": 1}, {**dict.fromkeys(arguments, 1)}]
    for name in arguments:
        for value in (MARKUP, "x" * (MAX_TEXT + 1), {"nested": {"deeply": [1, 2]}}, 10**40, None):
            payloads.append({**dict.fromkeys(arguments, "a"), name: value})
    return payloads


def handler_arguments() -> dict[str, list[str]]:
    """Each reviewed event that takes arguments -> their names, read from the handlers
    themselves (a new event with arguments is crafted against without a list to keep up)."""
    found = {}
    for reviewed in PUBLIC_EVENTS:
        state, handler = reviewed.split(".")
        if names := list(_arguments(getattr(STATES[state], handler).fn)):
            found[reviewed] = names
    return found


HANDLER_ARGUMENTS = handler_arguments()


def test_the_crafted_barrage_covers_the_events_that_take_arguments() -> None:
    """The derivation found the argument-taking events the page code is known to have (a
    broken lookup would silently craft nothing)."""
    known = {
        "DashboardState.set_search": ["value"],
        "DashboardState.confirm_delete": ["job_id"],
        "NewJobState.set_field": ["name", "value"],
        "NewJobState.step_field": ["name", "delta"],
        "HistoryState.set_search": ["value"],
        "JobState.set_notes_draft": ["value"],
        "AdminWorkspacesState.add_workspace": ["name", "api_url", "key"],
    }
    assert {name: HANDLER_ARGUMENTS.get(name) for name in known} == known
    assert len(HANDLER_ARGUMENTS) >= 20


async def send_barrage(app: ServerProcess) -> list[Reply]:
    """Every reviewed event with every crafted payload, then Reflex's own handlers, unknown
    names and broken frames; each event on a tab of its own, so that no rate limit hides a
    payload from the checks. Returns every answer the attacker got."""
    answers: list[Reply] = []
    for reviewed in PUBLIC_EVENTS:
        state, handler = reviewed.split(".")
        async with await dashboard_client(app) as attacker:
            await attacker.hydrate("/w/default")
            for payload in crafted_payloads(HANDLER_ARGUMENTS.get(reviewed, [])):
                await attacker.send(STATES[state], handler, payload)
            answers += await attacker.replies(within=0.5)
    async with await dashboard_client(app) as attacker:
        await attacker.send(DashboardState, "setvar", {"var_name": "feed_error", "value": INJECTED})
        await attacker.send(DashboardState, "_apply_snapshot", {"snapshot": {"error": INJECTED}})
        await attacker.send_named("reflex___state____state.no_such_handler", {"x": INJECTED})
        await attacker.send_named("reflex___state____state.hydrate_and_load", {"vars": INJECTED})
        for frame in ("42/_event,not json", '42/_event,["event", "text"]', "42/_event,[1,2]", "4x"):
            await attacker.send_raw(frame)
        answers += await attacker.replies(within=1)
    return answers


async def test_crafted_events_leave_the_backend_responsive_correct_and_small(
    app: ServerProcess,
) -> None:
    async with await dashboard_client(app) as bystander:
        await bystander.hydrate("/w/default")
        await bystander.replies(within=2)
        before = app.memory_bytes()
        baseline = await round_trip(bystander)

        barrage = asyncio.create_task(send_barrage(app))
        await asyncio.sleep(1)
        during = await round_trip(bystander)
        answers = await barrage
        await asyncio.sleep(2)
        after = await round_trip(bystander)
        grown = app.memory_bytes() - before

    assert INJECTED not in _everything(answers)
    assert "<reflex.Var>" not in _everything(answers)
    assert during < max(2.0, 20 * baseline)
    assert after < max(2.0, 20 * baseline)
    assert grown < 100 * 2**20, f"the backend grew by {grown / 2**20:.0f} MB"
    log = app.log()
    assert "Traceback" not in log
    assert INJECTED not in log
    assert " failed: " not in log, "a crafted event reached a handler and broke it"


async def test_var_markup_in_an_upstream_job_name_is_shown_and_deleted_safely(
    app: ServerProcess,
) -> None:
    store = JobStore(app.sandbox_db)  # type: ignore[attr-defined]
    crafted = JobInput(
        name=f"{MARKUP}-{INJECTED}",
        base_model="meta-llama/Llama-3.1-8B-Instruct",
        epochs=1,
        evaluation_epochs=0,
        warmup_epochs=0,
        learning_rate=0.1,
    )
    job = store.create("demo", crafted)
    async with await dashboard_client(app) as user, await dashboard_client(app) as bystander:
        await user.hydrate("/w/default?q=INJECTED")
        await bystander.hydrate("/w/default")
        shown = await user.replies(within=4, until=lambda r: INJECTED in _everything([r]))
        assert INJECTED in _everything(shown)
        await user.send(DashboardState, "ask_delete", {"job_id": job.id})
        await user.send(DashboardState, "confirm_delete", {"job_id": job.id})
        toast = await user.replies(within=10, until=lambda r: "Deleted" in _everything([r]))
        assert "Deleted" in _everything(toast)
        assert await round_trip(bystander) < 5
    assert store.get("demo", job.id) is None


# --- bounded work per tab --------------------------------------------------------------------


async def test_hand_started_subscriptions_end_with_their_client(app: ServerProcess) -> None:
    async with await dashboard_client(app) as script:
        await script.hydrate("/w/default")
        await script.replies(within=1)
        polls_before = list_job_polls(app)
        for _ in range(2000):
            await script.send(DashboardState, "follow_feed", {})
        await asyncio.sleep(8)
        polls_while_flooding = list_job_polls(app) - polls_before
    # One shared loop polls every POLL_SECONDS whatever the tab sends.
    assert polls_while_flooding <= 8 / POLL_SECONDS + 6
    await asyncio.sleep(8)  # the connection check runs every 5 s
    settled = list_job_polls(app)
    await asyncio.sleep(3)
    assert list_job_polls(app) == settled, "the upstream is still polled after the tab left"


async def test_a_flood_from_one_tab_is_cut_to_its_budget(app: ServerProcess) -> None:
    async with await dashboard_client(app) as script, await dashboard_client(app) as bystander:
        await script.hydrate("/w/default")
        await bystander.hydrate("/w/default")
        await asyncio.gather(script.replies(within=1), bystander.replies(within=1))
        for _ in range(2 * ANY_EVENT.per_window):
            await script.send(DashboardState, "sort_by", {"column": "name"})
        answered = [r for r in await script.replies(within=4) if _scripts(r)]
        # The budget, plus what it refills while the server works through the flood (the
        # exact counts are unit-tested with a fake clock in tests/unit/guard/test_gate.py).
        assert len(answered) <= 1.5 * ANY_EVENT.per_window
        assert await round_trip(bystander) < 5  # the other tab is not held up
    assert "too many events from this tab" in app.log()


async def test_texts_past_the_limits_are_refused_or_clipped(app: ServerProcess) -> None:
    async with await dashboard_client(app) as script:
        await script.hydrate("/jobs/new")
        await script.replies(within=2)
        await script.send(NewJobState, "set_field", {"name": "name", "value": "y" * (MAX_TEXT + 1)})
        refused = await script.replies(within=2)
        await script.send(NewJobState, "set_field", {"name": "name", "value": "z" * MAX_TEXT})
        kept = await script.replies(within=2, until=lambda r: "zzz" in _everything([r]))
    assert "yyy" not in _everything(refused)
    texts = next(reply.var("texts") for reply in kept if "texts" in json.dumps(reply.delta))
    assert texts["name"] == "z" * TEXT_LIMIT


async def test_a_message_over_the_size_limit_closes_only_its_socket(app: ServerProcess) -> None:
    async with await dashboard_client(app) as script, await dashboard_client(app) as bystander:
        await script.hydrate("/w/default")
        await bystander.hydrate("/w/default")
        await script.send(NewJobState, "set_field", {"name": "name", "value": "x" * 200_000})
        await asyncio.wait_for(script.closed.wait(), 10)
        assert await round_trip(bystander) < 5


def states_bytes() -> int:
    return sum(path.stat().st_size for path in Path(".states").glob("*") if path.is_file())


async def test_thirty_sessions_with_full_fields_keep_the_server_small(app: ServerProcess) -> None:
    before, states_before = app.memory_bytes(), states_bytes()
    for _ in range(30):
        async with await dashboard_client(app) as script:
            await script.hydrate("/jobs/new")
            for name in ("name", "learningRate", "epochs"):
                await script.send(NewJobState, "set_field", {"name": name, "value": "n" * MAX_TEXT})
            await script.replies(within=0.3)
    await asyncio.sleep(3)  # Reflex writes states to disk after a 2 s debounce
    grown = app.memory_bytes() - before
    states = states_bytes() - states_before
    assert grown < 60 * 2**20, f"grew by {grown / 2**20:.0f} MB"
    assert states < 5 * 2**20, f".states grew by {states / 2**20:.1f} MB"


def test_the_app_log_keeps_client_data_out(app: ServerProcess) -> None:
    log = app.log()
    assert "Traceback" not in log
    assert "cookie" not in log.lower()
    assert MARKUP not in log
    with sqlite3.connect(app.sandbox_db) as db:  # type: ignore[attr-defined]
        assert db.execute("select count(*) from jobs").fetchone()[0] >= 1
