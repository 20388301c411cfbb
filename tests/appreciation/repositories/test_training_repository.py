"""TrainingRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from appreciation.domain.trainings import Attendance, Training
from appreciation.unit_of_work import AppreciationUnitOfWork

RECORDED = datetime(2026, 3, 14, 20, 0, tzinfo=UTC)


def _training(**changes: object) -> Training:
    base = Training(uuid4(), "vc-utrecht", "Omgaan met dementie", "training", date(2026, 3, 14))
    return replace(base, **changes)  # type: ignore[arg-type]


def _attendance(training: Training, **changes: object) -> Attendance:
    base = Attendance(uuid4(), training.id, uuid4(), training.centrale_id, True, training.first_day, RECORDED)
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_training_keeps_its_latest_title_and_a_cancellation(uow: AppreciationUnitOfWork) -> None:
    training = _training()
    await uow.trainings.save(training)
    await uow.trainings.cancel(training.id)
    await uow.trainings.save(replace(training, title="Omgaan met dementie (deel 1)"))
    other = _training()
    await uow.trainings.save(other)

    assert await uow.trainings.of_ids([training.id, uuid4()]) == {
        training.id: replace(training, title="Omgaan met dementie (deel 1)", cancelled=True)
    }


async def test_the_latest_record_of_a_booking_counts(uow: AppreciationUnitOfWork) -> None:
    training = _training()
    attended = _attendance(training)
    await uow.trainings.record_attendance(attended)
    corrected = replace(attended, attended=False, recorded_at=RECORDED + timedelta(hours=1))
    await uow.trainings.record_attendance(corrected)
    await uow.trainings.record_attendance(replace(attended, recorded_at=RECORDED - timedelta(hours=1)))

    assert await uow.trainings.attendance_of(attended.volunteer_id) == [corrected]


async def test_a_volunteers_attendance_comes_oldest_first_and_goes_with_them(uow: AppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    later, sooner = _training(first_day=date(2026, 5, 1)), _training(first_day=date(2026, 2, 1))
    entries = [_attendance(t, volunteer_id=volunteer_id, attended_on=t.first_day) for t in (later, sooner)]
    someone_else = _attendance(sooner)
    for entry in (*entries, someone_else):
        await uow.trainings.record_attendance(entry)

    assert await uow.trainings.attendance_of(volunteer_id) == [entries[1], entries[0]]
    await uow.trainings.forget_volunteer(volunteer_id)
    assert await uow.trainings.attendance_of(volunteer_id) == []
    assert await uow.trainings.attendance_of(someone_else.volunteer_id) == [someone_else]
