"""The workspaces' tests run with a known FT_KEYS_SECRET, the embedded sandbox (no hosted API)
in a temporary file, and a generated sandbox secret that could only land in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ftapp.services import connection
from ftapp.workspaces import cipher
from tests.helpers.workspaces import KEYS_SECRET

_UNSET = (
    "FT_API_BASE_URL",
    "FT_API_KEY",
    "FT_API_ALLOW_HTTP",
    "FT_KEYS_SECRET_FILE",
    "FT_KEYS_SECRET_PREVIOUS",
    "FT_SANDBOX_KEYS",
    "FT_SANDBOX_KEYS_FILE",
)


@pytest.fixture(autouse=True)
def workspace_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Yields the generated secret's default place (replaced by a temporary one)."""
    default_secret_file = cipher.SANDBOX_SECRET_FILE
    for name in _UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FT_KEYS_SECRET", KEYS_SECRET)
    monkeypatch.setenv("FT_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    monkeypatch.setattr(cipher, "SANDBOX_SECRET_FILE", tmp_path / "data" / "keys.secret")
    connection.reset()
    yield default_secret_file
    connection.reset()
