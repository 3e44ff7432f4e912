"""API keys the sandbox accepts: each belongs to one workspace and carries permissions.

Built-in keys are documented in the README. More can be added with ``FT_SANDBOX_KEYS`` (a
JSON object) or ``FT_SANDBOX_KEYS_FILE`` (a path to one), in the form::

    {"my-key": {"workspace": "team-a", "permissions": ["read", "create", "delete"]}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ftapp.settings import SANDBOX_DEMO_KEY, Settings

READ = "read"
CREATE = "create"
DELETE = "delete"
ALL_PERMISSIONS = frozenset({READ, CREATE, DELETE})


@dataclass(frozen=True)
class ApiKey:
    """What one key may do, and in which workspace."""

    workspace: str
    permissions: frozenset[str] = ALL_PERMISSIONS
    seed: bool = False
    """Fill the workspace with demo jobs the first time it is used."""

    def may(self, permission: str) -> bool:
        """True when the key carries ``permission``."""
        return permission in self.permissions


BUILTIN_KEYS: dict[str, ApiKey] = {
    SANDBOX_DEMO_KEY: ApiKey("demo", ALL_PERMISSIONS, seed=True),
    "sandbox-readonly-key": ApiKey("demo", frozenset({READ}), seed=True),
    "sandbox-other-key": ApiKey("other", ALL_PERMISSIONS),
}


def parse_keys(document: object) -> dict[str, ApiKey]:
    """Parse a keys document (see the module docstring); raises ValueError if malformed."""
    if not isinstance(document, dict):
        raise ValueError("sandbox keys must be a JSON object of key -> settings")
    keys: dict[str, ApiKey] = {}
    for key, settings in document.items():
        if not isinstance(settings, dict) or not isinstance(settings.get("workspace"), str):
            raise ValueError("each sandbox key needs a 'workspace' string")
        permissions = settings.get("permissions", sorted(ALL_PERMISSIONS))
        if not isinstance(permissions, list) or not all(
            isinstance(permission, str) and permission in ALL_PERMISSIONS
            for permission in permissions
        ):
            raise ValueError(f"permissions must be a list drawn from {sorted(ALL_PERMISSIONS)}")
        keys[str(key)] = ApiKey(
            settings["workspace"], frozenset(permissions), bool(settings.get("seed", False))
        )
    return keys


def configured_keys(settings: Settings) -> dict[str, ApiKey]:
    """The keys of ``FT_SANDBOX_KEYS_FILE`` and ``FT_SANDBOX_KEYS`` (the latter wins)."""
    keys: dict[str, ApiKey] = {}
    if settings.sandbox_keys_file is not None:
        keys.update(parse_keys(json.loads(settings.sandbox_keys_file.read_text())))
    if settings.sandbox_keys:
        keys.update(parse_keys(json.loads(settings.sandbox_keys)))
    return keys


def load_keys(settings: Settings) -> dict[str, ApiKey]:
    """The built-in keys (unless ``FT_SANDBOX_DEMO_KEYS=0``) plus the configured ones."""
    keys = dict(BUILTIN_KEYS) if settings.sandbox_demo_keys else {}
    keys.update(configured_keys(settings))
    return keys


def public_keys(settings: Settings, generated_key: str) -> dict[str, ApiKey]:
    """The keys a sandbox reachable by others accepts: never a published (built-in) one.

    The configured keys when there are any, else ``generated_key`` (random per start) for the
    demo workspace, with every permission.
    """
    keys = {
        key: api_key
        for key, api_key in configured_keys(settings).items()
        if key not in BUILTIN_KEYS
    }
    return keys or {generated_key: ApiKey("demo", ALL_PERMISSIONS, seed=True)}
