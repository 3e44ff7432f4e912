"""Workspace roles from SSO groups: which roles a person's groups give, and the memberships
set from them at each sign-in (made, changed, ended), never touching one an admin gave."""

from __future__ import annotations

import logging

import pytest
import sqlmodel

from ftapp import database
from ftapp.auth import accounts
from ftapp.auth.roles import Role
from ftapp.auth.sso_roles import (
    BY_ADMIN,
    BY_SSO,
    claim_strings,
    sync_sso_roles,
    workspace_roles,
)
from ftapp.models import User, WorkspaceMember
from ftapp.workspaces import add_workspace, roles_of, set_member_role, user_id_of
from tests.helpers.sign_in import FAST_HASHER
from tests.helpers.workspaces import API_URL, distinctive_key

MAPPING = {
    "ml-research": {"research": Role.OPERATOR},
    "ml-leads": {"research": Role.ADMIN, "staging": Role.VIEWER},
    "interns": {"research": Role.VIEWER},
}


def test_the_claim_is_a_string_a_list_or_reached_by_a_dotted_name() -> None:
    assert claim_strings({"groups": "ml-research"}, "groups") == ["ml-research"]
    assert claim_strings({"groups": ["a", 3, None, "b"]}, "groups") == ["a", "b"]
    assert claim_strings({"realm": {"groups": ["a"]}}, "realm.groups") == ["a"]
    assert claim_strings({"groups": {"a": 1}}, "groups") == []
    assert claim_strings({}, "groups") == []


def test_the_highest_role_a_group_gives_wins() -> None:
    assert workspace_roles(["interns", "ml-research"], MAPPING) == {"research": Role.OPERATOR}
    assert workspace_roles(["ml-leads", "interns"], MAPPING) == {
        "research": Role.ADMIN,
        "staging": Role.VIEWER,
    }
    assert workspace_roles(["unknown", "ML-RESEARCH"], MAPPING) == {}  # groups match exactly
    assert workspace_roles([], MAPPING) == {}


@pytest.fixture
def people(app_db: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    for name in ("Research", "Staging", "Ops"):
        add_workspace(name, API_URL, distinctive_key())
    ids = []
    for name in ("sam", "ann"):
        accounts.add_local_user(name, "correct horse battery", Role.VIEWER)
        user_id = user_id_of(name)
        assert user_id is not None
        ids.append(user_id)
    return ids[0], ids[1]


def sources(user_id: int) -> dict[int, tuple[str, str]]:
    with database.session() as session:
        rows = session.exec(
            sqlmodel.select(WorkspaceMember).where(WorkspaceMember.user_id == user_id)
        ).all()
    return {row.workspace_id: (row.role, row.source) for row in rows}


def access_version(user_id: int) -> int:
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.access_version


def test_memberships_follow_the_groups_at_each_sign_in(people: tuple[int, int]) -> None:
    sam, ann = people
    assert sync_sso_roles(sam, {"research": Role.OPERATOR, "staging": Role.VIEWER})
    assert roles_of(sam) == {"research": Role.OPERATOR, "staging": Role.VIEWER}
    assert {source for _role, source in sources(sam).values()} == {BY_SSO}
    assert access_version(sam) == 1
    assert not sync_sso_roles(sam, {"research": Role.OPERATOR, "staging": Role.VIEWER})
    assert access_version(sam) == 1  # the same groups: nothing changed, no tab reloads
    assert sync_sso_roles(sam, {"research": Role.VIEWER})  # left ml-leads, demoted
    assert roles_of(sam) == {"research": Role.VIEWER}
    assert access_version(sam) == 2
    assert sync_sso_roles(sam, {})
    assert roles_of(sam) == {}
    assert roles_of(ann) == {}


def test_what_an_admin_gave_is_left_alone(people: tuple[int, int]) -> None:
    sam, _ann = people
    set_member_role("ops", sam, Role.ADMIN)
    set_member_role("research", sam, Role.VIEWER)
    sync_sso_roles(sam, {"research": Role.OPERATOR, "staging": Role.VIEWER})
    assert roles_of(sam) == {"ops": Role.ADMIN, "research": Role.VIEWER, "staging": Role.VIEWER}
    sync_sso_roles(sam, {})  # SSO ends only its own
    assert roles_of(sam) == {"ops": Role.ADMIN, "research": Role.VIEWER}
    assert {source for _role, source in sources(sam).values()} == {BY_ADMIN}


def test_an_admin_who_changes_an_sso_membership_makes_it_theirs(people: tuple[int, int]) -> None:
    sam, _ann = people
    sync_sso_roles(sam, {"staging": Role.VIEWER})
    set_member_role("staging", sam, Role.OPERATOR)
    sync_sso_roles(sam, {})
    assert roles_of(sam) == {"staging": Role.OPERATOR}


def test_a_workspace_that_is_not_stored_is_skipped_and_logged(
    people: tuple[int, int], caplog: pytest.LogCaptureFixture
) -> None:
    sam, _ann = people
    with caplog.at_level(logging.WARNING):
        assert sync_sso_roles(sam, {"gone": Role.ADMIN, "ops": Role.VIEWER})
    assert roles_of(sam) == {"ops": Role.VIEWER}
    assert "FT_OIDC_WORKSPACE_ROLES names workspace 'gone', which is not stored." in caplog.text
