"""The event gate: which events pass, with which arguments, how often."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import REGISTRY

from ftapp import metrics, metrics_server, stopping
from ftapp.guard.gate import (
    ANY_EVENT,
    MAX_INT,
    MAX_TEXT,
    EventGate,
    RateLimiter,
    Refusal,
    check_payload,
)
from ftapp.guard.surface import LONG_TEXTS, UPSTREAM
from ftapp.pages.admin_workspaces.state import AdminWorkspacesState
from ftapp.pages.dashboard.state import DashboardState
from ftapp.pages.new_job.state import NewJobState
from ftapp.pages.workspace_state import WorkspaceState
from tests.helpers.fakes import FakeClock

ARGS = {"name": str, "delta": int, "is_open": bool}


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "epochs", "delta": 1, "is_open": True},
        {"name": "x" * MAX_TEXT, "delta": -MAX_INT, "is_open": False},
    ],
)
def test_exact_arguments_of_their_types_pass(payload: dict) -> None:
    assert check_payload(payload, ARGS) == payload


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], "payload is not an object"),
        ({"name": "a", "delta": 1}, "unexpected or missing arguments"),
        ({"name": "a", "delta": 1, "is_open": True, "x": 1}, "unexpected or missing arguments"),
        ({"name": 5, "delta": 1, "is_open": True}, "name is not a text"),
        ({"name": {"x": 1}, "delta": 1, "is_open": True}, "name is not a text"),
        ({"name": "x" * (MAX_TEXT + 1), "delta": 1, "is_open": True}, "longer than 1000"),
        ({"name": "a", "delta": "1", "is_open": True}, "delta is not a whole number"),
        ({"name": "a", "delta": True, "is_open": True}, "delta is not a whole number"),
        ({"name": "a", "delta": 1.5, "is_open": True}, "delta is not a whole number"),
        ({"name": "a", "delta": 10**30, "is_open": True}, "delta is not a whole number"),
        ({"name": "a", "delta": 1, "is_open": "false"}, "is_open is not true or false"),
    ],
)
def test_anything_else_is_refused(payload: Any, reason: str) -> None:
    with pytest.raises(Refusal, match=reason):
        check_payload(payload, ARGS)


def test_texts_come_back_with_var_markup_neutralised() -> None:
    checked = check_payload({"job_id": "<reflex.Var>x</reflex.Var>"}, {"job_id": str})
    assert "<reflex.Var>" not in checked["job_id"]


def test_a_reviewed_argument_may_be_longer_than_the_usual_bound() -> None:
    args = {"name": str, "api_url": str, "key": str}
    long_url = {"name": "Team", "api_url": "u" * 2048, "key": "k"}
    limits = LONG_TEXTS["AdminWorkspacesState.add_workspace"]
    assert check_payload(long_url, args, limits) == long_url
    with pytest.raises(Refusal, match="api_url is longer than 2048"):
        check_payload({**long_url, "api_url": "u" * 2049}, args, limits)
    with pytest.raises(Refusal, match="key is longer than 1000"):
        check_payload({**long_url, "key": "k" * 1001}, args, limits)
    with pytest.raises(Refusal, match="api_url is longer than 1000"):
        check_payload(long_url, args)  # the bound is the event's own


def test_a_tab_has_a_budget_that_refills() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    allowed = [limiter.allow("tab", "any", ANY_EVENT) for _ in range(ANY_EVENT.per_window + 5)]
    assert allowed.count(True) == ANY_EVENT.per_window
    assert limiter.allow("other-tab", "any", ANY_EVENT)  # one tab's flood spends only its own
    clock.advance(ANY_EVENT.window_seconds)
    assert limiter.allow("tab", "any", ANY_EVENT)


def test_a_closed_tabs_buckets_are_forgotten_once_they_have_refilled() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    for _ in range(ANY_EVENT.per_window):
        limiter.allow("gone", "any", ANY_EVENT)
    limiter.allow("gone", "upstream", UPSTREAM)
    clock.advance(ANY_EVENT.window_seconds - 1)
    limiter.allow("open", "any", ANY_EVENT)
    assert limiter.forget_idle() == 0  # still refilling: forgetting it would reset it
    clock.advance(1)
    assert limiter.forget_idle() == 2  # the closed tab's two, not the open tab's
    assert len(limiter) == 1
    # Taking from a forgotten bucket is taking from a full one, as it would have been.
    assert [limiter.allow("gone", "any", ANY_EVENT) for _ in range(ANY_EVENT.per_window)] == [
        True
    ] * ANY_EVENT.per_window


# --- the gate in front of the real app's handlers -------------------------------------------


class FakeEvent(SimpleNamespace):
    name: str
    payload: Any


def root_state(token: str = "tab-1") -> Any:
    return SimpleNamespace(router=SimpleNamespace(session=SimpleNamespace(client_token=token)))


async def admit(gate: EventGate, app: Any, state: Any, handler: str, payload: Any) -> bool:
    event = FakeEvent(name=f"{state.get_full_name()}.{handler}", payload=payload)
    return await gate.preprocess(app, root_state(), event) is None


async def test_reviewed_events_with_their_arguments_pass(reflex_app: Any) -> None:
    gate = EventGate()
    assert await admit(gate, reflex_app, DashboardState, "sort_by", {"column": "name"})
    assert await admit(gate, reflex_app, NewJobState, "step_field", {"name": "epochs", "delta": 1})
    assert await admit(gate, reflex_app, WorkspaceState, "retry_models", {})
    long_url = {"name": "Team", "api_url": "https://a.example/" + "p" * 2000, "key": "k" * 512}
    assert await admit(gate, reflex_app, AdminWorkspacesState, "add_workspace", long_url)


@pytest.mark.parametrize(
    ("state", "handler", "payload"),
    [
        (DashboardState, "setvar", {"var_name": "search", "value": "x"}),
        (DashboardState, "_apply_snapshot", {"snapshot": {}}),
        (DashboardState, "no_such_handler", {}),
        (DashboardState, "go_to_page", {"page": "2"}),
        (DashboardState, "confirm_delete", {"job_id": "a", "name": "crafted"}),
        (NewJobState, "set_field", {"name": "name", "value": "x" * 1_000_000}),
        (
            AdminWorkspacesState,
            "add_workspace",
            {"name": "Team", "api_url": "https://a.example/api", "key": "k" * 10_000_000},
        ),
        (AdminWorkspacesState, "rotate_key", {"key": "k" * 1001}),
        (AdminWorkspacesState, "add_workspace", {"name": "Team", "api_url": "u", "key": None}),
        (AdminWorkspacesState, "set_dialog_open", {"is_open": "false"}),
        (DashboardState, "open_page", "not an object"),
        (DashboardState, "open_page", ["a", "list"]),
    ],
)
async def test_crafted_events_are_refused(
    reflex_app: Any, state: Any, handler: str, payload: Any
) -> None:
    assert not await admit(EventGate(), reflex_app, state, handler, payload)


async def test_events_that_reach_the_upstream_have_a_tighter_budget(reflex_app: Any) -> None:
    gate = EventGate(RateLimiter(FakeClock()))
    results = [await admit(gate, reflex_app, WorkspaceState, "retry_models", {}) for _ in range(30)]
    assert results.count(True) == UPSTREAM.per_window
    # The tab may still do what costs the upstream nothing.
    assert await admit(gate, reflex_app, DashboardState, "sort_by", {"column": "name"})


async def test_a_stopping_process_takes_no_new_work_for_the_api(
    reflex_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = EventGate()

    async def answer(state: Any, handler: str, payload: dict) -> Any:
        event = FakeEvent(name=f"{state.get_full_name()}.{handler}", payload=payload)
        return await gate.preprocess(reflex_app, root_state(), event)

    monkeypatch.setattr(stopping, "_stopping", True)
    refused = await answer(NewJobState, "submit", {})
    assert refused is not None
    assert stopping.RESTARTING in str(refused.events)
    # Typing and sorting go on: nothing the person does in the page is lost.
    assert await answer(NewJobState, "set_field", {"name": "name", "value": "x"}) is None
    assert await answer(DashboardState, "sort_by", {"column": "name"}) is None


def test_the_closed_tabs_sweep_forgets_the_gates_idle_buckets(reflex_app: Any) -> None:
    from ftapp.guard import leftovers

    gates = [m for m in reflex_app._middlewares if isinstance(m, EventGate)]
    sweeps = [
        task
        for task in reflex_app.get_lifespan_tasks()
        if getattr(task, "func", None) is leftovers.sweep_periodically
    ]
    assert len(gates) == 1
    assert len(sweeps) == 1
    assert sweeps[0].keywords["forget"] == [gates[0].limiter.forget_idle]


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_refused_events_are_counted_by_reason_never_by_what_was_sent(
    reflex_app: Any,
) -> None:
    gate = EventGate()
    state = root_state()
    crafted = "State.crafted-name-" + "x" * 50
    before = {
        reason: value("ftapp_events_refused_total", reason=reason)
        for reason in ("unknown_event", "not_allowed", "bad_arguments")
    }
    for name, payload in [
        (crafted, {}),
        (f"{DashboardState.get_full_name()}.setvar", {"var_name": "a", "value": 1}),
        (f"{DashboardState.get_full_name()}.go_to_page", {"page": "two"}),
    ]:
        event = SimpleNamespace(name=name, payload=payload)
        assert await gate.preprocess(reflex_app, state, event) is not None
    for reason in before:
        assert value("ftapp_events_refused_total", reason=reason) == before[reason] + 1
    metrics.event_refused("made-up reason")  # never a new series
    exposed = metrics_server.exposition()[0].decode()
    assert "crafted-name" not in exposed
    assert "made-up" not in exposed
