"""Business partners and their team volunteer days, on the fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.errors import Conflict, ContractViolation, NotFound, Rejected
from contracts.events import BusinessPartnerRegistered, VolunteerDayHoursLogged, VolunteerDayPosted
from registry.use_cases.partners import (
    GetVolunteerDay,
    ListVolunteerDays,
    LogVolunteerDayHours,
    PostVolunteerDay,
    RecordVolunteerDayMatch,
    RegisterPartner,
    get_volunteer_day,
    list_volunteer_days,
    log_volunteer_day_hours,
    post_volunteer_day,
    record_volunteer_day_match,
    register_partner,
)
from tests.registry.builders import NOW, a_centrale
from tests.registry.fakes import FakeRegistryUnitOfWork

NEXT_WEEK = (NOW + timedelta(days=7)).date()


def _day(partner_id: UUID, **overrides: Any) -> PostVolunteerDay:
    values: dict[str, Any] = {
        "partner_id": partner_id,
        "external_ref": "HR-2027-031",
        "team_size": 8,
        "on_date": NEXT_WEEK,
        "themes": ["natuur"],
        "postcode_area": "3511",
    }
    return PostVolunteerDay(**(values | overrides))


async def test_a_partner_is_regional(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await register_partner(RegisterPartner("Rabobank Utrecht"), uow)
    assert await uow.partners.exists(partner_id)
    [event] = uow.emitted
    assert isinstance(event.event, BusinessPartnerRegistered)
    assert (event.tenant, event.event.partner_name) == ("region", "Rabobank Utrecht")


async def test_a_retried_post_names_the_first_day_and_a_different_day_under_the_reference_conflicts(
    uow: FakeRegistryUnitOfWork,
) -> None:
    partner_id = await register_partner(RegisterPartner("Bouwbedrijf"), uow)
    first = await post_volunteer_day(_day(partner_id), uow)
    retry = await post_volunteer_day(_day(partner_id), uow)

    assert (first.created, retry.created, retry.day_id) == (True, False, first.day_id)
    assert len(uow.events(VolunteerDayPosted)) == 1
    with pytest.raises(Conflict, match="HR-2027-031"):
        await post_volunteer_day(_day(partner_id, team_size=9), uow)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"on_date": NOW.date() - timedelta(days=366)}, "on_date"),
        ({"centrale_id": "vc-nowhere"}, "centrale_id"),
    ],
)
async def test_a_day_lies_at_most_a_year_back_and_names_a_known_centrale(
    uow: FakeRegistryUnitOfWork, overrides: dict[str, Any], field: str
) -> None:
    partner_id = await register_partner(RegisterPartner("Bouwbedrijf"), uow)
    with pytest.raises(Rejected) as refused:
        await post_volunteer_day(_day(partner_id, **overrides), uow)
    assert refused.value.field == field


async def test_the_partner_reads_the_matched_task_and_the_hours_its_team_gave(uow: FakeRegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    partner_id = await register_partner(RegisterPartner("Bouwbedrijf"), uow)
    posted = await post_volunteer_day(_day(partner_id, centrale_id=centrale.id), uow)
    task_id, organisation_id = uuid4(), uuid4()
    status = await get_volunteer_day(GetVolunteerDay(posted.day_id, partner_id), uow)
    assert (status["status"], status["hours_logged"], status["participants"]) == ("open", Decimal(0), 0)

    await record_volunteer_day_match(RecordVolunteerDayMatch(posted.day_id, task_id, organisation_id, centrale.id), uow)
    with pytest.raises(Rejected, match="before the day took place"):
        await log_volunteer_day_hours(
            LogVolunteerDayHours(posted.day_id, organisation_id, centrale.id, 6, Decimal(36)), uow
        )
    day = uow.tables.volunteer_days[posted.day_id]
    uow.tables.volunteer_days[posted.day_id] = replace(day, on_date=NOW.date() - timedelta(days=1))  # it took place
    hours_id = await log_volunteer_day_hours(
        LogVolunteerDayHours(posted.day_id, organisation_id, centrale.id, 6, Decimal(36)), uow
    )

    status = await get_volunteer_day(GetVolunteerDay(posted.day_id, partner_id), uow)
    assert (status["status"], status["matched_task_id"]) == ("matched", task_id)
    assert (str(status["hours_logged"]), status["participants"]) == ("36.00", 6)
    logged = uow.events(VolunteerDayHoursLogged)[-1]
    assert isinstance(logged, VolunteerDayHoursLogged)
    assert (logged.task_id, logged.hours_total, logged.participants) == (task_id, Decimal("36.00"), 6)
    assert uow.emitted[-1].tenant == centrale.id
    assert isinstance(hours_id, UUID)


async def test_team_hours_are_checked_against_the_announced_team(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await register_partner(RegisterPartner("Bouwbedrijf"), uow)
    posted = await post_volunteer_day(_day(partner_id, team_size=4), uow)
    organisation_id = uuid4()
    await record_volunteer_day_match(RecordVolunteerDayMatch(posted.day_id, uuid4(), organisation_id, "vc-u"), uow)
    with pytest.raises(Rejected) as refused:
        await log_volunteer_day_hours(
            LogVolunteerDayHours(posted.day_id, organisation_id, "vc-u", 5, Decimal(200)), uow
        )
    assert refused.value.reasons == [
        "hours cannot be logged before the day took place",
        "the team was announced with 4 people",
        "at most 24 hours per participant",
    ]
    with pytest.raises(NotFound):
        await log_volunteer_day_hours(LogVolunteerDayHours(posted.day_id, uuid4(), "vc-u", 1, Decimal(1)), uow)


async def test_a_partner_sees_only_its_own_days_latest_first(uow: FakeRegistryUnitOfWork) -> None:
    mine = await register_partner(RegisterPartner("Bank"), uow)
    theirs = await register_partner(RegisterPartner("Verzekeraar"), uow)
    early = await post_volunteer_day(_day(mine, external_ref="a", on_date=date(2027, 3, 12)), uow)
    late = await post_volunteer_day(_day(mine, external_ref="b", on_date=date(2027, 3, 13)), uow)
    other = await post_volunteer_day(_day(theirs), uow)

    assert [d["id"] for d in await list_volunteer_days(ListVolunteerDays(mine), uow)] == [late.day_id, early.day_id]
    with pytest.raises(NotFound):
        await get_volunteer_day(GetVolunteerDay(other.day_id, mine), uow)


async def test_a_match_for_a_day_the_registry_does_not_know_is_a_contract_violation(
    uow: FakeRegistryUnitOfWork,
) -> None:
    with pytest.raises(ContractViolation):
        await record_volunteer_day_match(RecordVolunteerDayMatch(uuid4(), uuid4(), uuid4(), "vc-u"), uow)
