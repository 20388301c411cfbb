"""Beursvloer pairs on the fakes: which offer fits which request and why, and proposing the best once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from contracts.events import BeursvloerPairProposed
from matching.commands import CloseBeursPosting, RecordBeursPosting
from matching.domain.beursvloer import BeursPosting, PostingSide, best_pairs, pair_fit, pair_id, same_floor
from matching.domain.policy import MatchingPolicy
from matching.use_cases import close_beurs_posting, record_beurs_posting
from tests.matching.builders import AREAS, CENTRALE, NOW
from tests.matching.fakes import FakeMatchingUnitOfWork

TODAY = NOW.date()
UTRECHT, OOST, ZEIST, AMERSFOORT = ((a.lat, a.lon) for a in AREAS)


def _offer(**changes: object) -> BeursPosting:
    base = BeursPosting(
        posting_id=uuid4(),
        side=PostingSide.OFFER,
        owner_id=uuid4(),
        centrale_id=CENTRALE,
        category="hands",
        posted_at=NOW,
        tags=frozenset({"schilderen", "klussen"}),
        hours=Decimal(16),
        postcode_area="3511",
        by_when=date(2026, 12, 31),
        coordinates=UTRECHT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _request(**changes: object) -> BeursPosting:
    base = _offer(side=PostingSide.REQUEST, hours=Decimal(12), postcode_area="3512", coordinates=OOST)
    defaults: dict[str, object] = {"by_when": date(2027, 1, 31), "tags": frozenset({"schilderen"})}
    return replace(base, **(defaults | changes))  # type: ignore[arg-type]


def test_a_fitting_pair_is_explained_in_dutch() -> None:
    fit = pair_fit(_offer(), _request(), today=TODAY, radius_km=25)
    assert fit is not None
    assert fit.reasons == (
        "categorie: handen",
        "onderwerp 1/1: schilderen",
        "genoeg: 16 uur aangeboden, 12 gevraagd",
        "op tijd: nodig vóór 31 januari 2027, aangeboden tot 31 december 2026",
        "afstand 0.4 km",
    )
    # 0.4 (every tag) + 0.3 (enough hours) + 0.3 * (1 - 0.44 / 25)
    assert fit.score == pytest.approx(0.9947, abs=1e-4)


@pytest.mark.parametrize(
    ("offer_changes", "request_changes"),
    [
        ({"category": "goods"}, {}),
        ({"centrale_id": "vc-zeist"}, {}),
        ({"event_id": uuid4()}, {"event_id": uuid4()}),
        ({"tags": frozenset({"tuinieren"})}, {}),
        ({"by_when": TODAY - timedelta(days=1)}, {}),
        ({}, {"by_when": TODAY - timedelta(days=1)}),
        ({"coordinates": AMERSFOORT}, {}),
    ],
    ids=["kind", "centrale", "other evening", "nothing in common", "offer over", "request over", "too far"],
)
def test_postings_that_cannot_meet_do_not_pair(
    offer_changes: dict[str, object], request_changes: dict[str, object]
) -> None:
    assert pair_fit(_offer(**offer_changes), _request(**request_changes), today=TODAY, radius_km=15) is None


def test_part_of_the_amount_far_away_and_unknown_places_weigh_less() -> None:
    partly = pair_fit(_offer(hours=Decimal(6)), _request(), today=TODAY, radius_km=25)
    assert partly is not None
    assert "deels: 6 van 12 uur" in partly.reasons
    far = pair_fit(_offer(coordinates=ZEIST), _request(), today=TODAY, radius_km=25)
    unknown = pair_fit(_offer(coordinates=None), _request(), today=TODAY, radius_km=25)
    near = pair_fit(_offer(), _request(), today=TODAY, radius_km=25)
    assert near is not None
    assert far is not None
    assert unknown is not None
    assert near.score > far.score > unknown.score > partly.score
    assert "afstand onbekend" in unknown.reasons


def test_the_continuous_floor_meets_every_evening_and_an_evening_only_itself() -> None:
    evening = uuid4()
    assert same_floor(None, evening)
    assert same_floor(evening, None)
    assert same_floor(evening, evening)
    assert not same_floor(evening, uuid4())
    fit = pair_fit(_offer(event_id=evening), _request(event_id=evening), today=TODAY, radius_km=25)
    assert fit is not None
    assert fit.reasons[-1] == "op dezelfde Beursvloer"


def test_the_best_pairs_come_first_and_no_more_than_asked() -> None:
    offer = _offer()
    near, far, unfit = _request(), _request(coordinates=ZEIST), _request(category="goods")
    pairs = best_pairs(offer, [far, unfit, near], today=TODAY, radius_km=25, limit=1)
    assert [(p.request.posting_id, p.pair_id) for p in pairs] == [
        (near.posting_id, pair_id(offer.posting_id, near.posting_id))
    ]
    assert [p.request.posting_id for p in best_pairs(offer, [far, near], today=TODAY, radius_km=25, limit=5)] == [
        near.posting_id,
        far.posting_id,
    ]


async def test_a_new_posting_gets_its_best_pairs_proposed_once_under_the_centrales_turn(
    uow: FakeMatchingUnitOfWork,
) -> None:
    uow.policy = MatchingPolicy(beursvloer_pairs_per_posting=2)
    requests = [
        _request(coordinates=None, posted_at=NOW - timedelta(hours=n), postcode_area=area)
        for n, area in enumerate(("3512", "3701", "3811", None))
    ]
    for request in requests:
        await record_beurs_posting(RecordBeursPosting(request), uow)
    assert uow.events() == []  # no offers yet

    offer = _offer(coordinates=None)
    proposed = await record_beurs_posting(RecordBeursPosting(offer), uow)

    assert uow.locked[-1] == CENTRALE
    events = [e for e in uow.events(BeursvloerPairProposed) if isinstance(e, BeursvloerPairProposed)]
    assert [e.request_id for e in events] == [requests[0].posting_id, requests[1].posting_id]  # 0.4 km, 7.5 km
    assert [e.pair_id for e in events] == proposed
    first = events[0]
    assert (first.offer_id, first.partner_id, first.organisation_id, first.category) == (
        offer.posting_id,
        offer.owner_id,
        requests[0].owner_id,
        "hands",
    )
    assert "afstand 0.4 km" in first.reasons
    assert {e.tenant for e in uow.emitted} == {CENTRALE}

    assert await record_beurs_posting(RecordBeursPosting(offer), uow) == []  # a redelivery proposes nothing
    await close_beurs_posting(CloseBeursPosting(requests[2].posting_id, NOW), uow)
    again = await record_beurs_posting(RecordBeursPosting(_offer(coordinates=None)), uow)
    assert len(again) == 2
    paired = {e.request_id for e in uow.events(BeursvloerPairProposed) if isinstance(e, BeursvloerPairProposed)}
    assert requests[2].posting_id not in paired  # closed: it pairs no more
