"""Who is a member of which stored workspace, with which role: set, changed, removed, listed;
and what happens to memberships when the workspace or the account goes."""

from __future__ import annotations

import pytest

from ftapp import database
from ftapp.auth import accounts
from ftapp.auth.roles import Role
from ftapp.models import User
from ftapp.workspaces import (
    WorkspaceError,
    add_workspace,
    members_of,
    remove_member,
    remove_workspace,
    roles_of,
    set_member_role,
    user_id_of,
)
from ftapp.workspaces.members import member_counts
from tests.helpers.sign_in import FAST_HASHER
from tests.helpers.workspaces import API_URL, distinctive_key

pytestmark = pytest.mark.usefixtures("app_db")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)


def account(name: str) -> int:
    accounts.add_local_user(name, "correct horse battery", Role.VIEWER)
    user_id = user_id_of(name)
    assert user_id is not None
    return user_id


def test_set_change_and_remove_a_membership() -> None:
    add_workspace("Team", API_URL, distinctive_key())
    add_workspace("Other", API_URL, distinctive_key())
    bob, alice = account("bob"), account("alice")
    set_member_role("team", bob, Role.OPERATOR)
    set_member_role("team", alice, "viewer")
    set_member_role("other", bob, Role.ADMIN)
    assert members_of("team") == [("alice", Role.VIEWER), ("bob", Role.OPERATOR)]
    assert roles_of(bob) == {"team": Role.OPERATOR, "other": Role.ADMIN}
    assert member_counts() == {"team": 2, "other": 1}
    set_member_role("team", bob, Role.ADMIN)  # a change, not a second membership
    assert members_of("team") == [("alice", Role.VIEWER), ("bob", Role.ADMIN)]
    assert remove_member("team", bob) is True
    assert remove_member("team", bob) is False
    assert remove_member("absent", bob) is False
    assert members_of("team") == [("alice", Role.VIEWER)]
    assert roles_of(bob) == {"other": Role.ADMIN}
    assert roles_of(alice) == {"team": Role.VIEWER}


def test_nobody_and_nothing() -> None:
    add_workspace("Team", API_URL, distinctive_key())
    assert members_of("team") == []
    assert members_of("absent") == []
    assert roles_of(12345) == {}
    assert member_counts() == {}
    assert user_id_of("nobody") is None
    bob = account("bob")
    assert user_id_of("Bob") == user_id_of(" BOB ") == user_id_of("bob") == bob


def test_what_cannot_be_set() -> None:
    add_workspace("Team", API_URL, distinctive_key())
    bob = account("bob")
    with pytest.raises(WorkspaceError) as raised:
        set_member_role("absent", bob, Role.VIEWER)
    assert raised.value.field == "slug"
    with pytest.raises(WorkspaceError, match="No account") as raised:
        set_member_role("team", 98765, Role.VIEWER)
    assert raised.value.field == "user"
    with pytest.raises(WorkspaceError, match="Unknown role 'root'") as raised:
        set_member_role("team", bob, "root")
    assert raised.value.field == "role"
    assert members_of("team") == []


def test_removing_a_workspace_removes_its_memberships() -> None:
    add_workspace("Team", API_URL, distinctive_key())
    add_workspace("Other", API_URL, distinctive_key())
    bob = account("bob")
    set_member_role("team", bob, Role.OPERATOR)
    set_member_role("other", bob, Role.VIEWER)
    assert remove_workspace("team")
    assert roles_of(bob) == {"other": Role.VIEWER}
    add_workspace("Team", API_URL, distinctive_key())  # the same slug again: nobody in it
    assert members_of("team") == []


def test_removing_an_account_removes_its_memberships() -> None:
    add_workspace("Team", API_URL, distinctive_key())
    bob, alice = account("bob"), account("alice")
    set_member_role("team", bob, Role.OPERATOR)
    set_member_role("team", alice, Role.ADMIN)
    accounts.remove_user("bob")
    assert members_of("team") == [("alice", Role.ADMIN)]
    assert roles_of(bob) == {}


def test_a_disabled_account_keeps_its_memberships() -> None:
    add_workspace("Team", API_URL, distinctive_key())
    bob = account("bob")
    set_member_role("team", bob, Role.OPERATOR)
    accounts.disable_user("bob")
    assert roles_of(bob) == {"team": Role.OPERATOR}


def access_version(user_id: int) -> int:
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.access_version


def test_each_change_of_an_accounts_memberships_counts_on_its_access_version() -> None:
    """The revocation sweep reloads an account's tabs when this number moves."""
    add_workspace("Team", API_URL, distinctive_key())
    bob, alice = account("bob"), account("alice")
    assert access_version(bob) == 0
    set_member_role("team", bob, Role.OPERATOR)
    assert access_version(bob) == 1
    set_member_role("team", bob, Role.OPERATOR)  # no change, no reload
    assert access_version(bob) == 1
    set_member_role("team", bob, Role.VIEWER)
    assert access_version(bob) == 2
    set_member_role("team", alice, Role.VIEWER)
    assert remove_member("team", bob)
    assert access_version(bob) == 3
    assert not remove_member("team", bob)
    assert access_version(bob) == 3
    assert remove_workspace("team")  # alice's membership went with it
    assert (access_version(bob), access_version(alice)) == (3, 2)
