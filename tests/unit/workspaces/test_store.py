"""The stored workspaces on a migrated SQLite app database: adding, listing, resolving,
renaming, a new key, removing, re-encrypting; what is refused and why; and that a key is never
in the database's files, a repr or a log in clear."""

from __future__ import annotations

import logging
from dataclasses import FrozenInstanceError

import pytest
import sqlalchemy as sa

from ftapp import database, settings
from ftapp.models import WorkspaceRow
from ftapp.settings import EMBEDDED_BASE_URL
from ftapp.workspaces import (
    DEFAULT_SLUG,
    KeyDecryptError,
    WorkspaceError,
    add_workspace,
    get_workspace,
    list_workspaces,
    reencrypt_all,
    remove_workspace,
    rename_workspace,
    resolve,
    rotate_key,
    slug_for,
)
from tests.helpers.workspaces import (
    API_URL,
    KEYS_SECRET,
    NEW_KEYS_SECRET,
    database_bytes,
    distinctive_key,
    holds_in_clear,
)

pytestmark = pytest.mark.usefixtures("app_db")


def test_add_then_list_get_and_resolve() -> None:
    key = distinctive_key("abcd")
    added = add_workspace("  Research team ", API_URL + "/", key, now=1_800_000_000)
    assert added.slug == "research-team"
    assert added.name == "Research team"
    assert added.api_base_url == API_URL
    assert added.key_last4 == "abcd"
    assert added.key_version == 1
    assert added.created_at == added.updated_at == 1_800_000_000
    assert len(added.identity) == 16
    int(added.identity, 16)
    assert get_workspace("research-team") == added
    assert get_workspace("nothing") is None
    assert list_workspaces() == [added]
    config = resolve("research-team")
    assert config is not None
    assert config.api_key.get_secret_value() == key
    assert (config.slug, config.name, config.api_base_url) == ("research-team", added.name, API_URL)
    assert (config.identity, config.key_version) == (added.identity, 1)
    assert resolve("nothing") is None
    with pytest.raises(FrozenInstanceError):
        added.name = "other"  # type: ignore[misc]


def test_list_is_by_name_whatever_the_case() -> None:
    for name in ("beta", "Alpha", "gamma"):
        add_workspace(name, API_URL, distinctive_key())
    assert [w.name for w in list_workspaces()] == ["Alpha", "beta", "gamma"]


def test_each_workspace_has_its_own_identity_for_life() -> None:
    first = add_workspace("One", API_URL, distinctive_key())
    second = add_workspace("Two", API_URL, distinctive_key())
    assert first.identity != second.identity
    renamed = rename_workspace("one", "Uno")
    rotated = rotate_key("one", distinctive_key())
    assert renamed.identity == rotated.identity == first.identity
    assert rotated.slug == "one"


def test_rename_keeps_the_slug_and_refuses_a_taken_name() -> None:
    add_workspace("Team", API_URL, distinctive_key(), now=100)
    add_workspace("Other", API_URL, distinctive_key())
    renamed = rename_workspace("team", "The Team", now=200)
    assert (renamed.slug, renamed.name, renamed.updated_at) == ("team", "The Team", 200)
    assert rename_workspace("team", "the team").name == "the team"  # its own name, new case
    with pytest.raises(WorkspaceError, match="already exists") as raised:
        rename_workspace("team", "OTHER")
    assert raised.value.field == "name"
    with pytest.raises(WorkspaceError, match="No workspace") as raised:
        rename_workspace("absent", "Name")
    assert raised.value.field == "slug"


def test_rotate_key_replaces_the_key_and_counts_versions() -> None:
    old_key, new_key = distinctive_key("0ld0"), distinctive_key("n3w0")
    add_workspace("Team", API_URL, old_key, now=100)
    rotated = rotate_key("team", new_key, now=300)
    assert (rotated.key_version, rotated.key_last4, rotated.updated_at) == (2, "n3w0", 300)
    assert rotated.created_at == 100
    config = resolve("team")
    assert config is not None
    assert config.api_key.get_secret_value() == new_key
    assert config.key_version == 2
    assert rotate_key("team", distinctive_key()).key_version == 3
    with pytest.raises(WorkspaceError) as raised:
        rotate_key("absent", new_key)
    assert raised.value.field == "slug"
    with pytest.raises(WorkspaceError) as raised:
        rotate_key("team", "has space in it")
    assert raised.value.field == "key"


def test_remove_forgets_the_workspace() -> None:
    add_workspace("Team", API_URL, distinctive_key())
    assert remove_workspace("team") is True
    assert get_workspace("team") is None
    assert resolve("team") is None
    assert remove_workspace("team") is False
    add_workspace("Team", API_URL, distinctive_key())  # the name and slug are free again
    assert get_workspace("team") is not None


# --- slugs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Research team", "research-team"),
        ("  Équipe Ünïcode  ", "equipe-unicode"),
        ("ML/Ops -- prod!", "ml-ops-prod"),
        ("日本", "workspace"),
        ("x" * 40, "x" * 32),
        ("a" * 31 + " b", "a" * 31),
        ("Default", "default"),  # add makes it default-2: see below
    ],
)
def test_slug_for(name: str, slug: str) -> None:
    assert slug_for(name) == slug


