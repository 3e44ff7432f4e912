"""The demo jobs a new seeded workspace starts with: finished ones and two still running."""

from __future__ import annotations

from ftapp.rules import JobInput, JobStatus
from ftapp.sandbox.store import SeedJob

_LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
_DEEPSEEK = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"
_QWQ = "Qwen/QwQ-32B"
_MINUTE = 60.0
_HOUR = 3600.0
_DAY = 24 * _HOUR


def _job(name: str, model: str, epochs: int, evaluation: int, warmup: int, rate: float):
    return JobInput(
        name=name,
        base_model=model,
        epochs=epochs,
        evaluation_epochs=evaluation,
        warmup_epochs=warmup,
        learning_rate=rate,
    )


def demo_jobs() -> list[SeedJob]:
    """Six jobs in mixed states, oldest first; two run for a few more minutes."""
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
