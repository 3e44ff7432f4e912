"""Settings read from the environment (``FT_*``, and Reflex's ``REFLEX_REDIS_URL``), on the
server only: one object for the app, its live feed, the sandbox, sign-in and the CLI
(:func:`current_settings`; tests replace or forget it with :func:`use_settings`).

pydantic-settings reads and types the variables; a blank variable counts as unset. A bad
value is reported as one line naming the variable (:class:`SettingsError`), never with a
secret in it: the API key, the access token, the OIDC client secret and the secret key are
:class:`pydantic.SecretStr`, hidden in every repr and message.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict

from ftapp.auth.roles import Role, parse_role
from ftapp.routes import DEFAULT_WORKSPACE, is_slug

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SANDBOX_DEMO_KEY = "sandbox-demo-key"
EMBEDDED_BASE_URL = "http://sandbox.embedded/api"
"""The base URL ftapp gives its embedded sandbox, reached in-process (never over a network)."""
DATA_DIR = PROJECT_ROOT / "data"
"""The git-ignored folder of the default app database (``rxconfig.py``) and sandbox database."""
DEFAULT_SANDBOX_DB = DATA_DIR / "sandbox.db"
ENV_PREFIX = "FT_"
REDIS_URL_ENV = "REFLEX_REDIS_URL"
"""Reflex's own variable: set, Reflex keeps state in Redis and runs several workers, and the
live feed polls once for all of them (see :mod:`ftapp.services.cluster`)."""
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("ftapp_setting", message)


def _positive_number(raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise _invalid("must be a number") from None
    if not math.isfinite(value) or value <= 0:
        raise _invalid("must be greater than 0")
    return value


def _whole_number(minimum: int) -> Callable[[Any], int]:
    def parse(raw: Any) -> int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise _invalid("must be a whole number") from None
        if value < minimum:
            raise _invalid(f"must be {minimum} or more")
        return value

    return parse


def _role(raw: Any) -> Role:
    role = parse_role(raw) if isinstance(raw, str) else raw if isinstance(raw, Role) else None
    if role is None:
        raise _invalid(f"must be one of {', '.join(Role)}")
    return role


def _workspace_roles(raw: Any) -> dict[str, dict[str, Role]]:
    """``{"group": {"workspace-slug": "role", ...}, ...}``, as JSON text or a mapping."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise _invalid("must be a JSON object") from None
    shape = 'must map each group to {"workspace-slug": "role"}'
    if not isinstance(raw, Mapping):
        raise _invalid(shape)
    roles: dict[str, dict[str, Role]] = {}
    for group, grants in raw.items():
        if not isinstance(group, str) or not isinstance(grants, Mapping):
            raise _invalid(shape)
        roles[group] = {}
        for slug, role in grants.items():
            if not is_slug(slug):
                raise _invalid(f"names {str(slug)[:40]!r}, which is not a workspace slug")
            if slug == DEFAULT_WORKSPACE:
                raise _invalid(
                    "cannot name the default workspace (FT_OIDC_ROLE_CLAIM gives that role)"
                )
            roles[group][slug] = _role(role)
    return roles


PositiveNumber = Annotated[float, BeforeValidator(_positive_number)]
"""A finite number greater than 0 ("2.5", "1e-3"; not "inf", "0" or "10s")."""
Count = Annotated[int, BeforeValidator(_whole_number(0))]
"""A whole number, 0 or more."""
PositiveCount = Annotated[int, BeforeValidator(_whole_number(1))]
"""A whole number, 1 or more."""
RoleName = Annotated[Role, BeforeValidator(_role)]
"""``viewer``, ``operator`` or ``admin`` (any case)."""
WorkspaceRoles = Annotated[dict[str, dict[str, Role]], NoDecode, BeforeValidator(_workspace_roles)]
"""Group -> workspace slug -> role (``FT_OIDC_WORKSPACE_ROLES``)."""

