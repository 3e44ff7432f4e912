"""The real app object, built on a throwaway sandbox database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ftapp.services import connection


@pytest.fixture(scope="session")
def reflex_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``ftapp.ftapp.app``, imported with its embedded sandbox on a temporary file."""
    patch = pytest.MonkeyPatch()
    patch.setenv("FT_SANDBOX_DB", str(Path(tmp_path_factory.mktemp("app")) / "sandbox.db"))
    patch.delenv("FT_API_BASE_URL", raising=False)
    connection.reset()
    try:
        from ftapp.ftapp import app
    finally:
        patch.undo()  # the app keeps its sandbox; later tests see the environment as it was
        connection.reset()
    return app