def test_slugs_are_made_unique_and_never_the_reserved_default() -> None:
    assert DEFAULT_SLUG == "default"
    assert add_workspace("Team", API_URL, distinctive_key()).slug == "team"
    assert add_workspace("Team!", API_URL, distinctive_key()).slug == "team-2"
    assert add_workspace("team?", API_URL, distinctive_key()).slug == "team-3"
    assert add_workspace("Default", API_URL, distinctive_key()).slug == "default-2"
    long_name = "y" * 40
    add_workspace(long_name, API_URL, distinctive_key())
    suffixed = add_workspace(long_name.upper() + "!", API_URL, distinctive_key())
    assert suffixed.slug == "y" * 30 + "-2"


def test_an_explicit_slug_is_checked_and_never_suffixed() -> None:
    assert add_workspace("Team", API_URL, distinctive_key(), slug="t1").slug == "t1"
    for bad in ("T1", "-t", "", "a" * 33, "a b", "default"):
        with pytest.raises(WorkspaceError) as raised:
            add_workspace(f"Name {bad}", API_URL, distinctive_key(), slug=bad)
        assert raised.value.field == "slug"
    with pytest.raises(WorkspaceError, match="slug 't1' already exists"):
        add_workspace("Other", API_URL, distinctive_key(), slug="t1")


# --- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "A workspace needs a name."),
        ("   ", "A workspace needs a name."),
        ("n" * 65, "A workspace's name is at most 64 characters."),
        ("two\nlines", "A workspace's name must not hold control characters"),
        ("tab\there", "A workspace's name must not hold control characters"),
    ],
)
def test_a_bad_name_is_refused(name: str, message: str) -> None:
    with pytest.raises(WorkspaceError) as raised:
        add_workspace(name, API_URL, distinctive_key())
    assert str(raised.value).startswith(message)
    assert raised.value.field == "name"


def test_a_name_of_64_characters_is_fine_and_a_taken_name_is_refused_in_any_case() -> None:
    add_workspace("n" * 64, API_URL, distinctive_key())
    add_workspace("Research", API_URL, distinctive_key())
    with pytest.raises(WorkspaceError) as raised:
        add_workspace(" RESEARCH ", API_URL, distinctive_key())
    assert str(raised.value) == "A workspace named 'Research' already exists."
    assert raised.value.field == "name"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "The API URL must be an https URL with a host"),
        ("training.example.test/api", "The API URL must be an https URL with a host"),
        ("ftp://training.example.test/api", "The API URL must be an https URL with a host"),
        ("https:///api", "The API URL must be an https URL with a host"),
        ("https://host:port/api", "The API URL must be an https URL with a host"),
        ("https://bad host/api", "The API URL must be an https URL with a host"),
        ("https://user:pw@training.example.test/api", "The API URL must not hold a user name"),
        ("http://training.example.test/api", "The API URL must use https."),
    ],
)
def test_a_bad_url_is_refused(url: str, message: str) -> None:
    with pytest.raises(WorkspaceError) as raised:
        add_workspace("Team", url, distinctive_key())
    assert str(raised.value).startswith(message)
    assert raised.value.field == "api_url"
    assert list_workspaces() == []


def test_plain_http_only_to_loopback_or_when_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert add_workspace("Local", "http://127.0.0.1:8080/api", distinctive_key()).slug == "local"
    with pytest.raises(WorkspaceError, match="must use https"):
        add_workspace("Lan", "http://10.0.0.5/api", distinctive_key())
    monkeypatch.setenv("FT_API_ALLOW_HTTP", "1")
    settings.use_settings(None)
    assert add_workspace("Lan", "http://10.0.0.5/api", distinctive_key()).slug == "lan"


def test_the_embedded_sandbox_url_only_while_the_app_runs_its_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert add_workspace("Other", EMBEDDED_BASE_URL, "sandbox-other-key").api_base_url == (
        EMBEDDED_BASE_URL
    )
    monkeypatch.setenv("FT_API_BASE_URL", "https://api.example.test/api")
    monkeypatch.setenv("FT_API_KEY", "sk-unit-hosted-1234")
    monkeypatch.setenv("FT_API_ALLOW_HTTP", "1")  # still refused: it is no network address
    settings.use_settings(None)
    with pytest.raises(WorkspaceError, match="embedded sandbox") as raised:
        add_workspace("Again", EMBEDDED_BASE_URL, "sandbox-other-key")
    assert raised.value.field == "api_url"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "No API key given."),
        ("k" * 513, "An API key is at most 512 characters."),
        ("with space-0123456789", "An API key must not hold spaces"),
        ("tab\tkey-0123456789", "An API key must not hold spaces"),
        ("line-0123456789\n", "An API key must not hold spaces"),
        ("ключ-0123456789", "An API key must not hold spaces"),
    ],
)
def test_a_bad_key_is_refused_without_repeating_it(key: str, message: str) -> None:
    with pytest.raises(WorkspaceError) as raised:
        add_workspace("Team", API_URL, key)
    assert str(raised.value).startswith(message)
    assert raised.value.field == "key"
    if key:
        assert key.strip() not in str(raised.value)


