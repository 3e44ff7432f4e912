"""The job history against the real app database (a fresh migrated SQLite file per test)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_app_db(app_db: str) -> str:
    return app_db
