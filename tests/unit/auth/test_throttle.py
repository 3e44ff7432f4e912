"""The sign-in throttle: attempts counted before they are checked, per username and per
address, in the app database. Its rules on a fake clock, then the real routes under 20
parallel guesses, then several processes (SQLite) and connections (PostgreSQL) at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import reflex.app
import sqlalchemy as sa
import sqlmodel
from starlette.applications import Starlette

from ftapp import database
from ftapp.auth import accounts, endpoints, pages, throttle
from ftapp.auth.throttle import Attempt, AttemptThrottle, Key, Locked, Schedule
from ftapp.database import upgrade_on_start
from ftapp.models import ThrottledKey
from ftapp.settings import PROJECT_ROOT
from tests.helpers.appdb import use_database
from tests.helpers.fakes import FakeClock
from tests.helpers.sign_in import use_settings
from tests.unit.auth.app import ORIGIN
from tests.unit.auth.helpers import PASSWORD, add_user

BOB, ALICE, CAROL = Key("user:bob", True), Key("user:alice", True), Key("user:carol", True)
HERE, THERE = Key("address:192.0.2.1", False), Key("address:198.51.100.2", False)


@pytest.fixture
def limiter(app_db: str, clock: FakeClock) -> AttemptThrottle:
    return AttemptThrottle(clock=clock)


def admitted(outcome: Attempt | Locked) -> Attempt:
    assert isinstance(outcome, Attempt), outcome
    return outcome


def stored_rows() -> list[ThrottledKey]:
    with database.session() as session:
        return list(session.exec(sqlmodel.select(ThrottledKey)).all())


# --- the rules, on a fake clock -------------------------------------------------------------


def test_the_schedule() -> None:
    schedule = Schedule()
    assert [schedule.lock_after(n) for n in range(10)] == [0, 0, 0, 1, 2, 4, 8, 16, 30, 30]


def test_three_attempts_go_through_then_each_failure_locks_longer(
    limiter: AttemptThrottle, clock: FakeClock
) -> None:
    for _ in range(3):
        admitted(limiter.attempt(BOB, HERE))
    assert limiter.attempt(BOB, HERE) == Locked(1)
    clock.advance(1)
    admitted(limiter.attempt(BOB, HERE))  # the 4th
    assert limiter.attempt(BOB, HERE) == Locked(2)
    clock.advance(2)
    admitted(limiter.attempt(BOB, HERE))
    clock.advance(0.5)
    assert limiter.attempt(BOB, HERE) == Locked(4)  # 3.5 s left, rounded up


def test_refused_attempts_do_not_extend_the_lock(
    limiter: AttemptThrottle, clock: FakeClock
) -> None:
    for _ in range(5):
        admitted(limiter.attempt(BOB, HERE))
        clock.advance(30)
    admitted(limiter.attempt(BOB, HERE))  # the 6th: locked 8 s
    for left in range(8, 0, -1):
        assert limiter.attempt(BOB, HERE) == Locked(left)
        clock.advance(1)
    admitted(limiter.attempt(BOB, HERE))


def test_counted_per_username_and_per_address(limiter: AttemptThrottle) -> None:
    for _ in range(3):
        admitted(limiter.attempt(BOB, HERE))
    assert limiter.attempt(BOB, THERE) == Locked(1)  # bob, from anywhere
    assert limiter.attempt(ALICE, HERE) == Locked(1)  # anyone, from here
    admitted(limiter.attempt(ALICE, THERE))
    admitted(limiter.attempt(ALICE, THERE))  # two failures each: still free


def test_a_success_clears_its_username_but_not_its_address(
    limiter: AttemptThrottle, clock: FakeClock
) -> None:
    for _ in range(3):
        admitted(limiter.attempt(BOB, HERE))
    clock.advance(1)
    # Alice signs in from the same address: her own attempt is taken back, nothing more.
    limiter.succeeded(admitted(limiter.attempt(ALICE, HERE)))
    admitted(limiter.attempt(CAROL, HERE))  # not locked: alice's attempt took its lock back
    assert limiter.attempt(ALICE, HERE) == Locked(2)  # carol's was the address's 4th failure
    clock.advance(2)
    # Bob's own success forgets bob: three free attempts again, from another address.
    limiter.succeeded(admitted(limiter.attempt(BOB, THERE)))
    for _ in range(3):
        admitted(limiter.attempt(BOB, Key("address:203.0.113.3", False)))


def test_a_success_while_others_counted_takes_back_only_its_own_attempt(
    limiter: AttemptThrottle, clock: FakeClock
) -> None:
    admitted(limiter.attempt(HERE))
    admitted(limiter.attempt(HERE))
    own = admitted(limiter.attempt(HERE))  # the 3rd: locks 1 s
    clock.advance(1)
    admitted(limiter.attempt(HERE))  # another one counted meanwhile: locks 2 s
    limiter.succeeded(own)
    assert limiter.attempt(HERE) == Locked(2)  # that lock is not ours to lift
    clock.advance(2)
    admitted(limiter.attempt(HERE))  # 4 counted now (5 minus ours): locks 2 s again
    assert limiter.attempt(HERE) == Locked(2)


def test_counts_are_forgotten_after_15_quiet_minutes_and_their_rows_deleted(
    limiter: AttemptThrottle, clock: FakeClock
) -> None:
    for _ in range(5):
        admitted(limiter.attempt(BOB, HERE))
        clock.advance(30)
    clock.advance(899 - 30)  # 899 s after the last: still counted
    admitted(limiter.attempt(BOB, HERE))
    assert limiter.attempt(BOB, HERE) == Locked(8)
    for name in "abcde":
        admitted(limiter.attempt(Key(f"user:{name}", True)))
    assert len(stored_rows()) == 7
    clock.advance(901)
    for _ in range(3):
        admitted(limiter.attempt(BOB, HERE))  # a fresh count
    assert len(stored_rows()) == 2  # the other five were quiet: gone
    assert limiter.attempt(BOB, HERE) == Locked(1)


def test_nothing_typed_is_stored(limiter: AttemptThrottle) -> None:
    typed = throttle.user_key("  My Secret Password ")
    assert typed == throttle.user_key("my secret password")  # the username's own rule
    admitted(limiter.attempt(typed, HERE))
    with database.engine().connect() as connection:
        dumped = repr(connection.execute(sa.text("SELECT * FROM auth_throttle")).all())
    assert "secret" not in dumped
    assert "192.0.2.1" not in dumped
    assert {row.key_digest for row in stored_rows()} == {typed.digest, HERE.digest}


# --- the routes: 20 parallel guesses ---------------------------------------------------------


@pytest.fixture
def routes_on_the_clock(app_db: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The routes' throttle runs on the fake clock."""
    monkeypatch.setattr(throttle, "login_throttle", AttemptThrottle(clock=clock))


