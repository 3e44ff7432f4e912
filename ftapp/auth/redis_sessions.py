"""Sessions in Redis, used when Reflex runs on Redis (``REFLEX_REDIS_URL``): the same rules
as the database store (:mod:`.sessions`), with a TTL that drops idle sessions by itself."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Collection
from typing import Any

import sqlmodel

from ftapp import database
from ftapp.auth.roles import Identity
from ftapp.auth.sessions import (
    ACCOUNT_BY_ID,
    Clock,
    SessionPolicy,
    digests_of,
    identity_of,
    new_token,
    token_digest,
    well_formed,
)
from ftapp.models import User


class RedisSessionStore:
    """Sessions in Redis: ``<prefix>session:<sha256>`` holds the record, with a TTL that ends
    it when idle; ``<prefix>user:<id>`` lists a user's sessions (to end them all at once).
    Expiry is also checked against the record, so Redis and the database behave the same."""

    def __init__(
        self,
        url: str,
        policy: SessionPolicy,
        clock: Clock = time.time,
        prefix: str = "ftapp:auth:",
    ) -> None:
        self.policy = policy
        self._url = url
        self._clock = clock
        self._prefix = prefix
        self._client: Any = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"RedisSessionStore({self.policy})"

    def _redis(self) -> Any:
        # A redis.asyncio client belongs to the loop that made it (the CLI runs its own).
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self._url)
            self._client_loop = loop
        return self._client

    def _now(self) -> int:
        return int(self._clock())

    def _key(self, digest: str) -> str:
        return f"{self._prefix}session:{digest}"

    def _user_key(self, user_id: int) -> str:
        return f"{self._prefix}user:{user_id}"

    def _ttl(self, record: dict[str, int], now: int) -> int:
        return max(1, min(self.policy.idle_seconds, record["expires_at"] - now))

    async def create(self, user_id: int) -> str:
        token, now = new_token(), self._now()
        digest = token_digest(token)
        record = {
            "user_id": user_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + self.policy.max_seconds,
        }
        client = self._redis()
        async with client.pipeline(transaction=True) as pipe:
            pipe.set(self._key(digest), json.dumps(record), ex=self._ttl(record, now))
            pipe.sadd(self._user_key(user_id), digest)
            pipe.expire(self._user_key(user_id), self.policy.max_seconds)
            await pipe.execute()
        return token

    async def get(self, token: str) -> Identity | None:
        if not well_formed(token):
            return None
        digest, now = token_digest(token), self._now()
        client = self._redis()
        raw = await client.get(self._key(digest))
        if raw is None:
            return None
        record = json.loads(raw)
        if self.policy.is_over(
            last_seen_at=record["last_seen_at"], expires_at=record["expires_at"], now=now
        ):
            await self._forget(digest, record["user_id"])
            return None
        identity = await database.in_thread(self._load_identity, record["user_id"], digest, record)
        if identity is not None and now - record["last_seen_at"] >= self.policy.touch_interval:
            record["last_seen_at"] = now
            await client.set(self._key(digest), json.dumps(record), ex=self._ttl(record, now))
        return identity

    async def check(self, tokens: Collection[str]) -> dict[str, Identity | None]:
        digests = digests_of(tokens)
        unique = sorted(set(digests.values()))
        raws = await self._redis().mget([self._key(digest) for digest in unique]) if unique else []
        now = self._now()
        live = {
            digest: record
            for digest, raw in zip(unique, raws, strict=True)
            if raw is not None
            and not self.policy.is_over(
                last_seen_at=(record := json.loads(raw))["last_seen_at"],
                expires_at=record["expires_at"],
                now=now,
            )
        }
        found = await database.in_thread(self._load_identities, live)
        return {token: found.get(digests.get(token, "")) for token in tokens}

    @staticmethod
    def _load_identities(records: dict[str, dict[str, int]]) -> dict[str, Identity | None]:
        if not records:
            return {}
        user_ids = {record["user_id"] for record in records.values()}
        with database.session() as session:
            users = {
                user.id: user
                for user in session.exec(
                    sqlmodel.select(User).where(User.id.in_(user_ids))  # type: ignore[union-attr]
                )
            }
        return {
            digest: identity_of(users.get(record["user_id"]), digest, record["expires_at"])
            for digest, record in records.items()
        }

    @staticmethod
    def _load_identity(user_id: int, digest: str, record: dict[str, int]) -> Identity | None:
        # Every event asks this: one SQL query, without the ORM's per-object work.
        with database.engine().connect() as connection:
            account = connection.execute(ACCOUNT_BY_ID, {"user_id": user_id}).first()
        return identity_of(account, digest, record["expires_at"])

    async def _forget(self, digest: str, user_id: int) -> None:
        client = self._redis()
        async with client.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(digest))
            pipe.srem(self._user_key(user_id), digest)
            await pipe.execute()

    async def revoke(self, token: str) -> bool:
        if not well_formed(token):
            return False
        digest = token_digest(token)
        raw = await self._redis().get(self._key(digest))
        if raw is None:
            return False
        await self._forget(digest, json.loads(raw)["user_id"])
        return True

    async def revoke_user(self, user_id: int) -> int:
        client = self._redis()
        digests = await client.smembers(self._user_key(user_id))
        keys = [self._key(d.decode() if isinstance(d, bytes) else d) for d in digests]
        removed = await client.delete(*keys) if keys else 0
        await client.delete(self._user_key(user_id))
        return int(removed)

    async def purge_expired(self) -> int:
        return 0  # Redis drops idle sessions itself (TTL); ended ones are dropped when read

    async def close(self) -> None:
        """Close the connection pool (tests)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
