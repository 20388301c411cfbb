"""PartnerRepository and VolunteerDayRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from registry.repositories import DayHours
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_partner, a_volunteer_day


async def _partner(uow: RegistryUnitOfWork) -> UUID:
    partner = a_partner()
    await uow.partners.add(partner)
    return partner.id


async def test_a_partner_exists_once_registered(uow: RegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    assert await uow.partners.exists(partner_id) is True
    assert await uow.partners.exists(uuid4()) is False


async def test_a_partners_reference_names_one_day_only(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    partner_id = await _partner(uow)
    day = a_volunteer_day(partner_id, centrale_id=centrale.id, skills=["schilderen"], postcode_area="3511")
    assert await uow.volunteer_days.add_new(day) is True
    assert await uow.volunteer_days.add_new(a_volunteer_day(partner_id, external_ref=day.external_ref)) is False
    other_partner = await _partner(uow)
    assert await uow.volunteer_days.add_new(a_volunteer_day(other_partner, external_ref=day.external_ref)) is True

    assert await uow.volunteer_days.by_reference(partner_id, day.external_ref) == day
    assert await uow.volunteer_days.by_reference(partner_id, "HR-unknown") is None
    assert await uow.volunteer_days.get(day.id) == day
    assert await uow.volunteer_days.get(day.id, partner_id) == day
    assert await uow.volunteer_days.get(day.id, other_partner) is None


async def test_a_partners_days_come_latest_date_first(uow: RegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    days = [a_volunteer_day(partner_id, on_date=date(2027, 3, n)) for n in (12, 14, 13)]
    for day in days:
        await uow.volunteer_days.add_new(day)
    await uow.volunteer_days.add_new(a_volunteer_day(await _partner(uow)))
    assert [d.on_date.day for d in await uow.volunteer_days.of_partner(partner_id)] == [14, 13, 12]


async def test_a_match_shows_on_the_day_and_opens_it_to_the_matched_organisation_only(uow: RegistryUnitOfWork) -> None:
    day = a_volunteer_day(await _partner(uow))
    await uow.volunteer_days.add_new(day)
    task_id, organisation_id = uuid4(), uuid4()
    assert await uow.volunteer_days.matched_to(day.id, organisation_id, "vc-utrecht") is None

    assert await uow.volunteer_days.record_match(day.id, task_id, organisation_id, "vc-utrecht", NOW) is True
    assert await uow.volunteer_days.record_match(uuid4(), task_id, organisation_id, "vc-utrecht", NOW) is False

    matched = await uow.volunteer_days.matched_to(day.id, organisation_id, "vc-utrecht")
    assert matched is not None
    assert (matched.status, matched.matched_task_id, matched.matched_at) == ("matched", task_id, NOW)
    assert await uow.volunteer_days.matched_to(day.id, uuid4(), "vc-utrecht") is None
    assert await uow.volunteer_days.matched_to(day.id, organisation_id, "vc-zeist") is None


async def test_a_days_hours_read_back_rounded_in_the_order_logged(uow: RegistryUnitOfWork) -> None:
    day = a_volunteer_day(await _partner(uow))
    await uow.volunteer_days.add_new(day)
    later = DayHours(uuid4(), day.id, 6, Decimal("36"), NOW)
    earlier = DayHours(uuid4(), day.id, 2, Decimal("3.5"), NOW - timedelta(hours=2))
    for entry in (later, earlier):
        await uow.volunteer_days.add_hours(entry)
    logged = await uow.volunteer_days.hours_of(day.id)
    assert logged == [earlier, later]
    assert [str(entry.hours_total) for entry in logged] == ["3.50", "36.00"]
    assert await uow.volunteer_days.hours_of(uuid4()) == []


async def test_a_partner_is_read_by_its_id(uow: RegistryUnitOfWork) -> None:
    partner = a_partner()
    await uow.partners.add(partner)
    assert await uow.partners.get(partner.id) == partner
    assert await uow.partners.get(uuid4()) is None
