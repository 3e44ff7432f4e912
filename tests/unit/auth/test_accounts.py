"""Accounts: local users, the local admin of the access token, SSO provisioning."""

from __future__ import annotations

import pytest
import sqlmodel

from ftapp import database
from ftapp.auth import accounts
from ftapp.auth.accounts import AccountError
from ftapp.auth.roles import Role
from ftapp.models import User
from tests.unit.auth.helpers import PASSWORD, add_user

ISSUER = "https://login.example.test"


def user(name: str) -> User:
    with database.session() as session:
        found = accounts.find_user(session, name)
        assert found is not None
        return found


def test_usernames_are_unique_whatever_the_case(app_db: str) -> None:
    add_user("Bob")
    assert user("BOB").username == "bob"
    with pytest.raises(AccountError, match=r"^A user named 'bob' already exists\.$"):
        accounts.add_local_user(" bOb ", PASSWORD, Role.VIEWER)


@pytest.mark.parametrize("name", ["", " ", "-bob", "bob smith", "b" * 65, "bob/..", "bøb"])
def test_bad_usernames_are_refused(app_db: str, name: str) -> None:
    with pytest.raises(AccountError, match=r"^A username is 1 to 64 characters"):
        accounts.add_local_user(name, PASSWORD, Role.VIEWER)


def test_short_passwords_and_unknown_roles_are_refused(app_db: str) -> None:
    with pytest.raises(AccountError, match=r"^The password must be at least 8 characters\.$"):
        accounts.add_local_user("bob", "1234567", Role.VIEWER)
    with pytest.raises(AccountError, match=r"^Unknown role 'root': use one of viewer, operator"):
        accounts.add_local_user("bob", PASSWORD, "root")
    assert accounts.list_accounts() == []


def test_authenticate(app_db: str) -> None:
    add_user("bob", Role.OPERATOR)
    signed_in = accounts.authenticate(" BOB ", PASSWORD)
    assert signed_in is not None
    assert signed_in.username == "bob"
    assert accounts.authenticate("bob", PASSWORD + "!") is None
    assert accounts.authenticate("alice", PASSWORD) is None
    assert accounts.authenticate("", PASSWORD) is None
    assert accounts.authenticate("bob", "") is None


