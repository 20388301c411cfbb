"""A volunteer's record, a centrale's awards, and certificates issued and verified, on fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from appreciation.domain import Organisation, Task
from appreciation.use_cases import awards, certificates, records, rules
from appreciation.use_cases.hours import RecordHours, record_hours
from common.clock import ManualClock
from common.errors import Conflict, NotFound
from contracts.events import VolunteerRegistered
from tests.appreciation.builders import CENTRALE, hours_entry, match_of, trigger
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

NAME = "Fatima el Amrani"


async def _volunteer_with_hours(uow: FakeAppreciationUnitOfWork) -> tuple[UUID, UUID]:
    """A volunteer of CENTRALE matched at a food bank with 12 hours; returns volunteer and organisation ids."""
    volunteer_id = uuid4()
    registered = datetime(2026, 1, 5, tzinfo=UTC)
    await awards.record_volunteer(
        awards.RecordVolunteer(
            volunteer_id, CENTRALE, "30-49", registered, trigger(registered.date(), VolunteerRegistered.event_type)
        ),
        uow,
    )
    food_bank, task_id = uuid4(), uuid4()
    await awards.record_organisation(awards.RecordOrganisation(Organisation(food_bank, CENTRALE, "Voedselbank")), uow)
    await awards.record_task(awards.RecordTask(Task(task_id, food_bank, CENTRALE, "ouderen", ("koken",))), uow)
    await awards.record_match(
        awards.RecordMatch(match_of(volunteer_id, organisation_id=food_bank, task_id=task_id), trigger()), uow
    )
    for hours, day in (("8", date(2026, 2, 3)), ("4", date(2026, 2, 10))):
        entry = hours_entry(volunteer_id, hours, day, organisation_id=food_bank, task_id=task_id)
        await record_hours(RecordHours(entry, trigger(day)), uow)
    return volunteer_id, food_bank


async def test_staff_see_a_volunteers_record_with_organisations_tasks_awards_and_certificates(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id, food_bank = await _volunteer_with_hours(uow)
    certificate_id, _ = await certificates.issue_certificate(
        certificates.IssueCertificate(volunteer_id, CENTRALE, NAME, "https://w.example", None), uow
    )

    record = await records.volunteer_record(records.ShowVolunteerRecord(volunteer_id, CENTRALE), uow)

    assert record["total_hours"] == Decimal(12)
    assert (record["first_day"], record["last_day"]) == (date(2026, 2, 3), date(2026, 2, 10))
    assert [(o["organisation_id"], o["name"], o["hours"]) for o in record["organisations"]] == [
        (food_bank, "Voedselbank", Decimal(12))
    ]
    assert [(t["theme"], t["skills"]) for t in record["tasks"]] == [("ouderen", ["koken"])]
    assert record["skills_used"] == ["koken"]
    assert {a["rule_id"] for a in record["awards"]} == {"first-match", "hours-10"}
    assert [c["certificate_id"] for c in record["certificates"]] == [certificate_id]
    assert record["trainings"] == []
    assert "trainings_note" not in record


async def test_another_centrales_staff_never_see_the_volunteer_and_a_volunteer_unknown_yet_has_an_empty_record(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id, _ = await _volunteer_with_hours(uow)
    stranger = uuid4()

    with pytest.raises(NotFound):
        await records.volunteer_record(records.ShowVolunteerRecord(volunteer_id, "vc-other"), uow)
    with pytest.raises(NotFound):
        await records.volunteer_record(records.ShowVolunteerRecord(volunteer_id, "vc-other", must_exist=False), uow)
    with pytest.raises(NotFound):
        await records.volunteer_record(records.ShowVolunteerRecord(stranger, CENTRALE), uow)
    empty = await records.volunteer_record(records.ShowVolunteerRecord(stranger, CENTRALE, must_exist=False), uow)
    assert (empty["total_hours"], empty["awards"], empty["organisations"]) == (Decimal(0), [], [])


async def test_a_centrales_awards_of_a_period_count_per_rule_by_utc_day(
    uow: FakeAppreciationUnitOfWork, clock: ManualClock
) -> None:
    await _volunteer_with_hours(uow)
    today = clock.now().date()

    listed = await records.centrale_awards(records.ListCentraleAwards(CENTRALE, today, today), uow)
    before = await records.centrale_awards(
        records.ListCentraleAwards(CENTRALE, today - timedelta(days=3), today - timedelta(days=1)), uow
    )
    elsewhere = await records.centrale_awards(records.ListCentraleAwards("vc-other", today, today), uow)

    assert listed["total"] == 2
    assert listed["per_rule"] == [{"rule_id": "first-match", "count": 1}, {"rule_id": "hours-10", "count": 1}]
    assert sorted(a["rule_kind"] for a in listed["awards"]) == ["first_match", "hours_milestone"]
    assert (before["total"], elsewhere["total"]) == (0, 0)


async def test_a_certificate_is_a_pdf_whose_hash_and_totals_are_kept_but_not_the_name(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id, _ = await _volunteer_with_hours(uow)
    await rules.set_display_name(rules.SetDisplayName(CENTRALE, "Vrijwilligerscentrale Test"), uow)

    certificate_id, pdf = await certificates.issue_certificate(
        certificates.IssueCertificate(volunteer_id, CENTRALE, NAME, "https://w.example/", None), uow
    )
    facts = await certificates.certificate_facts(certificates.ShowCertificate(certificate_id), uow)

    assert pdf.startswith(b"%PDF")
    stored = uow.certificates.certificates[certificate_id]
    assert (stored.volunteer_id, stored.total_hours, stored.organisations) == (volunteer_id, Decimal(12), 1)
    assert NAME not in repr(uow.certificates.certificates)
    assert facts["issued_by"] == "Vrijwilligerscentrale Test"
    assert (facts["total_hours"], facts["first_day"], facts["issued_on"]) == (
        Decimal(12),
        date(2026, 2, 3),
        uow.now().date(),
    )
    assert "volunteer_id" not in facts
    assert await certificates.verify_certificate(certificates.VerifyCertificate(certificate_id, pdf), uow)
    assert not await certificates.verify_certificate(certificates.VerifyCertificate(certificate_id, pdf + b" "), uow)


async def test_there_is_no_certificate_without_hours_nor_facts_of_an_unknown_one(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, None, None, trigger()), uow)

    with pytest.raises(Conflict, match="no hours"):
        await certificates.issue_certificate(
            certificates.IssueCertificate(volunteer_id, CENTRALE, NAME, "https://w.example", None), uow
        )
    with pytest.raises(NotFound):
        await certificates.certificate_facts(certificates.ShowCertificate(uuid4()), uow)
    with pytest.raises(NotFound):
        await certificates.verify_certificate(certificates.VerifyCertificate(uuid4(), b"%PDF"), uow)
    assert uow.certificates.certificates == {}
