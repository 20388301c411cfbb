"""Appreciation's scheduled jobs: the daily anniversary run (also started by region ops, see ``api/ops.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import time

from appreciation.unit_of_work import PostgresAppreciationUnitOfWork
from appreciation.use_cases import awards
from common.jobs import DailyAt, Job, JobContext

__all__ = ["ANNIVERSARIES", "JOBS", "award_anniversaries"]

ANNIVERSARIES = "anniversaries"
# Report progress this often (volunteers looked at), so a long run can be followed.
_PROGRESS_EVERY = 500


@asynccontextmanager
async def _unit_of_work(context: JobContext) -> AsyncIterator[PostgresAppreciationUnitOfWork]:
    async with context.unit_of_work() as uow:
        assert isinstance(uow, PostgresAppreciationUnitOfWork), "SPEC.unit_of_work builds appreciation's"
        yield uow


async def award_anniversaries(context: JobContext) -> dict[str, int]:
    """Award every anniversary reached by today, one volunteer per transaction (events award them too)."""
    today = context.today()
    async with _unit_of_work(context) as uow:
        candidates = await awards.anniversary_candidates(awards.FindAnniversaryCandidates(today), uow)
    awarded = 0
    for looked_at, volunteer_id in enumerate(candidates, start=1):
        async with _unit_of_work(context) as uow:
            awarded += len(await awards.award_anniversaries(awards.AwardAnniversaries(volunteer_id, today), uow))
        if looked_at % _PROGRESS_EVERY == 0:
            await context.progress(candidates=len(candidates), looked_at=looked_at, awarded=awarded)
    return {"candidates": len(candidates), "looked_at": len(candidates), "awarded": awarded}


JOBS = [
    Job(
        ANNIVERSARIES,
        award_anniversaries,
        # Early in the morning, Dutch time: the day's anniversaries are there when staff start.
        DailyAt(time(4, 30)),
        description="Award the anniversaries (years since registration) reached by today.",
    )
]
