"""Small helpers shared by the sign-in tests."""

from __future__ import annotations

from ftapp import database
from ftapp.auth import accounts
from ftapp.auth.roles import Role

PASSWORD = "correct horse battery"


def add_user(name: str = "bob", role: Role = Role.OPERATOR, password: str = PASSWORD) -> int:
    """Create a local account; returns its id."""
    accounts.add_local_user(name, password, role)
    with database.session() as session:
        user = accounts.find_user(session, name)
        assert user is not None
        assert user.id is not None
        return user.id
