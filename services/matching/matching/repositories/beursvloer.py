"""The Beursvloer's open offers and requests as matching keeps them, and the pairs it proposed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from matching.domain.beursvloer import BeursPosting, PostingSide
from matching.repositories._sql import coordinates, placeholders

__all__ = ["BeursvloerRepository", "PostgresBeursvloerRepository"]

_COLUMNS = (
    "posting_id",
    "side",
    "owner_id",
    "centrale_id",
    "event_id",
    "category",
    "tags",
    "quantity",
    "hours",
    "postcode_area",
    "by_when",
    "posted_at",
)


class BeursvloerRepository(Protocol):
    """Offers and requests on the floor, and the pairs proposed."""

    async def add(self, posting: BeursPosting) -> bool:
        """Keep a posted offer or request; False when it is known already (a redelivery)."""
        ...

    async def close(self, posting_id: UUID, at: datetime) -> None:
        """The offer or request left the floor: it pairs no more."""
        ...

    async def open_postings(self, centrale_id: str, side: PostingSide, category: str) -> list[BeursPosting]:
        """The centrale's open offers (or requests) of a kind, oldest first, with their areas' centroids."""
        ...

    async def paired_with(self, posting_id: UUID) -> set[UUID]:
        """The postings of the other side a posting was paired with already."""
        ...

    async def add_pair(self, pair_id: UUID, offer_id: UUID, request_id: UUID, score: float, at: datetime) -> bool:
        """Keep a proposed pair; False when it was proposed before."""
        ...


def _posting(row: Any) -> BeursPosting:
    return BeursPosting(
        posting_id=row["posting_id"],
        side=PostingSide(row["side"]),
        owner_id=row["owner_id"],
        centrale_id=row["centrale_id"],
        category=row["category"],
        posted_at=row["posted_at"],
        event_id=row["event_id"],
        tags=frozenset(row["tags"]),
        quantity=row["quantity"],
        hours=row["hours"],
        postcode_area=row["postcode_area"],
        by_when=row["by_when"],
        coordinates=coordinates(row),
    )


class PostgresBeursvloerRepository:
    """The floor in ``beurs_postings`` and ``beurs_pairs``."""

    # Built from the column names above, never from input.
    _INSERT = (
        f"INSERT INTO beurs_postings ({', '.join(_COLUMNS)}) VALUES ({placeholders(_COLUMNS)})"  # noqa: S608
        " ON CONFLICT (posting_id) DO NOTHING RETURNING true"
    )
    _SELECT = (
        f"SELECT {', '.join(f'p.{c}' for c in _COLUMNS)}, a.lat, a.lon FROM beurs_postings p"  # noqa: S608
        " LEFT JOIN postcode_areas a ON a.pc4 = p.postcode_area"
    )

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, posting: BeursPosting) -> bool:
        """Keep a posted offer or request; False when it is known already."""
        values = [getattr(posting, column) for column in _COLUMNS]
        values[_COLUMNS.index("tags")] = sorted(posting.tags)
        values[_COLUMNS.index("side")] = posting.side.value
        return bool(await self._conn.fetchval(self._INSERT, *values))

    async def close(self, posting_id: UUID, at: datetime) -> None:
        """The offer or request left the floor."""
        await self._conn.execute(
            "UPDATE beurs_postings SET closed_at = $2 WHERE posting_id = $1 AND closed_at IS NULL", posting_id, at
        )

    async def open_postings(self, centrale_id: str, side: PostingSide, category: str) -> list[BeursPosting]:
        """The centrale's open postings of one side and kind, oldest first."""
        rows = await self._conn.fetch(
            f"{self._SELECT} WHERE p.centrale_id = $1 AND p.side = $2 AND p.category = $3 AND p.closed_at IS NULL"
            " ORDER BY p.posted_at, p.posting_id",
            centrale_id,
            side.value,
            category,
        )
        return [_posting(row) for row in rows]

    async def paired_with(self, posting_id: UUID) -> set[UUID]:
        """The postings of the other side a posting was paired with already."""
        rows = await self._conn.fetch(
            "SELECT CASE WHEN offer_id = $1 THEN request_id ELSE offer_id END AS other FROM beurs_pairs"
            " WHERE offer_id = $1 OR request_id = $1",
            posting_id,
        )
        return {row["other"] for row in rows}

    async def add_pair(self, pair_id: UUID, offer_id: UUID, request_id: UUID, score: float, at: datetime) -> bool:
        """Keep a proposed pair; False when it was proposed before."""
        added = await self._conn.fetchval(
            "INSERT INTO beurs_pairs (pair_id, offer_id, request_id, score, proposed_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT DO NOTHING RETURNING true",
            pair_id,
            offer_id,
            request_id,
            score,
            at,
        )
        return bool(added)