@pytest.fixture
def checked(routes_on_the_clock: None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (username, password) pairs that reached the password check."""
    use_settings()
    seen: list[tuple[str, str]] = []
    authenticate = accounts.authenticate

    def counting(username: str, password: str) -> object:
        seen.append((username, password))
        return authenticate(username, password)

    monkeypatch.setattr(accounts, "authenticate", counting)
    return seen


def sign_in_app() -> httpx.AsyncClient:
    """A browser at 192.0.2.7 talking to the real sign-in routes."""
    transport = httpx.ASGITransport(
        app=Starlette(routes=endpoints.sign_in_routes()), client=("192.0.2.7", 40000)
    )
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN, follow_redirects=False)


async def post_form(browser: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    if "ftapp_csrf" not in browser.cookies:
        await browser.get("/login")
    data = {"csrf": browser.cookies["ftapp_csrf"], "username": username, "password": password}
    return await browser.post("/login", data=data, headers={"origin": ORIGIN})


def assert_throttled(response: httpx.Response, seconds: int, username: str = "") -> None:
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(seconds)
    assert pages.too_many_attempts(seconds) in response.text
    assert pages.WRONG_CREDENTIALS not in response.text  # nothing said about what was typed
    assert '<input id="username" name="username"' in response.text  # the form, again
    assert f'value="{username}"' in response.text
    assert "ftapp_session" not in response.headers.get("set-cookie", "")


async def test_twenty_parallel_guesses_get_three_checks_and_a_success_resets_no_address(
    checked: list[tuple[str, str]], clock: FakeClock
) -> None:
    add_user("bob")
    add_user("alice")
    async with sign_in_app() as browser:
        await browser.get("/login")
        guesses = [post_form(browser, "bob", f"guess number {n}") for n in range(20)]
        responses = await asyncio.gather(*guesses)
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [401] * 3 + [429] * 17
        assert len(checked) == 3
        for response in responses:
            if response.status_code == 429:
                assert_throttled(response, 1, "bob")

        # Alice, with her right password, from the same address: refused too, and her
        # refusal does not extend the lock.
        assert_throttled(await post_form(browser, "alice", PASSWORD), 1, "alice")
        clock.advance(1)
        assert (await post_form(browser, "alice", PASSWORD)).status_code == 303
        assert len(checked) == 4
        # Her success did not reset the address: its next failure is its 4th (2 s).
        assert (await post_form(browser, "carol", "guess again")).status_code == 401
        assert_throttled(await post_form(browser, "dave", "and again"), 2, "dave")
    assert len(checked) == 5


async def test_the_sign_in_link_is_counted_by_address(
    routes_on_the_clock: None, clock: FakeClock
) -> None:
    use_settings(access_token="configured-access-token-0123456789")
    async with sign_in_app() as browser:
        links = [browser.get("/login", params={"token": f"guess-{n}"}) for n in range(10)]
        statuses = sorted(response.status_code for response in await asyncio.gather(*links))
        assert statuses == [403] * 3 + [429] * 7
        right = {"token": "configured-access-token-0123456789"}
        assert_throttled(await browser.get("/login", params=right), 1)
        clock.advance(1)
        assert (await browser.get("/login", params=right)).status_code == 303
        assert (await browser.get("/login", params={"token": "wrong"})).status_code == 403
        assert_throttled(await browser.get("/login", params=right), 2)


# --- shared by processes ---------------------------------------------------------------------

COUNT_IN_A_PROCESS = """
import sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from ftapp.auth.throttle import Attempt, AttemptThrottle, Key, Schedule
limiter = AttemptThrottle(Schedule(first_lock=600, longest_lock=600))
go, attempts = Path(sys.argv[1]), int(sys.argv[2])

def attempt(_):
    return limiter.attempt(Key("user:bob", True), Key("address:192.0.2.1", False))

with ThreadPoolExecutor(4) as pool:
    list(pool.map(lambda _: None, range(4)))  # the threads are up
    while not go.exists():
        time.sleep(0.002)
    outcomes = list(pool.map(attempt, range(attempts)))
print(sum(isinstance(outcome, Attempt) for outcome in outcomes))
"""


def count_in_processes(url: str, go: Path, processes: int, attempts: int) -> list[int]:
    """Start ``processes`` processes that each make ``attempts`` at once (4 threads) when
    ``go`` appears; returns how many each had counted (not refused)."""
    env = {**os.environ, "REFLEX_DB_URL": url}
    code = textwrap.dedent(COUNT_IN_A_PROCESS)
    started = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(go), str(attempts)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    go.touch()
    counts = []
    for process in started:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        counts.append(int(out.split()[-1]))
    return counts


def test_processes_share_the_counts_and_never_get_more_free_attempts(
    app_db: str, tmp_path: Path
) -> None:
    counts = count_in_processes(app_db, tmp_path / "go", processes=4, attempts=8)
    assert sum(counts) == 3  # 32 attempts in 4 processes at once: 3 counted, 29 refused
    # This process sees the others' lock (600 s in their schedule).
    refused = AttemptThrottle().attempt(Key("user:bob", True), Key("address:198.51.100.9", False))
    assert isinstance(refused, Locked)
    assert 590 <= refused.retry_after <= 600


def test_postgresql_counts_atomically(postgres_url: str) -> None:
    with use_database(postgres_url):
        upgrade_on_start()
        with database.engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM auth_throttle"))
        limiter = AttemptThrottle(Schedule(first_lock=600, longest_lock=600))
        start = threading.Barrier(8)

        def guess(name: str) -> list[Attempt | Locked]:
            start.wait()
            return [limiter.attempt(Key(f"user:{name}", True), HERE) for _ in range(4)]

        with ThreadPoolExecutor(8) as pool:  # 8 connections, 4 attempts each, one address
            outcomes = [o for each in pool.map(guess, "abcdefgh") for o in each]
        counted = [outcome for outcome in outcomes if isinstance(outcome, Attempt)]
        assert len(counted) == 3
        assert limiter.attempt(HERE).retry_after > 590  # type: ignore[union-attr]
        for attempt in counted:  # in any order: each takes back its own count and lock
            limiter.succeeded(attempt)
        assert [(row.key_digest, row.failures) for row in stored_rows()] == [(HERE.digest, 0)]
        admitted(limiter.attempt(HERE))


# --- the client's address, as Reflex reads it for the WebSocket ------------------------------

PEER = "127.0.0.1"


@pytest.mark.parametrize("hops", [0, 1, 2])
@pytest.mark.parametrize(
    "forwarded",
    [
        [],
        ["203.0.113.9"],
        ["203.0.113.9, 198.51.100.2"],
        [" 203.0.113.9 ,, 198.51.100.2 "],
        ["203.0.113.9", "198.51.100.2"],  # two header lines: one list, in order
        ["203.0.113.9, 192.0.2.1", "198.51.100.2"],
    ],
)
def test_the_address_is_read_as_reflex_reads_the_websockets(
    monkeypatch: pytest.MonkeyPatch, hops: int, forwarded: list[str]
) -> None:
    """The sign-in routes (throttle, logs) and the activity log (Reflex's ``client_ip`` of the
    socket) must name the same client, whatever a client writes into X-Forwarded-For."""
    config = SimpleNamespace(trusted_proxy_hops=hops)
    monkeypatch.setattr(throttle, "get_config", lambda: config)
    monkeypatch.setattr(reflex.app, "get_config", lambda: config)
    headers = [(b"x-forwarded-for", line.encode()) for line in forwarded]
    scope = {"type": "websocket", "client": (PEER, 50000), "headers": headers}
    reflex_reads = reflex.app.EventNamespace._build_static_router_data(
        None,  # type: ignore[arg-type]
        "sid",
        {"asgi.scope": scope},
    )
    assert throttle.client_address(scope) == reflex_reads["ip"]


def test_only_the_trusted_hops_of_x_forwarded_for_are_believed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def address(hops: int, *lines: str) -> str:
        config = SimpleNamespace(trusted_proxy_hops=hops)
        monkeypatch.setattr(throttle, "get_config", lambda: config)
        headers = [(b"x-forwarded-for", line.encode()) for line in lines]
        return throttle.client_address({"type": "http", "client": (PEER, 1), "headers": headers})

    # A client forged the first entry; the one proxy appended the address it saw.
    assert address(0, "203.0.113.9, 198.51.100.2") == PEER
    assert address(1, "203.0.113.9, 198.51.100.2") == "198.51.100.2"
    assert address(1, "203.0.113.9", "198.51.100.2") == "198.51.100.2"  # as two lines
    assert address(2, "198.51.100.2") == PEER  # fewer entries than hops: the peer
