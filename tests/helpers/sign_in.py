"""Sign-in settings for tests: run sign-in with chosen ``FT_*`` variables, and argon2 cheap
enough for tests that verify many passwords."""

from __future__ import annotations

from argon2 import PasswordHasher

from ftapp.auth import accounts, sessions
from ftapp.settings import Settings, load_settings
from ftapp.settings import use_settings as use_current_settings

REAL_HASHER = accounts._hasher
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
"""Cheap argon2 parameters: the tests verify many passwords (the real ones take ~0.1 s)."""


def use_settings(**env: str) -> Settings:
    """Make sign-in run with these ``FT_*`` variables (names without the prefix)."""
    settings = load_settings({f"FT_{name.upper()}": value for name, value in env.items()})
    use_current_settings(settings)
    sessions.use_session_store(None)
    return settings
