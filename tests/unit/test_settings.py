"""Unit tests for ftapp.settings.load_settings: defaults, validation and secrecy of the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

import ftapp.settings
from ftapp.settings import (
    DEFAULT_SANDBOX_DB,
    PROJECT_ROOT,
    SANDBOX_DEMO_KEY,
    Settings,
    SettingsError,
    load_settings,
)

BASE_URL = "https://api.example.test/api"
SECRET = "sk-live-TOPSECRET-9f8e7d"
ENV_NAMES = (
    "FT_API_BASE_URL",
    "FT_API_KEY",
    "FT_API_TIMEOUT",
    "FT_API_READ_RETRIES",
    "FT_SANDBOX_DB",
    "FT_SANDBOX_SPEED",
    "FT_SANDBOX_KEYS_FILE",
)


def test_constants() -> None:
    assert SANDBOX_DEMO_KEY == "sandbox-demo-key"
    assert Path(ftapp.settings.__file__).resolve().parent.parent == PROJECT_ROOT
    assert PROJECT_ROOT / "data" / "sandbox.db" == DEFAULT_SANDBOX_DB


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.api_base_url is None
    assert settings.uses_sandbox is True
    assert isinstance(settings.api_key, SecretStr)
    assert settings.api_key.get_secret_value() == SANDBOX_DEMO_KEY
    assert settings.api_timeout == 10.0
    assert settings.api_read_retries == 2
    assert settings.sandbox_db == DEFAULT_SANDBOX_DB
    assert settings.sandbox_db.parts[-2:] == ("data", "sandbox.db")
    assert settings.sandbox_speed == 1.0


def test_defaults_equal_the_models_defaults() -> None:
    loaded = load_settings({})
    defaults = {
        name: field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
    }
    assert loaded.model_dump(exclude={"api_key"}) == {
        name: value for name, value in defaults.items() if name != "api_key"
    }


def test_blank_values_use_the_defaults() -> None:
    blank = {name: "   " for name in ENV_NAMES if name != "FT_API_KEY"}
    settings = load_settings(blank)
    assert settings.api_base_url is None
    assert settings.api_read_retries == 2
    assert settings.api_timeout == 10.0
    assert settings.sandbox_db == DEFAULT_SANDBOX_DB
    assert settings.sandbox_speed == 1.0


def test_blank_variables_in_the_environment_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by starting the app with FT_SANDBOX_PUBLIC="": pydantic-settings read
    # os.environ again behind load_settings, blanks included.
    for name in ("FT_SANDBOX_PUBLIC", "FT_SANDBOX_DEMO_KEYS", "FT_API_TIMEOUT", "FT_PUBLIC_URL"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert settings.sandbox_public is False
    assert settings.sandbox_demo_keys is True
    assert settings.api_timeout == 10.0
    monkeypatch.setenv("FT_API_TIMEOUT", "soon")
    assert load_settings({}).api_timeout == 10.0  # a given mapping is all that is read


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FT_API_BASE_URL", BASE_URL)
    monkeypatch.setenv("FT_API_KEY", SECRET)
    settings = load_settings()
    assert settings.api_base_url == BASE_URL
    assert settings.api_key.get_secret_value() == SECRET


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(ValidationError):
        settings.api_base_url = BASE_URL  # type: ignore[misc]


# --- the hosted API -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        BASE_URL,
        BASE_URL + "/",
        BASE_URL + "///",
        f"  {BASE_URL}/  ",
    ],
)
def test_base_url_is_stripped(raw: str) -> None:
    settings = load_settings({"FT_API_BASE_URL": raw, "FT_API_KEY": SECRET})
    assert settings.api_base_url == BASE_URL
    assert settings.uses_sandbox is False
    assert settings.api_key.get_secret_value() == SECRET


@pytest.mark.parametrize("raw", ["", "   ", "/", " // "])
def test_empty_base_url_means_the_sandbox(raw: str) -> None:
    settings = load_settings({"FT_API_BASE_URL": raw})
    assert settings.api_base_url is None
    assert settings.uses_sandbox is True


@pytest.mark.parametrize(
    "env",
    [{"FT_API_BASE_URL": BASE_URL}, {"FT_API_BASE_URL": BASE_URL, "FT_API_KEY": ""}],
)
def test_api_key_is_required_with_a_base_url(env: dict[str, str]) -> None:
    message = "FT_API_KEY must be set when FT_API_BASE_URL points at a hosted API"
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        load_settings(env)


def test_api_key_without_base_url_is_used_for_the_sandbox() -> None:
    settings = load_settings({"FT_API_KEY": "sandbox-other-key"})
    assert settings.uses_sandbox is True
    assert settings.api_key.get_secret_value() == "sandbox-other-key"


def test_api_key_is_kept_verbatim() -> None:
    settings = load_settings({"FT_API_BASE_URL": BASE_URL, "FT_API_KEY": " spaced key "})
    assert settings.api_key.get_secret_value() == " spaced key "


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "attribute"),
    [("FT_API_TIMEOUT", "api_timeout"), ("FT_SANDBOX_SPEED", "sandbox_speed")],
)
@pytest.mark.parametrize(("raw", "value"), [("2.5", 2.5), (" 30 ", 30.0), ("1e-3", 0.001)])
def test_positive_numbers_are_read(name: str, attribute: str, raw: str, value: float) -> None:
    assert getattr(load_settings({name: raw}), attribute) == value


@pytest.mark.parametrize("name", ["FT_API_TIMEOUT", "FT_SANDBOX_SPEED"])
@pytest.mark.parametrize("raw", ["abc", "10s", "1,5", "--1"])
def test_non_numeric_values_are_rejected(name: str, raw: str) -> None:
    message = f"{name} must be a number, got {raw!r}"
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        load_settings({name: raw})


@pytest.mark.parametrize("name", ["FT_API_TIMEOUT", "FT_SANDBOX_SPEED"])
@pytest.mark.parametrize("raw", ["0", "0.0", "-0", "-1", "-0.001"])
def test_values_not_above_zero_are_rejected(name: str, raw: str) -> None:
    message = f"{name} must be greater than 0, got {raw!r}"
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        load_settings({name: raw})


def test_a_bad_number_message_does_not_leak_the_key() -> None:
    env = {"FT_API_BASE_URL": BASE_URL, "FT_API_KEY": SECRET, "FT_API_TIMEOUT": "soon"}
    with pytest.raises(ValueError, match=r"^FT_API_TIMEOUT must be a number") as raised:
        load_settings(env)
    assert SECRET not in str(raised.value)
    assert "FT_API_TIMEOUT" in str(raised.value)


@pytest.mark.parametrize(("raw", "value"), [("0", 0), ("5", 5), ("", 2), (" 3 ", 3)])
def test_read_retries(raw: str, value: int) -> None:
    assert load_settings({"FT_API_READ_RETRIES": raw}).api_read_retries == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("many", "FT_API_READ_RETRIES must be a whole number, got 'many'"),
        ("1.5", "FT_API_READ_RETRIES must be a whole number, got '1.5'"),
        ("-1", "FT_API_READ_RETRIES must be 0 or more, got '-1'"),
    ],
)
def test_bad_read_retries_are_rejected(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        load_settings({"FT_API_READ_RETRIES": raw})


@pytest.mark.parametrize("name", ["FT_API_TIMEOUT", "FT_SANDBOX_SPEED"])
@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "Infinity"])
def test_non_finite_values_are_rejected(name: str, raw: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be greater than 0"):
        load_settings({name: raw})


# --- sandbox paths ------------------------------------------------------------------------


def test_sandbox_db_path(tmp_path: Path) -> None:
    settings = load_settings({"FT_SANDBOX_DB": f" {tmp_path / 'jobs.db'} "})
    assert settings.sandbox_db == tmp_path / "jobs.db"


# --- secrecy of the key -------------------------------------------------------------------


def test_key_never_appears_in_repr_or_str() -> None:
    settings = load_settings({"FT_API_BASE_URL": BASE_URL, "FT_API_KEY": SECRET})
    for text in (
        repr(settings),
        str(settings),
        f"{settings}",
        repr(settings.api_key),
        str(settings.api_key),
        repr(settings.model_dump()),
        settings.model_dump_json(),
    ):
        assert SECRET not in text
    assert "**********" in repr(settings)
    assert settings.api_key.get_secret_value() == SECRET


def test_demo_key_is_also_hidden() -> None:
    assert SANDBOX_DEMO_KEY not in repr(load_settings({}))


# --- the live feed's intervals -----------------------------------------------------------------

POLL_NAMES = ("FT_POLL_RUNNING_SECONDS", "FT_POLL_IDLE_SECONDS", "FT_POLL_MAX_BACKOFF_SECONDS")


def test_poll_intervals_default_and_read() -> None:
    defaults = load_settings({name: " " for name in POLL_NAMES})
    assert (
        defaults.poll_running_seconds,
        defaults.poll_idle_seconds,
        defaults.poll_max_backoff_seconds,
    ) == (2.0, 15.0, 60.0)
    assert load_settings({"FT_POLL_IDLE_SECONDS": " 30 "}).poll_idle_seconds == 30.0


@pytest.mark.parametrize("name", POLL_NAMES)
@pytest.mark.parametrize("raw", ["0", "-1", "abc", "inf", "nan"])
def test_bad_poll_intervals_are_rejected(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be"):
        load_settings({name: raw})


def test_every_bad_setting_is_named_on_one_line() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"FT_API_TIMEOUT": "soon", "FT_SANDBOX_SPEED": "-1"})
    message = str(raised.value)
    assert "\n" not in message
    assert message == (
        "FT_API_TIMEOUT must be a number, got 'soon'; "
        "FT_SANDBOX_SPEED must be greater than 0, got '-1'"
    )


# --- Redis and the feed's lease ---------------------------------------------------------------

REDIS_URL = "redis://:redis-PASSWORD-77@cache.internal:6379/0"


def test_without_redis_there_is_no_redis_url_and_a_five_second_lease() -> None:
    settings = load_settings({})
    assert settings.redis_url is None
    assert settings.feed_lease_seconds == 5.0


@pytest.mark.parametrize("url", [REDIS_URL, "rediss://cache:6380", "unix:///run/redis.sock"])
def test_reflex_redis_url_is_read_and_hidden(url: str) -> None:
    settings = load_settings({"REFLEX_REDIS_URL": f" {url} "})
    assert settings.redis_url is not None
    assert settings.redis_url.get_secret_value() == url
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert url not in text


def test_blank_reflex_redis_url_means_no_redis() -> None:
    assert load_settings({"REFLEX_REDIS_URL": "  "}).redis_url is None


def test_only_reflexs_own_variable_names_redis() -> None:
    assert load_settings({"FT_REDIS_URL": REDIS_URL}).redis_url is None


@pytest.mark.parametrize("url", ["http://:redis-PASSWORD-77@cache:6379", "cache:6379"])
def test_a_redis_url_of_another_scheme_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"REFLEX_REDIS_URL": url})
    message = str(raised.value)
    assert message == "REFLEX_REDIS_URL must start with redis://, rediss:// or unix://"
    assert "PASSWORD" not in message


def test_feed_lease_seconds_is_read() -> None:
    assert load_settings({"FT_FEED_LEASE_SECONDS": " 2.5 "}).feed_lease_seconds == 2.5


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "inf"])
def test_bad_feed_lease_seconds_are_rejected(raw: str) -> None:
    with pytest.raises(SettingsError, match=r"^FT_FEED_LEASE_SECONDS must be"):
        load_settings({"FT_FEED_LEASE_SECONDS": raw})


# --- the sandbox's settings ----------------------------------------------------------------


def test_refused_models_are_a_set() -> None:
    settings = load_settings({"FT_SANDBOX_REFUSED_MODELS": " a, b ,,a "})
    assert settings.refused_models == frozenset({"a", "b"})
    assert load_settings({}).refused_models == frozenset()


# --- the public URL ------------------------------------------------------------------------


def test_the_public_origin_defaults_to_localhost_on_reflexs_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REFLEX_FRONTEND_PORT", raising=False)
    assert load_settings({}).public_origin == "http://localhost:3000"
    monkeypatch.setenv("REFLEX_FRONTEND_PORT", "3030")
    assert load_settings({}).public_origin == "http://localhost:3030"
    assert load_settings({}).public_is_https is False


def test_the_public_origin_is_the_urls_scheme_host_and_port() -> None:
    settings = load_settings({"FT_PUBLIC_URL": " https://FT.example.com:8443/console/ "})
    assert settings.public_origin == "https://ft.example.com:8443"
    assert settings.public_is_https is True


@pytest.mark.parametrize("raw", ["ftp://ft.example.com", "ft.example.com", "https://"])
def test_a_public_url_that_is_not_http_is_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match=r"^FT_PUBLIC_URL must be an http or https URL"):
        load_settings({"FT_PUBLIC_URL": raw})


# --- the key travels over https ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://training.example.com/api",
        "http://127.0.0.1:8100/api",
        "http://127.8.9.10/api",
        "http://localhost:8100/api",
        "http://[::1]:8100/api",
    ],
)
def test_https_or_loopback_base_urls_are_accepted(url: str) -> None:
    assert load_settings({"FT_API_BASE_URL": url, "FT_API_KEY": SECRET}).api_base_url == url


@pytest.mark.parametrize("url", ["http://training.example.com/api", "http://10.0.0.5/api"])
def test_plain_http_elsewhere_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(SettingsError, match=r"^FT_API_BASE_URL must use https") as raised:
        load_settings({"FT_API_BASE_URL": url, "FT_API_KEY": SECRET})
    assert SECRET not in str(raised.value)
    allowed = load_settings(
        {"FT_API_BASE_URL": url, "FT_API_KEY": SECRET, "FT_API_ALLOW_HTTP": "1"}
    )
    assert allowed.api_base_url == url


@pytest.mark.parametrize("url", ["training.example.com/api", "ftp://training.example.com/api"])
def test_a_base_url_that_is_not_a_url_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match=r"^FT_API_BASE_URL must be an https URL"):
        load_settings({"FT_API_BASE_URL": url, "FT_API_KEY": SECRET})


# --- where the app listens, and the sandbox served to others -------------------------------


@pytest.mark.parametrize(
    ("env", "host"),
    [
        ({}, "127.0.0.1"),
        ({"FT_PUBLIC_URL": "http://localhost:8080"}, "127.0.0.1"),
        ({"FT_PUBLIC_URL": "http://127.0.0.1:3000"}, "127.0.0.1"),
        ({"FT_PUBLIC_URL": "https://ft.example.test"}, "0.0.0.0"),
        ({"FT_BIND_ADDRESS": "0.0.0.0"}, "0.0.0.0"),
        ({"FT_PUBLIC_URL": "https://ft.example.test", "FT_BIND_ADDRESS": "::1"}, "::1"),
    ],
)
def test_a_local_start_listens_on_loopback_only(env: dict[str, str], host: str) -> None:
    assert load_settings(env).listen_host == host


def test_a_bind_address_must_be_an_ip_address() -> None:
    with pytest.raises(SettingsError, match=r"^FT_BIND_ADDRESS must be an IP address"):
        load_settings({"FT_BIND_ADDRESS": "everywhere"})


def test_the_sandbox_is_served_to_others_only_when_asked() -> None:
    assert not load_settings({}).mounts_sandbox
    assert load_settings({"FT_SANDBOX_PUBLIC": "1"}).mounts_sandbox
    with pytest.raises(SettingsError, match=r"FT_SANDBOX_PUBLIC=1 needs the embedded sandbox"):
        load_settings({"FT_SANDBOX_PUBLIC": "1", "FT_API_BASE_URL": BASE_URL, "FT_API_KEY": SECRET})


def test_the_sign_in_link_is_on_for_a_day_by_default() -> None:
    settings = load_settings({})
    assert settings.access_link is True
    assert settings.access_link_minutes == 24 * 60
    off = load_settings({"FT_ACCESS_LINK": "0", "FT_ACCESS_LINK_MINUTES": "15"})
    assert (off.access_link, off.access_link_minutes) == (False, 15)
    with pytest.raises(SettingsError, match=r"^FT_ACCESS_LINK_MINUTES must be 1 or more"):
        load_settings({"FT_ACCESS_LINK_MINUTES": "0"})


def test_the_history_keeps_everything_unless_a_retention_is_set() -> None:
    assert load_settings({}).history_retention_days is None
    assert load_settings({"FT_HISTORY_RETENTION_DAYS": " 90 "}).history_retention_days == 90


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "FT_HISTORY_RETENTION_DAYS must be 1 or more, got '0'"),
        ("-5", "FT_HISTORY_RETENTION_DAYS must be 1 or more, got '-5'"),
        ("90d", "FT_HISTORY_RETENTION_DAYS must be a whole number, got '90d'"),
        ("1.5", "FT_HISTORY_RETENTION_DAYS must be a whole number, got '1.5'"),
    ],
)
def test_a_bad_retention_is_one_line_naming_it(raw: str, message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"FT_HISTORY_RETENTION_DAYS": raw})
    assert str(raised.value) == message
