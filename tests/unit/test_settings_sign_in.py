"""Unit tests for the sign-in settings: defaults, validation and secrecy of the secrets."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from ftapp.auth.roles import Role
from ftapp.settings import SettingsError, load_settings

TOKEN = "tok-TOPSECRET-0123456789"
CLIENT_SECRET = " client-SECRET-with-spaces "
SECRET_KEY = "k" * 40
ISSUER = "https://login.example.test"


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.access_token is None
    assert (settings.session_idle_minutes, settings.session_max_hours) == (30, 12)
    assert (settings.session_idle_seconds, settings.session_max_seconds) == (1800, 43200)
    assert settings.oidc_issuer is None
    assert settings.oidc_enabled is False
    assert (settings.oidc_client_id, settings.oidc_client_secret) == (None, None)
    assert settings.oidc_role_claim == "role"
    assert settings.oidc_default_role is Role.VIEWER
    assert (settings.oidc_groups_claim, settings.oidc_workspace_roles) == ("groups", {})
    assert settings.secret_key is None


def test_blank_values_use_the_defaults() -> None:
    names = (
        "FT_ACCESS_TOKEN",
        "FT_SESSION_IDLE_MINUTES",
        "FT_SESSION_MAX_HOURS",
        "FT_OIDC_ISSUER",
        "FT_OIDC_CLIENT_ID",
        "FT_OIDC_CLIENT_SECRET",
        "FT_OIDC_ROLE_CLAIM",
        "FT_OIDC_DEFAULT_ROLE",
        "FT_SECRET_KEY",
    )
    assert load_settings({name: "  " for name in names}) == load_settings({})


def test_everything_is_read() -> None:
    settings = load_settings(
        {
            "FT_ACCESS_TOKEN": TOKEN,
            "FT_SESSION_IDLE_MINUTES": " 5 ",
            "FT_SESSION_MAX_HOURS": "2",
            "FT_OIDC_ISSUER": f" {ISSUER} ",
            "FT_OIDC_CLIENT_ID": " ftapp ",
            "FT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "FT_OIDC_ROLE_CLAIM": " groups ",
            "FT_OIDC_DEFAULT_ROLE": " Operator ",
            "FT_SECRET_KEY": SECRET_KEY,
        }
    )
    assert isinstance(settings.access_token, SecretStr)
    assert settings.access_token.get_secret_value() == TOKEN
    assert (settings.session_idle_seconds, settings.session_max_seconds) == (300, 7200)
    assert (settings.oidc_issuer, settings.oidc_client_id) == (ISSUER, "ftapp")
    assert settings.oidc_enabled is True
    assert settings.oidc_client_secret is not None
    assert settings.oidc_client_secret.get_secret_value() == CLIENT_SECRET  # verbatim
    assert settings.oidc_role_claim == "groups"
    assert settings.oidc_default_role is Role.OPERATOR
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == SECRET_KEY


def test_workspace_roles_from_groups_are_read() -> None:
    settings = load_settings(
        {
            "FT_OIDC_GROUPS_CLAIM": "realm_access.groups",
            "FT_OIDC_WORKSPACE_ROLES": '{"ml-research": {"research": "Operator", "ops": "viewer"}}',
        }
    )
    assert settings.oidc_groups_claim == "realm_access.groups"
    assert settings.oidc_workspace_roles == {
        "ml-research": {"research": Role.OPERATOR, "ops": Role.VIEWER}
    }


def test_a_public_client_needs_no_secret() -> None:
    settings = load_settings({"FT_OIDC_ISSUER": ISSUER, "FT_OIDC_CLIENT_ID": "ftapp"})
    assert settings.oidc_client_secret is None


@pytest.mark.parametrize("issuer", ["http://localhost:9400", "http://127.0.0.1:9400/"])
def test_a_loopback_issuer_may_use_http(issuer: str) -> None:
    settings = load_settings({"FT_OIDC_ISSUER": issuer, "FT_OIDC_CLIENT_ID": "ftapp"})
    assert settings.oidc_issuer == issuer


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FT_ACCESS_TOKEN": "short"}, "FT_ACCESS_TOKEN must be at least 16 characters"),
        ({"FT_SECRET_KEY": "k" * 31}, "FT_SECRET_KEY must be at least 32 characters"),
        ({"FT_SESSION_IDLE_MINUTES": "0"}, "FT_SESSION_IDLE_MINUTES must be 1 or more, got '0'"),
        (
            {"FT_SESSION_IDLE_MINUTES": "soon"},
            "FT_SESSION_IDLE_MINUTES must be a whole number, got 'soon'",
        ),
        ({"FT_SESSION_MAX_HOURS": "1.5"}, "FT_SESSION_MAX_HOURS must be a whole number, got '1.5'"),
        ({"FT_SESSION_MAX_HOURS": "-2"}, "FT_SESSION_MAX_HOURS must be 1 or more, got '-2'"),
        (
            {"FT_OIDC_DEFAULT_ROLE": "boss"},
            "FT_OIDC_DEFAULT_ROLE must be one of viewer, operator, admin, got 'boss'",
        ),
        (
            {"FT_OIDC_ISSUER": ISSUER},
            "FT_OIDC_CLIENT_ID must be set when FT_OIDC_ISSUER is set",
        ),
        (
            {"FT_OIDC_CLIENT_ID": "ftapp"},
            "FT_OIDC_CLIENT_ID and FT_OIDC_CLIENT_SECRET need FT_OIDC_ISSUER",
        ),
        (
            {"FT_OIDC_ISSUER": "http://login.example.test", "FT_OIDC_CLIENT_ID": "ftapp"},
            "FT_OIDC_ISSUER must be an https URL, e.g. https://login.example.com "
            "(http only to localhost)",
        ),
        (
            {"FT_OIDC_WORKSPACE_ROLES": "research=operator"},
            "FT_OIDC_WORKSPACE_ROLES must be a JSON object, got 'research=operator'",
        ),
        (
            {"FT_OIDC_WORKSPACE_ROLES": '{"ml": ["research"]}'},
            'FT_OIDC_WORKSPACE_ROLES must map each group to {"workspace-slug": "role"}, '
            """got '{"ml": ["research"]}'""",
        ),
        (
            {"FT_OIDC_WORKSPACE_ROLES": '{"ml": {"Research Team": "viewer"}}'},
            "FT_OIDC_WORKSPACE_ROLES names 'Research Team', which is not a workspace slug, "
            """got '{"ml": {"Research Team": "viewer"}}'""",
        ),
        (
            {"FT_OIDC_WORKSPACE_ROLES": '{"ml": {"default": "admin"}}'},
            "FT_OIDC_WORKSPACE_ROLES cannot name the default workspace (FT_OIDC_ROLE_CLAIM "
            """gives that role), got '{"ml": {"default": "admin"}}'""",
        ),
        (
            {"FT_OIDC_WORKSPACE_ROLES": '{"ml": {"research": "boss"}}'},
            "FT_OIDC_WORKSPACE_ROLES must be one of viewer, operator, admin, "
            """got '{"ml": {"research": "boss"}}'""",
        ),
        (
            {"FT_OIDC_ISSUER": "login.example.test", "FT_OIDC_CLIENT_ID": "ftapp"},
            "FT_OIDC_ISSUER must be an https URL, e.g. https://login.example.com "
            "(http only to localhost)",
        ),
    ],
)
def test_bad_values_are_one_line_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=f"^{re.escape(message)}$"):
        load_settings(env)


def test_secrets_never_appear_in_repr_or_messages() -> None:
    env = {
        "FT_ACCESS_TOKEN": TOKEN,
        "FT_OIDC_ISSUER": ISSUER,
        "FT_OIDC_CLIENT_ID": "ftapp",
        "FT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "FT_SECRET_KEY": SECRET_KEY,
    }
    settings = load_settings(env)
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        for secret in (TOKEN, CLIENT_SECRET.strip(), SECRET_KEY):
            assert secret not in text
    with pytest.raises(SettingsError) as raised:
        load_settings({**env, "FT_SESSION_IDLE_MINUTES": "x", "FT_ACCESS_TOKEN": "short-secret"})
    for secret in ("short-secret", CLIENT_SECRET.strip(), SECRET_KEY):
        assert secret not in str(raised.value)
