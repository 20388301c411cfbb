"""The Beursvloer on the fakes: offers and requests, evenings, the board, deals, their follow-up and expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from contracts.events import (
    BeursvloerDealFollowedUp,
    BeursvloerDealMade,
    BeursvloerOfferClosed,
    BeursvloerOfferPosted,
    BeursvloerRequestClosed,
    BeursvloerRequestPosted,
)
from registry.beursvloer_rules import Category, Outcome, Side
from registry.use_cases import beursvloer, deals
from registry.use_cases.beursvloer import (
    Party,
    PostingFields,
    board,
    close_beurs_event,
    expire_postings,
    get_partner_contact,
    list_beurs_events,
    list_own_postings,
    post_offer,
    post_request,
    record_pair,
    schedule_beurs_event,
    set_partner_contact,
    withdraw,
)
from registry.use_cases.deals import (
    answer_follow_up,
    ask_follow_ups,
    cancel_deal,
    confirm_deal,
    get_deal,
    list_deals,
    make_deal,
    settle_deal,
)
from registry.use_cases.notices import PrepareNotices, prepare_notices
from tests.registry.builders import NOW, a_centrale, a_partner, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

STAFF = Party("staff", None, "account:staff")
TODAY = NOW.date()


@dataclass
class Floor:
    """A centrale with a company (with a Beursvloer contact) and an admitted organisation."""

    centrale_id: str
    partner_id: UUID
    organisation_id: UUID

    @property
    def partner(self) -> Party:
        return Party("partner", self.partner_id, "credential:hr")

    @property
    def organisation(self) -> Party:
        return Party("organisation", self.organisation_id, "account:org")


@pytest.fixture
async def floor(uow: FakeRegistryUnitOfWork) -> Floor:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    partner = a_partner(name="Bouwbedrijf Jansen")
    await uow.partners.add(partner)
    organisation = an_organisation(centrale.id, name="Voetbalclub De Meern")
    await uow.organisations.add(organisation)
    await set_partner_contact(beursvloer.SetPartnerContact(partner.id, "Eva Jansen", "eva@jansen.example", None), uow)
    return Floor(centrale.id, partner.id, organisation.id)


def _fields(**overrides: Any) -> PostingFields:
    values: dict[str, Any] = {
        "category": Category.HANDS,
        "description": "Vier collega's schilderen een dag",
        "tags": ["schilderen", "klussen"],
        "hours": Decimal(16),
        "postcode_area": "3511",
    }
    return PostingFields(**(values | overrides))


async def _offer(uow: FakeRegistryUnitOfWork, floor: Floor, **overrides: Any) -> UUID:
    cmd = beursvloer.PostOffer(
        floor.centrale_id, floor.partner_id, _fields(**overrides), date(2026, 12, 31), floor.partner
    )
    return await post_offer(cmd, uow)


async def _request(uow: FakeRegistryUnitOfWork, floor: Floor, **overrides: Any) -> UUID:
    values = {"description": "Het clubhuis moet geschilderd", "hours": Decimal(12)} | overrides
    cmd = beursvloer.PostRequest(
        floor.centrale_id, floor.organisation_id, _fields(**values), date(2027, 1, 31), floor.organisation
    )
    return await post_request(cmd, uow)


async def test_an_offer_and_a_request_go_out_without_their_words(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    offer_id = await _offer(uow, floor)
    request_id = await _request(uow, floor)

    [offered] = uow.events(BeursvloerOfferPosted)
    [asked] = uow.events(BeursvloerRequestPosted)
    assert isinstance(offered, BeursvloerOfferPosted)
    assert isinstance(asked, BeursvloerRequestPosted)
    assert (offered.offer_id, offered.partner_id, offered.category, offered.tags, offered.hours) == (
        offer_id,
        floor.partner_id,
        "hands",
        ["klussen", "schilderen"],
        Decimal("16.00"),
    )
    assert (asked.request_id, asked.organisation_id, asked.needed_by, asked.event_id) == (
        request_id,
        floor.organisation_id,
        date(2027, 1, 31),
        None,
    )
    assert {e.tenant for e in uow.emitted} == {floor.centrale_id}
    assert "schilderen een dag" not in str([e.event.model_dump() for e in uow.emitted])


async def test_a_company_posts_only_for_itself_and_an_organisation_must_be_admitted(
    uow: FakeRegistryUnitOfWork, floor: Floor
) -> None:
    stranger = Party("partner", uuid4(), "credential:other")
    with pytest.raises(NotFound):
        await post_offer(beursvloer.PostOffer(floor.centrale_id, floor.partner_id, _fields(), None, stranger), uow)
    pending = an_organisation(floor.centrale_id, status="pending")
    await uow.organisations.add(pending)
    with pytest.raises(Conflict, match="not admitted"):
        await post_request(beursvloer.PostRequest(floor.centrale_id, pending.id, _fields(), None, STAFF), uow)
    assert uow.emitted == []


@pytest.mark.parametrize(
    ("until", "event", "field"),
    [(TODAY - timedelta(days=1), None, None), (None, "unknown", "event_id"), (None, "closed", "event_id")],
)
async def test_a_posting_needs_a_date_ahead_and_an_open_evening_of_its_centrale(
    uow: FakeRegistryUnitOfWork, floor: Floor, until: date | None, event: str | None, field: str | None
) -> None:
    event_id = uuid4() if event == "unknown" else None
    if event == "closed":
        event_id = await _evening(uow, floor)
        await close_beurs_event(beursvloer.CloseBeursEvent(floor.centrale_id, event_id), uow)
    cmd = beursvloer.PostOffer(floor.centrale_id, floor.partner_id, _fields(event_id=event_id), until, STAFF)
    with pytest.raises(Rejected) as refused:
        await post_offer(cmd, uow)
    assert refused.value.field == field


async def _evening(uow: FakeRegistryUnitOfWork, floor: Floor) -> UUID:
    cmd = beursvloer.ScheduleBeursEvent(
        floor.centrale_id, "Beursvloer 2026", "Stadhuis", NOW + timedelta(days=2), NOW + timedelta(days=2, hours=3)
    )
    return await schedule_beurs_event(cmd, uow)


async def test_an_evening_ends_after_it_starts_and_is_closed_once(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    with pytest.raises(Rejected) as refused:
        await schedule_beurs_event(
            beursvloer.ScheduleBeursEvent(floor.centrale_id, "Beursvloer", "Stadhuis", NOW + timedelta(hours=3), NOW),
            uow,
        )
    assert refused.value.field == "ends_at"
    event_id = await _evening(uow, floor)
    await close_beurs_event(beursvloer.CloseBeursEvent(floor.centrale_id, event_id), uow)
    with pytest.raises(Conflict):
        await close_beurs_event(beursvloer.CloseBeursEvent(floor.centrale_id, event_id), uow)
    with pytest.raises(NotFound):
        await close_beurs_event(beursvloer.CloseBeursEvent("vc-elders", event_id), uow)


async def test_only_the_owner_or_staff_withdraws_a_posting_and_only_once(
    uow: FakeRegistryUnitOfWork, floor: Floor
) -> None:
    request_id = await _request(uow, floor)
    other = Party("organisation", uuid4(), "account:other")
    with pytest.raises(NotFound):
        await withdraw(beursvloer.Withdraw(floor.centrale_id, "request", request_id, other), uow)
    await withdraw(beursvloer.Withdraw(floor.centrale_id, "request", request_id, floor.organisation), uow)
    [closed] = uow.events(BeursvloerRequestClosed)
    assert isinstance(closed, BeursvloerRequestClosed)
    assert (closed.request_id, closed.reason) == (request_id, "withdrawn")
    with pytest.raises(Conflict, match="withdrawn"):
        await withdraw(beursvloer.Withdraw(floor.centrale_id, "request", request_id, STAFF), uow)


async def test_staff_record_a_deal_that_stands_at_once_and_takes_both_postings_off_the_floor(
    uow: FakeRegistryUnitOfWork, floor: Floor
) -> None:
    offer_id, request_id = await _offer(uow, floor), await _request(uow, floor)
    due = TODAY + timedelta(days=14)
    deal = await make_deal(deals.MakeDeal(floor.centrale_id, STAFF, due, offer_id, request_id), uow)

    assert (deal.status, deal.confirmed_by, deal.hours, deal.description) == (
        "made",
        "staff",
        Decimal("12.00"),  # what both can meet: 16 offered, 12 asked
        "Vier collega's schilderen een dag",
    )
    [made] = uow.events(BeursvloerDealMade)
    assert isinstance(made, BeursvloerDealMade)
    assert (made.deal_id, made.partner_id, made.organisation_id, made.hours, made.due_on, made.confirmed_by) == (
        deal.id,
        floor.partner_id,
        floor.organisation_id,
        Decimal("12.00"),
        due,
        "staff",
    )
    assert [type(e).__name__ for e in uow.events()][-3:] == [
        "BeursvloerDealMade",
        "BeursvloerOfferClosed",
        "BeursvloerRequestClosed",
    ]
    with pytest.raises(Rejected) as refused:
        await make_deal(deals.MakeDeal(floor.centrale_id, STAFF, due, offer_id=offer_id), uow)
    assert refused.value.field == "offer_id"


async def test_an_offer_that_serves_several_stays_on_the_floor(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    offer_id = await _offer(uow, floor, category=Category.GOODS, hours=None, quantity=10)
    request_id = await _request(uow, floor, category=Category.GOODS, hours=None, quantity=3)
    cmd = deals.MakeDeal(floor.centrale_id, STAFF, TODAY, offer_id, request_id, closes_offer=False)
    deal = await make_deal(cmd, uow)
    assert deal.quantity == 3
    assert uow.events(BeursvloerOfferClosed) == []
    offer = await uow.beursvloer.get_offer(offer_id, floor.centrale_id)
    assert offer is not None
    assert offer.status == "open"


async def test_the_offer_and_the_request_must_be_of_one_kind(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    offer_id = await _offer(uow, floor)
    request_id = await _request(uow, floor, category=Category.GOODS, hours=None, quantity=2)
    with pytest.raises(Rejected) as refused:
        await make_deal(deals.MakeDeal(floor.centrale_id, STAFF, TODAY, offer_id, request_id), uow)
    assert (refused.value.field, refused.value.reasons) == (
        "request_id",
        ["the offer gives hands, the request asks for goods"],
    )


async def test_a_deal_without_postings_names_both_parties_and_what(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    with pytest.raises(Rejected) as refused:
        await make_deal(deals.MakeDeal(floor.centrale_id, STAFF, TODAY - timedelta(days=1)), uow)
    assert refused.value.field == "partner_id"
    assert len(refused.value.reasons) == 5
    cmd = deals.MakeDeal(
        floor.centrale_id,
        STAFF,
        TODAY,
        partner_id=floor.partner_id,
        organisation_id=floor.organisation_id,
        category=Category.KNOWLEDGE,
        description="Advies over de jaarrekening",
        hours=Decimal(4),
    )
    deal = await make_deal(cmd, uow)
    assert (deal.status, deal.category, deal.offer_id, deal.request_id) == ("made", "knowledge", None, None)


async def test_a_partys_deal_waits_for_the_other_partys_yes(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    offer_id, request_id = await _offer(uow, floor), await _request(uow, floor)
    due = TODAY + timedelta(days=7)
    deal = await make_deal(deals.MakeDeal(floor.centrale_id, floor.partner, due, offer_id, request_id), uow)
    assert (deal.status, deal.partner_confirmed_at, deal.organisation_confirmed_at) == ("pending", NOW, None)
    assert uow.events(BeursvloerDealMade) == []
    [notice] = uow.tables.notices.values()
    assert (notice.kind, notice.recipient_kind, notice.recipient_id, notice.deal_id, notice.status) == (
        "deal_to_confirm",
        "organisation",
        floor.organisation_id,
        deal.id,
        "pending",
    )
    with pytest.raises(NotFound):
        await confirm_deal(deals.ConfirmDeal(floor.centrale_id, deal.id, Party("organisation", uuid4(), "x")), uow)

    confirmed = await confirm_deal(deals.ConfirmDeal(floor.centrale_id, deal.id, floor.organisation), uow)
    assert (confirmed.status, confirmed.confirmed_by) == ("made", "parties")
    [made] = uow.events(BeursvloerDealMade)
    assert isinstance(made, BeursvloerDealMade)
    assert made.confirmed_by == "parties"
    with pytest.raises(Conflict, match="deal is made"):
        await cancel_deal(deals.CancelDeal(floor.centrale_id, deal.id, floor.partner), uow)


async def test_a_pending_deal_is_cancelled_by_either_party(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    cmd = deals.MakeDeal(
        floor.centrale_id,
        floor.organisation,
        TODAY,
        partner_id=floor.partner_id,
        organisation_id=floor.organisation_id,
        category=Category.GOODS,
        description="Tien laptops",
        quantity=10,
    )
    deal = await make_deal(cmd, uow)
    [notice] = uow.tables.notices.values()
    assert (notice.recipient_kind, notice.recipient_id) == ("partner", floor.partner_id)
    await cancel_deal(deals.CancelDeal(floor.centrale_id, deal.id, floor.partner), uow)
    stored = await uow.deals.get(deal.id, floor.centrale_id)
    assert stored is not None
    assert stored.status == "cancelled"
    with pytest.raises(Conflict, match="deal is cancelled: it can become nothing else, not made"):
        await confirm_deal(deals.ConfirmDeal(floor.centrale_id, deal.id, floor.organisation), uow)


async def _standing_deal(uow: FakeRegistryUnitOfWork, floor: Floor, due: date) -> UUID:
    offer_id, request_id = await _offer(uow, floor), await _request(uow, floor)
    return (await make_deal(deals.MakeDeal(floor.centrale_id, STAFF, due, offer_id, request_id), uow)).id


async def test_the_follow_up_is_asked_once_after_the_date_plus_the_days(
    uow: FakeRegistryUnitOfWork, floor: Floor, clock: ManualClock
) -> None:
    deal_id = await _standing_deal(uow, floor, TODAY + timedelta(days=3))
    no_contact = a_partner(name="Zonder contact")
    await uow.partners.add(no_contact)
    other = await make_deal(
        deals.MakeDeal(
            floor.centrale_id,
            STAFF,
            TODAY + timedelta(days=3),
            partner_id=no_contact.id,
            organisation_id=floor.organisation_id,
            category=Category.GOODS,
            description="Vijf bureaustoelen",
            quantity=5,
        ),
        uow,
    )
    clock.advance(timedelta(days=3 + 6))
    uow.renew()
    assert await ask_follow_ups(deals.AskFollowUps(7), uow) == {"deals": 0, "notices": 0}

    clock.advance(timedelta(days=1))
    uow.renew()
    assert await ask_follow_ups(deals.AskFollowUps(7), uow) == {"deals": 2, "notices": 4}
    asked = {(n.deal_id, n.recipient_kind): (n.kind, n.status, n.reason) for n in uow.tables.notices.values()}
    assert asked[(deal_id, "partner")] == ("deal_follow_up", "pending", None)
    assert asked[(deal_id, "organisation")] == ("deal_follow_up", "pending", None)
    assert asked[(other.id, "partner")] == ("deal_follow_up", "not_sent", "no_contact")
    assert await ask_follow_ups(deals.AskFollowUps(7), uow) == {"deals": 0, "notices": 0}


async def test_both_answers_settle_the_deal_the_careful_one_counting(
    uow: FakeRegistryUnitOfWork, floor: Floor, clock: ManualClock
) -> None:
    deal_id = await _standing_deal(uow, floor, TODAY + timedelta(days=2))
    early = deals.AnswerFollowUp(floor.centrale_id, deal_id, Side.PARTNER, Outcome.DONE, None, floor.partner)
    with pytest.raises(Conflict, match="due on"):
        await answer_follow_up(early, uow)
    clock.advance(timedelta(days=2))
    uow.renew()

    with pytest.raises(Rejected) as refused:
        await answer_follow_up(
            deals.AnswerFollowUp(
                floor.centrale_id, deal_id, Side.ORGANISATION, Outcome.PARTLY, None, floor.organisation
            ),
            uow,
        )
    assert (refused.value.field, refused.value.reasons) == (
        "hours",
        ["say how many of the 12.00 hours were given (hours)"],
    )
    with pytest.raises(NotFound):  # a company answers only for its own side
        await answer_follow_up(
            deals.AnswerFollowUp(floor.centrale_id, deal_id, Side.ORGANISATION, Outcome.DONE, None, floor.partner), uow
        )

    first = await answer_follow_up(early, uow)
    assert (first.status, first.partner_answer) == ("made", "done")
    assert uow.events(BeursvloerDealFollowedUp) == []
    settled = await answer_follow_up(
        deals.AnswerFollowUp(
            floor.centrale_id, deal_id, Side.ORGANISATION, Outcome.PARTLY, Decimal(8), floor.organisation
        ),
        uow,
    )
    assert (settled.status, settled.hours_given, settled.settled_by) == ("partly", Decimal("8.00"), "parties")
    [followed_up] = uow.events(BeursvloerDealFollowedUp)
    assert isinstance(followed_up, BeursvloerDealFollowedUp)
    assert (followed_up.outcome, followed_up.hours_given, followed_up.settled_by) == ("partly", Decimal(8), "parties")
    with pytest.raises(Conflict):
        await settle_deal(deals.SettleDeal(floor.centrale_id, deal_id, Outcome.DONE, None), uow)


async def test_staff_settle_a_deal_whatever_the_sides_said(
    uow: FakeRegistryUnitOfWork, floor: Floor, clock: ManualClock
) -> None:
    deal_id = await _standing_deal(uow, floor, TODAY)
    settled = await settle_deal(deals.SettleDeal(floor.centrale_id, deal_id, Outcome.DONE, None), uow)
    assert (settled.status, settled.hours_given, settled.settled_by) == ("done", Decimal("12.00"), "staff")
    not_done = await _standing_deal(uow, floor, TODAY)
    settled = await settle_deal(deals.SettleDeal(floor.centrale_id, not_done, Outcome.NOT, None), uow)
    assert (settled.status, settled.hours_given) == ("not", Decimal(0))


async def test_a_party_sees_how_to_reach_the_other_once_the_deal_stands(
    uow: FakeRegistryUnitOfWork, floor: Floor
) -> None:
    pending = await make_deal(
        deals.MakeDeal(floor.centrale_id, floor.partner, TODAY, await _offer(uow, floor), await _request(uow, floor)),
        uow,
    )
    shown = await get_deal(deals.GetDeal(floor.centrale_id, pending.id, floor.organisation), uow)
    assert "contacts" not in shown
    await confirm_deal(deals.ConfirmDeal(floor.centrale_id, pending.id, floor.organisation), uow)

    for_organisation = await get_deal(deals.GetDeal(floor.centrale_id, pending.id, floor.organisation), uow)
    assert for_organisation["contacts"] == {
        "partner": {"name": "Eva Jansen", "email": "eva@jansen.example", "phone": None}
    }
    for_partner = await get_deal(deals.GetDeal(floor.centrale_id, pending.id, floor.partner), uow)
    assert for_partner["contacts"]["organisation"]["email"] == "anna@voedselbank.example"
    assert set((await get_deal(deals.GetDeal(floor.centrale_id, pending.id, STAFF), uow))["contacts"]) == {
        "partner",
        "organisation",
    }
    with pytest.raises(NotFound):
        await get_deal(deals.GetDeal(floor.centrale_id, pending.id, Party("partner", uuid4(), "x")), uow)


async def test_the_board_of_an_evening_counts_and_lists_without_contacts(
    uow: FakeRegistryUnitOfWork, floor: Floor
) -> None:
    event_id = await _evening(uow, floor)
    offer_id = await _offer(uow, floor, event_id=event_id)
    second_offer = await _offer(uow, floor, event_id=event_id, category=Category.GOODS, hours=None, quantity=4)
    request_id = await _request(uow, floor, event_id=event_id)
    await _offer(uow, floor)  # the continuous floor: not on the evening's board
    await record_pair(
        beursvloer.RecordPair(uuid4(), offer_id, request_id, floor.centrale_id, event_id, 0.8125, ["categorie handen"]),
        uow,
    )
    shown = await board(beursvloer.BoardQuery(floor.centrale_id, event_id), uow)
    assert (shown["mode"], shown["event"]["title"]) == ("event", "Beursvloer 2026")
    assert shown["counts"]["offers_open"] == 2
    assert shown["counts"]["pairs_proposed"] == 1
    assert [p["score"] for p in shown["pairs"]] == [0.81]
    assert shown["pairs"][0]["partner"] == "Bouwbedrijf Jansen"

    await make_deal(deals.MakeDeal(floor.centrale_id, STAFF, TODAY, offer_id, request_id), uow)
    shown = await board(beursvloer.BoardQuery(floor.centrale_id, event_id), uow)
    assert shown["counts"] | {"deals_by_category": None} == {
        "offers_open": 1,
        "requests_open": 0,
        "offers_posted": 2,
        "requests_posted": 1,
        "pairs_proposed": 0,
        "deals_pending": 0,
        "deals_made": 1,
        "deals_by_category": None,
        "deals_followed_up": 0,
        "deals_done": 0,
    }
    assert shown["counts"]["deals_by_category"] == {"goods": 0, "knowledge": 0, "hands": 1}
    assert [o["id"] for o in shown["offers"]] == [second_offer]
    [deal] = shown["deals"]
    assert (deal["partner"], deal["organisation"], deal["event_id"]) == (
        "Bouwbedrijf Jansen",
        "Voetbalclub De Meern",
        event_id,
    )
    assert "eva@jansen.example" not in str(shown)
    assert "anna@voedselbank.example" not in str(shown)
    continuous = await board(beursvloer.BoardQuery(floor.centrale_id, None), uow)
    assert (continuous["mode"], continuous["counts"]["offers_open"], continuous["deals"]) == ("continuous", 1, [])


async def test_postings_past_their_date_leave_the_floor(
    uow: FakeRegistryUnitOfWork, floor: Floor, clock: ManualClock
) -> None:
    offer_id = await _offer(uow, floor)
    await _request(uow, floor)
    clock.advance(timedelta(days=40))  # after the offer's 31 December, before the request's 31 January
    uow.renew()
    assert await expire_postings(beursvloer.ExpirePostings(), uow) == {"offers": 1, "requests": 0}
    [closed] = uow.events(BeursvloerOfferClosed)
    assert isinstance(closed, BeursvloerOfferClosed)
    assert (closed.offer_id, closed.reason) == (offer_id, "expired")
    assert await expire_postings(beursvloer.ExpirePostings(), uow) == {"offers": 0, "requests": 0}


async def test_a_pair_is_recorded_once_and_listed_with_the_owners_postings(
    uow: FakeRegistryUnitOfWork, floor: Floor
) -> None:
    offer_id, request_id = await _offer(uow, floor), await _request(uow, floor)
    pair = beursvloer.RecordPair(uuid4(), offer_id, request_id, floor.centrale_id, None, 0.75, ["afstand 0.4 km"], NOW)
    assert await record_pair(pair, uow) is True
    assert await record_pair(pair, uow) is False
    [mine] = await list_own_postings(beursvloer.ListOwnPostings(floor.organisation, floor.centrale_id), uow)
    assert [(p["offer_id"], p["partner"], p["reasons"]) for p in mine["pairs"]] == [
        (offer_id, "Bouwbedrijf Jansen", ["afstand 0.4 km"])
    ]
    elsewhere = await list_own_postings(beursvloer.ListOwnPostings(floor.organisation, "vc-elders"), uow)
    assert elsewhere == []


async def test_a_companys_contact_needs_a_way_to_reach_them(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    newcomer = a_partner(name="Nieuw bedrijf")
    await uow.partners.add(newcomer)
    with pytest.raises(NotFound, match="no Beursvloer contact"):
        await get_partner_contact(beursvloer.GetPartnerContact(newcomer.id), uow)
    with pytest.raises(Rejected) as refused:
        await set_partner_contact(beursvloer.SetPartnerContact(newcomer.id, "Piet", None, None), uow)
    assert refused.value.field == "email"
    with pytest.raises(NotFound):
        await set_partner_contact(beursvloer.SetPartnerContact(uuid4(), "Piet", "piet@x.example", None), uow)
    contact = await get_partner_contact(beursvloer.GetPartnerContact(floor.partner_id), uow)
    assert (contact.name, contact.email) == ("Eva Jansen", "eva@jansen.example")


async def test_each_party_lists_its_own_deals_and_staff_the_evenings(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    event_id = await _evening(uow, floor)
    deal_id = await _standing_deal(uow, floor, TODAY)
    [listed] = await list_deals(deals.ListDeals(floor.partner), uow)
    assert (listed["id"], listed["organisation"], listed["status"]) == (deal_id, "Voetbalclub De Meern", "made")
    assert [d["id"] for d in await list_deals(deals.ListDeals(floor.organisation, floor.centrale_id), uow)] == [deal_id]
    assert await list_deals(deals.ListDeals(floor.organisation, "vc-elders"), uow) == []
    assert [e.id for e in await list_beurs_events(beursvloer.ListBeursEvents(floor.centrale_id), uow)] == [event_id]


async def test_a_companys_notice_is_mailed_to_its_contact_with_the_deal_in_it(
    uow: FakeRegistryUnitOfWork, floor: Floor
) -> None:
    offer_id, request_id = await _offer(uow, floor), await _request(uow, floor)
    deal = await make_deal(
        deals.MakeDeal(floor.centrale_id, floor.organisation, TODAY + timedelta(days=7), offer_id, request_id), uow
    )
    notices = list(uow.tables.notices.values())
    mail = await prepare_notices(PrepareNotices(notices, True, "https://portaal.example"), uow)
    assert mail is not None
    assert (mail.to, mail.subject) == (
        "eva@jansen.example",
        "Bevestig uw Beursvloer-afspraak: Vier collega's schilderen een dag",
    )
    assert "Beste Eva Jansen," in mail.text
    assert "vóór 29 november 2026" in mail.text
    assert f"https://portaal.example/beursvloer/afspraken/{deal.id}" in mail.text
    assert "Beursvloer-afspraken van uw bedrijf" in mail.text  # the footer for a company


async def test_an_offer_taken_by_one_deal_cannot_be_dealt_again(uow: FakeRegistryUnitOfWork, floor: Floor) -> None:
    offer_id = await _offer(uow, floor)
    first, second = await _request(uow, floor), await _request(uow, floor)
    waiting = await make_deal(deals.MakeDeal(floor.centrale_id, floor.organisation, TODAY, offer_id, first), uow)
    await make_deal(deals.MakeDeal(floor.centrale_id, STAFF, TODAY, offer_id, second), uow)  # takes the offer
    with pytest.raises(Conflict, match="the offer left the floor meanwhile"):
        await confirm_deal(deals.ConfirmDeal(floor.centrale_id, waiting.id, floor.partner), uow)
    stored = await uow.deals.get(waiting.id, floor.centrale_id)
    assert stored is not None
    assert stored.status == "pending"
    assert len(uow.events(BeursvloerDealMade)) == 1
