"""Routes for staff who broker business partners' team days: the open days they may broker, and assigning one."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from common.auth import CallerDep, Role, require_centrale_access
from matching.api.dependencies import MatchingUowDep
from matching.api.schemas import AssignTeamDayIn, TeamDayOut
from matching.commands import AssignTeamDay, ListOpenTeamDays
from matching.use_cases import assign_team_day, list_open_team_days

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["staff"])


@router.get(
    "/centrales/{centrale_id}/team-days",
    summary="Open team days of business partners this centrale may broker (naming it or no centrale), earliest first.",
)
async def open_team_days(centrale_id: str, caller: CallerDep, uow: MatchingUowDep) -> list[TeamDayOut]:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    days = await list_open_team_days(ListOpenTeamDays(centrale_id), uow)
    return [TeamDayOut.of(listed.day, listed.partner_name) for listed in days]


@router.post(
    "/centrales/{centrale_id}/team-days/{day_id}/assign",
    summary="Give an open team day to a task of this centrale by hand; 422 names every rule the pair breaks.",
)
async def assign(
    centrale_id: str, day_id: UUID, body: AssignTeamDayIn, caller: CallerDep, uow: MatchingUowDep
) -> TeamDayOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    assigned = await assign_team_day(AssignTeamDay(day_id, body.task_id, centrale_id), uow)
    return TeamDayOut.of(assigned.day, assigned.partner_name)
