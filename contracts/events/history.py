"""History brought in from another system, on the hours stream (``registry.hours.v1``), emitted by the registry.

A centrale that starts on the platform with years of history in another system imports it (issue 18): the
hours its volunteers worked before, against an organisation and sometimes a task, without a match. They
count where hours count (milestones, anniversaries, MDT, reporting's months) but as history: what they
earn is recorded, not celebrated anew.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId

__all__ = ["HISTORIC_ENTRIES_PER_EVENT", "HistoricHoursEntry", "HistoricHoursImported"]

# A volunteer's entries of one import travel together, in events of at most this many entries.
HISTORIC_ENTRIES_PER_EVENT = 200


class HistoricHoursEntry(BaseModel):
    """One day's hours a volunteer worked before the platform: where, when, how many. No match."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    hours_id: UUID = Field(description="Id of the entry in the registry; a corrected entry keeps it.")
    organisation_id: UUID = Field(description="The organisation the hours were given to.")
    task_id: UUID | None = Field(None, description="The task, when the other system knew it.")
    theme: str = Field(description="Theme of the task (or what the import said); 'onbekend' when unknown.")
    worked_on: date = Field(description="The day the work was done.")
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2, description="Hours worked that day.")


@register
class HistoricHoursImported(Event):
    """Emitted by the registry when centrale staff import hours a volunteer worked before the platform kept them.

    A volunteer's new or corrected entries of one import, in date order (at most ``HISTORIC_ENTRIES_PER_EVENT``
    per event; more go in further events). A re-run of the same import sends only entries that are new or
    changed, each complete: consumers keep entries by ``hours_id`` and take the latest. Consumers count them
    where they count hours, as history: appreciation marks what they earn as historic (no thank-you), reporting
    counts them in the months they were worked.
    """

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.hours.historic-imported.v1"
    topic: ClassVar[str] = "registry.hours.v1"
    # Keyed by volunteer, like HoursLogged: one volunteer's hours stay in order for milestone counting.
    subject_field: ClassVar[str] = "volunteer_id"

    volunteer_id: UUID = Field(description="Pseudonymous id of the volunteer.")
    centrale_id: CentraleId
    import_source: str = Field(
        description="The system the hours came from, as the centrale named it.", examples=["vrijwilligersbank"]
    )
    entries: list[HistoricHoursEntry] = Field(min_length=1, max_length=HISTORIC_ENTRIES_PER_EVENT)
    imported_at: datetime = Field(description="When the import stored them.")
