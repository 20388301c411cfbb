"""The in-memory twin of matching's Beursvloer repository (see ``tests/matching/fakes.py``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from matching.domain.beursvloer import BeursPosting, PostingSide

if TYPE_CHECKING:
    from tests.matching.fakes import FakePostcodeAreaRepository

__all__ = ["FakeBeursvloerRepository"]


@dataclass(frozen=True)
class _Pair:
    pair_id: UUID
    offer_id: UUID
    request_id: UUID
    score: float
    proposed_at: datetime


class FakeBeursvloerRepository:
    """Postings and pairs in dicts; areas joined from the fake centroids, as the SQL joins ``postcode_areas``."""

    def __init__(self, areas: FakePostcodeAreaRepository) -> None:
        self._areas = areas
        self.postings: dict[UUID, BeursPosting] = {}
        self.closed: dict[UUID, datetime] = {}
        self.pairs: dict[UUID, _Pair] = {}

    async def add(self, posting: BeursPosting) -> bool:
        if posting.posting_id in self.postings:
            return False
        hours = posting.hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if posting.hours is not None else None
        # As stored: the centroid is joined when read, never kept with the posting.
        self.postings[posting.posting_id] = replace(posting, hours=hours, coordinates=None)
        return True

    async def close(self, posting_id: UUID, at: datetime) -> None:
        if posting_id in self.postings:
            self.closed.setdefault(posting_id, at)

    async def open_postings(self, centrale_id: str, side: PostingSide, category: str) -> list[BeursPosting]:
        rows = [
            replace(p, coordinates=self._areas.areas.get(p.postcode_area) if p.postcode_area else None)
            for p in self.postings.values()
            if (p.centrale_id, p.side, p.category) == (centrale_id, side, category) and p.posting_id not in self.closed
        ]
        return sorted(rows, key=lambda p: (p.posted_at, p.posting_id))

    async def paired_with(self, posting_id: UUID) -> set[UUID]:
        return {
            pair.request_id if pair.offer_id == posting_id else pair.offer_id
            for pair in self.pairs.values()
            if posting_id in (pair.offer_id, pair.request_id)
        }

    async def add_pair(self, pair_id: UUID, offer_id: UUID, request_id: UUID, score: float, at: datetime) -> bool:
        if pair_id in self.pairs or any(
            (p.offer_id, p.request_id) == (offer_id, request_id) for p in self.pairs.values()
        ):
            return False
        self.pairs[pair_id] = _Pair(pair_id, offer_id, request_id, score, at)
        return True
