"""Routes for region ops: run the daily anniversary job now and wait for its outcome."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from appreciation.jobs import ANNIVERSARIES
from common.auth import CallerDep, Role, require_role
from common.jobs import JobAlreadyRunning
from common.service import get_runtime

router = APIRouter(prefix="/v1", tags=["region ops"])


@router.post(
    "/anniversaries/award",
    summary="Award the anniversaries reached by today now (the `anniversaries` job, which also runs daily).",
    responses={409: {"description": "The job is running; follow it under /v1/ops/jobs."}},
)
async def award_anniversaries(caller: CallerDep, request: Request) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    scheduler = get_runtime(request).scheduler
    assert scheduler is not None, "appreciation declares its jobs, so the runner starts a scheduler"
    try:
        run = await scheduler.run_now(ANNIVERSARIES, requested_by=caller.actor)
    except JobAlreadyRunning as error:
        raise HTTPException(status.HTTP_409_CONFLICT, f"{error}; see /v1/ops/jobs") from error
    if run.status != "done":
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR, f"the anniversary run failed; see /v1/ops/jobs/runs/{run.id}"
        )
    return {"awarded": run.counts.get("awarded", 0)}