def test_an_unknown_user_costs_a_verification_too(
    app_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftapp.auth import accounts

    spent: list[str] = []
    monkeypatch.setattr(accounts, "spend_equal_time", spent.append)
    assert accounts.authenticate("nobody", "guess-guess") is None
    assert spent == ["guess-guess"]


def test_disabled_and_passwordless_accounts_cannot_sign_in_with_a_password(app_db: str) -> None:
    add_user("bob")
    with database.session() as session:
        bob = accounts.find_user(session, "bob")
        assert bob is not None
        bob.disabled = True
        session.add(bob)
        session.commit()
    assert accounts.authenticate("bob", PASSWORD) is None
    accounts.ensure_local_admin()
    assert accounts.authenticate("admin", "") is None
    assert accounts.authenticate("admin", PASSWORD) is None


def test_list_and_remove(app_db: str) -> None:
    add_user("bob", Role.OPERATOR)
    add_user("alice", Role.ADMIN)
    listed = accounts.list_accounts()
    assert [(a.username, a.role, a.kind) for a in listed] == [
        ("alice", "admin", "local"),
        ("bob", "operator", "local"),
    ]
    assert "argon2" not in repr(listed)
    accounts.remove_user("BOB")
    assert [a.username for a in accounts.list_accounts()] == ["alice"]
    with pytest.raises(AccountError, match=r"^No user named 'bob'\.$"):
        accounts.remove_user("bob")


def test_a_removed_users_id_is_never_reused(app_db: str) -> None:
    first = add_user("bob")
    accounts.remove_user("bob")
    assert add_user("carol") != first


def test_the_local_admin_is_created_once_and_stays_admin(app_db: str) -> None:
    admin = accounts.ensure_local_admin()
    assert (admin.username, admin.role, admin.password_hash) == ("admin", "admin", None)
    assert accounts.ensure_local_admin().id == admin.id
    with database.session() as session:
        stored = session.get(User, admin.id)
        assert stored is not None
        stored.role = "viewer"
        session.add(stored)
        session.commit()
    assert accounts.ensure_local_admin().role == "admin"


def test_the_local_admin_can_be_disabled(app_db: str) -> None:
    admin = accounts.ensure_local_admin()
    with database.session() as session:
        stored = session.get(User, admin.id)
        assert stored is not None
        stored.disabled = True
        session.add(stored)
        session.commit()
    with pytest.raises(AccountError, match="is disabled"):
        accounts.ensure_local_admin()


def test_sso_users_are_provisioned_by_issuer_and_subject(app_db: str) -> None:
    alice = accounts.provision_sso_user(
        ISSUER, "sub-1", ["Alice", "alice@example.test", "sub-1"], Role.ADMIN
    )
    assert alice is not None
    assert (alice.username, alice.role) == ("alice", "admin")
    again = accounts.provision_sso_user(ISSUER, "sub-1", ["renamed"], Role.VIEWER)
    assert again is not None
    assert again.id == alice.id
    assert (again.username, again.role) == ("alice", "viewer")  # role follows the claim
    listed = accounts.list_accounts()
    assert [(a.username, a.kind) for a in listed] == [("alice", "SSO")]


def test_sso_usernames_never_take_an_existing_name(app_db: str) -> None:
    add_user("alice")
    other = accounts.provision_sso_user(
        ISSUER, "sub-2", ["alice", "alice@example.test"], Role.VIEWER
    )
    assert other is not None
    assert other.username == "alice@example.test"
    same_names = accounts.provision_sso_user(
        "https://other.example.test", "sub-2", ["alice", "alice@example.test"], Role.VIEWER
    )
    assert same_names is not None
    assert same_names.username == "alice-2"
    admin = accounts.provision_sso_user(ISSUER, "sub-3", ["admin", None], Role.ADMIN)
    assert admin is not None
    assert admin.username == "sso-user"
    nameless = accounts.provision_sso_user(ISSUER, "sub-4", [None, " "], Role.VIEWER)
    assert nameless is not None
    assert nameless.username == "sso-user-2"


def test_a_disabled_sso_user_is_not_signed_in_nor_made_again(app_db: str) -> None:
    alice = accounts.provision_sso_user(ISSUER, "sub-1", ["alice"], Role.ADMIN)
    assert alice is not None
    assert accounts.disable_user("alice") == alice.id
    assert accounts.provision_sso_user(ISSUER, "sub-1", ["alice"], Role.ADMIN) is None
    assert [(a.username, a.kind, a.disabled) for a in accounts.list_accounts()] == [
        ("alice", "SSO", True)
    ]
    accounts.enable_user("alice")
    again = accounts.provision_sso_user(ISSUER, "sub-1", ["alice"], Role.VIEWER)
    assert again is not None
    assert (again.id, again.role) == (alice.id, "viewer")


def test_a_removed_sso_user_comes_back_at_the_next_sign_in(app_db: str) -> None:
    alice = accounts.provision_sso_user(ISSUER, "sub-1", ["alice"], Role.ADMIN)
    assert alice is not None
    accounts.remove_user("alice")
    again = accounts.provision_sso_user(ISSUER, "sub-1", ["alice"], Role.ADMIN)
    assert again is not None
    assert again.id != alice.id  # a new account: disabling is the way to block one


def test_disable_and_enable_a_local_user(app_db: str) -> None:
    bob_id = add_user("bob")
    assert accounts.disable_user("BOB") == bob_id
    assert accounts.authenticate("bob", PASSWORD) is None
    accounts.disable_user("bob")  # already disabled: no harm
    accounts.enable_user("bob")
    assert accounts.authenticate("bob", PASSWORD) is not None
    with pytest.raises(AccountError, match=r"^No user named 'carol'\.$"):
        accounts.disable_user("carol")


def test_the_sso_name_admin_blocks_the_token_sign_in(app_db: str) -> None:
    with database.session() as session:
        session.add(User(username="admin", role="admin", oidc_issuer=ISSUER, oidc_subject="x"))
        session.commit()
    with pytest.raises(AccountError, match="belongs to an SSO account"):
        accounts.ensure_local_admin()
    with database.session() as session:
        assert len(session.exec(sqlmodel.select(User)).all()) == 1
