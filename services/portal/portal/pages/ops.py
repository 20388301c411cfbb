"""Pages of region ops: the region's centrales, credentials, and the services' consumer lag, dead letters and jobs."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.backend import SERVICES, ApiError
from portal.forms import Form, Parser
from portal.pages._base import VisitorDep, api, as_list, redirect, require, submit
from portal.rendering import page

__all__ = ["router"]

router = APIRouter()

CENTRALE_FIELDS = ("id", "name", "municipality_code")


@router.get("/beheer")
async def centrales(request: Request, visitor: VisitorDep) -> Response:
    """The region's centrales; add one."""
    require(visitor, "region_ops")
    listed = await api(request).get("registry", "/v1/centrales")
    return page(request, "ops/centrales.html", centrales=as_list(listed), form=Form(fields=CENTRALE_FIELDS))


@router.post("/beheer")
async def add_centrale(request: Request, visitor: VisitorDep) -> Response:
    """Add a centrale to the region."""
    require(visitor, "region_ops")
    form = Form.of(await request.form(), CENTRALE_FIELDS, fallback="id")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        body = {name: parser.text(name, required=True, max_length=200) for name in CENTRALE_FIELDS}
        parser.done()
        await client.post("registry", "/v1/centrales", body)
        return redirect("/beheer", "opgeslagen")

    async def refused(refused_form: Form) -> Response:
        listed = await client.get("registry", "/v1/centrales")
        return page(request, "ops/centrales.html", status_code=422, centrales=as_list(listed), form=refused_form)

    return await submit(form, action, refused)


@router.get("/beheer/sleutels")
async def credentials(request: Request, visitor: VisitorDep, centrale: str = "") -> Response:
    """API credentials of a centrale's machine clients and scripts: role, expiry; revoke."""
    require(visitor, "region_ops")
    client = api(request)
    listed = as_list(await client.get("registry", "/v1/centrales"))
    chosen = centrale if any(c.get("id") == centrale for c in listed) else (listed[0]["id"] if listed else "")
    found = as_list(await client.get("registry", f"/v1/centrales/{chosen}/credentials")) if chosen else []
    return page(request, "ops/credentials.html", credentials=found, centrales=listed, chosen=chosen)


@router.post("/beheer/sleutels/{credential_id}/intrekken")
async def revoke(credential_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Revoke a credential: every service stops accepting it within seconds."""
    require(visitor, "region_ops")
    await api(request).delete("registry", f"/v1/credentials/{credential_id}")
    return redirect("/beheer/sleutels", "ingetrokken")


async def _service_state(request: Request, service: str) -> dict[str, Any]:
    """One service's jobs and (where it consumes) its consumer lag and dead letters; what did not answer is said."""
    client = api(request)
    state: dict[str, Any] = {"service": service, "stream": None, "jobs": [], "error": None}
    answers: tuple[Any, ...] = await asyncio.gather(
        client.get(service, "/v1/ops/stream"), client.get(service, "/v1/ops/jobs"), return_exceptions=True
    )
    stream_answer, jobs_answer = answers
    state["stream"] = None if isinstance(stream_answer, BaseException) else stream_answer
    state["jobs"] = [] if isinstance(jobs_answer, BaseException) else as_list(jobs_answer)
    failed = [r for r in answers if isinstance(r, ApiError) and r.status != 404]
    if failed:
        state["error"] = failed[0].status
    return state


@router.get("/beheer/stroom")
async def stream(request: Request, visitor: VisitorDep) -> Response:
    """Lag and dead letters per service, and each service's scheduled jobs with their latest runs."""
    require(visitor, "region_ops")
    states = await asyncio.gather(*(_service_state(request, service) for service in SERVICES))
    return page(request, "ops/stream.html", states=states)


@router.post("/beheer/stroom/{service}/jobs/{job}")
async def run_job(service: str, job: str, request: Request, visitor: VisitorDep) -> Response:
    """Run a job now; the page follows the run (htmx refreshes it; without JavaScript, reload)."""
    require(visitor, "region_ops")
    if service not in SERVICES:
        return redirect("/beheer/stroom")
    run = await api(request).post(service, f"/v1/ops/jobs/{job[:80]}/runs")
    return redirect(f"/beheer/stroom/{service}/runs/{run['id']}")


@router.get("/beheer/stroom/{service}/runs/{run_id}")
async def job_run(service: str, run_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """A job run's progress: its counts so far and its status."""
    require(visitor, "region_ops")
    if service not in SERVICES:
        return redirect("/beheer/stroom")
    run = await api(request).get(service, f"/v1/ops/jobs/runs/{run_id}")
    template = "ops/_run.html" if request.headers.get("hx-request") else "ops/run.html"
    return page(request, template, run=run, service=service)
