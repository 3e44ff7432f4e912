"""Small helpers shared by the sign-in tests."""

from __future__ import annotations

from ftapp.auth import accounts, db
from ftapp.auth.roles import Role

PASSWORD = "correct horse battery"


def add_user(name: str = "bob", role: Role = Role.OPERATOR, password: str = PASSWORD) -> int:
    """Create a local account; returns its id."""
    accounts.add_local_user(name, password, role)
    with db.session() as session:
        user = accounts.find_user(session, name)
        assert user is not None
        assert user.id is not None
        return user.id
