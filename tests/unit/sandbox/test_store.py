"""Unit tests for ftapp.sandbox.store (SQLite job storage) and ftapp.sandbox.keys (API keys)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ftapp.job_fields import JobInput
from ftapp.rules import JobStatus
from ftapp.sandbox import lifecycle
from ftapp.sandbox.keys import (
    ALL_PERMISSIONS,
    BUILTIN_KEYS,
    CREATE,
    DELETE,
    READ,
    ApiKey,
    load_keys,
    parse_keys,
)
from ftapp.sandbox.seeds import demo_jobs
from ftapp.sandbox.store import (
    MAX_JOBS_PER_WORKSPACE,
    JobStore,
    SeedJob,
    StoredJob,
    WorkspaceFull,
)
from ftapp.settings import SANDBOX_DEMO_KEY, load_settings
from tests.helpers.fakes import T0, FakeClock


def job(name: str = "my-job", epochs: int = 3, rate: float = 0.0001) -> JobInput:
    return JobInput(
        name=name,
        base_model="meta-llama/Llama-3.1-8B-Instruct",
        epochs=epochs,
        evaluation_epochs=1,
        warmup_epochs=1,
        learning_rate=rate,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "jobs.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> JobStore:
    return JobStore(db_path, clock=clock)


# --- create / list / get / delete ---------------------------------------------------------


def test_limit_is_ten() -> None:
    assert MAX_JOBS_PER_WORKSPACE == 10


def test_create_returns_the_stored_job(store: JobStore) -> None:
    created = store.create("team-a", job("first", epochs=4))
    assert uuid.UUID(created.id).version == 4
    assert created.workspace == "team-a"
    assert created.input == job("first", epochs=4)
    assert created.created_at == T0
    assert created.duration_seconds == lifecycle.simulated_duration(created.id, 4)
    assert created.outcome == lifecycle.simulated_outcome(created.id)
    assert created.outcome in (JobStatus.COMPLETED, JobStatus.FAILED)


def test_get_returns_what_create_returned(store: JobStore) -> None:
    created = store.create("team-a", job())
    assert store.get("team-a", created.id) == created


def test_get_unknown_job_is_none(store: JobStore) -> None:
    store.create("team-a", job())
    assert store.get("team-a", str(uuid.uuid4())) is None
    assert store.get("team-a", "") is None


def test_list_is_newest_first(store: JobStore, clock: FakeClock) -> None:
    first = store.create("team-a", job("first"))
    clock.advance(60)
    second = store.create("team-a", job("second"))
    clock.advance(60)
    third = store.create("team-a", job("third"))
    assert store.list("team-a") == [third, second, first]
    assert [j.created_at for j in store.list("team-a")] == [T0 + 120, T0 + 60, T0]


def test_list_breaks_ties_by_id(store: JobStore) -> None:
    jobs = [store.create("team-a", job(f"job-{i}")) for i in range(5)]
    assert [j.id for j in store.list("team-a")] == sorted(j.id for j in jobs)


def test_list_of_unknown_workspace_is_empty(store: JobStore) -> None:
    assert store.list("nobody") == []


def test_delete(store: JobStore) -> None:
    kept = store.create("team-a", job("kept"))
    gone = store.create("team-a", job("gone"))
    assert store.delete("team-a", gone.id) is True
    assert store.get("team-a", gone.id) is None
    assert store.list("team-a") == [kept]
    assert store.delete("team-a", gone.id) is False
    assert store.delete("team-a", str(uuid.uuid4())) is False


def test_jobs_survive_a_new_store_on_the_same_file(db_path: Path, clock: FakeClock) -> None:
    created = JobStore(db_path, clock=clock).create("team-a", job())
    assert JobStore(db_path, clock=clock).list("team-a") == [created]


def test_store_creates_missing_parent_directories(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "a" / "b" / "jobs.db"
    store = JobStore(str(path), clock=clock)
    assert store.path == path
    store.create("team-a", job())
    assert path.is_file()


# --- workspace isolation --------------------------------------------------------------------


def test_workspaces_are_isolated(store: JobStore) -> None:
    mine = store.create("team-a", job("mine"))
    theirs = store.create("team-b", job("theirs"))

    assert store.list("team-a") == [mine]
    assert store.list("team-b") == [theirs]
    assert store.get("team-b", mine.id) is None
    assert store.delete("team-b", mine.id) is False
    # The failed cross-workspace delete left the job alone.
    assert store.get("team-a", mine.id) == mine


# --- the job limit ------------------------------------------------------------------------


def test_eleventh_job_raises_workspace_full(store: JobStore) -> None:
    for i in range(10):
        store.create("team-a", job(f"job-{i}"))
    with pytest.raises(WorkspaceFull) as raised:
        store.create("team-a", job("one-too-many"))
    assert raised.value.args == ("team-a",)
    assert len(store.list("team-a")) == 10
    assert "one-too-many" not in {j.input.name for j in store.list("team-a")}


def test_limit_is_per_workspace(store: JobStore) -> None:
    for i in range(10):
        store.create("team-a", job(f"job-{i}"))
    assert store.create("team-b", job()).workspace == "team-b"


def test_delete_frees_a_slot(store: JobStore) -> None:
    jobs = [store.create("team-a", job(f"job-{i}")) for i in range(10)]
    with pytest.raises(WorkspaceFull):
        store.create("team-a", job())
    assert store.delete("team-a", jobs[3].id)
    store.create("team-a", job("replacement"))
    with pytest.raises(WorkspaceFull):
        store.create("team-a", job())


def test_seeded_jobs_count_towards_the_limit(store: JobStore) -> None:
    store.ensure_workspace("demo", demo_jobs)
    for i in range(4):
        store.create("demo", job(f"job-{i}"))
    with pytest.raises(WorkspaceFull):
        store.create("demo", job())


@pytest.mark.parametrize("shared_store", [True, False], ids=["one-store", "store-per-thread"])
def test_concurrent_creates_never_exceed_the_limit(
    db_path: Path, clock: FakeClock, shared_store: bool
) -> None:
    threads, attempts_per_thread = 8, 3
    store = JobStore(db_path, clock=clock)
    barrier = threading.Barrier(threads)

    def worker(n: int) -> list[str]:
        mine = store if shared_store else JobStore(db_path, clock=clock)
        barrier.wait()
        results = []
        for attempt in range(attempts_per_thread):
            try:
                mine.create("team-a", job(f"t{n}-{attempt}"))
                results.append("created")
            except WorkspaceFull:
                results.append("full")
        return results

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = [r for rs in pool.map(worker, range(threads)) for r in rs]

    assert results.count("created") == 10
    assert results.count("full") == threads * attempts_per_thread - 10
    assert len(store.list("team-a")) == 10


# --- ensure_workspace and seeds -------------------------------------------------------------


class CountingSeeds:
    """A seeds callable that counts its calls."""

    def __init__(self, seeds: list[SeedJob]) -> None:
        self.seeds = seeds
        self.calls = 0

    def __call__(self) -> list[SeedJob]:
        self.calls += 1
        return self.seeds


def test_ensure_workspace_seeds_the_demo_jobs(store: JobStore) -> None:
    store.ensure_workspace("demo", demo_jobs)
    seeds = demo_jobs()
    stored = store.list("demo")
    # demo_jobs() is oldest first, list() newest first.
    assert [j.input for j in stored] == [s.input for s in reversed(seeds)]
    assert [j.input.name for j in stored] == [
        "chat-deepseek-ft",
        "math-tutor-qwq",
        "summarizer-7",
        "sql-distill-70b",
        "qwq-reasoning-v2",
        "support-bot-llama",
    ]
    for stored_job, seed in zip(stored, reversed(seeds), strict=True):
        assert stored_job.workspace == "demo"
        assert stored_job.duration_seconds == seed.duration_seconds
        assert stored_job.outcome == seed.outcome


def test_seed_created_at_is_computed_from_the_clock(db_path: Path) -> None:
    clock = FakeClock(5_000_000.0)
    store = JobStore(db_path, clock=clock)
    seeds = [
        SeedJob(
            job("old"), started_seconds_ago=3600.0, duration_seconds=10.0, outcome=JobStatus.FAILED
        ),
        SeedJob(
            job("new"),
            started_seconds_ago=90.0,
            duration_seconds=600.0,
            outcome=JobStatus.COMPLETED,
        ),
    ]
    store.ensure_workspace("w", lambda: seeds)
    stored = {j.input.name: j for j in store.list("w")}
    assert stored["old"].created_at == 5_000_000.0 - 3600.0
    assert stored["new"].created_at == 5_000_000.0 - 90.0
    assert (stored["old"].duration_seconds, stored["old"].outcome) == (10.0, JobStatus.FAILED)
    assert (stored["new"].duration_seconds, stored["new"].outcome) == (600.0, JobStatus.COMPLETED)


def test_ensure_workspace_seeds_only_once(store: JobStore) -> None:
    seeds = CountingSeeds(demo_jobs())
    store.ensure_workspace("demo", seeds)
    store.ensure_workspace("demo", seeds)
    assert seeds.calls == 1
    assert len(store.list("demo")) == 6


def test_ensure_workspace_seeds_once_across_stores(db_path: Path, clock: FakeClock) -> None:
    seeds = CountingSeeds(demo_jobs())
    first, second = JobStore(db_path, clock=clock), JobStore(db_path, clock=clock)
    first.ensure_workspace("demo", seeds)
    clock.advance(3600)
    second.ensure_workspace("demo", seeds)
    assert seeds.calls == 1
    assert len(second.list("demo")) == 6
    assert len(first.list("demo")) == 6


def test_ensure_workspace_does_not_reseed_after_all_jobs_are_deleted(
    db_path: Path, clock: FakeClock
) -> None:
    store = JobStore(db_path, clock=clock)
    store.ensure_workspace("demo", demo_jobs)
    for stored in store.list("demo"):
        assert store.delete("demo", stored.id)

    seeds = CountingSeeds(demo_jobs())
    store.ensure_workspace("demo", seeds)
    JobStore(db_path, clock=clock).ensure_workspace("demo", seeds)
    assert seeds.calls == 0
    assert store.list("demo") == []


def test_workspace_first_used_without_seeds_is_never_seeded(
    db_path: Path, clock: FakeClock
) -> None:
    JobStore(db_path, clock=clock).ensure_workspace("w", None)
    seeds = CountingSeeds(demo_jobs())
    JobStore(db_path, clock=clock).ensure_workspace("w", seeds)
    assert seeds.calls == 0
    assert JobStore(db_path, clock=clock).list("w") == []


def test_ensure_workspace_records_the_workspace(db_path: Path, clock: FakeClock) -> None:
    JobStore(db_path, clock=clock).ensure_workspace("w", None)
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT name, created_at FROM workspaces").fetchall()
    assert rows == [("w", T0)]


def test_seeding_one_workspace_leaves_others_empty(store: JobStore) -> None:
    store.ensure_workspace("demo", demo_jobs)
    store.ensure_workspace("other", None)
    assert store.list("other") == []
    assert len(store.list("demo")) == 6


# --- input round trip ---------------------------------------------------------------------


def test_huge_integers_and_floats_round_trip_exactly(
    store: JobStore, db_path: Path, clock: FakeClock
) -> None:
    huge = JobInput(
        name="huge-job",
        base_model="Qwen/QwQ-32B",
        epochs=10**30,
        evaluation_epochs=10**29 + 1,
        warmup_epochs=10**29 - 1,
        learning_rate=0.1 + 0.2,  # 0.30000000000000004
    )
    created = store.create("team-a", huge)
    assert created.duration_seconds == lifecycle.simulated_duration(created.id, 10**30)

    rereads = [store.get("team-a", created.id), JobStore(db_path, clock=clock).list("team-a")[0]]
    for reread in rereads:
        assert reread is not None
        assert reread.input == huge
        assert reread.input.epochs == 10**30
        assert type(reread.input.epochs) is int
        assert reread.input.evaluation_epochs == 10**29 + 1
        assert reread.input.learning_rate == 0.30000000000000004

    with sqlite3.connect(db_path) as db:
        (input_json,) = db.execute(
            "SELECT input_json FROM jobs WHERE id = ?", (created.id,)
        ).fetchone()
    assert json.loads(input_json) == huge.to_wire()
    assert '"epochs": 1000000000000000000000000000000' in input_json


def test_stored_job_is_frozen(store: JobStore) -> None:
    created = store.create("team-a", job())
    assert isinstance(created, StoredJob)
    with pytest.raises(AttributeError):
        created.outcome = JobStatus.FAILED  # type: ignore[misc]


# --- keys: built-in -----------------------------------------------------------------------


def test_permission_names() -> None:
    assert (READ, CREATE, DELETE) == ("read", "create", "delete")
    assert frozenset({"read", "create", "delete"}) == ALL_PERMISSIONS


def test_builtin_keys() -> None:
    expected = {
        SANDBOX_DEMO_KEY: ApiKey("demo", ALL_PERMISSIONS, seed=True),
        "sandbox-readonly-key": ApiKey("demo", frozenset({READ}), seed=True),
        "sandbox-other-key": ApiKey("other", ALL_PERMISSIONS, seed=False),
    }
    assert expected == BUILTIN_KEYS


def test_builtin_key_permissions() -> None:
    demo = BUILTIN_KEYS[SANDBOX_DEMO_KEY]
    readonly = BUILTIN_KEYS["sandbox-readonly-key"]
    other = BUILTIN_KEYS["sandbox-other-key"]
    assert all(demo.may(p) for p in (READ, CREATE, DELETE))
    assert all(other.may(p) for p in (READ, CREATE, DELETE))
    assert readonly.may(READ)
    assert not readonly.may(CREATE)
    assert not readonly.may(DELETE)
    assert not demo.may("admin")


def test_api_key_defaults() -> None:
    key = ApiKey("w")
    assert key.permissions == ALL_PERMISSIONS
    assert key.seed is False


# --- keys: parse_keys ---------------------------------------------------------------------


def test_parse_keys_valid_document() -> None:
    parsed = parse_keys(
        {
            "full": {"workspace": "team-a", "permissions": ["read", "create", "delete"]},
            "defaulted": {"workspace": "team-b"},
            "reader": {"workspace": "team-a", "permissions": ["read", "read"], "seed": True},
            "nothing": {"workspace": "team-c", "permissions": [], "extra": "ignored"},
        }
    )
    assert parsed == {
        "full": ApiKey("team-a", ALL_PERMISSIONS, False),
        "defaulted": ApiKey("team-b", ALL_PERMISSIONS, False),
        "reader": ApiKey("team-a", frozenset({READ}), True),
        "nothing": ApiKey("team-c", frozenset(), False),
    }
    assert not parsed["nothing"].may(READ)


def test_parse_keys_empty_document() -> None:
    assert parse_keys({}) == {}


NOT_AN_OBJECT = "sandbox keys must be a JSON object of key -> settings"
NEEDS_WORKSPACE = "each sandbox key needs a 'workspace' string"
BAD_PERMISSIONS = "permissions must be a list drawn from ['create', 'delete', 'read']"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], NOT_AN_OBJECT),
        ([{"workspace": "w"}], NOT_AN_OBJECT),
        ("key", NOT_AN_OBJECT),
        (None, NOT_AN_OBJECT),
        (3, NOT_AN_OBJECT),
        ({"k": "team-a"}, NEEDS_WORKSPACE),
        ({"k": None}, NEEDS_WORKSPACE),
        ({"k": ["team-a"]}, NEEDS_WORKSPACE),
        ({"k": {}}, NEEDS_WORKSPACE),
        ({"k": {"permissions": ["read"]}}, NEEDS_WORKSPACE),
        ({"k": {"workspace": 3}}, NEEDS_WORKSPACE),
        ({"k": {"workspace": None}}, NEEDS_WORKSPACE),
        ({"k": {"workspace": "w", "permissions": "read"}}, BAD_PERMISSIONS),
        ({"k": {"workspace": "w", "permissions": None}}, BAD_PERMISSIONS),
        ({"k": {"workspace": "w", "permissions": {"read": True}}}, BAD_PERMISSIONS),
        ({"k": {"workspace": "w", "permissions": ["read", "admin"]}}, BAD_PERMISSIONS),
        ({"k": {"workspace": "w", "permissions": ["READ"]}}, BAD_PERMISSIONS),
        ({"k": {"workspace": "w", "permissions": [1]}}, BAD_PERMISSIONS),
        # Unhashable entries must be a ValueError too, not a TypeError from set().
        ({"k": {"workspace": "w", "permissions": [["read"]]}}, BAD_PERMISSIONS),
        ({"k": {"workspace": "w", "permissions": [{"p": "read"}]}}, BAD_PERMISSIONS),
        # One bad key spoils the whole document.
        ({"ok": {"workspace": "w"}, "bad": {"workspace": 1}}, NEEDS_WORKSPACE),
    ],
)
def test_parse_keys_rejects_malformed_documents(document: object, message: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        parse_keys(document)


# --- keys: load_keys ----------------------------------------------------------------------


def keys_from(env: dict[str, str] | None = None) -> dict[str, ApiKey]:
    """The sandbox keys the settings read from ``env`` (default: os.environ) describe."""
    return load_keys(load_settings(env))


def test_load_keys_without_configuration_is_the_builtins() -> None:
    keys = keys_from({})
    assert keys == BUILTIN_KEYS
    keys["extra"] = ApiKey("x")
    assert "extra" not in BUILTIN_KEYS  # a copy, not the module's dict


def test_load_keys_ignores_blank_settings() -> None:
    assert keys_from({"FT_SANDBOX_KEYS": "  ", "FT_SANDBOX_KEYS_FILE": " \n"}) == BUILTIN_KEYS


def test_load_keys_inline_json() -> None:
    document = {"team-key": {"workspace": "team-a", "permissions": ["read"]}}
    keys = keys_from({"FT_SANDBOX_KEYS": f"  {json.dumps(document)}  "})
    assert keys == {**BUILTIN_KEYS, "team-key": ApiKey("team-a", frozenset({READ}))}


def test_load_keys_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"file-key": {"workspace": "team-f", "seed": True}}))
    keys = keys_from({"FT_SANDBOX_KEYS_FILE": f" {path} "})
    assert keys == {**BUILTIN_KEYS, "file-key": ApiKey("team-f", ALL_PERMISSIONS, True)}


def test_load_keys_inline_overrides_file_and_builtins(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {
                "shared": {"workspace": "from-file"},
                "file-only": {"workspace": "f"},
                "sandbox-other-key": {"workspace": "moved", "permissions": ["read"]},
            }
        )
    )
    inline = json.dumps({"shared": {"workspace": "from-env"}})
    keys = keys_from({"FT_SANDBOX_KEYS_FILE": str(path), "FT_SANDBOX_KEYS": inline})
    assert keys["shared"] == ApiKey("from-env")
    assert keys["file-only"] == ApiKey("f")
    assert keys["sandbox-other-key"] == ApiKey("moved", frozenset({READ}))
    assert keys[SANDBOX_DEMO_KEY] == BUILTIN_KEYS[SANDBOX_DEMO_KEY]
    assert BUILTIN_KEYS["sandbox-other-key"] == ApiKey("other")  # unchanged


def test_load_keys_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FT_SANDBOX_KEYS_FILE", raising=False)
    monkeypatch.setenv("FT_SANDBOX_KEYS", json.dumps({"env-key": {"workspace": "e"}}))
    assert keys_from()["env-key"] == ApiKey("e")


@pytest.mark.parametrize(
    ("inline", "message"),
    [
        ("{not json", "Expecting property name enclosed in double quotes"),
        ("[]", NOT_AN_OBJECT),
        ('{"k": {"workspace": 1}}', NEEDS_WORKSPACE),
        ('{"k": {"workspace": "w", "permissions": 1}}', BAD_PERMISSIONS),
    ],
)
def test_load_keys_rejects_bad_inline_json(inline: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        keys_from({"FT_SANDBOX_KEYS": inline})


def test_load_keys_rejects_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text('{"k": "not settings"}')
    with pytest.raises(ValueError, match="needs a 'workspace' string"):
        keys_from({"FT_SANDBOX_KEYS_FILE": str(path)})


def test_load_keys_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        keys_from({"FT_SANDBOX_KEYS_FILE": str(tmp_path / "missing.json")})
