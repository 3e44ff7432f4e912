"""What the job page shows from a job's record, as plain values (no Reflex): the row of a job
the API no longer has, its settings, the run time and the estimate's wording."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ftapp import routes, services
from ftapp.history.estimate import Estimate
from ftapp.history.timeline import RunTime, finish_phrase, format_time, run_time
from ftapp.job_display import JobRow, SettingRow, settings_rows
from ftapp.timeago import ago


def recorded_row(
    history: services.JobHistory, model_names: Mapping[str, str], now: float, slug: str
) -> JobRow:
    """The job row of a recorded job (the API no longer has it)."""
    created = float(history.created_at or 0)
    return JobRow(
        id=history.job_id,
        name=history.name,
        href=routes.job_path(slug, history.job_id),
        base_model=history.base_model,
        base_model_name=model_names.get(history.base_model, history.base_model),
        created_ts=created,
        created_text=format_time(created) if created else "",
        created_ago=ago(max(now - created, 0)) if created else "",
        status=history.status,
    )


def recorded_settings(
    history: services.JobHistory, model_names: Mapping[str, str]
) -> list[SettingRow]:
    """The recorded job's settings, as the page shows a listed job's."""
    return settings_rows({"baseModel": history.base_model, **history.values}, model_names)


def job_run_time(row: JobRow, history: services.JobHistory | None, now: float) -> RunTime:
    """ "running for ..." from the created time, or "took ..." from the record."""
    created = row.created_ts or (history.created_at if history else None) or None
    duration = history.duration_seconds if history else None
    return run_time(row.status, created, duration, now)


@dataclass(frozen=True)
class EstimateShown:
    """The estimate as the page shows it: its sentence and, when there is one, when a job
    started at ``created_ts`` usually ends (Unix seconds; 0 when unknown) and the wording of
    that now."""

    text: str = ""
    usual_end: float = 0.0
    usual_end_text: str = ""


def estimate_shown(estimate: Estimate | None, created_ts: float, now: float) -> EstimateShown:
    """How the page shows ``estimate`` for a job created at ``created_ts``."""
    if estimate is None:
        return EstimateShown()
    if not estimate.enough or not created_ts:
        return EstimateShown(estimate.text)
    end = created_ts + estimate.median_seconds
    return EstimateShown(estimate.text, end, finish_phrase(end - now))
