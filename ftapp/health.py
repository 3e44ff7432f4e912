"""``/readyz``: whether this process can serve, for a load balancer, with the reason.

``/healthz`` (in :mod:`ftapp.auth.endpoints`) answers while the process runs (liveness);
``/readyz`` asks what serving needs, each within :data:`CHECK_SECONDS`:

- the app database (accounts, sessions, the history): one ``SELECT 1``;
- Redis, when Reflex runs on it (``REFLEX_REDIS_URL``: the tabs' state, sessions, the
  lease): one ``PING``;
- the Job Training API, as the last poll of each workspace watched here saw it.

A database or Redis that cannot be used makes the answer ``503`` ("not ready"): this process
cannot serve, another may. A failing API makes it ``200`` "degraded": every process shares the
one API, so taking them all out of the load balancer would only hide the pages that say what
is wrong. The body names no workspace, key or address: counts and error kinds only.
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ftapp import database, routes
from ftapp.services import connection

CHECK_SECONDS = 2.0


async def _database() -> dict[str, Any]:
    def select_one() -> None:
        with database.engine().connect() as session:
            session.execute(sa.text("SELECT 1"))

    try:
        await asyncio.wait_for(database.in_thread(select_one), CHECK_SECONDS)
    except TimeoutError:
        return {"ok": False, "reason": f"no answer within {CHECK_SECONDS:g} s"}
    except Exception as error:  # any failure means the same: not usable now
        return {"ok": False, "reason": type(error).__name__}
    return {"ok": True}


async def _redis() -> dict[str, Any] | None:
    if connection.settings().redis_url is None:
        return None
    try:
        await asyncio.wait_for(connection.redis().ping(), CHECK_SECONDS)
    except TimeoutError:
        return {"ok": False, "reason": f"no answer within {CHECK_SECONDS:g} s"}
    except Exception as error:
        return {"ok": False, "reason": type(error).__name__}
    return {"ok": True}


def _upstream() -> dict[str, Any]:
    feeds = connection.watched_feeds()
    if not feeds:
        return {"ok": True, "reason": "no workspace is watched here: nothing polled"}
    failing = sorted({feed.snapshot.error_kind or "error" for feed in feeds if feed.snapshot.error})
    count = sum(bool(feed.snapshot.error) for feed in feeds)
    if not count:
        return {"ok": True, "watched": len(feeds)}
    return {
        "ok": False,
        "watched": len(feeds),
        "reason": f"the last poll failed for {count} of {len(feeds)} ({', '.join(failing)})",
    }


async def readiness() -> tuple[int, dict[str, Any]]:
    """The status code and body of ``/readyz``."""
    db, redis = await asyncio.gather(_database(), _redis())
    checks: dict[str, Any] = {"database": db}
    if redis is not None:
        checks["redis"] = redis
    checks["upstream"] = _upstream()
    serving = all(check["ok"] for name, check in checks.items() if name != "upstream")
    if not serving:
        return 503, {"status": "not ready", "checks": checks}
    status = "ready" if checks["upstream"]["ok"] else "degraded"
    return 200, {"status": status, "checks": checks}


async def readyz(_request: Request) -> Response:
    """``GET /readyz``."""
    status, body = await readiness()
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})


def health_routes() -> list[Route]:
    """The readiness route (public, like ``/healthz``)."""
    return [Route(routes.READYZ, readyz, methods=["GET"])]