def test_a_key_of_512_characters_is_fine_and_a_short_one_shows_nothing_of_itself() -> None:
    assert add_workspace("Long", API_URL, "k" * 511 + "Z").key_last4 == "kkkZ"
    assert add_workspace("Short", API_URL, "short-key").key_last4 == ""
    assert add_workspace("Twelve", API_URL, "twelve-chars").key_last4 == "hars"


# --- the key stays secret -------------------------------------------------------------------


def test_the_key_is_never_in_the_database_files_in_clear() -> None:
    key, new_key = distinctive_key(), distinctive_key()
    add_workspace("Team", API_URL, key)
    stored = database_bytes()
    assert b"training.example.test" in stored  # the files read are the right ones
    assert not holds_in_clear(key, stored)
    rotate_key("team", new_key)
    stored = database_bytes()
    assert not holds_in_clear(key, stored)
    assert not holds_in_clear(new_key, stored)
    with database.engine().connect() as connection:
        token = connection.execute(sa.text("SELECT key_ciphertext FROM workspace")).scalar_one()
    assert token.startswith("gAAAAA")  # a Fernet token
    assert key not in token
    assert new_key not in token


def test_the_key_is_never_in_a_repr_str_or_log_line(caplog: pytest.LogCaptureFixture) -> None:
    key = distinctive_key()
    with caplog.at_level(logging.DEBUG):
        added = add_workspace("Team", API_URL, key)
        config = resolve("team")
        rotated = rotate_key("team", key[::-1])
        listed = list_workspaces()
    assert config is not None
    shown = [repr(added), str(added), repr(config), str(config), repr(rotated), repr(listed)]
    with database.session() as session:
        shown.append(repr(session.exec(sa.select(WorkspaceRow)).scalars().one()))
    for text in [*shown, caplog.text]:
        assert key not in text
        assert key[::-1] not in text
        assert KEYS_SECRET not in text
    assert "**********" in repr(config)


def test_resolve_with_another_secret_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    add_workspace("Team", API_URL, distinctive_key())
    monkeypatch.setenv("FT_KEYS_SECRET", NEW_KEYS_SECRET)
    settings.use_settings(None)
    with pytest.raises(KeyDecryptError):
        resolve("team")
    assert get_workspace("team") is not None  # what needs no key still works


def test_reencrypt_all_moves_every_key_to_the_new_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = {name: distinctive_key() for name in ("one", "two", "three")}
    for name, key in keys.items():
        add_workspace(name, API_URL, key)
    before = {w.slug: w for w in list_workspaces()}
    monkeypatch.setenv("FT_KEYS_SECRET", NEW_KEYS_SECRET)
    monkeypatch.setenv("FT_KEYS_SECRET_PREVIOUS", KEYS_SECRET)
    settings.use_settings(None)
    assert reencrypt_all() == 3
    monkeypatch.delenv("FT_KEYS_SECRET_PREVIOUS")
    settings.use_settings(None)
    for name, key in keys.items():
        config = resolve(name)
        assert config is not None
        assert config.api_key.get_secret_value() == key
    after = {w.slug: w for w in list_workspaces()}
    assert after == before  # the keys did not change: neither their versions nor their times
    assert not any(holds_in_clear(key, database_bytes()) for key in keys.values())


def test_reencrypt_all_changes_nothing_when_a_key_is_under_neither_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_workspace("one", API_URL, distinctive_key())
    monkeypatch.setenv("FT_KEYS_SECRET", NEW_KEYS_SECRET)
    settings.use_settings(None)
    add_workspace("two", API_URL, distinctive_key())
    with database.engine().connect() as connection:
        before = connection.execute(sa.text("SELECT slug, key_ciphertext FROM workspace")).all()
    monkeypatch.setenv("FT_KEYS_SECRET", "a-third-secret-that-made-neither-key")
    monkeypatch.setenv("FT_KEYS_SECRET_PREVIOUS", NEW_KEYS_SECRET)
    settings.use_settings(None)
    with pytest.raises(KeyDecryptError):
        reencrypt_all()
    with database.engine().connect() as connection:
        after = connection.execute(sa.text("SELECT slug, key_ciphertext FROM workspace")).all()
    assert sorted(after) == sorted(before)


def test_reencrypt_all_with_nothing_stored() -> None:
    assert reencrypt_all() == 0


def test_check_available_says_what_add_would_before_any_key_is_asked() -> None:
    from ftapp.workspaces import check_available

    add_workspace("Team", API_URL, distinctive_key(), slug="t1")
    check_available("Other", "t2")
    check_available("Other")
    for name, slug, field in (("TEAM", None, "name"), ("Other", "t1", "slug"), ("", None, "name")):
        with pytest.raises(WorkspaceError) as raised:
            check_available(name, slug)
        assert raised.value.field == field
