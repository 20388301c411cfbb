"""PartnerRepository and VolunteerDayRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from registry.repositories import DayHours, DayPlace
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_partner, a_task, a_volunteer_day, an_organisation


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

    assert await uow.volunteer_days.record_match(day.id, task_id, organisation_id, "vc-utrecht", NOW, "staff") is True
    assert await uow.volunteer_days.record_match(uuid4(), task_id, organisation_id, "vc-utrecht", NOW, "staff") is False

    matched = await uow.volunteer_days.matched_to(day.id, organisation_id, "vc-utrecht")
    assert matched is not None
    assert (matched.status, matched.matched_task_id, matched.matched_at, matched.matched_via) == (
        "matched",
        task_id,
        NOW,
        "staff",
    )
    assert await uow.volunteer_days.matched_to(day.id, uuid4(), "vc-utrecht") is None
    assert await uow.volunteer_days.matched_to(day.id, organisation_id, "vc-zeist") is None


async def test_a_days_hours_read_back_rounded_in_the_order_logged(uow: RegistryUnitOfWork) -> None:
    day = a_volunteer_day(await _partner(uow))
    await uow.volunteer_days.add_new(day)
    later = DayHours(uuid4(), day.id, 6, Decimal("36"), NOW)
    earlier = DayHours(uuid4(), day.id, 2, Decimal("3.5"), NOW - timedelta(hours=2), "partner", "pending")
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


async def test_a_days_entries_are_decided_and_superseded_and_only_one_is_confirmed(uow: RegistryUnitOfWork) -> None:
    day = a_volunteer_day(await _partner(uow))
    await uow.volunteer_days.add_new(day)
    first = DayHours(uuid4(), day.id, 6, Decimal("36"), NOW - timedelta(hours=3), decided_at=NOW - timedelta(hours=3))
    reported = DayHours(uuid4(), day.id, 7, Decimal("42"), NOW - timedelta(hours=2), "partner", "pending")
    refused = DayHours(uuid4(), day.id, 8, Decimal("80"), NOW - timedelta(hours=1), "partner", "pending")
    for entry in (first, reported, refused):
        await uow.volunteer_days.add_hours(entry)

    await uow.volunteer_days.supersede_confirmed(day.id, NOW)
    await uow.volunteer_days.decide_hours(reported.id, "confirmed", NOW)
    await uow.volunteer_days.decide_hours(refused.id, "rejected", NOW)

    entries = await uow.volunteer_days.hours_of(day.id)
    assert [(e.id, e.status, e.decided_at) for e in entries] == [
        (first.id, "superseded", first.decided_at),
        (reported.id, "confirmed", NOW),
        (refused.id, "rejected", NOW),
    ]


async def _matched_day(uow: RegistryUnitOfWork, partner_id: UUID, on_date: date, **task: Any) -> DayPlace:
    centrale = a_centrale(name="Vrijwilligerscentrale Utrecht", municipality_code="GM0344")
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id, name="Buurthuis De Linde")
    await uow.organisations.add(organisation)
    stored = a_task(centrale.id, organisation.id, **task)
    await uow.tasks.add(stored)
    day = a_volunteer_day(partner_id, on_date=on_date)
    await uow.volunteer_days.add_new(day)
    await uow.volunteer_days.record_match(day.id, stored.id, organisation.id, centrale.id, NOW, "matching")
    return DayPlace(
        day_id=day.id,
        task_title=stored.title,
        theme=stored.theme,
        organisation_id=organisation.id,
        organisation_name="Buurthuis De Linde",
        centrale_id=centrale.id,
        centrale_name="Vrijwilligerscentrale Utrecht",
        municipality_code="GM0344",
    )


async def test_a_matched_day_is_placed_by_name_and_an_open_one_is_not(uow: RegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    place = await _matched_day(uow, partner_id, date(2026, 11, 4), title="Tuin opknappen", theme="natuur")
    open_day = a_volunteer_day(partner_id)
    await uow.volunteer_days.add_new(open_day)

    assert await uow.volunteer_days.places_of([place.day_id, open_day.id, uuid4()]) == {place.day_id: place}
    organisation_days = await uow.volunteer_days.of_organisation(place.organisation_id, place.centrale_id)
    assert [d.id for d in organisation_days] == [place.day_id]
    assert await uow.volunteer_days.of_organisation(place.organisation_id, "vc-elders") == []


async def test_confirmed_figures_of_a_partner_within_dates(uow: RegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    inside = await _matched_day(uow, partner_id, date(2026, 3, 13))
    waiting = await _matched_day(uow, partner_id, date(2026, 5, 1))
    outside = await _matched_day(uow, partner_id, date(2025, 12, 31))
    other_partner = await _matched_day(uow, await _partner(uow), date(2026, 3, 13))
    confirmed = DayHours(uuid4(), inside.day_id, 7, Decimal("42"), NOW, decided_at=NOW)
    for entry in (
        confirmed,
        DayHours(uuid4(), waiting.day_id, 5, Decimal("20"), NOW, "partner", "pending"),
        DayHours(uuid4(), outside.day_id, 5, Decimal("20"), NOW, decided_at=NOW),
        DayHours(uuid4(), other_partner.day_id, 5, Decimal("20"), NOW, decided_at=NOW),
    ):
        await uow.volunteer_days.add_hours(entry)

    found = await uow.volunteer_days.confirmed_between(partner_id, date(2026, 1, 1), date(2026, 12, 31))

    assert [(day.id, hours) for day, hours in found] == [(inside.day_id, confirmed)]
