"""Routes of the follow-up: check-ins answered by both sides, the centrale's moments, the early-warning list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from common.auth import Caller, CallerDep, Role, require_centrale_access, require_role
from registry.api._plumbing import RegistryUowDep
from registry.api.conversation import organisation_of_centrale, organisation_or_staff
from registry.repositories import CheckIn, FollowUpSettings
from registry.use_cases import follow_up

__all__ = ["router"]

router = APIRouter(prefix="/v1")

Step = Annotated[str, StringConstraints(pattern=r"^P[1-9][0-9]{0,2}[DWM]$")]


class CheckInAnswerIn(BaseModel):
    """How it goes: good, doubts or stopping, and a note (kept by the registry only)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: Literal["good", "doubts", "stopping"] = Field(description="good (goed), doubts (twijfels), stopping.")
    note: str | None = Field(None, max_length=2000, examples=["Het is wat veel naast mijn studie."])


class CheckInOut(BaseModel):
    """A check-in of one side of a match."""

    id: UUID
    match_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    step: str = Field(description="The moment after the match: P2W, P3M, P6M, ...")
    side: str
    status: str = Field(description="asked, answered or skipped.")
    due_at: datetime
    asked_at: datetime | None
    answer: str | None
    note: str | None
    answered_at: datetime | None
    answered_by: str | None

    @classmethod
    def of(cls, check_in: CheckIn) -> CheckInOut:
        """The check-in as the API shows it."""
        return cls(**{name: getattr(check_in, name) for name in cls.model_fields})


class EarlyWarningOut(BaseModel):
    """A match that needs the consulent: ``why`` is doubts, stopping or unanswered."""

    why: str
    check_in: CheckInOut


class FollowUpIn(BaseModel):
    """When a centrale's check-ins are asked (periods after the match), and when silence is a warning."""

    model_config = ConfigDict(extra="forbid")

    check_ins: list[Step] = Field(min_length=1, max_length=12, examples=[["P2W", "P3M", "P6M"]])
    unanswered_after_days: int = Field(14, ge=1, le=365)


class FollowUpOut(BaseModel):
    """A centrale's follow-up settings (the defaults until it sets its own)."""

    centrale_id: str
    check_ins: list[str]
    unanswered_after_days: int

    @classmethod
    def of(cls, settings: FollowUpSettings) -> FollowUpOut:
        """The settings as the API shows them."""
        return cls(
            centrale_id=settings.centrale_id,
            check_ins=list(settings.check_ins),
            unanswered_after_days=settings.unanswered_after_days,
        )


def _me(caller: Caller) -> UUID:
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    return caller.subject_id


# -- volunteers and organisations answer ------------------------------------------------------------------


@router.get("/me/check-ins", tags=["volunteers"], summary="Check-ins waiting for your answer: how is it going?")
async def my_check_ins(caller: CallerDep, uow: RegistryUowDep) -> list[CheckInOut]:
    query = follow_up.ListOpenCheckIns("volunteer", _me(caller))
    return [CheckInOut.of(c) for c in await follow_up.list_open_check_ins(query, uow)]


@router.post("/me/check-ins/{check_in_id}", tags=["volunteers"], summary="Answer a check-in (once).")
async def answer_mine(check_in_id: UUID, body: CheckInAnswerIn, caller: CallerDep, uow: RegistryUowDep) -> CheckInOut:
    cmd = follow_up.AnswerCheckIn(check_in_id, body.answer, body.note, "volunteer", party_id=_me(caller))
    return CheckInOut.of(await follow_up.answer_check_in(cmd, uow))


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/check-ins",
    tags=["organisations"],
    summary="Check-ins waiting for the organisation's answer.",
)
async def organisation_check_ins(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[CheckInOut]:
    await organisation_of_centrale(caller, centrale_id, organisation_id, uow)
    query = follow_up.ListOpenCheckIns("organisation", organisation_id)
    return [CheckInOut.of(c) for c in await follow_up.list_open_check_ins(query, uow) if c.centrale_id == centrale_id]


@router.post(
    "/centrales/{centrale_id}/organisations/{organisation_id}/check-ins/{check_in_id}",
    tags=["organisations"],
    summary="The organisation answers a check-in (once).",
)
async def answer_for_organisation(
    centrale_id: str, organisation_id: UUID, check_in_id: UUID, body: CheckInAnswerIn, caller: CallerDep,
    uow: RegistryUowDep,
) -> CheckInOut:  # fmt: skip
    organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = follow_up.AnswerCheckIn(check_in_id, body.answer, body.note, "organisation", party_id=organisation_id)
    return CheckInOut.of(await follow_up.answer_check_in(cmd, uow))


# -- the consulent ----------------------------------------------------------------------------------------


@router.post(
    "/centrales/{centrale_id}/check-ins/{check_in_id}",
    tags=["centrale staff"],
    summary="A consulent records a check-in's answer given to them (by phone, in person).",
)
async def answer_as_consulent(
    centrale_id: str, check_in_id: UUID, body: CheckInAnswerIn, caller: CallerDep, uow: RegistryUowDep
) -> CheckInOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    cmd = follow_up.AnswerCheckIn(check_in_id, body.answer, body.note, "consulent", consulent_centrale_id=centrale_id)
    return CheckInOut.of(await follow_up.answer_check_in(cmd, uow))


@router.get(
    "/centrales/{centrale_id}/early-warnings",
    tags=["centrale staff"],
    summary="Matches needing attention: a check-in answered with doubts or stopping, or left unanswered.",
)
async def early_warnings(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> list[EarlyWarningOut]:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    warnings = await follow_up.list_early_warnings(follow_up.ListEarlyWarnings(centrale_id), uow)
    return [EarlyWarningOut(why=w.why, check_in=CheckInOut.of(w.check_in)) for w in warnings]


@router.post(
    "/centrales/{centrale_id}/early-warnings/{check_in_id}/handled",
    status_code=204,
    tags=["centrale staff"],
    summary="The consulent took a warning up: it leaves the list.",
)
async def handled(centrale_id: str, check_in_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    cmd = follow_up.HandleEarlyWarning(check_in_id, centrale_id, caller.actor)
    await follow_up.handle_early_warning(cmd, uow)


@router.get("/centrales/{centrale_id}/follow-up", tags=["centrale staff"], summary="When check-ins are asked.")
async def get_follow_up(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> FollowUpOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    return FollowUpOut.of(await follow_up.get_follow_up_settings(follow_up.GetFollowUpSettings(centrale_id), uow))


@router.put(
    "/centrales/{centrale_id}/follow-up",
    tags=["centrale staff"],
    summary="Set when check-ins are asked (ISO 8601 periods after the match: P2W, P3M, P6M) and when an unanswered "
    "one becomes a warning.",
)
async def put_follow_up(centrale_id: str, body: FollowUpIn, caller: CallerDep, uow: RegistryUowDep) -> FollowUpOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    cmd = follow_up.SetFollowUpSettings(centrale_id, list(body.check_ins), body.unanswered_after_days)
    return FollowUpOut.of(await follow_up.set_follow_up_settings(cmd, uow))
