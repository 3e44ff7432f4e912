"""The history's charts: aggregates in SQL over the view's records (SQLite and PostgreSQL),
bounded series and bars, and the summary sentences their text alternatives read."""

from __future__ import annotations

import sqlalchemy as sa

from ftapp import database
from ftapp.database import upgrade_on_start
from ftapp.history import charts, insights
from ftapp.history.charts import DurationGroup
from ftapp.history.view import HistoryView
from tests.helpers.appdb import use_database
from tests.helpers.history_records import LLAMA, MISTRAL, SANDBOX_WORKSPACE, Recorded, insert

WS = SANDBOX_WORKSPACE


def job(n: int, model: str, epochs: int, seconds: int, status: str = "Completed", **kw):
    settings = {"epochs": epochs, "learningRate": kw.pop("rate", 0.0001)}
    return Recorded(
        f"c-{n:04d}", f"chart-{n:04d}", status, model, run_seconds=seconds, settings=settings, **kw
    )


JOBS = [
    job(1, LLAMA, 2, 600),
    job(2, LLAMA, 2, 1200),
    job(3, LLAMA, 10, 3000, "Failed", rate=0.01),
    job(4, MISTRAL, 4, 240, rate=0.5),
    job(5, MISTRAL, 4, 0, "Running"),  # no duration yet: not on the duration chart
    job(6, MISTRAL, 8, 480, "Failed", rate=0.000001),
    job(7, LLAMA, 3, 60, workspace="another-workspace"),
]


def test_the_sql_aggregates_per_model_and_epochs_and_per_rate_bucket(app_db: str) -> None:
    insert(database.engine(), JOBS)
    assert_aggregates()


def assert_aggregates() -> None:
    groups, models = insights.duration_groups(WS, HistoryView())
    assert models == 2
    assert sorted(groups, key=lambda g: (g.model, g.epochs)) == [
        DurationGroup(LLAMA, 2, 2, 1800),
        DurationGroup(LLAMA, 10, 1, 3000),
        DurationGroup(MISTRAL, 4, 1, 240),
        DurationGroup(MISTRAL, 8, 1, 480),
    ]
    counts = insights.outcome_counts(WS, HistoryView())
    assert counts == {(2, "Completed"): 2, (4, "Failed"): 1, (5, "Completed"): 1, (0, "Failed"): 1}
    # the view's filters apply: only Failed jobs, or only one model
    assert insights.outcome_counts(WS, HistoryView(status="Failed")) == {
        (4, "Failed"): 1,
        (0, "Failed"): 1,
    }
    narrowed, models = insights.duration_groups(WS, HistoryView(model=MISTRAL))
    assert (len(narrowed), models) == (2, 1)
    found = insights.records_with_ids(WS, ["c-0001", "c-0007", "nope"])
    assert [r.job_id for r in found] == ["c-0001"]  # another workspace's job is not ours


def test_unreadable_or_odd_settings_are_left_out(app_db: str) -> None:
    insert(database.engine(), JOBS[:2])
    with database.engine().begin() as connection:
        table = sa.table("job_record", sa.column("job_id"), sa.column("settings"))
        connection.execute(sa.update(table).where(table.c.job_id == "c-0001").values(settings=""))
        connection.execute(
            sa.update(table)
            .where(table.c.job_id == "c-0002")
            .values(settings='{"epochs": "many", "learningRate": null}')
        )
    assert insights.duration_groups(WS, HistoryView()) == ([], 0)
    assert insights.outcome_counts(WS, HistoryView()) == {}


def test_postgresql_aggregates_the_same(postgres_url: str) -> None:
    with use_database(postgres_url):
        upgrade_on_start()
        engine = database.engine()
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM job_transition"))
            connection.execute(sa.text("DELETE FROM job_record"))
        insert(engine, JOBS)
        assert_aggregates()


def test_series_are_one_per_model_most_jobs_first_in_minutes() -> None:
    groups = [
        DurationGroup(MISTRAL, 4, 1, 240),
        DurationGroup(LLAMA, 2, 2, 1800),
        DurationGroup(LLAMA, 10, 1, 3000),
    ]
    series = charts.duration_series(groups, {LLAMA: "Llama"})
    assert [(s.model, s.color) for s in series] == [("Llama", "blue"), (MISTRAL, "orange")]
    assert [(p.epochs, p.minutes, p.jobs) for p in series[0].points] == [
        (2, 15.0, 2),
        (10, 50.0, 1),
    ]
    summary = charts.duration_summary(series, models_in_view=2)
    assert summary == (
        "Average run time by epochs, 4 finished jobs, 2 models. "
        f"Llama: 15 min at 2 epochs to 50 min at 10 epochs; {MISTRAL}: 4 min at 4 epochs."
    )
    assert charts.duration_summary([], 0).startswith("No finished job")


def test_series_are_bounded_however_many_models_and_epoch_counts() -> None:
    groups = [
        DurationGroup(f"model-{m}", epochs, 1 + m, 60 * epochs * (1 + m))
        for m in range(10)
        for epochs in range(1, 1001)
    ]
    series = charts.duration_series(groups, {})
    assert len(series) == charts.MAX_MODELS
    assert series[0].model == "model-9"  # the most jobs
    assert all(len(s.points) <= charts.MAX_POINTS_PER_SERIES for s in series)
    assert sum(len(s.points) for s in series) <= 300
    first = series[0].points[0]
    assert first.jobs == 10 * 20
    assert first.epochs == 10.5
    assert first.minutes == 10.5
    summary = charts.duration_summary(series, models_in_view=10)
    assert "6 models (the 6 with the most jobs, of 10)" in summary


def test_learning_rates_fall_in_decades_and_bars_keep_the_finished_ones() -> None:
    assert charts.rate_labels() == [
        "< 0.00001",
        "0.00001 to 0.0001",
        "0.0001 to 0.001",
        "0.001 to 0.01",
        "0.01 to 0.1",
        "≥ 0.1",
    ]
    assert [charts.rate_bucket(r) for r in (0, 1e-5, 0.0001, 0.00099, 0.1, 1)] == [0, 1, 2, 2, 5, 5]
    bars = charts.outcome_bars({(2, "Completed"): 3, (2, "Failed"): 1, (5, "Failed"): 2})
    assert [(b.bucket, b.completed, b.failed) for b in bars] == [
        ("0.0001 to 0.001", 3, 1),
        ("≥ 0.1", 0, 2),
    ]
    assert charts.outcome_summary(bars) == (
        "Finished jobs by learning rate. 0.0001 to 0.001: 3 completed, 1 failed; "
        "≥ 0.1: 0 completed, 2 failed."
    )
    assert charts.outcome_summary([]).startswith("No finished job")
    assert charts.minutes_text(125) == "2 h 5 min"
    assert charts.minutes_text(1.25) == "1.2 min"
