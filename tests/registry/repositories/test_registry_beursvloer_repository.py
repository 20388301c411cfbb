"""BeursvloerRepository and DealRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from registry.repositories import Deal, Pair, PartnerContact
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_partner, an_organisation
from tests.registry.builders_programmes import a_beurs_event, a_deal, a_request, an_offer


@dataclass
class Floor:
    """A centrale with a company and an admitted organisation."""

    centrale_id: str
    partner_id: UUID
    organisation_id: UUID


async def _floor(uow: RegistryUnitOfWork) -> Floor:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    partner = a_partner()
    await uow.partners.add(partner)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    return Floor(centrale.id, partner.id, organisation.id)


async def test_evenings_read_back_latest_first_within_their_centrale(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    first = a_beurs_event(
        floor.centrale_id, starts_at=NOW + timedelta(days=10), ends_at=NOW + timedelta(days=10, hours=3)
    )
    later = a_beurs_event(floor.centrale_id)
    for event in (first, later):
        await uow.beursvloer.add_event(event)
    elsewhere = await _floor(uow)
    await uow.beursvloer.add_event(a_beurs_event(elsewhere.centrale_id))

    assert await uow.beursvloer.events_of(floor.centrale_id) == [later, first]
    assert await uow.beursvloer.get_event(first.id, floor.centrale_id) == first
    assert await uow.beursvloer.get_event(first.id, elsewhere.centrale_id) is None

    await uow.beursvloer.close_event(first.id, NOW + timedelta(days=11))
    closed = await uow.beursvloer.get_event(first.id, floor.centrale_id)
    assert closed == replace(first, status="closed", closed_at=NOW + timedelta(days=11))


async def test_a_floor_is_an_evening_or_the_continuous_floor_and_lists_oldest_first(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    evening = a_beurs_event(floor.centrale_id)
    await uow.beursvloer.add_event(evening)
    continuous = [
        an_offer(floor.centrale_id, floor.partner_id, posted_at=NOW + timedelta(minutes=n), hours=Decimal("2.345"))
        for n in (2, 1)
    ]
    at_evening = an_offer(floor.centrale_id, floor.partner_id, event_id=evening.id)
    for offer in (*continuous, at_evening):
        await uow.beursvloer.add_offer(offer)
    wish = a_request(floor.centrale_id, floor.organisation_id, event_id=evening.id)
    await uow.beursvloer.add_request(wish)

    listed = await uow.beursvloer.offers(floor.centrale_id, None, open_only=True)
    assert [o.id for o in listed] == [continuous[1].id, continuous[0].id]
    assert listed[0].hours == Decimal("2.35")  # numeric(7, 2)
    assert await uow.beursvloer.offers(floor.centrale_id, evening.id, open_only=True) == [at_evening]
    assert await uow.beursvloer.requests(floor.centrale_id, evening.id, open_only=True) == [wish]
    assert await uow.beursvloer.requests(floor.centrale_id, None, open_only=True) == []
    assert await uow.beursvloer.get_offer(at_evening.id, floor.centrale_id) == at_evening
    assert await uow.beursvloer.get_offer(at_evening.id, "vc-elders") is None
    assert await uow.beursvloer.get_request(wish.id, floor.centrale_id, lock=True) == wish


async def test_a_posting_is_closed_once_and_then_leaves_the_open_floor(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    offer = an_offer(floor.centrale_id, floor.partner_id)
    wish = a_request(floor.centrale_id, floor.organisation_id)
    await uow.beursvloer.add_offer(offer)
    await uow.beursvloer.add_request(wish)
    later = NOW + timedelta(hours=1)

    assert await uow.beursvloer.close_offer(offer.id, "deal", later) is True
    assert await uow.beursvloer.close_offer(offer.id, "withdrawn", later) is False
    assert await uow.beursvloer.close_request(wish.id, "withdrawn", later) is True
    assert await uow.beursvloer.close_request(uuid4(), "withdrawn", later) is False

    assert await uow.beursvloer.offers(floor.centrale_id, None, open_only=True) == []
    [closed] = await uow.beursvloer.offers(floor.centrale_id, None, open_only=False)
    assert (closed.status, closed.close_reason, closed.closed_at) == ("closed", "deal", later)
    [withdrawn] = await uow.beursvloer.requests(floor.centrale_id, None, open_only=False)
    assert withdrawn.close_reason == "withdrawn"


async def test_a_companys_offers_and_an_organisations_requests_come_newest_first(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    offers = [an_offer(floor.centrale_id, floor.partner_id, posted_at=NOW + timedelta(days=n)) for n in (1, 3, 2)]
    wishes = [a_request(floor.centrale_id, floor.organisation_id, posted_at=NOW + timedelta(days=n)) for n in (2, 1)]
    other = await _floor(uow)
    for offer in (*offers, an_offer(other.centrale_id, other.partner_id)):
        await uow.beursvloer.add_offer(offer)
    for wish in (*wishes, a_request(other.centrale_id, other.organisation_id)):
        await uow.beursvloer.add_request(wish)

    assert [o.posted_at.day for o in await uow.beursvloer.offers_of_partner(floor.partner_id)] == [25, 24, 23]
    assert [r.id for r in await uow.beursvloer.requests_of_organisation(floor.organisation_id)] == [
        wishes[0].id,
        wishes[1].id,
    ]


async def test_postings_past_their_date_are_found_while_open(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    day = date(2026, 12, 1)
    past_offer = an_offer(floor.centrale_id, floor.partner_id, available_until=day - timedelta(days=1))
    open_ended = an_offer(floor.centrale_id, floor.partner_id, available_until=None)
    on_the_day = an_offer(floor.centrale_id, floor.partner_id, available_until=day)
    past_request = a_request(floor.centrale_id, floor.organisation_id, needed_by=day - timedelta(days=3))
    closed_request = a_request(floor.centrale_id, floor.organisation_id, needed_by=day - timedelta(days=3))
    for offer in (past_offer, open_ended, on_the_day):
        await uow.beursvloer.add_offer(offer)
    for wish in (past_request, closed_request):
        await uow.beursvloer.add_request(wish)
    await uow.beursvloer.close_request(closed_request.id, "withdrawn", NOW)

    offers, requests = await uow.beursvloer.open_past(day)
    assert ([o.id for o in offers], [r.id for r in requests]) == ([past_offer.id], [past_request.id])


async def test_a_pair_is_kept_once_and_pairs_come_best_first(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    offer = an_offer(floor.centrale_id, floor.partner_id)
    wishes = [a_request(floor.centrale_id, floor.organisation_id) for _ in range(2)]
    await uow.beursvloer.add_offer(offer)
    for wish in wishes:
        await uow.beursvloer.add_request(wish)
    weak = Pair(uuid4(), offer.id, wishes[0].id, floor.centrale_id, 0.5, NOW, reasons=["categorie handen"])
    strong = Pair(uuid4(), offer.id, wishes[1].id, floor.centrale_id, 0.875, NOW, reasons=["onderwerp 1/1: schilderen"])
    assert await uow.beursvloer.add_pair(weak) is True
    assert await uow.beursvloer.add_pair(strong) is True
    assert await uow.beursvloer.add_pair(replace(weak, score=0.9)) is False

    assert await uow.beursvloer.pairs_of([offer.id], []) == [strong, weak]
    assert await uow.beursvloer.pairs_of([], [wishes[0].id]) == [weak]
    assert await uow.beursvloer.pairs_of([uuid4()], [uuid4()]) == []


async def test_a_companys_contact_is_replaced_as_a_whole(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    assert await uow.beursvloer.contact(floor.partner_id) is None
    first = PartnerContact(floor.partner_id, "Eva Jansen", NOW, email="eva@bouwbedrijf.example")
    await uow.beursvloer.put_contact(first)
    second = PartnerContact(floor.partner_id, "Piet Smit", NOW + timedelta(days=1), phone="030 123 45 67")
    await uow.beursvloer.put_contact(second)
    assert await uow.beursvloer.contact(floor.partner_id) == second


async def test_a_deal_reads_back_and_changes_only_the_columns_named(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    deal = a_deal(floor.centrale_id, floor.partner_id, floor.organisation_id, status="pending", made_at=None)
    await uow.deals.add(deal)
    assert await uow.deals.get(deal.id, floor.centrale_id) == deal
    assert await uow.deals.get(deal.id, "vc-elders") is None

    changed = replace(deal, status="made", made_at=NOW, description="not stored", partner_hours=Decimal("1.005"))
    await uow.deals.update(changed, ["status", "made_at", "partner_hours"])
    stored = await uow.deals.get(deal.id, floor.centrale_id, lock=True)
    assert stored == replace(deal, status="made", made_at=NOW, partner_hours=Decimal("1.01"))


async def test_deals_per_floor_and_party_and_those_due_for_follow_up(uow: RegistryUnitOfWork) -> None:
    floor = await _floor(uow)
    evening = a_beurs_event(floor.centrale_id)
    await uow.beursvloer.add_event(evening)
    today = NOW.date()

    def deal(**overrides: Any) -> Deal:
        return a_deal(floor.centrale_id, floor.partner_id, floor.organisation_id, **overrides)

    due = deal(due_on=today - timedelta(days=7), created_at=NOW - timedelta(days=20))
    not_yet = deal(due_on=today - timedelta(days=6), created_at=NOW - timedelta(days=10))
    asked = deal(due_on=today - timedelta(days=30), follow_up_asked_at=NOW)
    pending = deal(due_on=today - timedelta(days=30), status="pending", made_at=None)
    at_evening = deal(due_on=today - timedelta(days=8), event_id=evening.id, created_at=NOW + timedelta(days=1))
    for each in (due, not_yet, asked, pending, at_evening):
        await uow.deals.add(each)

    assert [d.id for d in await uow.deals.due_for_follow_up(today - timedelta(days=7))] == [
        at_evening.id,
        due.id,
    ]
    assert [d.id for d in await uow.deals.of_floor(floor.centrale_id, evening.id)] == [at_evening.id]
    assert len(await uow.deals.of_floor(floor.centrale_id, None)) == 4
    newest = await uow.deals.of_partner(floor.partner_id)
    assert newest[0].id == at_evening.id
    assert newest[-1].id == due.id
    assert [d.id for d in await uow.deals.of_organisation(floor.organisation_id)] == [d.id for d in newest]
