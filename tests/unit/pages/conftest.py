"""Page States run as a signed-in operator, on a fresh app database (for the activity log)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ftapp.auth.roles import Identity


@pytest.fixture(autouse=True)
def operator(signed_in: Callable[..., Identity], app_db: str) -> Identity:
    return signed_in("operator", "olga")
