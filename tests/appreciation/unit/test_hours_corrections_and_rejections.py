"""Corrected and rejected hours (issue 19): totals and later milestones follow, awards given stay; on fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from appreciation import domain
from appreciation.use_cases import awards
from appreciation.use_cases.hours import (
    CorrectHours,
    RecordHours,
    RejectHours,
    correct_hours,
    record_hours,
    reject_hours,
)
from appreciation.use_cases.records import ShowVolunteerRecord, full_record
from contracts.events import HoursCorrected, VolunteerRegistered
from tests.appreciation.builders import CENTRALE, hours_entry, trigger
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

CORRECTED = "nl.vrijwilligerscentrale.hours.corrected.v1"


async def _volunteer(uow: FakeAppreciationUnitOfWork) -> UUID:
    volunteer_id = uuid4()
    registered = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    cause = trigger(registered.date(), VolunteerRegistered.event_type)
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, "30-49", registered, cause), uow)
    return volunteer_id


async def _logged(uow: FakeAppreciationUnitOfWork, volunteer_id: UUID, hours: str, day: int) -> tuple[UUID, list[UUID]]:
    cause = trigger(date(2026, 2, day))
    entry = hours_entry(volunteer_id, hours, date(2026, 2, day), event_id=cause.event_id)
    return entry.id, await record_hours(RecordHours(entry, cause), uow)


async def _total(uow: FakeAppreciationUnitOfWork, volunteer_id: UUID) -> Decimal:
    record = await full_record(ShowVolunteerRecord(volunteer_id, CENTRALE), uow)
    return record.summary.total_hours


def _milestones(uow: FakeAppreciationUnitOfWork, volunteer_id: UUID) -> list[str]:
    return sorted(a.rule_id for a in uow.awards.awards.values() if a.recipient_id == volunteer_id)


async def test_a_correction_keeps_the_thank_you_and_later_milestones_follow_the_corrected_total(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = await _volunteer(uow)
    wrong, _ = await _logged(uow, volunteer_id, "8", 2)  # meant 3
    _, crossing = await _logged(uow, volunteer_id, "4", 3)
    assert crossing == [domain.award_id_for(CENTRALE, "hours-10", volunteer_id, "")]

    down = trigger(date(2026, 2, 4), CORRECTED)
    assert await correct_hours(CorrectHours(wrong, volunteer_id, Decimal("3"), True, down), uow) == []

    assert await _total(uow, volunteer_id) == Decimal("7.00")
    assert _milestones(uow, volunteer_id) == ["hours-10"]  # never taken back
    # 7 + 17 = 24: the wrong figure would have made 29 and passed 25; the corrected one does not.
    latest, passing = await _logged(uow, volunteer_id, "17", 5)
    assert passing == []
    # A correction upwards is itself what makes the next milestone hold, announced with it as the trigger.
    up = trigger(date(2026, 2, 6), CORRECTED)
    awarded = await correct_hours(CorrectHours(latest, volunteer_id, Decimal("18"), True, up), uow)
    assert awarded == [domain.award_id_for(CENTRALE, "hours-25", volunteer_id, "")]
    assert uow.awards.awards[awarded[0]].trigger_event_type == HoursCorrected.event_type
    assert await _total(uow, volunteer_id) == Decimal("25.00")


async def test_a_rejected_entry_is_taken_out_and_one_that_never_counted_changes_nothing(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = await _volunteer(uow)
    kept, _ = await _logged(uow, volunteer_id, "6", 2)
    rejected, _ = await _logged(uow, volunteer_id, "5.5", 3)  # 11.5: the 10-hour thank-you goes out
    assert _milestones(uow, volunteer_id) == ["hours-10"]

    await reject_hours(RejectHours(rejected, volunteer_id, counted=True), uow)
    await reject_hours(RejectHours(uuid4(), volunteer_id, counted=False), uow)  # a pending entry: never here
    unknown = trigger(date(2026, 2, 4), CORRECTED)
    assert await correct_hours(CorrectHours(uuid4(), volunteer_id, Decimal("9"), False, unknown), uow) == []

    assert await _total(uow, volunteer_id) == Decimal("6.00")
    assert [e.id for e in await uow.hours.of_volunteers([volunteer_id])] == [kept]
    assert _milestones(uow, volunteer_id) == ["hours-10"]


async def test_an_erased_volunteers_correction_brings_nothing_back(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = await _volunteer(uow)
    entry, _ = await _logged(uow, volunteer_id, "3", 2)
    await awards.erase_volunteer(awards.EraseVolunteer(volunteer_id, CENTRALE, datetime(2026, 2, 3, tzinfo=UTC)), uow)

    cause = trigger(date(2026, 2, 4), CORRECTED)
    assert await correct_hours(CorrectHours(entry, volunteer_id, Decimal("12"), True, cause), uow) == []
    await reject_hours(RejectHours(entry, volunteer_id, counted=True), uow)
    assert await uow.hours.of_volunteers([volunteer_id]) == []
    assert volunteer_id not in uow.volunteers.volunteers
