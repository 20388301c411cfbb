"""History an import brought in, on fakes: it counts towards every rule, and what it earns is historic."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from appreciation.domain import HoursEntry
from appreciation.use_cases import awards
from appreciation.use_cases.history import RecordHistoricHours, record_historic_hours
from appreciation.use_cases.hours import RecordHours, record_hours
from contracts.events import AppreciationAwarded, HistoricHoursImported, VolunteerRegistered
from tests.appreciation.builders import CENTRALE, hours_entry, trigger
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

ORGANISATION = uuid4()


def historic(volunteer_id: UUID, hours: str, worked_on: date, *, entry_id: UUID | None = None) -> HoursEntry:
    """An imported entry: no match, no task."""
    return replace(
        hours_entry(volunteer_id, hours, worked_on, organisation_id=ORGANISATION, entry_id=entry_id),
        match_id=None,
        task_id=None,
    )


async def _import(uow: FakeAppreciationUnitOfWork, volunteer_id: UUID, *entries: HoursEntry) -> list[UUID]:
    cause = trigger(date(2026, 3, 14), HistoricHoursImported.event_type)
    return await record_historic_hours(RecordHistoricHours(volunteer_id, CENTRALE, entries, cause), uow)


def _awarded(uow: FakeAppreciationUnitOfWork) -> dict[str, bool]:
    return {e.event.rule_id: e.event.historic for e in uow.emitted if isinstance(e.event, AppreciationAwarded)}


async def test_historic_hours_earn_their_milestones_as_history_and_a_later_one_is_celebrated(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    entries = [historic(volunteer_id, "8", date(2018, 1, day)) for day in range(1, 16)]  # 120 hours in 2018
    awarded = await _import(uow, volunteer_id, *entries)
    assert len(awarded) == 4
    assert _awarded(uow) == {"hours-10": True, "hours-25": True, "hours-50": True, "hours-100": True}
    assert all(a.historic for a in uow.awards.awards.values())

    live = hours_entry(volunteer_id, "24", date(2026, 3, 13))
    for day in range(6):
        live = replace(live, id=uuid4(), worked_on=date(2026, 3, 1 + day))
        await record_hours(RecordHours(live, trigger(live.worked_on)), uow)
    assert _awarded(uow)["hours-250"] is False  # 120 + 144: reached now, on the platform


async def test_a_registration_from_another_system_and_its_history_earn_anniversaries_as_history(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    await _import(uow, volunteer_id, historic(volunteer_id, "3", date(2015, 4, 1)))
    registered = datetime(2015, 2, 1, 9, tzinfo=UTC)
    imported = replace(trigger(date(2026, 3, 14), VolunteerRegistered.event_type), historic=True)
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, "50-66", registered, imported), uow)
    assert _awarded(uow) == {"anniversary-1": True, "anniversary-5": True, "anniversary-10": True}


async def test_a_corrected_historic_entry_replaces_what_it_said_and_awards_stay(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    entry_id = uuid4()
    await _import(uow, volunteer_id, historic(volunteer_id, "12", date(2019, 5, 1), entry_id=entry_id))
    assert _awarded(uow) == {"hours-10": True}
    await _import(uow, volunteer_id, historic(volunteer_id, "4", date(2019, 5, 2), entry_id=entry_id))
    [kept] = await uow.hours.of_volunteers([volunteer_id])
    assert (kept.hours, kept.worked_on) == (Decimal("4"), date(2019, 5, 2))
    assert set(_awarded(uow)) == {"hours-10"}
    await _import(uow, volunteer_id, historic(volunteer_id, "4", date(2019, 5, 2), entry_id=entry_id))
    assert len(uow.emitted) == 1


async def test_historic_hours_of_an_erased_volunteer_leave_nothing(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    await awards.erase_volunteer(awards.EraseVolunteer(volunteer_id, CENTRALE, datetime(2026, 3, 1, tzinfo=UTC)), uow)
    assert await _import(uow, volunteer_id, historic(volunteer_id, "30", date(2018, 1, 1))) == []
    assert await uow.hours.of_volunteers([volunteer_id]) == []
