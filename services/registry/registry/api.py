"""Registry HTTP API: routes translate requests into use-case commands and nothing more."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator

from common.service import PoolDep, get_runtime
from contracts.events import WeeklySlot
from registry import domain, use_cases
from registry.auth import CallerDep, Role, issue_credential, require_centrale_access, require_role

__all__ = ["router"]

router = APIRouter(prefix="/v1")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, to_lower=True)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CentraleIn(_Request):
    """A centrale to add to the region."""

    id: Slug = Field(description="Slug, used in URLs and events.", examples=["vc-utrecht"])
    name: str = Field(min_length=2, max_length=200, examples=["Vrijwilligerscentrale Utrecht"])
    municipality_code: str = Field(pattern=r"^GM[0-9]{4}$", examples=["GM0344"])


class CredentialIn(_Request):
    """A credential to issue for a centrale."""

    role: Literal[Role.CENTRALE_STAFF, Role.MUNICIPALITY_READER] = Role.CENTRALE_STAFF
    label: str = Field(min_length=1, max_length=200, description="Who or what uses it.", examples=["intake desk"])


class CredentialOut(BaseModel):
    """An issued credential; the token is shown only in this response."""

    id: UUID
    role: Role
    centrale_id: str
    token: str


class VolunteerIn(_Request):
    """A volunteer's registration: personal data stays in the registry, only coarse facts are shared."""

    name: str = Field(min_length=1, max_length=200, examples=["Fatima el Amrani"])
    email: EmailStr | None = None
    phone: str | None = Field(None, pattern=r"^\+?[0-9 ()-]{6,20}$")
    postcode: str | None = Field(None, examples=["3511 AB"])
    birth_date: date | None = Field(None, description="Used only to derive the age band.")
    skills: list[Code] = Field(default_factory=list, max_length=50)
    interests: list[Code] = Field(default_factory=list, max_length=50)
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=list, max_length=20
    )
    availability: list[WeeklySlot] = Field(default_factory=list, max_length=50)
    max_distance_km: int | None = Field(None, ge=0, le=200)
    commitment: Literal["one_off", "structural", "either"] = "either"
    needs_support: bool = False
    regional_matching_consent: bool = False

    @field_validator("postcode")
    @classmethod
    def _dutch_postcode(cls, value: str | None) -> str | None:
        if value is not None:
            domain.postcode_area(value)
        return value

    @field_validator("birth_date")
    @classmethod
    def _old_enough(cls, value: date | None) -> date | None:
        if value is not None:
            if value > datetime.now(UTC).date():
                raise ValueError("birth date lies in the future")
            domain.age_band(value, datetime.now(UTC).date())
        return value

    @field_validator("availability")
    @classmethod
    def _slots_end_after_start(cls, slots: list[WeeklySlot]) -> list[WeeklySlot]:
        for slot in slots:
            if slot.end <= slot.start:
                raise ValueError(f"slot on weekday {slot.weekday} ends before it starts")
        return slots


class VolunteerCreated(BaseModel):
    """The id of a newly registered volunteer."""

    volunteer_id: UUID


def _origin(request: Request) -> use_cases.Origin:
    settings = get_runtime(request).settings
    return use_cases.Origin(
        source=f"/regions/{settings.region}/registry",
        region=settings.region,
        correlation_id=request.state.correlation_id,
    )


@router.post("/centrales", status_code=status.HTTP_201_CREATED, tags=["region ops"], summary="Add a centrale.")
async def create_centrale(body: CentraleIn, caller: CallerDep, pool: PoolDep) -> CentraleIn:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn:
        try:
            await use_cases.create_centrale(conn, use_cases.CreateCentrale(body.id, body.name, body.municipality_code))
        except use_cases.CentraleExists as error:
            raise HTTPException(status.HTTP_409_CONFLICT, f"centrale {error} already exists") from error
    return body


@router.post(
    "/centrales/{centrale_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    tags=["region ops"],
    summary="Issue a credential bound to one centrale.",
)
async def create_credential(centrale_id: str, body: CredentialIn, caller: CallerDep, pool: PoolDep) -> CredentialOut:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval("SELECT 1 FROM centrales WHERE id = $1", centrale_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"centrale {centrale_id} not found")
        credential_id, token = await issue_credential(conn, role=body.role, centrale_id=centrale_id, label=body.label)
    return CredentialOut(id=credential_id, role=body.role, centrale_id=centrale_id, token=token)


@router.post(
    "/centrales/{centrale_id}/volunteers",
    status_code=status.HTTP_201_CREATED,
    tags=["centrale staff"],
    summary="Register a volunteer (at intake, on their behalf).",
)
async def register_volunteer(
    centrale_id: str, body: VolunteerIn, caller: CallerDep, pool: PoolDep, request: Request
) -> VolunteerCreated:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.REGION_OPS)
    cmd = use_cases.RegisterVolunteer(
        centrale_id=centrale_id,
        name=body.name,
        email=str(body.email) if body.email else None,
        phone=body.phone,
        postcode=body.postcode,
        birth_date=body.birth_date,
        skills=body.skills,
        interests=body.interests,
        languages=body.languages,
        availability=body.availability,
        max_distance_km=body.max_distance_km,
        commitment=body.commitment,
        needs_support=body.needs_support,
        regional_matching_consent=body.regional_matching_consent,
        registered_by="staff",
    )
    async with pool.acquire() as conn:
        try:
            volunteer_id = await use_cases.register_volunteer(conn, cmd, _origin(request))
        except use_cases.UnknownCentrale as error:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"centrale {error} not found") from error
    return VolunteerCreated(volunteer_id=volunteer_id)
