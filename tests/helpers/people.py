"""Who acts in the services' tests, what they submit, and what the activity log says."""

from __future__ import annotations

from ftapp.auth.roles import Identity, Role
from ftapp.job_fields import JobInput
from ftapp.services import activity

JOB_INPUT = JobInput(
    name="new-job",
    base_model="meta-llama/Llama-3.1-8B-Instruct",
    epochs=3,
    evaluation_epochs=1,
    warmup_epochs=1,
    learning_rate=0.0001,
)


def person(role: Role, name: str) -> Identity:
    """A signed-in person with ``role``."""
    return Identity(user_id=1, username=name, role=role, session_key="0" * 16, expires_at=2**31)


VIEWER = person(Role.VIEWER, "vera")
OPERATOR = person(Role.OPERATOR, "olga")
ADMIN = person(Role.ADMIN, "ada")


async def log_lines() -> list[tuple[str, str, str, str, str]]:
    """The activity log, newest first: (who, action, job id, job name, outcome)."""
    await activity.flush()  # job actions write their lines in the background
    entries, _ = await activity.recent(1, 50)
    return [(e.username, e.action, e.job_id, e.job_name, e.outcome) for e in entries]
