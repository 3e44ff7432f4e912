"""The services record every attempt in the activity log: a fresh app database per test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_app_db(app_db: str) -> str:
    return app_db
