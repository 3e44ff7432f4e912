"""Which closed tabs' States are freed, and when."""

from __future__ import annotations

from ftapp.guard.leftovers import LeftoverTracker


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
