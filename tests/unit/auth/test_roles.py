"""Roles and permissions: viewer reads; operator also creates and deletes; admin also sees
the activity log and manages accounts."""

from __future__ import annotations

import pytest

from ftapp.auth.roles import Permission, Role, highest_role, may, parse_role, refusal_reason

EXPECTED = {
    Role.VIEWER: {Permission.READ_JOBS, Permission.READ_HISTORY},
    Role.OPERATOR: {
        Permission.READ_JOBS,
        Permission.READ_HISTORY,
        Permission.CREATE_JOBS,
        Permission.DELETE_JOBS,
        Permission.EDIT_NOTES,
    },
    Role.ADMIN: set(Permission),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_the_permission_table(role: Role, permission: Permission) -> None:
    assert may(role, permission) is (permission in EXPECTED[role])
    assert may(role.value, permission) is (permission in EXPECTED[role])
    assert (refusal_reason(role, permission) == "") is (permission in EXPECTED[role])


@pytest.mark.parametrize(
    ("role", "permission", "reason"),
    [
        (Role.VIEWER, Permission.CREATE_JOBS, "Viewers may not create jobs."),
        (Role.VIEWER, Permission.DELETE_JOBS, "Viewers may not delete jobs."),
        (Role.OPERATOR, Permission.VIEW_ACTIVITY, "Only admins see the activity log."),
        (Role.OPERATOR, Permission.MANAGE_ACCOUNTS, "Only admins manage accounts."),
    ],
)
def test_refusals_say_why(role: Role, permission: Permission, reason: str) -> None:
    assert refusal_reason(role, permission) == reason


@pytest.mark.parametrize("role", ["", "root", "ADMIN ", "superadmin"])
def test_an_unknown_role_holds_nothing(role: str) -> None:
    known = parse_role(role)
    for permission in Permission:
        assert may(role, permission) is (known is not None and permission in EXPECTED[known])
    if known is None:
        assert refusal_reason(role, Permission.READ_JOBS) == (
            "Your account has no role that allows this."
        )


def test_parse_role_ignores_case_and_spaces() -> None:
    assert parse_role(" Operator ") is Role.OPERATOR
    assert parse_role("owner") is None


def test_highest_role_of_a_list_such_as_groups() -> None:
    assert highest_role(["ft-users", "viewer", "admin", "operator"]) is Role.ADMIN
    assert highest_role(["Operator", "viewer"]) is Role.OPERATOR
    assert highest_role(["staff"]) is None
    assert highest_role([]) is None


def test_roles_are_ordered() -> None:
    assert [role.rank for role in Role] == [0, 1, 2]
