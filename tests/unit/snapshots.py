"""Job lists and feed snapshots for unit tests of the pages and the services."""

from __future__ import annotations

from ftapp.services import Snapshot
from ftapp.upstream import JobList


def job(job_id: str, name: str, status: str = "Running", **extra) -> dict:
    return {
        "id": job_id,
        "name": name,
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 1,
        "learningRate": 0.0001,
        "createdAt": "2026-01-01T00:00:00Z",
        "status": status,
        **extra,
    }


def snapshot(*jobs: dict, summary: dict | None = None, **fields) -> Snapshot:
    counts = summary or {
        "completed": sum(j["status"] == "Completed" for j in jobs),
        "running": sum(j["status"] == "Running" for j in jobs),
        "failed": sum(j["status"] == "Failed" for j in jobs),
    }
    return Snapshot(
        version=1,
        job_list=JobList.model_validate({"jobs": list(jobs), "summary": counts}),
        fetched_at=1_800_000_000.0,
        **{"models": {"meta-llama/Llama-3.1-8B-Instruct": "Llama 3.1 8B Instruct"}, **fields},
    )
