"""The registry's scheduled jobs (run by the shared scheduler; ops can run one now at /v1/ops/jobs)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import cast

from common.jobs import DailyAt, Job, JobContext
from registry.config import Settings
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases import follow_up, reminders, tasks

__all__ = ["JOBS", "ask_check_ins", "expire_overdue_tasks", "remind"]


async def expire_overdue_tasks(context: JobContext) -> Mapping[str, int]:
    """Expire the published tasks whose closing date passed (``POST /v1/tasks/expire`` does the same now)."""
    async with context.unit_of_work() as uow:
        expired = await tasks.expire_tasks(tasks.ExpireTasks(), cast(RegistryUnitOfWork, uow))
    return {"expired": len(expired)}


async def ask_check_ins(context: JobContext) -> Mapping[str, int]:
    """Ask both sides of every match whose check-in moment (per centrale: 2 weeks, 3 and 6 months) has come."""
    async with context.unit_of_work() as uow:
        return await follow_up.ask_due_check_ins(follow_up.AskDueCheckIns(), cast(RegistryUnitOfWork, uow))


async def remind(context: JobContext) -> Mapping[str, int]:
    """Remind volunteers of a VOG about to expire, and whoever has not answered a proposal for a while."""
    settings = cast(Settings, context.settings)
    command = reminders.SendReminders(settings.vog_reminder_days, settings.proposal_reminder_days)
    async with context.unit_of_work() as uow:
        return await reminders.send_reminders(command, cast(RegistryUnitOfWork, uow))


JOBS = [
    Job(
        "expire-tasks",
        expire_overdue_tasks,
        DailyAt(time(0, 30)),
        description="Expire published tasks whose closing date has passed (TaskClosed, reason expired).",
    ),
    Job(
        "reminders",
        remind,
        DailyAt(time(8, 30)),
        description="Remind volunteers REGISTRY_VOG_REMINDER_DAYS before their VOG expires, and whoever has not "
        "answered a proposal after REGISTRY_PROPOSAL_REMINDER_DAYS (each once).",
    ),
    Job(
        "check-ins",
        ask_check_ins,
        DailyAt(time(9, 0)),
        description="Ask both sides of each match how it goes at the centrale's moments (default 2 weeks, 3 and 6 "
        "months after the match).",
    ),
]
