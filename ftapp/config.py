"""Settings read from the environment, on the server only.

The API key is held as a :class:`pydantic.SecretStr` so that it never shows up in a repr,
a log line or an error message by accident.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SANDBOX_DEMO_KEY = "sandbox-demo-key"
DEFAULT_SANDBOX_DB = PROJECT_ROOT / "data" / "sandbox.db"


@dataclass(frozen=True)
class Settings:
    """Where the upstream API is and how ftapp talks to it."""

    api_base_url: str | None = None
    """``FT_API_BASE_URL``, including the ``/api`` path; None means the embedded sandbox."""
    api_key: SecretStr = field(default_factory=lambda: SecretStr(SANDBOX_DEMO_KEY))
    timeout_seconds: float = 10.0
    read_retries: int = 2
    sandbox_db: Path = DEFAULT_SANDBOX_DB
    sandbox_speed: float = 1.0

    @property
    def uses_sandbox(self) -> bool:
        """True when no hosted API is configured and the embedded sandbox serves the app."""
        return self.api_base_url is None


def env_positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    """A finite number greater than 0 from ``env[name]``, or ``default`` when unset or blank."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be greater than 0, got {raw!r}")
    return value


def env_count(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number >= 0 from ``env[name]``, or ``default`` when unset or blank."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {raw!r}")
    return value


def sandbox_db_path(env: Mapping[str, str]) -> Path:
    """``FT_SANDBOX_DB``, or the default file in the git-ignored ``data/`` folder."""
    return Path(env.get("FT_SANDBOX_DB", "").strip() or DEFAULT_SANDBOX_DB)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    base_url = env.get("FT_API_BASE_URL", "").strip().rstrip("/") or None
    key = env.get("FT_API_KEY", "")
    if not key:
        if base_url is not None:
            raise ValueError("FT_API_KEY must be set when FT_API_BASE_URL points at a hosted API")
        key = SANDBOX_DEMO_KEY
    return Settings(
        api_base_url=base_url,
        api_key=SecretStr(key),
        timeout_seconds=env_positive_float(env, "FT_API_TIMEOUT", 10.0),
        read_retries=env_count(env, "FT_API_READ_RETRIES", 2),
        sandbox_db=sandbox_db_path(env),
        sandbox_speed=env_positive_float(env, "FT_SANDBOX_SPEED", 1.0),
    )
