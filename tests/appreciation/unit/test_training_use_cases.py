"""Trainings followed, on fakes: kept from the registry's events, on the record and the certificate, erased."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from pypdf import PdfReader

from appreciation.domain.trainings import Attendance, Training, TrainingFollowed, trainings_followed
from appreciation.use_cases import awards, certificates, records
from appreciation.use_cases.trainings import (
    CancelTraining,
    RecordAttendance,
    RecordTraining,
    cancel_training,
    record_attendance,
    record_training,
)
from tests.appreciation.builders import CENTRALE, trigger
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

RECORDED = datetime(2026, 3, 14, 21, 0, tzinfo=UTC)


async def _followed(
    uow: FakeAppreciationUnitOfWork, volunteer_id: UUID, title: str, on: date, kind: str = "training"
) -> UUID:
    training = Training(uuid4(), CENTRALE, title, kind, on)
    await record_training(RecordTraining(training), uow)
    attendance = Attendance(uuid4(), training.id, volunteer_id, CENTRALE, True, on, RECORDED)
    assert await record_attendance(RecordAttendance(attendance), uow) is True
    return training.id


def test_only_trainings_attended_are_followed_each_once_oldest_first() -> None:
    volunteer_id = uuid4()
    dementia = Training(uuid4(), CENTRALE, "Omgaan met dementie", "training", date(2026, 3, 14))
    advice = Training(uuid4(), CENTRALE, "Vrijwilligersbeleid", "advice", date(2026, 2, 2))
    absent = Training(uuid4(), CENTRALE, "EHBO", "training", date(2026, 1, 9))
    unknown_id = uuid4()

    def seen(training_id: UUID, on: date, attended: bool = True) -> Attendance:
        return Attendance(uuid4(), training_id, volunteer_id, CENTRALE, attended, on, RECORDED)

    followed = trainings_followed(
        [
            seen(dementia.id, dementia.first_day),
            seen(dementia.id, dementia.first_day),
            seen(advice.id, advice.first_day),
            seen(absent.id, absent.first_day, attended=False),
            seen(unknown_id, date(2026, 4, 1)),
        ],
        {t.id: t for t in (dementia, advice, absent)},
    )
    assert followed == [
        TrainingFollowed(advice.id, "Vrijwilligersbeleid", "advice", date(2026, 2, 2)),
        TrainingFollowed(dementia.id, "Omgaan met dementie", "training", date(2026, 3, 14)),
        TrainingFollowed(unknown_id, "Training", "training", date(2026, 4, 1)),
    ]


async def test_trainings_followed_are_on_the_record_and_a_certificate_without_hours_lists_them(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, "21-29", None, trigger()), uow)
    training_id = await _followed(uow, volunteer_id, "Omgaan met dementie", date(2026, 3, 14))
    await _followed(uow, volunteer_id, "Vrijwilligersbeleid", date(2026, 2, 2), kind="advice")
    cancelled = await _followed(uow, volunteer_id, "Reanimatie", date(2026, 3, 1))
    await cancel_training(CancelTraining(cancelled), uow)

    record = await records.volunteer_record(records.ShowVolunteerRecord(volunteer_id, CENTRALE), uow)
    assert [(t["title"], t["on"]) for t in record["trainings"]] == [
        ("Vrijwilligersbeleid", date(2026, 2, 2)),
        ("Reanimatie", date(2026, 3, 1)),
        ("Omgaan met dementie", date(2026, 3, 14)),
    ]
    assert record["trainings"][-1]["training_id"] == training_id
    assert record["total_hours"] == Decimal(0)

    _, pdf = await certificates.issue_certificate(
        certificates.IssueCertificate(volunteer_id, CENTRALE, "Sanne Bakker", "https://w.example", None), uow
    )
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Trainingen - Vrijwilligersbeleid (2 februari 2026, adviesgesprek)" in text
    assert "- Omgaan met dementie (14 maart 2026)" in text
    assert "Geen trainingen gevolgd" not in text


async def test_attendance_of_an_erased_volunteer_is_not_kept_and_erasure_takes_it_away(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    await _followed(uow, volunteer_id, "Omgaan met dementie", date(2026, 3, 14))
    await awards.erase_volunteer(awards.EraseVolunteer(volunteer_id, CENTRALE, RECORDED + timedelta(days=1)), uow)
    assert uow.trainings.attendance == {}

    training = Training(uuid4(), CENTRALE, "EHBO", "training", date(2026, 4, 1))
    await record_training(RecordTraining(training), uow)
    late = Attendance(uuid4(), training.id, volunteer_id, CENTRALE, True, training.first_day, RECORDED)
    assert await record_attendance(RecordAttendance(late), uow) is False
    assert uow.trainings.attendance == {}
