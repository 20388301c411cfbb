"""Which open task a business partner's team day goes to: room for the whole team, on the day, near enough."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from matching.domain.geo import distance_km
from matching.domain.model import Coordinates, Task

__all__ = ["best_task_for_team"]


def best_task_for_team(
    candidates: Iterable[Task], *, on_date: date, skills: Sequence[str], area: Coordinates | None, radius_km: float
) -> Task | None:
    """The task (already filtered on room, theme and centrale) that best fits the day; the first of equals wins.

    A task must happen on the day and, when both places are known, lie within ``radius_km`` of the team's
    area. Fit is the share of the task's skills the team brings plus how close it is.
    """
    best: tuple[float, Task] | None = None
    for task in candidates:
        if not task.happens_on(on_date):
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
