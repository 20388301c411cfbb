"""Routes of a task's dated shifts: parts, shift patterns (RFC 5545 RRULE), the shifts, sign-ups and waiting lists.

The organisation owning the task (or staff) adds parts and patterns. Anyone of the centrale sees the shifts; a
volunteer matched to the task signs up (staff for them) and cancels. Another centrale's tasks are 404.
"""

from __future__ import annotations

from datetime import time
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from common.auth import Caller, CallerDep, Role, require_centrale_access
from common.bounds import PlatformDate
from common.errors import Rejected
from registry.api._plumbing import RegistryUowDep
from registry.api.models import Record
from registry.use_cases import shifts

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["shifts"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartIn(_Body):
    """A part of a task people take separately (e.g. "kassa" and "magazijn"), with its own places."""

    title: str = Field(min_length=2, max_length=200, examples=["Kassa"])
    capacity: int = Field(ge=1, le=1000, description="Places per shift of this part.")


class PatternIn(_Body):
    """Shifts by a recurrence rule; times are Dutch wall-clock time (09:00 stays 09:00 across DST)."""

    rule: str = Field(
        min_length=6,
        max_length=500,
        description="One RFC 5545 RRULE (without DTSTART): FREQ DAILY, WEEKLY, MONTHLY or YEARLY.",
        examples=["FREQ=MONTHLY;BYDAY=1SA", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270630"],
    )
    starts_on: PlatformDate = Field(description="The first day the rule may fire.", examples=["2026-10-01"])
    start: time = Field(examples=["09:00"])
    end: time = Field(description="At or before ``start``: the next day (a night shift).", examples=["12:00"])
    capacity: int | None = Field(
        None, ge=1, le=1000, description="Places per shift; left out: the part's, else the task's capacity."
    )
    part_id: UUID | None = Field(None, description="The part of the task these shifts are for.")

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("give the Dutch wall-clock time without an offset, e.g. 09:00")
        return value


class SignupIn(_Body):
    """A sign-up: a volunteer signs up for themselves (empty body); staff name the volunteer."""

    volunteer_id: UUID | None = Field(None, description="Staff only: the volunteer they sign up.")


class SignupOut(BaseModel):
    """A sign-up and where it stands."""

    id: UUID
    status: str = Field(description="signed_up, or waiting (on the shift's waiting list).")


def _owner(caller: Caller, centrale_id: str) -> UUID | None:
    """The organisation whose task it must be (None for staff)."""
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.ORGANISATION)
    return caller.subject_id if caller.role is Role.ORGANISATION else None


@router.post(
    "/centrales/{centrale_id}/tasks/{task_id}/parts",
    status_code=status.HTTP_201_CREATED,
    summary="Split off a part of the task people take separately (its organisation, or staff).",
)
async def add_part(centrale_id: str, task_id: UUID, body: PartIn, caller: CallerDep, uow: RegistryUowDep) -> Record:
    cmd = shifts.AddTaskPart(centrale_id, task_id, _owner(caller, centrale_id), body.title, body.capacity)
    return {"id": await shifts.add_task_part(cmd, uow)}


@router.post(
    "/centrales/{centrale_id}/tasks/{task_id}/shift-patterns",
    status_code=status.HTTP_201_CREATED,
    summary="Add shifts by a recurrence rule; they are generated for the next six months (and kept so daily).",
)
async def add_pattern(
    centrale_id: str, task_id: UUID, body: PatternIn, caller: CallerDep, uow: RegistryUowDep
) -> Record:
    owner = _owner(caller, centrale_id)
    cmd = shifts.AddShiftPattern(
        centrale_id, task_id, owner, body.rule, body.starts_on, body.start, body.end, body.capacity, body.part_id,
        caller.actor,
    )  # fmt: skip
    return await shifts.add_shift_pattern(cmd, uow)


@router.get(
    "/centrales/{centrale_id}/tasks/{task_id}/shifts",
    summary="The task's parts, patterns and dated shifts with places taken, left and waiting (a volunteer: theirs).",
)
async def list_shifts(
    centrale_id: str,
    task_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    days: int = Query(183, ge=1, le=366, description="How many days ahead."),
) -> Record:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.ORGANISATION, Role.VOLUNTEER)
    owner = caller.subject_id if caller.role is Role.ORGANISATION else None
    volunteer = caller.subject_id if caller.role is Role.VOLUNTEER else None
    return await shifts.list_shifts(shifts.ListShifts(centrale_id, task_id, owner, days, volunteer), uow)


@router.post(
    "/centrales/{centrale_id}/tasks/{task_id}/shifts/{shift_id}/signups",
    status_code=status.HTTP_201_CREATED,
    summary="Sign up for a shift (a volunteer matched to the task, or staff for them); when full, on the waiting list.",
)
async def sign_up(
    centrale_id: str, task_id: UUID, shift_id: UUID, body: SignupIn, caller: CallerDep, uow: RegistryUowDep
) -> SignupOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.VOLUNTEER)
    volunteer_id = body.volunteer_id
    if caller.role is Role.VOLUNTEER:
        if volunteer_id is not None:
            raise Rejected(["only staff sign up someone else"], field="volunteer_id")
        volunteer_id = caller.subject_id
    if volunteer_id is None:
        raise Rejected(["staff name the volunteer they sign up"], field="volunteer_id")
    signup = await shifts.sign_up(shifts.SignUp(centrale_id, task_id, shift_id, volunteer_id, caller.actor), uow)
    return SignupOut(id=signup.id, status=signup.status)


@router.post(
    "/centrales/{centrale_id}/tasks/{task_id}/shifts/{shift_id}/signups/{signup_id}/cancel",
    summary="Cancel a sign-up (the volunteer, or staff); the first on the waiting list gets the place.",
)
async def cancel_signup(
    centrale_id: str, task_id: UUID, shift_id: UUID, signup_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> Record:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.VOLUNTEER)
    volunteer_id = caller.subject_id if caller.role is Role.VOLUNTEER else None
    cmd = shifts.CancelSignup(centrale_id, task_id, shift_id, signup_id, volunteer_id, caller.actor)
    return {"placed": await shifts.cancel_signup(cmd, uow)}
