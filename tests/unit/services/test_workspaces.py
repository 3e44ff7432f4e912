"""The services in several workspaces, on the real embedded sandbox: each stored workspace is
reached with its own key, a rotated key or a removal takes effect without a restart, a person
acts in a workspace with their role there (or is refused), and the activity log is kept per
workspace."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest
import sqlalchemy as sa

from ftapp import database, services
from ftapp.auth import accounts
from ftapp.auth.roles import Identity, Permission, Role
from ftapp.models import Activity, User
from ftapp.routes import DEFAULT_WORKSPACE
from ftapp.services import activity, connection
from ftapp.settings import EMBEDDED_BASE_URL
from ftapp.workspaces import members, store
from tests.helpers.people import JOB_INPUT
from tests.helpers.workspaces import embedded_workspaces  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("app_db", "embedded_workspaces")

OTHER_KEY = "sandbox-other-key"  # the sandbox's workspace "other", every permission
DEMO_KEY = "sandbox-demo-key"  # the sandbox's workspace "demo", seeded with 6 jobs


def account(name: str, role: Role) -> Identity:
    accounts.add_local_user(name, "correct horse battery", role)
    user_id = members.user_id_of(name)
    assert user_id is not None
    return Identity(user_id, name, role, "0" * 16, 2**31)


def signed_in_again(identity: Identity) -> Identity:
    """``identity`` as the session reads it now (its access version moves with each change
    of its memberships)."""
    with database.session() as session:
        user = session.get(User, identity.user_id)
        assert user is not None
        return dataclasses.replace(identity, access_version=user.access_version)


async def test_a_stored_workspace_is_reached_with_its_own_key() -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    assert await connection.resolve(team.slug) is not None
    created = await connection.upstream(team.slug).create_job(JOB_INPUT)

    theirs = await connection.upstream(team.slug).list_jobs()
    ours = await connection.upstream().list_jobs()
    assert [job.id for job in theirs.jobs] == [created.id]
    assert created.id not in {job.id for job in ours.jobs}
    assert len(ours.jobs) == 6  # the demo workspace's seeded jobs
    assert connection.workspace(team.slug) == team.identity != connection.workspace()


async def test_each_workspace_has_its_own_feed() -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    await connection.resolve(team.slug)
    assert connection.feed(team.slug) is connection.feed(team.slug)
    assert connection.feed(team.slug) is not connection.feed()
    watcher = services.watch(team.slug)
    try:
        snapshot = await anext(watcher)
        while snapshot.job_list is None:
            snapshot = await anext(watcher)
    finally:
        await watcher.aclose()
    assert snapshot.job_list.jobs == []  # workspace "other" holds nothing; demo holds 6
    await connection.stop_feeds()


async def test_a_rotated_key_takes_effect_without_a_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    await connection.resolve(team.slug)
    before = connection.upstream(team.slug)
    assert (await before.list_jobs()).jobs == []

    store.rotate_key(team.slug, DEMO_KEY)  # e.g. in another process
    assert connection.upstream(team.slug) is before  # read again only every RESOLVE_SECONDS
    monkeypatch.setattr(connection, "RESOLVE_SECONDS", 0.0)
    monkeypatch.setattr(connection, "close_delay", lambda: 0.05)
    after = await connection.current_upstream(team.slug)
    assert after is not before
    assert len((await after.list_jobs()).jobs) == 6
    for _ in range(100):  # the old key's client is closed once a call has had its time
        if before._http.is_closed:
            break
        await asyncio.sleep(0.02)
    assert before._http.is_closed
    assert not after._http.is_closed


async def test_a_removed_workspace_is_said_to_be_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    await connection.resolve(team.slug)
    store.remove_workspace(team.slug)
    monkeypatch.setattr(connection, "RESOLVE_SECONDS", 0.0)
    with pytest.raises(services.WorkspaceRemoved, match="removed from ftapp"):
        await connection.current_upstream(team.slug)
    with pytest.raises(services.WorkspaceRemoved):
        connection.upstream(team.slug)


async def test_names_that_are_no_workspace_are_not_kept() -> None:
    for number in range(300):
        assert await connection.resolve(f"crafted-{number}") is None
    assert connection._resolved == {}


async def test_a_person_acts_in_a_workspace_with_their_role_there(
    caplog: pytest.LogCaptureFixture,
) -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    vera = account("vera", Role.VIEWER)

    at_home = await services.enter(vera, DEFAULT_WORKSPACE)
    assert at_home is not None
    assert at_home.role is Role.VIEWER
    with caplog.at_level(logging.WARNING):
        assert await services.enter(vera, team.slug) is None  # not a member
    assert "Refused vera access to workspace 'team-b'" in caplog.text

    members.set_member_role(team.slug, vera.user_id, Role.OPERATOR)
    vera = signed_in_again(vera)  # the session now reads a new access version
    there = await services.enter(vera, team.slug)
    assert there is not None
    assert (there.workspace, there.role, there.own_role) == (team.slug, Role.OPERATOR, Role.VIEWER)
    assert there.may(Permission.CREATE_JOBS)
    assert not there.may(Permission.MANAGE_WORKSPACES)  # ftapp-wide: the account's own role
    assert [choice.slug for choice in await services.workspaces_of(vera)] == [
        DEFAULT_WORKSPACE,
        team.slug,
    ]


async def test_an_admin_of_ftapp_is_an_admin_in_every_workspace() -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    ada = account("ada", Role.ADMIN)
    there = await services.enter(ada, team.slug)
    assert there is not None
    assert there.role is Role.ADMIN
    assert there.may(Permission.MANAGE_WORKSPACES)
    assert len(await services.workspaces_of(ada)) == 2


@pytest.mark.parametrize("crafted", ["", "x" * 10_000, "no-such-workspace", "../default", 42])
async def test_crafted_workspace_names_are_refused(crafted: object) -> None:
    ada = account("ada", Role.ADMIN)
    assert await services.enter(ada, crafted) is None  # type: ignore[arg-type]


async def test_jobs_are_created_and_deleted_in_the_actors_workspace() -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    olga = account("olga", Role.VIEWER)
    members.set_member_role(team.slug, olga.user_id, Role.OPERATOR)
    there = await services.enter(olga, team.slug)
    assert there is not None

    outcome = await services.create_job(JOB_INPUT, there)
    assert isinstance(outcome, services.Created)
    assert [job.id for job in (await connection.upstream(team.slug).list_jobs()).jobs] == [
        outcome.job.id
    ]
    assert len((await connection.upstream().list_jobs()).jobs) == 6
    refused = await services.create_job(JOB_INPUT, await services.enter(olga, DEFAULT_WORKSPACE))
    assert isinstance(refused, services.Refused)  # a viewer at home

    deletion = await services.delete_job(outcome.job.id, there)
    assert deletion.gone
    assert (await connection.upstream(team.slug).list_jobs()).jobs == []
    await activity.flush()


async def test_the_activity_log_is_kept_per_workspace() -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    await connection.resolve(team.slug)
    ada = account("ada", Role.ADMIN)
    there = dataclasses.replace(ada, workspace=team.slug)
    await activity.record(there, "create", "j-b", "in-b", "done")
    await activity.record(ada, "create", "j-home", "at-home", "done")
    with database.session() as session:  # a line from before there were workspaces
        session.execute(
            sa.insert(Activity).values(
                at=1, username="old", role="admin", action="delete", outcome="done"
            )
        )
        session.commit()

    theirs, total = await activity.recent(slug=team.slug)
    assert ([entry.job_name for entry in theirs], total) == (["in-b"], 1)
    ours, total = await activity.recent()
    assert [entry.job_name for entry in ours] == ["at-home", ""]
    assert total == 2
    page = await services.activity_page(there, 1)
    assert [entry.job_id for entry in page.entries] == ["j-b"]


async def test_a_slug_added_again_is_another_workspace_with_its_own_feed_and_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    await connection.resolve(first.slug)
    old_feed = connection.feed(first.slug)
    assert (await connection.upstream(first.slug).list_jobs()).jobs == []
    store.remove_workspace(first.slug)
    again = store.add_workspace("Team B", EMBEDDED_BASE_URL, DEMO_KEY)
    assert again.slug == first.slug
    monkeypatch.setattr(connection, "RESOLVE_SECONDS", 0.0)
    await connection.resolve(again.slug)
    assert connection.workspace(again.slug) == again.identity != first.identity
    assert connection.feed(again.slug) is not old_feed
    # Its own key too (the first one's key version was also 1): the demo's six jobs.
    assert len((await connection.upstream(again.slug).list_jobs()).jobs) == 6


async def test_a_page_open_reads_memberships_and_the_list_again_only_when_they_may_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = store.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY)
    vera = account("vera", Role.VIEWER)
    reads: list[int] = []
    roles_of = members.roles_of
    monkeypatch.setattr(
        members, "roles_of", lambda user_id: reads.append(user_id) or roles_of(user_id)
    )
    for _ in range(3):  # three page opens: one read
        assert [c.slug for c in await services.workspaces_of(vera)] == [DEFAULT_WORKSPACE]
    assert len(reads) == 1
    members.set_member_role(team.slug, vera.user_id, Role.VIEWER)
    vera = signed_in_again(vera)  # a grant: read at once, not 5 s later
    assert [c.slug for c in await services.workspaces_of(vera)] == [DEFAULT_WORKSPACE, team.slug]
    assert len(reads) == 2
    store.rename_workspace(team.slug, "Team Bee")  # in this process: reloaded at once
    await connection.reload(team.slug)
    names = [c.name for c in await services.workspaces_of(vera)]
    assert names[-1] == "Team Bee"
