"""Which closed tabs' States are freed, and when."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from reflex_base.registry import RegistrationContext

from ftapp.guard import leftovers as leftovers_module
from ftapp.guard.leftovers import LeftoverTracker, sweep_once


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tracker(grace: float = 30.0) -> tuple[LeftoverTracker, Clock]:
    clock = Clock()
    return LeftoverTracker(grace, clock), clock


def test_a_connected_tab_is_never_freed() -> None:
    leftovers, clock = tracker()
    for clock.now in (0, 31, 3600):
        assert leftovers.expired(["a"], connected=["a"]) == []


def test_a_closed_tab_is_freed_once_its_grace_is_over() -> None:
    leftovers, clock = tracker()
    assert leftovers.expired(["a", "b"], connected=["b"]) == []  # a's grace starts
    clock.now = 29.9
    assert leftovers.expired(["a", "b"], connected=["b"]) == []
    clock.now = 30.0
    assert leftovers.expired(["a", "b"], connected=["b"]) == ["a"]
    assert leftovers.expired(["b"], connected=["b"]) == []


def test_a_tab_that_reconnects_within_its_grace_keeps_its_state() -> None:
    leftovers, clock = tracker()
    leftovers.expired(["a"], connected=[])
    clock.now = 20
    assert leftovers.expired(["a"], connected=["a"]) == []  # back: its grace ends
    clock.now = 40
    assert leftovers.expired(["a"], connected=[]) == []  # gone again: a new grace
    clock.now = 69
    assert leftovers.expired(["a"], connected=[]) == []
    clock.now = 70
    assert leftovers.expired(["a"], connected=[]) == ["a"]


def test_tabs_whose_state_went_otherwise_are_forgotten() -> None:
    leftovers, clock = tracker()
    leftovers.expired(["a"], connected=[])
    clock.now = 10
    leftovers.expired([], connected=[])  # freed by Reflex's own expiry meanwhile
    clock.now = 35
    assert leftovers.expired(["a"], connected=[]) == []  # a new State: a new grace


def test_a_sweep_without_states_in_memory_still_hands_freed_heap_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Redis (States not in this process) closed sockets still leave freed heap behind:
    the sweep forgets what closed tabs left and asks the C library to return the memory."""
    trims: list[bool] = []
    forgotten: list[bool] = []
    app = SimpleNamespace(event_namespace=object(), state_manager=object())  # not in memory
    monkeypatch.setattr(RegistrationContext, "get", lambda: SimpleNamespace(app=app))
    monkeypatch.setattr(leftovers_module, "_free_unused_heap", lambda: trims.append(True))
    freed = sweep_once(LeftoverTracker(30.0), forget=[lambda: forgotten.append(True)])
    assert (freed, forgotten, trims) == (0, [True], [True])
