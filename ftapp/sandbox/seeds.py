"""The demo jobs a new seeded workspace starts with: finished ones and two still running.

Each names its own name, model and a few settings; every other field gets its default
(:attr:`ftapp.job_fields.JobField.default`), so a new job field needs nothing here."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from ftapp.job_fields import JOB_FIELDS, JobField, JobInput, default_values, input_model
from ftapp.rules import JobStatus
from ftapp.sandbox.store import SeedJob

_LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
_DEEPSEEK = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"
_QWQ = "Qwen/QwQ-32B"
_MINUTE = 60.0
_HOUR = 3600.0
_DAY = 24 * _HOUR


def _make_job(
    fields: Sequence[JobField],
    name: str,
    model: str,
    epochs: int,
    evaluation: int,
    warmup: int,
    rate: float,
) -> JobInput:
    """A demo job of ``fields``: the values given for the fields it has, defaults for the rest."""
    given: dict[str, Any] = {
        "name": name,
        "baseModel": model,
        "epochs": epochs,
        "evaluationEpochs": evaluation,
        "warmupEpochs": warmup,
        "learningRate": rate,
    }
    names = {field.name for field in fields}
    values = {**default_values(fields), **{k: v for k, v in given.items() if k in names}}
    return input_model(fields).model_validate(values)


def demo_jobs(fields: Sequence[JobField] = JOB_FIELDS) -> list[SeedJob]:
    """Six jobs in mixed states, oldest first; two run for a few more minutes."""
    _job = functools.partial(_make_job, tuple(fields))
    return [
        SeedJob(
            _job("support-bot-llama", _LLAMA, 3, 1, 1, 0.0001),
            3 * _DAY,
            2 * _HOUR,
            JobStatus.COMPLETED,
        ),
        SeedJob(
            _job("qwq-reasoning-v2", _QWQ, 5, 1, 1, 0.0003),
            2 * _DAY,
            50 * _MINUTE,
            JobStatus.FAILED,
        ),
        SeedJob(
            _job("sql-distill-70b", _DEEPSEEK, 4, 1, 0, 0.00005),
            9 * _HOUR,
            3 * _HOUR,
            JobStatus.COMPLETED,
        ),
        SeedJob(
            _job("summarizer-7", _LLAMA, 2, 0, 1, 0.0002),
            4 * _HOUR,
            40 * _MINUTE,
            JobStatus.COMPLETED,
        ),
        SeedJob(
            _job("math-tutor-qwq", _QWQ, 8, 2, 1, 0.0001),
            3 * _MINUTE,
            12 * _MINUTE,
            JobStatus.COMPLETED,
        ),
        SeedJob(
            _job("chat-deepseek-ft", _DEEPSEEK, 6, 1, 1, 0.00002),
            1 * _MINUTE,
            20 * _MINUTE,
            JobStatus.FAILED,
        ),
    ]
