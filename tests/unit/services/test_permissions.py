"""Who may do what is checked in the services, and every attempt is in the activity log."""

from __future__ import annotations

import httpx
import pytest
import respx

from ftapp import services
from ftapp.auth.roles import Identity
from ftapp.services import activity, connection
from tests.helpers.people import ADMIN, JOB_INPUT, OPERATOR, VIEWER, log_lines
from tests.unit.snapshots import job, snapshot


async def test_a_viewer_may_not_create_and_the_api_hears_nothing(
    hosted_api: respx.MockRouter,
) -> None:
    outcome = await services.create_job(JOB_INPUT, VIEWER)

    assert outcome == services.Refused("Viewers may not create jobs.")
    assert hosted_api.calls.call_count == 0
    assert await log_lines() == [("vera", "create", "", "new-job", "refused_by_role")]


async def test_a_viewer_may_not_delete_and_the_api_hears_nothing(
    hosted_api: respx.MockRouter,
) -> None:
    connection.feed().snapshot = snapshot(job("a", "alpha"))

    outcome = await services.delete_job("a", VIEWER)

    assert (outcome.gone, outcome.message) == (False, "Viewers may not delete jobs.")
    assert hosted_api.calls.call_count == 0
    assert await log_lines() == [("vera", "delete", "a", "alpha", "refused_by_role")]


async def test_an_operators_create_and_delete_are_logged_with_their_outcome(
    hosted_api: respx.MockRouter,
) -> None:
    created = {**job("new-1", "new-job"), "status": "Running"}
    hosted_api.post("/jobs").respond(201, json=created)
    hosted_api.delete("/jobs/new-1").respond(403, json={"error": "Insufficient permissions"})
    connection.feed().snapshot = snapshot(job("old", "old-job"))

    assert isinstance(await services.create_job(JOB_INPUT, OPERATOR), services.Created)
    deletion = await services.delete_job("new-1", OPERATOR)

    assert deletion.gone is False
    assert await log_lines() == [
        ("olga", "delete", "new-1", "new-job", "refused_by_api"),
        ("olga", "create", "new-1", "new-job", "done"),
    ]


async def test_an_unreachable_api_is_logged_as_failed(hosted_api: respx.MockRouter) -> None:
    hosted_api.post("/jobs").mock(side_effect=httpx.ConnectError("refused"))
    outcome = await services.create_job(JOB_INPUT, ADMIN)
    assert isinstance(outcome, services.Refused)
    assert await log_lines() == [("ada", "create", "", "new-job", "failed")]


async def test_a_session_that_ended_is_refused_and_the_api_hears_nothing(
    hosted_api: respx.MockRouter,
) -> None:
    assert await services.create_job(JOB_INPUT, None) == services.Refused(
        services.jobs.SESSION_ENDED
    )
    assert (await services.delete_job("a", None)).gone is False
    assert hosted_api.calls.call_count == 0


@pytest.mark.parametrize("who", [VIEWER, OPERATOR, None])
async def test_only_admins_read_the_activity_log(who: Identity | None) -> None:
    await activity.record(ADMIN, "create", "j1", "one", "done")
    result = await services.activity_page(who, 1)
    assert result.entries == []
    assert result.refusal


async def test_admins_page_through_the_log_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    for second in range(services.ACTIVITY_PER_PAGE + 3):
        monkeypatch.setattr(activity, "clock", lambda s=second: 1_800_000_000 + s)
        await activity.record(OPERATOR, "create", f"j{second}", f"job-{second}", "done")

    first = await services.activity_page(ADMIN, 1)
    past_the_end = await services.activity_page(ADMIN, 99)

    assert (first.total, first.pages, first.page) == (services.ACTIVITY_PER_PAGE + 3, 2, 1)
    assert first.entries[0].job_name == f"job-{services.ACTIVITY_PER_PAGE + 2}"
    assert past_the_end.page == 2
    assert [entry.job_name for entry in past_the_end.entries] == ["job-2", "job-1", "job-0"]
