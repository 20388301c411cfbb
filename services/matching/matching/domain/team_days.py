"""Which open task a business partner's team day goes to, and the rules every team day's match meets.

A day may lie in the past (an HR system records a day afterwards). Whatever its date, a task can only take
a team on a day it takes place and had been published by (a Dutch date): a task published later did not
exist then, so a team cannot have worked on it. Matching applies these rules when it matches a day by
itself (``best_task_for_team`` over the tasks the repository found with room, in theme and centrale) and
when staff broker a day by hand (``rule_problems``, which also names room, status and team suitability);
the partner's themes, skills and area are preferences: matching follows them, staff may weigh them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from matching.domain.geo import distance_km
from matching.domain.model import Coordinates, Task, TaskStatus, VolunteerDay, dutch_date

__all__ = ["best_task_for_team", "room_for_team", "rule_problems", "timing_problems"]


def timing_problems(task: Task, on_date: date) -> list[str]:
    """Why the task cannot take a team on ``on_date``: it must take place that day and be published by then."""
    problems = []
    if not task.happens_on(on_date):
        problems.append(f"the task does not take place on {on_date.isoformat()}")
    published = dutch_date(task.posted_at)
    if published > on_date:
        problems.append(f"the task was published on {published.isoformat()}, after the day: it did not exist then")
    return problems


def room_for_team(task: Task, made: int) -> int:
    """Places left for a team: the capacity less the matches made and the places teams hold already."""
    return max(task.profile.capacity - task.team_reserved - made, 0)


def rule_problems(task: Task, day: VolunteerDay, *, made: int) -> list[str]:
    """Every reason the task cannot take the day's team (``made``: its matches made); empty when it can."""
    problems = []
    if task.status is not TaskStatus.OPEN:
        problems.append(f"the task is {task.status.value}, not open")
    if not task.profile.team_suitable:
        problems.append("the task is not marked suitable for a team")
    room = room_for_team(task, made)
    if room < day.team_size:
        problems.append(f"the task has room for {room}; the team is {day.team_size}")
    if day.centrale_id is not None and task.centrale_id != day.centrale_id:
        problems.append(f"the partner asked for centrale {day.centrale_id}")
    return problems + timing_problems(task, day.on_date)


def best_task_for_team(
    candidates: Iterable[Task], *, on_date: date, skills: Sequence[str], area: Coordinates | None, radius_km: float
) -> Task | None:
    """The task (already filtered on room, theme and centrale) that best fits the day; the first of equals wins.

    A task must take place on the day, have been published by then and, when both places are known, lie
    within ``radius_km`` of the team's area. Fit is the share of the task's skills the team brings plus how
    close it is.
    """
    best: tuple[float, Task] | None = None
    for task in candidates:
        if timing_problems(task, on_date):
            continue
        distance = None
        if area is not None and task.profile.coordinates is not None:
            distance = distance_km(*area, *task.profile.coordinates)
            if distance > radius_km:
                continue
        wanted = task.profile.skills
        skill_share = len(set(skills) & wanted) / len(wanted) if wanted else 1.0
        closeness = 1.0 - (distance or 0.0) / radius_km
        fit = skill_share + closeness
        if best is None or fit > best[0]:
            best = (fit, task)
    return best[1] if best is not None else None
