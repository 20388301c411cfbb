"""Routes for region ops: list a service's jobs with their latest runs, run one now, follow a run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from common.auth import CallerDep, Role, require_role
from common.jobs.model import DailyAt, Every, Job, JobRun
from common.jobs.runner import JobAlreadyRunning, Scheduler
from common.runtime import get_runtime

__all__ = ["jobs_router"]

jobs_router = APIRouter(prefix="/v1/ops/jobs", tags=["jobs"])


class RunOut(BaseModel):
    """One run of a job."""

    id: UUID
    job: str
    due_at: datetime = Field(description="The due moment it ran for (on demand: when it was asked for).")
    kind: str = Field(description="`scheduled` or `on_demand`.")
    status: str = Field(description="`running`, `done`, `failed` or `abandoned`.")
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int] = Field(description="What the run did (or has done so far), by name.")
    error: str | None = Field(description="Why a failed run failed (error class and message).")


class JobOut(BaseModel):
    """A job of this service and its latest runs."""

    name: str
    description: str
    schedule: str | None = Field(description="`every <seconds> s`, `daily at HH:MM Europe/Amsterdam`, or null.")
    runs: list[RunOut]


def _scheduler(request: Request) -> Scheduler:
    scheduler = get_runtime(request).scheduler
    if scheduler is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this service has no jobs")
    return scheduler


SchedulerDep = Annotated[Scheduler, Depends(_scheduler)]


def _run_out(run: JobRun) -> RunOut:
    return RunOut(
        **{name: getattr(run, name) for name in RunOut.model_fields if name != "counts"}, counts=dict(run.counts)
    )


def _describe(job: Job) -> str | None:
    if isinstance(job.schedule, Every):
        return f"every {int(job.schedule.interval.total_seconds())} s"
    if isinstance(job.schedule, DailyAt):
        return f"daily at {job.schedule.at.strftime('%H:%M')} Europe/Amsterdam"
    return None


@jobs_router.get("", summary="The service's jobs and their latest runs (region ops).")
async def list_jobs(caller: CallerDep, scheduler: SchedulerDep) -> list[JobOut]:
    require_role(caller, Role.REGION_OPS)
    runs = await scheduler.latest_runs()
    return [
        JobOut(
            name=job.name,
            description=job.description,
            schedule=_describe(job),
            runs=[_run_out(r) for r in runs[job.name]],
        )
        for job in scheduler.jobs.values()
    ]


@jobs_router.post(
    "/{name}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Run a job now; follow it at the Location given (region ops).",
    responses={404: {"description": "No such job."}, 409: {"description": "The job is running."}},
)
async def run_job(name: str, caller: CallerDep, scheduler: SchedulerDep, response: Response) -> RunOut:
    require_role(caller, Role.REGION_OPS)
    if name not in scheduler.jobs:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {name!r}")
    try:
        run = await scheduler.run_now(name, requested_by=caller.actor, wait=False)
    except JobAlreadyRunning as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    response.headers["Location"] = f"/v1/ops/jobs/runs/{run.id}"
    return _run_out(run)


@jobs_router.get("/runs/{run_id}", summary="One run of a job: status, counts so far, error (region ops).")
async def get_job_run(run_id: UUID, caller: CallerDep, scheduler: SchedulerDep) -> RunOut:
    require_role(caller, Role.REGION_OPS)
    run = await scheduler.get_run(run_id)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such run")
    return _run_out(run)
