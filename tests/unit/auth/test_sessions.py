"""Server-side sessions in the database and in Redis: idle and absolute expiry (fake clock),
revocation, and that no token or hash leaks into logs, messages or reprs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
import sqlmodel

from ftapp import database
from ftapp.auth.redis_sessions import RedisSessionStore
from ftapp.auth.roles import Role
from ftapp.auth.sessions import (
    DbSessionStore,
    SessionPolicy,
    SessionStore,
    session_key_of,
    session_store,
    token_digest,
    use_session_store,
)
from ftapp.models import AuthSession, User
from tests.helpers.fakes import FakeClock
from tests.helpers.sign_in import use_settings
from tests.unit.auth.helpers import PASSWORD, add_user

POLICY = SessionPolicy(idle_seconds=30 * 60, max_seconds=12 * 3600)


@pytest.fixture(params=["db", "redis"])
async def store(
    request: pytest.FixtureRequest, app_db: str, clock: FakeClock
) -> AsyncIterator[SessionStore]:
    if request.param == "db":
        yield DbSessionStore(POLICY, clock=clock)
        return
    url = request.getfixturevalue("redis_url")
    redis_store = RedisSessionStore(url, POLICY, clock=clock, prefix=f"test:{id(clock)}:")
    yield redis_store
    await redis_store.close()


async def test_a_new_session_resolves_to_its_user(store: SessionStore) -> None:
    user_id = add_user("bob", Role.OPERATOR)
    token = await store.create(user_id)
    identity = await store.get(token)
    assert identity is not None
    assert (identity.user_id, identity.username, identity.role) == (user_id, "bob", Role.OPERATOR)
    assert identity.session_key == token_digest(token)[:16] == session_key_of(token_digest(token))
    assert len(token) >= 43


async def test_tokens_are_random_and_only_their_hash_is_stored(store: SessionStore) -> None:
    user_id = add_user()
    tokens = {await store.create(user_id) for _ in range(5)}
    assert len(tokens) == 5
    if isinstance(store, DbSessionStore):
        with database.session() as session:
            ids = {row.id for row in session.exec(sqlmodel.select(AuthSession)).all()}
        assert ids == {token_digest(token) for token in tokens}
        assert not ids & tokens


async def test_unknown_forged_and_malformed_tokens_resolve_to_nobody(store: SessionStore) -> None:
    user_id = add_user()
    token = await store.create(user_id)
    for forged in (
        "",
        "x",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token + "x" * 200,
        token_digest(token),
        "../../etc/passwd",
        "a" * 43 + "\x00",
    ):
        assert await store.get(forged) is None


async def test_idle_expiry(store: SessionStore, clock: FakeClock) -> None:
    token = await store.create(add_user())
    clock.advance(POLICY.idle_seconds - 1)
    assert await store.get(token) is not None  # used: the idle period starts again
    clock.advance(POLICY.idle_seconds - 1)
    assert await store.get(token) is not None
    clock.advance(POLICY.idle_seconds)
    assert await store.get(token) is None
    clock.advance(-POLICY.idle_seconds)  # an ended session does not come back
    assert await store.get(token) is None


async def test_absolute_expiry_even_when_kept_busy(store: SessionStore, clock: FakeClock) -> None:
    token = await store.create(add_user())
    used_for = 0
    while used_for + 600 < POLICY.max_seconds:
        clock.advance(600)
        used_for += 600
        assert await store.get(token) is not None, used_for
    clock.advance(POLICY.max_seconds - used_for)
    assert await store.get(token) is None


async def test_revoke(store: SessionStore) -> None:
    user_id = add_user()
    token, other = await store.create(user_id), await store.create(user_id)
    assert await store.revoke(token) is True
    assert await store.revoke(token) is False
    assert await store.get(token) is None
    assert await store.get(other) is not None


async def test_revoke_user_ends_all_their_sessions(store: SessionStore) -> None:
    bob, alice = add_user("bob"), add_user("alice")
    bobs = [await store.create(bob) for _ in range(3)]
    alices = await store.create(alice)
    assert await store.revoke_user(bob) == 3
    assert [await store.get(token) for token in bobs] == [None, None, None]
    assert await store.get(alices) is not None


async def test_a_disabled_or_removed_user_has_no_session(store: SessionStore) -> None:
    user_id = add_user()
    token = await store.create(user_id)
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.disabled = True
        session.add(user)
        session.commit()
    assert await store.get(token) is None


async def test_a_role_change_applies_at_once(store: SessionStore) -> None:
    user_id = add_user("bob", Role.ADMIN)
    token = await store.create(user_id)
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.role = Role.VIEWER.value
        session.add(user)
        session.commit()
    identity = await store.get(token)
    assert identity is not None
    assert identity.role is Role.VIEWER


async def test_purge_deletes_ended_sessions(app_db: str, clock: FakeClock) -> None:
    store = DbSessionStore(POLICY, clock=clock)
    user_id = add_user()
    old = await store.create(user_id)
    clock.advance(POLICY.idle_seconds + 1)
    fresh = await store.create(user_id)
    assert await store.purge_expired() == 1
    assert await store.get(fresh) is not None
    assert await store.get(old) is None


async def test_last_use_is_written_at_most_once_per_interval(app_db: str, clock: FakeClock) -> None:
    store = DbSessionStore(POLICY, clock=clock)
    token = await store.create(add_user())
    created = clock.now

    def last_seen() -> int:
        with database.session() as session:
            row = session.get(AuthSession, token_digest(token))
            assert row is not None
            return row.last_seen_at

    clock.advance(POLICY.touch_interval - 1)
    await store.get(token)
    assert last_seen() == int(created)
    clock.advance(1)
    await store.get(token)
    assert last_seen() == int(clock.now)


async def test_the_default_store_is_the_database_and_redis_when_reflex_uses_it(
    app_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings(session_idle_minutes="5", session_max_hours="2")
    store = session_store()
    assert isinstance(store, DbSessionStore)
    assert store.policy == SessionPolicy(300, 7200)
    use_session_store(None)
    from ftapp import settings

    # Reflex's variable, read through ftapp's one settings object.
    on_redis = {"FT_SESSION_IDLE_MINUTES": "5", "REFLEX_REDIS_URL": "redis://127.0.0.1:1/0"}
    settings.use_settings(settings.load_settings(on_redis))
    assert isinstance(session_store(), RedisSessionStore)
    use_session_store(None)


async def test_concurrent_lookups_do_not_block_each_other(store: SessionStore) -> None:
    token = await store.create(add_user())
    results = await asyncio.gather(*(store.get(token) for _ in range(20)))
    assert all(result is not None for result in results)


async def test_no_secret_in_logs_messages_or_reprs(
    store: SessionStore, caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG)
    user_id = add_user("bob", Role.ADMIN)
    token = await store.create(user_id)
    digest = token_digest(token)
    identity = await store.get(token)
    await store.revoke(token)
    token2 = await store.create(user_id)
    clock.advance(POLICY.max_seconds)
    await store.get(token2)
    with database.session() as session:
        user = session.get(User, user_id)
        rows = session.exec(sqlmodel.select(AuthSession)).all()
    texts = [caplog.text, repr(identity), str(identity), repr(store), repr(user), repr(rows)]
    for text in texts:
        for secret in (token, digest, token2, token_digest(token2), PASSWORD):
            assert secret not in text
    assert user is not None
    assert user.password_hash
    assert user.password_hash not in repr(user)


async def test_a_duplicate_session_error_does_not_show_the_hash(app_db: str) -> None:
    import sqlalchemy.exc

    user_id = add_user()
    digest = "f" * 64
    with database.session() as session:
        session.add(
            AuthSession(id=digest, user_id=user_id, created_at=0, last_seen_at=0, expires_at=1)
        )
        session.commit()
    with database.session() as session:
        session.add(
            AuthSession(id=digest, user_id=user_id, created_at=0, last_seen_at=0, expires_at=1)
        )
        with pytest.raises(sqlalchemy.exc.IntegrityError) as raised:
            session.commit()
    assert digest not in str(raised.value)


async def test_check_answers_for_many_tokens_without_counting_as_use(
    store: SessionStore, clock: FakeClock
) -> None:
    bob, carol = add_user("bob", Role.OPERATOR), add_user("carol", Role.VIEWER)
    bobs, carols, ended = (
        await store.create(bob),
        await store.create(carol),
        await store.create(bob),
    )
    await store.revoke(ended)
    found = await store.check([bobs, carols, ended, "not-a-token", "x" * 43])
    assert {token: identity and identity.username for token, identity in found.items()} == {
        bobs: "bob",
        carols: "carol",
        ended: None,
        "not-a-token": None,
        "x" * 43: None,
    }
    assert found[carols] is not None
    assert found[carols].role is Role.VIEWER
    # Checked every few seconds, a session is still idle: only a request counts as use.
    clock.advance(POLICY.idle_seconds - 1)
    assert (await store.check([bobs]))[bobs] is not None
    clock.advance(1)
    assert await store.check([bobs, carols]) == {bobs: None, carols: None}


async def test_check_sees_disabled_accounts_and_role_changes(store: SessionStore) -> None:
    user_id = add_user("bob", Role.ADMIN)
    token = await store.create(user_id)
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.role = Role.VIEWER.value
        session.add(user)
        session.commit()
    identity = (await store.check([token]))[token]
    assert identity is not None
    assert identity.role is Role.VIEWER
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.disabled = True
        session.add(user)
        session.commit()
    assert await store.check([token]) == {token: None}
    assert await store.check([]) == {}