# Secrets are kept verbatim (no stripping), and must be long enough to resist guessing.
_SECRETS = (
    "api_key",
    "access_token",
    "oidc_client_secret",
    "secret_key",
    "keys_secret",
    "keys_secret_previous",
    "metrics_token",
)
MIN_ACCESS_TOKEN_LENGTH = 16
MIN_SECRET_KEY_LENGTH = 32
MIN_KEYS_SECRET_LENGTH = 32
_LOOPBACK_HOSTS = ("localhost", "::1")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in _LOOPBACK_HOSTS or host.endswith(".localhost")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def key_may_travel_to(url: str, allow_http: bool) -> bool:
    """True when an API key may be sent to the http(s) URL ``url``: the key travels with
    every request, so https, or plain http to this machine (loopback), or plain http anywhere
    with ``allow_http`` (``FT_API_ALLOW_HTTP=1``)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or allow_http or _is_loopback(parts.hostname or "")


def _check_api_url(url: str, allow_http: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid(
            "FT_API_BASE_URL must be an https URL, e.g. https://training.example.com/api"
        )
    if not key_may_travel_to(url, allow_http):
        raise _invalid(
            "FT_API_BASE_URL must use https: the API key travels with every request "
            "(http is allowed to loopback, or anywhere with FT_API_ALLOW_HTTP=1)"
        )


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Where the upstream API is, how ftapp talks to it, and how the sandbox behaves."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    public_url: str | None = None
    """``FT_PUBLIC_URL``: where people open ftapp, e.g. ``https://ft.example.com``; by default
    ``http://localhost:<port>`` (see :attr:`public_origin`)."""
    api_base_url: str | None = None
    """``FT_API_BASE_URL``, including the ``/api`` path; None means the embedded sandbox."""
    api_key: SecretStr = SecretStr("")
    """``FT_API_KEY``; the sandbox's demo key when no hosted API is configured."""
    default_workspace_name: str = Field(default="Default", min_length=1, max_length=64)
    """``FT_DEFAULT_WORKSPACE_NAME``: what the pages call the workspace of ``FT_API_KEY``."""
    api_allow_http: bool = False
    """``FT_API_ALLOW_HTTP=1`` lets the key travel over plain http to a host that is not
    loopback (a trusted private network only)."""
    api_timeout: PositiveNumber = 10.0
    api_read_retries: Count = 2
    poll_running_seconds: PositiveNumber = 2.0
    poll_idle_seconds: PositiveNumber = 15.0
    poll_max_backoff_seconds: PositiveNumber = 60.0
    redis_url: SecretStr | None = Field(default=None, validation_alias=REDIS_URL_ENV)
    """``REFLEX_REDIS_URL``, the Redis Reflex runs on; hidden like the key (it may carry a
    password). Set, one process polls per workspace and the others follow over Redis."""
    feed_lease_seconds: PositiveNumber = 5.0
    """``FT_FEED_LEASE_SECONDS``: how long the polling process's lease lasts without renewal
    (renewed every 30 % of it), so about how soon another takes over when it dies."""
    closed_tab_grace_seconds: PositiveNumber = 30.0
    """``FT_CLOSED_TAB_GRACE_SECONDS``: how long the server keeps the state of a tab whose
    connection closed (a reload or a reconnect within it keeps the tab's state)."""
    sandbox_db: Path = DEFAULT_SANDBOX_DB
    sandbox_speed: PositiveNumber = 1.0
    sandbox_demo_keys: bool = True
    """``FT_SANDBOX_DEMO_KEYS=0`` switches the built-in demo keys off (keep only the
    configured ones), e.g. when the sandbox is reachable by others."""
    sandbox_keys: str = ""
    """Extra sandbox keys as a JSON object (see :mod:`ftapp.sandbox.keys`)."""
    sandbox_keys_file: Path | None = None
    sandbox_refused_models: str = ""
    """Comma-separated model ids the sandbox lists but refuses to create jobs with."""
    sandbox_public: bool = False
    """``FT_SANDBOX_PUBLIC=1`` mounts the embedded sandbox on the app's server at
    ``/sandbox/api`` for others to call, with unpublished keys only: the configured ones
    (``FT_SANDBOX_KEYS``, ``FT_SANDBOX_KEYS_FILE``), else a random key per start. Off, the app
    still uses the sandbox, in-process, and nobody else reaches it."""
    history_retention_days: PositiveCount | None = None
    """``FT_HISTORY_RETENTION_DAYS``: the job history forgets a job this many days after it
    ended (finished or gone from the API); unset: the history keeps everything."""
    bind_address: str | None = None
    """``FT_BIND_ADDRESS``: the address the server listens on; unset: loopback (127.0.0.1)
    unless ``FT_PUBLIC_URL`` names another host, then every interface (see
    :attr:`listen_host`)."""

    # --- running as a service (ftapp.metrics_server, ftapp.health, ftapp.log_format) -------
    metrics_port: Count = 9464
    """``FT_METRICS_PORT``: the port of the Prometheus metrics endpoint (``/metrics``), its own
    server apart from the app's; ``0`` switches it off."""
    metrics_address: str = "127.0.0.1"
    """``FT_METRICS_ADDRESS``: the address that endpoint listens on (loopback: only this
    machine's Prometheus, or one reaching it through a tunnel or sidecar)."""
    metrics_token: SecretStr | None = None
    """``FT_METRICS_TOKEN``: a bearer token (16 characters or more) the metrics endpoint then
    requires, and with which the app's own port also answers ``/metrics``."""
    log_format: Literal["text", "json"] = "text"
    """``FT_LOG_FORMAT``: ``text`` (a line a person reads) or ``json`` (one object per line)."""

    # --- sign-in (ftapp.auth) -------------------------------------------------------------
    access_token: SecretStr | None = None
    """``FT_ACCESS_TOKEN``: the token of the sign-in link ``/login?token=...`` that signs the
    browser in as the local admin; unset: a random one per start, printed in the log."""
    access_link: bool = True
    """``FT_ACCESS_LINK=0`` switches the sign-in link off (accounts and SSO only)."""
    access_link_minutes: PositiveCount = 1440
    """``FT_ACCESS_LINK_MINUTES``: the sign-in link works this long after the app started."""
    session_idle_minutes: PositiveCount = 30
    """``FT_SESSION_IDLE_MINUTES``: a session unused this long ends."""
    session_max_hours: PositiveCount = 12
    """``FT_SESSION_MAX_HOURS``: a session ends this long after sign-in, used or not."""
    oidc_issuer: str | None = None
    """``FT_OIDC_ISSUER``: the OpenID Connect provider (its discovery document is at
    ``<issuer>/.well-known/openid-configuration``); unset: no "Sign in with SSO"."""
    oidc_client_id: str | None = None
    """``FT_OIDC_CLIENT_ID``: ftapp's client id at the provider (required with an issuer)."""
    oidc_client_secret: SecretStr | None = None
    """``FT_OIDC_CLIENT_SECRET``: the client's secret; unset for a public client (PKCE only)."""
    oidc_role_claim: str = "role"
    """``FT_OIDC_ROLE_CLAIM``: the ID-token claim naming the role: a string, or a list such as
    groups (the highest role it names wins)."""
    oidc_default_role: RoleName = Role.VIEWER
    """``FT_OIDC_DEFAULT_ROLE``: the role of an SSO user whose claim names no known role."""
    oidc_groups_claim: str = "groups"
    """``FT_OIDC_GROUPS_CLAIM``: the ID-token claim listing the person's groups (a list, or a
    string; a dotted name reaches into objects), read for :attr:`oidc_workspace_roles`."""
    oidc_workspace_roles: WorkspaceRoles = Field(default_factory=dict)
    """``FT_OIDC_WORKSPACE_ROLES``: a JSON object mapping a group to the roles it gives in stored
    workspaces, ``{"ml-research": {"research": "operator"}}``; at each SSO sign-in the
    person's memberships that SSO gave are set from their groups (the highest role wins)."""
    secret_key: SecretStr | None = None
    """``FT_SECRET_KEY``: signs the short-lived OIDC sign-in cookie (and derives the per-start
    access token); unset: one is generated once and kept in the app database."""

    # --- workspaces (ftapp.workspaces) ----------------------------------------------------
    keys_secret: SecretStr | None = None
    """``FT_KEYS_SECRET``: the key-encryption secret the stored workspaces' API keys are
    encrypted under (32 characters or more; see :mod:`ftapp.workspaces.cipher`)."""
    keys_secret_file: Path | None = None
    """``FT_KEYS_SECRET_FILE``: a file holding that secret, read when ``FT_KEYS_SECRET`` is
    unset (surrounding whitespace, such as the final newline, is ignored)."""
    keys_secret_previous: SecretStr | None = None
    """``FT_KEYS_SECRET_PREVIOUS``: the secret before a rotation, used only to decrypt, until
    ``ftapp workspaces reencrypt`` has moved every stored key to the current one."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: Any, *_others: Any, **_named: Any
    ) -> tuple[Any, ...]:
        # Only the values :func:`load_settings` passes (from its own source, which drops blank
        # variables): pydantic-settings would otherwise read os.environ again, blanks included.
        return (init_settings,)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        # Spaces around a value are a typing slip, except in secrets, which are kept verbatim.
        data = {
            name: value.strip() if isinstance(value, str) and name not in _SECRETS else value
            for name, value in data.items()
        }
        if isinstance(public := data.get("public_url"), str):
            data["public_url"] = public.rstrip("/") or None
            if data["public_url"] is not None:
                parts = urlsplit(data["public_url"])
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise _invalid(
                        "FT_PUBLIC_URL must be an http or https URL, e.g. https://ft.example.com"
                    )
        redis_url = data.get(REDIS_URL_ENV)
        if isinstance(redis_url, str) and not redis_url.startswith(REDIS_SCHEMES):
            # Not echoed: the URL may hold a password.
            raise _invalid(f"{REDIS_URL_ENV} must start with redis://, rediss:// or unix://")
        if isinstance(base_url := data.get("api_base_url"), str):
            data["api_base_url"] = base_url.rstrip("/") or None
        key = data.get("api_key")
        if key is None or key == "":
            if data.get("api_base_url"):
                raise _invalid("FT_API_KEY must be set when FT_API_BASE_URL points at a hosted API")
            data["api_key"] = SANDBOX_DEMO_KEY
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.api_base_url is not None:
            _check_api_url(self.api_base_url, self.api_allow_http)
        if self.sandbox_public and self.api_base_url is not None:
            raise _invalid("FT_SANDBOX_PUBLIC=1 needs the embedded sandbox: unset FT_API_BASE_URL")
        if self.bind_address is not None and not _is_address(self.bind_address):
            raise _invalid(
                "FT_BIND_ADDRESS must be an IP address, e.g. 127.0.0.1 or 0.0.0.0, "
                f"got {self.bind_address!r}"
            )
        if not self.sandbox_demo_keys and not (self.sandbox_keys or self.sandbox_keys_file):
            raise _invalid(
                "FT_SANDBOX_DEMO_KEYS=0 needs keys of your own in FT_SANDBOX_KEYS or "
                "FT_SANDBOX_KEYS_FILE"
            )
        return self

    @property
    def public_origin(self) -> str:
        """The app's origin (scheme://host[:port], no path): the only one allowed to open its
        WebSocket or send it requests. Defaults to ``http://localhost:<port>``, the port being
        the one Reflex serves on (``REFLEX_FRONTEND_PORT``, else 3000)."""
        if self.public_url:
            parts = urlsplit(self.public_url)
            return f"{parts.scheme}://{parts.netloc}".lower()
        return f"http://localhost:{os.environ.get('REFLEX_FRONTEND_PORT') or 3000}"

    @property
    def public_is_https(self) -> bool:
        """True when people reach ftapp over https (cookies are then Secure, HSTS is sent)."""
        return self.public_origin.startswith("https://")

    @property
    def listen_host(self) -> str:
        """The address to listen on: ``FT_BIND_ADDRESS``; else every interface when
        ``FT_PUBLIC_URL`` names a host that is not loopback (people reach the app there, or a
        proxy does); else loopback only, like a notebook server's local start."""
        if self.bind_address is not None:
            return self.bind_address
        if self.public_url and not _is_loopback(urlsplit(self.public_url).hostname or ""):
            return "0.0.0.0"
        return "127.0.0.1"

    @property
    def mounts_sandbox(self) -> bool:
        """True when the embedded sandbox is served to others at ``/sandbox/api``."""
        return self.uses_sandbox and self.sandbox_public

    @property
    def uses_sandbox(self) -> bool:
        """True when no hosted API is configured and the embedded sandbox serves the app."""
        return self.api_base_url is None

    @model_validator(mode="after")
    def _sign_in_consistent(self) -> Settings:
        token = self.access_token.get_secret_value() if self.access_token else ""
        if token and len(token) < MIN_ACCESS_TOKEN_LENGTH:
            raise _invalid(f"FT_ACCESS_TOKEN must be at least {MIN_ACCESS_TOKEN_LENGTH} characters")
        metrics_token = self.metrics_token.get_secret_value() if self.metrics_token else ""
        if metrics_token and len(metrics_token) < MIN_ACCESS_TOKEN_LENGTH:
            raise _invalid(
                f"FT_METRICS_TOKEN must be at least {MIN_ACCESS_TOKEN_LENGTH} characters"
            )
        if self.metrics_port > 65535:
            raise _invalid("FT_METRICS_PORT must be a port number (0 to 65535)")
        if not _is_address(self.metrics_address):
            address = self.metrics_address
            raise _invalid(f"FT_METRICS_ADDRESS must be an IP address, got {address!r}")
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if key and len(key) < MIN_SECRET_KEY_LENGTH:
            raise _invalid(f"FT_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters")
        for name, secret in (
            ("FT_KEYS_SECRET", self.keys_secret),
            ("FT_KEYS_SECRET_PREVIOUS", self.keys_secret_previous),
        ):
            if secret is not None and len(secret.get_secret_value()) < MIN_KEYS_SECRET_LENGTH:
                raise _invalid(f"{name} must be at least {MIN_KEYS_SECRET_LENGTH} characters")
        if self.oidc_issuer is None:
            if self.oidc_client_id or self.oidc_client_secret:
                raise _invalid("FT_OIDC_CLIENT_ID and FT_OIDC_CLIENT_SECRET need FT_OIDC_ISSUER")
            return self
        parts = urlsplit(self.oidc_issuer)
        https_or_loopback = parts.scheme == "https" or (
            parts.scheme == "http" and parts.hostname is not None and _is_loopback(parts.hostname)
        )
        if not parts.hostname or not https_or_loopback:
            raise _invalid(
                "FT_OIDC_ISSUER must be an https URL, e.g. https://login.example.com "
                "(http only to localhost)"
            )
        if not self.oidc_client_id:
            raise _invalid("FT_OIDC_CLIENT_ID must be set when FT_OIDC_ISSUER is set")
        return self

    @property
    def oidc_enabled(self) -> bool:
        """True when single sign-on with an OpenID Connect provider is configured."""
        return self.oidc_issuer is not None

    @property
    def session_idle_seconds(self) -> int:
        """``FT_SESSION_IDLE_MINUTES`` in seconds."""
        return self.session_idle_minutes * 60

    @property
    def session_max_seconds(self) -> int:
        """``FT_SESSION_MAX_HOURS`` in seconds."""
        return self.session_max_hours * 3600

    @cached_property
    def refused_models(self) -> frozenset[str]:
        """``FT_SANDBOX_REFUSED_MODELS`` as a set of model ids."""
        return frozenset(
            model_id.strip() for model_id in self.sandbox_refused_models.split(",") if model_id
        ) - {""}


