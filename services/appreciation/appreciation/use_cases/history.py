"""History an import brought in: a volunteer's hours from before the platform, counted as history.

The registry publishes them as ``HistoricHoursImported`` (a volunteer's entries together, re-sent whole when
corrected). They count towards every rule as any hours do, so milestones, anniversaries, NLdoet and MDT
reflect the years before the platform; but what they make hold is awarded as **historic**: published so the
record shows it, and the registry sends no thank-you for a milestone reached years ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from appreciation.domain import AwardTrigger, HoursEntry
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases._awarding import ensure_centrales, evaluate

__all__ = ["RecordHistoricHours", "record_historic_hours"]


@dataclass(frozen=True)
class RecordHistoricHours:
    """A volunteer's hours from before the platform (new, or corrected under the same ids)."""

    volunteer_id: UUID
    centrale_id: str
    """The volunteer's own centrale: the one that imported them."""
    entries: Sequence[HoursEntry]
    trigger: AwardTrigger


async def record_historic_hours(command: RecordHistoricHours, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Keep the entries (a corrected one replaces what it said), then award what holds, as history."""
    await ensure_centrales(uow, [command.centrale_id])
    claimed = await uow.volunteers.claim({command.volunteer_id: command.centrale_id}, confirmed=True)
    volunteer = claimed.get(command.volunteer_id)
    if volunteer is None:
        return []  # erased: nothing is kept about them
    await uow.hours.put(command.entries)
    return await evaluate(uow, volunteer, replace(command.trigger, historic=True))
