"""The registry's scheduled jobs (run by the shared scheduler; ops can run one now at /v1/ops/jobs)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import cast

from common.jobs import DailyAt, Job, JobContext
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases import tasks

__all__ = ["JOBS", "expire_overdue_tasks"]


async def expire_overdue_tasks(context: JobContext) -> Mapping[str, int]:
    """Expire the published tasks whose closing date passed (``POST /v1/tasks/expire`` does the same now)."""
    async with context.unit_of_work() as uow:
        expired = await tasks.expire_tasks(tasks.ExpireTasks(), cast(RegistryUnitOfWork, uow))
    return {"expired": len(expired)}


JOBS = [
    Job(
        "expire-tasks",
        expire_overdue_tasks,
        DailyAt(time(0, 30)),
        description="Expire published tasks whose closing date has passed (TaskClosed, reason expired).",
    ),
]
