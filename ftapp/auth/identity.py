"""Who is signed in: what a session resolves to. Holds no secret (safe to log and repr)."""

from __future__ import annotations

from dataclasses import dataclass

from ftapp.auth.roles import Permission, Role, may, refusal_reason


@dataclass(frozen=True)
class Identity:
    """A signed-in person, as resolved from a live session."""

    user_id: int
    username: str
    role: Role
    session_key: str
    """A non-secret id of the session (16 hex digits of the token's sha256): for logs and for
    binding per-tab state; it cannot be turned back into the token."""
    expires_at: int
    """When the session ends at the latest (epoch seconds)."""

    def may(self, permission: Permission) -> bool:
        """True when this person's role holds ``permission``."""
        return may(self.role, permission)

    def refusal(self, permission: Permission) -> str:
        """Why this person may not do it ("" when they may)."""
        return refusal_reason(self.role, permission)
