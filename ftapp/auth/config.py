"""The settings sign-in runs with: read once per process from the environment."""

from __future__ import annotations

import threading

from ftapp.settings import Settings, load_settings

_settings: Settings | None = None
_lock = threading.Lock()


def auth_settings() -> Settings:
    """The process's :class:`~ftapp.settings.Settings` (read on first use)."""
    global _settings
    with _lock:
        if _settings is None:
            _settings = load_settings()
        return _settings


def use_settings(settings: Settings | None) -> None:
    """Replace the cached settings (None: read the environment again on next use)."""
    global _settings
    with _lock:
        _settings = settings
