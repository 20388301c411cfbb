"""BeursvloerRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

from matching.domain.beursvloer import BeursPosting, PostingSide
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import AREAS, CENTRALE, NOW


def _posting(side: PostingSide, **changes: object) -> BeursPosting:
    base = BeursPosting(
        posting_id=uuid4(),
        side=side,
        owner_id=uuid4(),
        centrale_id=CENTRALE,
        category="hands",
        posted_at=NOW,
        tags=frozenset({"schilderen", "klussen"}),
        hours=Decimal(16),
        postcode_area="3511",
        by_when=date(2026, 12, 31),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_posting_is_kept_once_and_read_back_with_its_areas_centroid(uow: MatchingUnitOfWork) -> None:
    await uow.postcode_areas.load(AREAS)
    offer = _posting(PostingSide.OFFER, hours=Decimal("2.345"))
    assert await uow.beursvloer.add(offer) is True
    assert await uow.beursvloer.add(replace(offer, category="goods")) is False

    [read] = await uow.beursvloer.open_postings(CENTRALE, PostingSide.OFFER, "hands")
    assert read == replace(offer, hours=Decimal("2.35"), coordinates=(AREAS[0].lat, AREAS[0].lon))


async def test_open_postings_are_of_one_centrale_side_and_kind_oldest_first(uow: MatchingUnitOfWork) -> None:
    later = _posting(PostingSide.REQUEST, posted_at=NOW + timedelta(hours=1), postcode_area=None, tags=frozenset())
    sooner = _posting(PostingSide.REQUEST, event_id=uuid4())
    for posting in (
        later,
        sooner,
        _posting(PostingSide.OFFER),
        _posting(PostingSide.REQUEST, category="goods"),
        _posting(PostingSide.REQUEST, centrale_id="vc-zeist"),
    ):
        await uow.beursvloer.add(posting)

    listed = await uow.beursvloer.open_postings(CENTRALE, PostingSide.REQUEST, "hands")
    assert [p.posting_id for p in listed] == [sooner.posting_id, later.posting_id]
    assert listed[1] == later  # no area: no centroid; no tags
    await uow.beursvloer.close(sooner.posting_id, NOW + timedelta(days=1))
    assert [p.posting_id for p in await uow.beursvloer.open_postings(CENTRALE, PostingSide.REQUEST, "hands")] == [
        later.posting_id
    ]


async def test_a_pair_is_proposed_once_and_known_from_either_side(uow: MatchingUnitOfWork) -> None:
    offer, request, other = uuid4(), uuid4(), uuid4()
    pair_id = uuid4()
    assert await uow.beursvloer.add_pair(pair_id, offer, request, 0.75, NOW) is True
    assert await uow.beursvloer.add_pair(pair_id, offer, request, 0.75, NOW) is False
    assert await uow.beursvloer.add_pair(uuid4(), offer, request, 0.5, NOW) is False  # the same two, another id
    assert await uow.beursvloer.add_pair(uuid4(), offer, other, 0.5, NOW) is True

    assert await uow.beursvloer.paired_with(offer) == {request, other}
    assert await uow.beursvloer.paired_with(request) == {offer}
    assert await uow.beursvloer.paired_with(uuid4()) == set()
