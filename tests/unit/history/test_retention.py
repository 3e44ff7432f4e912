"""Forgetting old history: prune(), the hourly task with FT_HISTORY_RETENTION_DAYS, and
``ftapp history prune --older-than AGE``."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from ftapp import cli
from ftapp.history import retention
from ftapp.history.record import write_poll
from ftapp.history.retention import DAY, parse_age, prune
from ftapp.settings import use_settings
from tests.helpers.job_history import a_job, poll, records, transitions

NOW = 1_800_000_000


def history_of(age_days: float) -> None:
    """Four jobs, seen by polls up to one minute before ``NOW``: ``finished`` (finished
    ``age_days`` before, gone a day later), ``vanished`` (gone ``age_days`` before, never seen
    finished), ``listed`` (finished ``age_days`` before, still in the API's list) and
    ``recent`` (running until it left the list a minute ago)."""
    then = NOW - age_days * DAY
    known = write_poll(
        poll(
            a_job("finished"),
            a_job("vanished"),
            a_job("listed"),
            a_job("recent"),
            at=then - 60,
        ),
        None,
    )
    known = write_poll(
        poll(a_job("finished", "Completed"), a_job("listed", "Failed"), a_job("recent"), at=then),
        known,
    )
    known = write_poll(poll(a_job("listed", "Failed"), a_job("recent"), at=then + DAY), known)
    write_poll(poll(a_job("listed", "Failed"), at=NOW - 60), known)


def test_prune_forgets_jobs_that_ended_longer_ago_and_are_no_longer_listed() -> None:
    history_of(age_days=100)

    assert prune(90 * DAY, now=NOW) == 2

    assert sorted(records()) == ["listed", "recent"]
    assert {t[0] for t in transitions()} == {"listed", "recent"}
    assert prune(90 * DAY, now=NOW) == 0


def test_prune_keeps_jobs_that_ended_within_the_age() -> None:
    history_of(age_days=30)

    assert prune(90 * DAY, now=NOW) == 0
    assert len(records()) == 4


@pytest.mark.parametrize(
    ("text", "seconds"), [("90d", 90 * DAY), ("36h", 36 * 3600), (" 1D ", DAY), ("7 d", 7 * DAY)]
)
def test_an_age_is_days_or_hours(text: str, seconds: int) -> None:
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["90", "0d", "-1d", "1.5d", "90m", "d", "1w", "9999999d"])
def test_anything_else_is_refused_with_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"whole number of days or hours, e\.g\. 90d or 36h"):
        parse_age(text)


def test_the_cli_prunes_and_says_how_many(capsys: pytest.CaptureFixture[str]) -> None:
    history_of(age_days=(NOW - time.time()) / DAY + 100)  # ended 100 days before today

    assert cli.main(["history", "prune", "--older-than", "90d"]) == 0
    assert capsys.readouterr().out == "Pruned 2 job records (jobs that ended over 90d ago).\n"
    assert cli.main(["history", "prune", "--older-than", "2400h"]) == 0
    assert capsys.readouterr().out == "Pruned 0 job records (jobs that ended over 2400h ago).\n"


def test_the_cli_refuses_a_bad_age_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    history_of(age_days=200)

    assert cli.main(["history", "prune", "--older-than", "soon"]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert err == (
        "ftapp: --older-than: The age must be a whole number of days or hours, e.g. 90d or "
        "36h, got 'soon'.\n"
    )
    assert len(records()) == 4


async def test_without_the_setting_the_periodic_prune_does_nothing() -> None:
    history_of(age_days=(NOW - time.time()) / DAY + 1000)
    use_settings(None)

    await asyncio.wait_for(retention.prune_periodically(0.01), timeout=1)

    assert len(records()) == 4


async def test_with_the_setting_the_periodic_prune_runs_again_and_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    history_of(age_days=(NOW - time.time()) / DAY + 100)
    monkeypatch.setenv("FT_HISTORY_RETENTION_DAYS", "90")
    use_settings(None)
    runs = []
    real_prune = retention.prune

    def counted(older_than: float) -> int:
        runs.append(older_than)
        return real_prune(older_than)

    monkeypatch.setattr(retention, "prune", counted)
    with caplog.at_level(logging.INFO, logger="ftapp.history.retention"):
        task = asyncio.create_task(retention.prune_periodically(0.01))
        while len(runs) < 3:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        task.cancel()
    use_settings(None)

    assert runs[0] == 90 * DAY
    assert sorted(records()) == ["listed", "recent"]
    assert [r.getMessage() for r in caplog.records] == ["Pruned 2 job records from the history."]
