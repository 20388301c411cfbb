"""Routes for the audit trail of personal data access: read by the volunteer's centrale's staff only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from common.auth import Caller, CallerDep, Role, require_centrale_access
from common.bounds import FIRST_DAY, LAST_DAY
from common.clock import DUTCH_TIME
from common.errors import Forbidden, Rejected
from registry.api._plumbing import RegistryUowDep
from registry.api.account_models import AccessEntryOut
from registry.use_cases import audit

router = APIRouter(prefix="/v1/centrales/{centrale_id}", tags=["audit"])


def _staff_only(caller: Caller, centrale_id: str) -> None:
    """Staff of the centrale; region ops too have no business reading who read a volunteer's record."""
    if caller.role is Role.REGION_OPS:
        raise Forbidden("only the centrale's staff read its audit trail")
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


@router.get(
    "/volunteers/{volunteer_id}/access-log",
    summary="Who read, exported, changed or erased the volunteer's record: when, why, for which centrale.",
)
async def volunteer_trail(
    centrale_id: str, volunteer_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[AccessEntryOut]:
    _staff_only(caller, centrale_id)
    rows = await audit.volunteer_access_log(audit.VolunteerAccessLog(volunteer_id, centrale_id), uow)
    return [AccessEntryOut.model_validate(row) for row in rows]


@router.get("/access-log", summary="A page of the accesses to the centrale's volunteers in a period, newest first.")
async def centrale_trail(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    since: Annotated[date, Query(ge=FIRST_DAY, le=LAST_DAY, description="First day (inclusive, Dutch time).")],
    until: Annotated[date, Query(ge=FIRST_DAY, le=LAST_DAY, description="Last day (inclusive, Dutch time).")],
    account_id: Annotated[UUID | None, Query(description="Only this person's accesses.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AccessEntryOut]:
    _staff_only(caller, centrale_id)
    if until < since:
        raise Rejected(["until lies before since"], field="until", location="query")
    query = audit.CentraleAccessLog(
        centrale_id,
        datetime.combine(since, time(), tzinfo=DUTCH_TIME),  # the days are Dutch days
        datetime.combine(until + timedelta(days=1), time(), tzinfo=DUTCH_TIME),
        account_id,
        limit,
        offset,
    )
    return [AccessEntryOut.model_validate(row) for row in await audit.centrale_access_log(query, uow)]
