"""Business partners' team days: matched to an open team task with room for the whole team."""

from __future__ import annotations

from uuid import UUID

from contracts.events import VolunteerDayMatched
from matching.commands import MatchTeamDay
from matching.domain.team_days import best_task_for_team
from matching.unit_of_work import MatchingUnitOfWork

__all__ = ["match_team_day"]


async def match_team_day(command: MatchTeamDay, uow: MatchingUnitOfWork) -> UUID | None:
    """Keep the day and match it to the best task on that date, in theme and area; the task, or None."""
    day = command.day
    await uow.volunteer_days.add(day)
    area = await uow.postcode_areas.coordinates(day.postcode_area) if day.postcode_area else None
    candidates = await uow.tasks.with_room_for_team(day.team_size, day.themes, day.centrale_id)
    task = best_task_for_team(
        candidates, on_date=day.on_date, skills=day.skills, area=area, radius_km=uow.policy.team_day_radius_km
    )
    if task is None:
        return None
    await uow.tasks.reserve_for_team(task.task_id, day.team_size)
    await uow.volunteer_days.mark_matched(day.day_id, task.task_id, uow.now())
    matched = VolunteerDayMatched(
        day_id=day.day_id,
        partner_id=day.partner_id,
        task_id=task.task_id,
        organisation_id=task.profile.organisation_id,
        centrale_id=task.centrale_id,
        matched_at=uow.now(),
    )
    await uow.emit(matched, tenant=task.centrale_id)
    return task.task_id
