"""The Beursvloer: keep the offers and requests on the floor and propose, for each new one, its best pairs.

A new offer is held against the open requests of its centrale and kind (and a new request against the offers),
under the centrale's matching turn (``lock_centrale``): of an offer and a request posted at the same moment, the
second to take the turn sees the first, so they always meet. A pair is proposed once (``BeursvloerPairProposed``,
its id derived from the two postings); the registry shows it on the board and to both parties.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.events import BeursvloerPairProposed
from matching.commands import CloseBeursPosting, RecordBeursPosting
from matching.domain.beursvloer import PostingSide, best_pairs
from matching.unit_of_work import MatchingUnitOfWork

__all__ = ["close_beurs_posting", "record_beurs_posting"]

_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def _today(uow: MatchingUnitOfWork) -> date:
    """The Dutch date: postings' dates are Dutch dates."""
    return uow.now().astimezone(_DUTCH_TIME).date()


async def record_beurs_posting(command: RecordBeursPosting, uow: MatchingUnitOfWork) -> list[UUID]:
    """Keep the posting and propose its best pairs not proposed before; the pairs' ids, best first."""
    posting = command.posting
    await uow.lock_centrale(posting.centrale_id)
    if not await uow.beursvloer.add(posting):
        return []  # known already: its pairs were proposed when it came
    if posting.postcode_area is not None:
        located = await uow.postcode_areas.coordinates(posting.postcode_area)
        posting = replace(posting, coordinates=located)
    other_side = PostingSide.REQUEST if posting.side is PostingSide.OFFER else PostingSide.OFFER
    paired = await uow.beursvloer.paired_with(posting.posting_id)
    others = [
        other
        for other in await uow.beursvloer.open_postings(posting.centrale_id, other_side, posting.category)
        if other.posting_id not in paired
    ]
    policy = uow.policy
    proposed = []
    for fit in best_pairs(
        posting,
        others,
        today=_today(uow),
        radius_km=policy.beursvloer_radius_km,
        limit=policy.beursvloer_pairs_per_posting,
    ):
        offer, request = fit.offer, fit.request
        if not await uow.beursvloer.add_pair(fit.pair_id, offer.posting_id, request.posting_id, fit.score, uow.now()):
            continue
        await uow.emit(
            BeursvloerPairProposed(
                pair_id=fit.pair_id,
                offer_id=offer.posting_id,
                request_id=request.posting_id,
                partner_id=offer.owner_id,
                organisation_id=request.owner_id,
                centrale_id=posting.centrale_id,
                event_id=offer.event_id or request.event_id,
                category=posting.category,
                score=fit.score,
                reasons=list(fit.reasons),
                proposed_at=uow.now(),
            ),
            tenant=posting.centrale_id,
        )
        proposed.append(fit.pair_id)
    return proposed


async def close_beurs_posting(command: CloseBeursPosting, uow: MatchingUnitOfWork) -> None:
    """The offer or request left the floor: it pairs no more."""
    await uow.beursvloer.close(command.posting_id, command.closed_at)
