"""Business partners' team days: matched to an open team task with room for the whole team.

Three ways lead a day to a task, all under the region's team-day turn (``uow.lock_team_days``) and the same
rules (``domain/team_days.py``): a posted day looks for the best task; a team task, when posted or changed,
takes the open days that fit it, oldest posted first; staff give a day to a task of their centrale by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from common.errors import Conflict, NotFound, Rejected
from contracts.events import VolunteerDayMatched
from matching.commands import AssignTeamDay, ListOpenTeamDays, MatchTeamDay, RecordPartner
from matching.domain.model import Task, TaskStatus, TeamDayVia, VolunteerDay, VolunteerDayStatus, dutch_date
from matching.domain.proposals import ProposalStatus
from matching.domain.team_days import best_task_for_team, room_for_team, rule_problems
from matching.unit_of_work import MatchingUnitOfWork

__all__ = [
    "StaffTeamDay",
    "assign_team_day",
    "list_open_team_days",
    "match_open_team_days",
    "match_team_day",
    "record_partner",
]

_MADE = [ProposalStatus.MADE]


@dataclass(frozen=True)
class StaffTeamDay:
    """A team day as staff see it: the day and whose team it is."""

    day: VolunteerDay
    partner_name: str | None


async def match_team_day(command: MatchTeamDay, uow: MatchingUnitOfWork) -> UUID | None:
    """Keep the day and match it to the best task on that date, in theme and area; the task, or None."""
    day = command.day
    await uow.lock_team_days()
    await uow.volunteer_days.add(day)
    area = await uow.postcode_areas.coordinates(day.postcode_area) if day.postcode_area else None
    candidates = await uow.tasks.with_room_for_team(day.team_size, day.themes, day.centrale_id)
    task = best_task_for_team(
        candidates, on_date=day.on_date, skills=day.skills, area=area, radius_km=uow.policy.team_day_radius_km
    )
    if task is None:
        return None
    await _match(day, task, TeamDayVia.MATCHING, uow)
    return task.task_id


async def match_open_team_days(task_id: UUID, uow: MatchingUnitOfWork) -> list[UUID]:
    """A team task was posted or changed: give it the open days that fit, oldest posted first; their ids.

    A step of ``record_posted_task`` and ``record_task_update``, which take the team-day turn before they
    store the task.
    """
    task = await uow.tasks.get(task_id, for_update=True)
    if task is None or task.status is not TaskStatus.OPEN or not task.profile.team_suitable:
        return []
    room = room_for_team(task, await uow.proposals.count(task_id, _MADE))
    if room == 0:
        return []
    days = await uow.volunteer_days.open_for_task(
        theme=task.profile.theme,
        centrale_id=task.centrale_id,
        largest_team=room,
        not_before=dutch_date(task.posted_at),
    )
    matched = []
    for day in days:
        if day.team_size > room:
            continue
        area = await uow.postcode_areas.coordinates(day.postcode_area) if day.postcode_area else None
        fits = best_task_for_team(
            [task], on_date=day.on_date, skills=day.skills, area=area, radius_km=uow.policy.team_day_radius_km
        )
        if fits is None:
            continue
        await _match(day, task, TeamDayVia.MATCHING, uow)
        room -= day.team_size
        matched.append(day.day_id)
    return matched


async def list_open_team_days(command: ListOpenTeamDays, uow: MatchingUnitOfWork) -> list[StaffTeamDay]:
    """The open days staff of the centrale may broker (naming it or no centrale), earliest date first."""
    days = await uow.volunteer_days.open_for_centrale(command.centrale_id)
    names = await uow.partners.names({day.partner_id for day in days})
    return [StaffTeamDay(day, names.get(day.partner_id)) for day in days]


async def assign_team_day(command: AssignTeamDay, uow: MatchingUnitOfWork) -> StaffTeamDay:
    """Staff give an open day to a task of their centrale; Rejected with every rule the pair breaks.

    The rules are matching's own (open, suitable for a team, room for the whole team, taking place that day
    and published by then); the partner's themes, skills and area are theirs to weigh.
    """
    await uow.lock_team_days()
    day = await uow.volunteer_days.get(command.day_id, for_update=True)
    if day is None or day.centrale_id not in (None, command.centrale_id):
        raise NotFound(f"team day {command.day_id} not found")
    if day.status is VolunteerDayStatus.MATCHED:
        raise Conflict(f"team day {day.day_id} was matched already, to task {day.task_id}")
    task = await uow.tasks.get(command.task_id, for_update=True)
    if task is None or task.centrale_id != command.centrale_id:
        raise NotFound(f"task {command.task_id} not found")
    problems = rule_problems(task, day, made=await uow.proposals.count(task.task_id, _MADE))
    if problems:
        raise Rejected(problems, field="task_id")
    await _match(day, task, TeamDayVia.STAFF, uow)
    matched = await uow.volunteer_days.get(day.day_id)
    assert matched is not None, "just matched"
    names = await uow.partners.names([day.partner_id])
    return StaffTeamDay(matched, names.get(day.partner_id))


async def record_partner(command: RecordPartner, uow: MatchingUnitOfWork) -> None:
    """Keep a partner's name for the staff who broker its days."""
    await uow.partners.record(command.partner_id, command.name)


async def _match(day: VolunteerDay, task: Task, via: TeamDayVia, uow: MatchingUnitOfWork) -> None:
    """Hold the team's places, note the day's task, and tell the registry (and through it the partner)."""
    await uow.tasks.reserve_for_team(task.task_id, day.team_size)
    await uow.volunteer_days.mark_matched(day.day_id, task.task_id, uow.now(), via)
    matched = VolunteerDayMatched(
        day_id=day.day_id,
        partner_id=day.partner_id,
        task_id=task.task_id,
        organisation_id=task.profile.organisation_id,
        centrale_id=task.centrale_id,
        matched_at=uow.now(),
        via=via.value,
    )
    await uow.emit(matched, tenant=task.centrale_id)