class _MappingSource(EnvSettingsSource):
    """The ``FT_*`` variables (and ``REFLEX_REDIS_URL``) of a given mapping (``os.environ`` or
    a test's dict).

    Blank values are dropped, so they mean "unset"; the key is kept verbatim otherwise.
    """

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        # Names are matched case-insensitively, as pydantic-settings does: lower-cased here.
        self._mapping = {
            name.lower(): value
            for name, value in env.items()
            if (name.upper().startswith(ENV_PREFIX) or name.upper() == REDIS_URL_ENV)
            and value.strip()
        }
        super().__init__(settings_cls, case_sensitive=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._mapping


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read :class:`Settings` from ``env`` (default: ``os.environ``).

    Raises :class:`SettingsError` with one line per bad variable, e.g.
    ``FT_API_TIMEOUT must be a number, got 'soon'``.
    """
    env = os.environ if env is None else env
    try:
        # model_validate takes exactly these values: no other source is consulted.
        return Settings.model_validate(_MappingSource(Settings, env)())
    except ValidationError as exc:
        raise SettingsError(_describe(exc, env)) from None


def _describe(exc: ValidationError, env: Mapping[str, str]) -> str:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        message = error["msg"]
        if not error["loc"]:
            lines.append(message)
            continue
        name = f"{ENV_PREFIX}{str(error['loc'][0]).upper()}"
        raw = env.get(name, "")
        lines.append(f"{name} {message}, got {raw!r}" if raw else f"{name} {message}")
    return "; ".join(lines)


_current: Settings | None = None
_current_lock = threading.Lock()


def current_settings() -> Settings:
    """The process's settings, read from the environment on first use and then kept: the one
    object every part of the app reads (the Redis URL included)."""
    global _current
    with _current_lock:
        if _current is None:
            _current = load_settings()
        return _current


def use_settings(settings: Settings | None) -> None:
    """Replace the process's settings (tests); None: read the environment again on next use."""
    global _current
    with _current_lock:
        _current = settings
