"""Routes for region ops: the configuration reporting needs (municipalities, districts, NLdoet days) and rebuilds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, field_validator

from common.auth import CallerDep, Role, require_role
from common.bounds import PlatformDate
from common.errors import Conflict
from common.jobs import JobAlreadyRunning, JobRun
from common.service import PoolDep, get_runtime
from reporting import configuration
from reporting.api._plumbing import CentraleId
from reporting.jobs import start_rebuild

__all__ = ["router"]

router = APIRouter(prefix="/v1/ops", tags=["region ops"])


class CentraleMunicipality(BaseModel):
    """The municipality a centrale works for (the registry knows it but publishes no centrale event)."""

    municipality_code: str = Field(pattern=r"^GM[0-9]{4}$", examples=["GM0344"])
    municipality_name: str = Field(min_length=1, max_length=100, examples=["Utrecht"])
    centrale_name: str | None = Field(
        None, min_length=1, max_length=100, description="Shown in reports instead of the id.",
        examples=["Vrijwilligerscentrale Utrecht"],
    )  # fmt: skip


class CentraleMunicipalityOut(CentraleMunicipality):
    """A centrale and its municipality."""

    centrale_id: str


class District(BaseModel):
    """A PC4 area and the CBS wijk most of its addresses lie in."""

    postcode_area: str = Field(pattern=r"^[1-9][0-9]{3}$", examples=["3511"])
    district_code: str = Field(pattern=r"^WK[0-9]{6}$", examples=["WK034401"])
    district_name: str = Field(min_length=1, max_length=100, examples=["Binnenstad"])


class DistrictsIn(BaseModel):
    """Rows of the PC4 → wijk mapping; existing areas are overwritten, others kept."""

    # The Netherlands has about 4,070 PC4 areas; 5,000 rows fit well within the request-body limit (1 MB).
    districts: list[District] = Field(min_length=1, max_length=5_000)


class PostcodeArea(BaseModel):
    """The centroid of a PC4 area (distances are measured between areas, never addresses)."""

    pc4: str = Field(pattern=r"^[1-9][0-9]{3}$", examples=["3511"])
    lat: float = Field(ge=50.5, le=53.7, description="Latitude (the Netherlands).", examples=[52.0907])
    lon: float = Field(ge=3.2, le=7.3, description="Longitude (the Netherlands).", examples=[5.1214])


class ThemeSkillsIn(BaseModel):
    """Per theme, the skills that make a volunteer fit it (besides an interest in the theme)."""

    themes: dict[str, list[str]] = Field(
        min_length=1, max_length=100, examples=[{"zorg": ["ehbo", "begeleiding"], "taal": ["taalles"]}]
    )

    @field_validator("themes")
    @classmethod
    def _named(cls, themes: dict[str, list[str]]) -> dict[str, list[str]]:
        for theme, skills in themes.items():
            if (
                not theme.strip()
                or len(theme) > 60
                or len(skills) > 100
                or any(not s.strip() or len(s) > 60 for s in skills)
            ):
                raise ValueError("themes and skills are 1-60 characters, at most 100 skills a theme")
        return themes


class NldoetDaysIn(BaseModel):
    """NLdoet dates to add (the national volunteer days every March)."""

    days: list[PlatformDate] = Field(min_length=1, max_length=20, examples=[["2027-03-12", "2027-03-13"]])


class RebuildRun(BaseModel):
    """A rebuild run as the job runner records it; follow it at ``status_url`` (``GET /v1/ops/jobs/runs/{id}``)."""

    id: UUID
    status: str = Field(description="`running`, `done`, `failed` or `abandoned`.")
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int] = Field(description="Events applied so far (`events_applied`), partitions when done.")
    error: str | None
    status_url: str


def _run_out(run: JobRun) -> RebuildRun:
    return RebuildRun(
        id=run.id, status=run.status, started_at=run.started_at, finished_at=run.finished_at, counts=dict(run.counts),
        error=run.error, status_url=f"/v1/ops/jobs/runs/{run.id}",
    )  # fmt: skip


@router.put("/centrales/{centrale_id}", summary="Say which municipality a centrale works for.")
async def put_centrale(
    centrale_id: CentraleId, body: CentraleMunicipality, caller: CallerDep, pool: PoolDep
) -> CentraleMunicipalityOut:
    require_role(caller, Role.REGION_OPS)
    await configuration.set_centrale_municipality(
        pool, centrale_id, body.municipality_code, body.municipality_name, body.centrale_name
    )
    return CentraleMunicipalityOut(centrale_id=centrale_id, **body.model_dump())


@router.get("/centrales", summary="Every centrale with its municipality.")
async def list_centrales(caller: CallerDep, pool: PoolDep) -> list[CentraleMunicipalityOut]:
    require_role(caller, Role.REGION_OPS)
    return [CentraleMunicipalityOut(**row) for row in await configuration.centrale_municipalities(pool)]


@router.put("/districts", summary="Load (part of) the PC4 → CBS wijk mapping.")
async def put_districts(body: DistrictsIn, caller: CallerDep, pool: PoolDep) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    rows = [(d.postcode_area, d.district_code, d.district_name) for d in body.districts]
    return {"loaded": len(rows), "total": await configuration.load_districts(pool, rows)}


@router.put("/postcode-areas", summary="Load (part of) the PC4 centroids: who lives within reach of which wijk.")
async def put_postcode_areas(body: list[PostcodeArea], caller: CallerDep, pool: PoolDep) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    if not 1 <= len(body) <= 20_000:
        raise RequestValidationError([{"loc": ("body",), "msg": "give 1 to 20,000 areas", "type": "value_error"}])
    total = await configuration.load_postcode_areas(pool, [(a.pc4, a.lat, a.lon) for a in body])
    return {"loaded": len(body), "total": total}


@router.put("/theme-skills", summary="Say which skills fit each theme (supply: interests or these skills).")
async def put_theme_skills(body: ThemeSkillsIn, caller: CallerDep, pool: PoolDep) -> dict[str, list[str]]:
    require_role(caller, Role.REGION_OPS)
    await configuration.set_theme_skills(pool, body.themes)
    return await configuration.theme_skills(pool)


@router.get("/theme-skills", summary="Every theme with the skills that fit it.")
async def get_theme_skills(caller: CallerDep, pool: PoolDep) -> dict[str, list[str]]:
    require_role(caller, Role.REGION_OPS)
    return await configuration.theme_skills(pool)


@router.put("/nldoet-days", summary="Add NLdoet dates.")
async def put_nldoet_days(body: NldoetDaysIn, caller: CallerDep, pool: PoolDep) -> dict[str, list[date]]:
    require_role(caller, Role.REGION_OPS)
    return {"days": await configuration.add_nldoet_days(pool, body.days)}


@router.post(
    "/rebuild",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start rebuilding every projection from the topics into fresh tables; follow it at the Location given.",
    responses={409: {"description": "A rebuild is running."}},
)
async def rebuild(caller: CallerDep, pool: PoolDep, request: Request, response: Response) -> RebuildRun:
    require_role(caller, Role.REGION_OPS)
    scheduler = get_runtime(request).scheduler
    assert scheduler is not None, "reporting declares the rebuild job, so the runner starts a scheduler"
    try:
        run = await start_rebuild(scheduler, pool, requested_by=caller.actor)
    except JobAlreadyRunning as error:
        raise Conflict(str(error)) from None
    out = _run_out(run)
    response.headers["Location"] = out.status_url
    return out


@router.get("/rebuilds", summary="Past rebuilds: when, how many events, where they switched over.")
async def list_rebuilds(caller: CallerDep, pool: PoolDep) -> list[dict[str, Any]]:
    require_role(caller, Role.REGION_OPS)
    return await configuration.past_rebuilds(pool)
