"""The status chart's bars: lengths relative to the longest, zero for an empty workspace."""

from __future__ import annotations

from ftapp.components.status_chart import StatusBar, status_bars


def test_the_longest_bar_is_full_and_the_others_in_proportion() -> None:
    assert status_bars({"Completed": 3, "Running": 2, "Failed": 1}) == [
        StatusBar("Completed", 3, 100),
        StatusBar("Running", 2, 67),
        StatusBar("Failed", 1, 33),
    ]


def test_an_empty_workspace_draws_no_bar() -> None:
    assert [bar.percent for bar in status_bars({"Completed": 0, "Running": 0})] == [0, 0]
