"""Routes for region ops: the configuration reporting needs (municipalities, districts, NLdoet days) and rebuilds."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from common.auth import CallerDep, Role, require_role
from common.bounds import PlatformDate
from common.errors import Conflict
from common.service import PoolDep, get_runtime
from reporting.api._plumbing import CentraleId
from reporting.rebuild import RebuildRunningError, rebuild_projections

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


class NldoetDaysIn(BaseModel):
    """NLdoet dates to add (the national volunteer days every March)."""

    days: list[PlatformDate] = Field(min_length=1, max_length=20, examples=[["2027-03-12", "2027-03-13"]])


@router.put("/centrales/{centrale_id}", summary="Say which municipality a centrale works for.")
async def put_centrale(
    centrale_id: CentraleId, body: CentraleMunicipality, caller: CallerDep, pool: PoolDep
) -> CentraleMunicipalityOut:
    require_role(caller, Role.REGION_OPS)
    await pool.execute(
        "INSERT INTO centrale_municipalities (centrale_id, municipality_code, municipality_name, centrale_name)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (centrale_id) DO UPDATE SET"
        " municipality_code = EXCLUDED.municipality_code, municipality_name = EXCLUDED.municipality_name,"
        " centrale_name = EXCLUDED.centrale_name, updated_at = now()",
        centrale_id,
        body.municipality_code,
        body.municipality_name,
        body.centrale_name,
    )
    return CentraleMunicipalityOut(centrale_id=centrale_id, **body.model_dump())


@router.get("/centrales", summary="Every centrale with its municipality.")
async def list_centrales(caller: CallerDep, pool: PoolDep) -> list[CentraleMunicipalityOut]:
    require_role(caller, Role.REGION_OPS)
    rows = await pool.fetch(
        "SELECT centrale_id, municipality_code, municipality_name, centrale_name FROM centrale_municipalities"
        " ORDER BY centrale_id"
    )
    return [CentraleMunicipalityOut(**dict(row)) for row in rows]


@router.put("/districts", summary="Load (part of) the PC4 → CBS wijk mapping.")
async def put_districts(body: DistrictsIn, caller: CallerDep, pool: PoolDep) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            "INSERT INTO districts (postcode_area, district_code, district_name) VALUES ($1, $2, $3)"
            " ON CONFLICT (postcode_area) DO UPDATE SET district_code = EXCLUDED.district_code,"
            " district_name = EXCLUDED.district_name, updated_at = now()",
            [(d.postcode_area, d.district_code, d.district_name) for d in body.districts],
        )
        total = await conn.fetchval("SELECT count(*) FROM districts")
    return {"loaded": len(body.districts), "total": int(total)}


@router.put("/nldoet-days", summary="Add NLdoet dates.")
async def put_nldoet_days(body: NldoetDaysIn, caller: CallerDep, pool: PoolDep) -> dict[str, list[date]]:
    require_role(caller, Role.REGION_OPS)
    await pool.executemany(
        "INSERT INTO nldoet_days (day) VALUES ($1) ON CONFLICT DO NOTHING", [(day,) for day in body.days]
    )
    return {"days": [row["day"] for row in await pool.fetch("SELECT day FROM nldoet_days ORDER BY day")]}


@router.post("/rebuild", summary="Rebuild every projection from the topics into fresh tables and switch over.")
async def rebuild(caller: CallerDep, request: Request) -> dict[str, Any]:
    require_role(caller, Role.REGION_OPS)
    settings = get_runtime(request).settings
    try:
        result = await rebuild_projections(settings.database_url.get_secret_value(), settings)
    except RebuildRunningError as error:
        raise Conflict(str(error)) from None
    return asdict(result)


@router.get("/rebuilds", summary="Past rebuilds: when, how many events, where they switched over.")
async def list_rebuilds(caller: CallerDep, pool: PoolDep) -> list[dict[str, Any]]:
    require_role(caller, Role.REGION_OPS)
    rows = await pool.fetch(
        "SELECT id, started_at, switched_at, events_applied FROM projection_rebuilds ORDER BY id DESC LIMIT 50"
    )
    return [dict(row) for row in rows]
