"""Business partners of the region and the team volunteer days their HR systems post."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "BusinessPartner",
    "DayHours",
    "PartnerRepository",
    "PostgresPartnerRepository",
    "PostgresVolunteerDayRepository",
    "VolunteerDay",
    "VolunteerDayRepository",
]


@dataclass(frozen=True)
class BusinessPartner:
    """A row of ``business_partners``."""

    id: UUID
    name: str
    registered_at: datetime


@dataclass(frozen=True)
class VolunteerDay:
    """A row of ``volunteer_days``: one per (partner, the partner's own reference)."""

    id: UUID
    partner_id: UUID
    external_ref: str
    team_size: int
    on_date: date
    posted_at: datetime
    skills: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    postcode_area: str | None = None
    centrale_id: str | None = None
    status: str = "open"
    matched_task_id: UUID | None = None
    matched_organisation_id: UUID | None = None
    matched_centrale_id: str | None = None
    matched_at: datetime | None = None


@dataclass(frozen=True)
class DayHours:
    """A row of ``volunteer_day_hours``: what a team gave on its day, as the organisation logged it."""

    id: UUID
    day_id: UUID
    participants: int
    hours_total: Decimal
    """As stored: ``numeric(7, 2)``, so two decimals."""
    logged_at: datetime


class PartnerRepository(Protocol):
    """The region's business partners."""

    async def add(self, partner: BusinessPartner) -> None:
        """Store a new partner."""
        ...

    async def exists(self, partner_id: UUID) -> bool:
        """Whether the partner exists."""
        ...

    async def get(self, partner_id: UUID) -> BusinessPartner | None:
        """One partner."""
        ...


class VolunteerDayRepository(Protocol):
    """Partners' volunteer days and the hours logged for them."""

    async def add_new(self, day: VolunteerDay) -> bool:
        """Store the day unless the partner used its reference before (then False, nothing changed).

        A concurrent insert of the same reference is waited for, so a racing retry sees the first day.
        """
        ...

    async def by_reference(self, partner_id: UUID, external_ref: str) -> VolunteerDay | None:
        """The partner's day under its own reference, or None."""
        ...

    async def get(self, day_id: UUID, partner_id: UUID | None = None) -> VolunteerDay | None:
        """A day (the partner's, when given), or None."""
        ...

    async def of_partner(self, partner_id: UUID) -> list[VolunteerDay]:
        """The partner's days, latest date first."""
        ...

    async def record_match(
        self, day_id: UUID, task_id: UUID, organisation_id: UUID, centrale_id: str, at: datetime
    ) -> bool:
        """Note the task matching matched the day to; False when the day is unknown."""
        ...

    async def matched_to(self, day_id: UUID, organisation_id: UUID, centrale_id: str) -> VolunteerDay | None:
        """The day if it was matched to the organisation within the centrale; locked until the transaction ends."""
        ...

    async def add_hours(self, hours: DayHours) -> None:
        """Store what a team gave."""
        ...

    async def hours_of(self, day_id: UUID) -> list[DayHours]:
        """Every entry of hours for the day, in the order logged."""
        ...


PARTNERS = Table("business_partners", BusinessPartner)
DAYS = Table("volunteer_days", VolunteerDay)
DAY_HOURS = Table("volunteer_day_hours", DayHours)


class PostgresPartnerRepository:
    """Business partners in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, partner: BusinessPartner) -> None:
        """Store a new partner."""
        await self._conn.execute(PARTNERS.insert(), *PARTNERS.values(partner))

    async def exists(self, partner_id: UUID) -> bool:
        """Whether the partner exists."""
        return await self._conn.fetchval("SELECT 1 FROM business_partners WHERE id = $1", partner_id) is not None

    async def get(self, partner_id: UUID) -> BusinessPartner | None:
        """One partner."""
        row = await self._conn.fetchrow(PARTNERS.select("id = $1"), partner_id)
        return PARTNERS.load(row) if row else None


class PostgresVolunteerDayRepository:
    """Volunteer days in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_new(self, day: VolunteerDay) -> bool:
        """Store the day unless the partner used its reference before."""
        added = await self._conn.fetchval(
            DAYS.insert(then="ON CONFLICT (partner_id, external_ref) DO NOTHING RETURNING true"), *DAYS.values(day)
        )
        return bool(added)

    async def by_reference(self, partner_id: UUID, external_ref: str) -> VolunteerDay | None:
        """The partner's day under its own reference, or None."""
        row = await self._conn.fetchrow(DAYS.select("partner_id = $1 AND external_ref = $2"), partner_id, external_ref)
        return DAYS.load(row) if row is not None else None

    async def get(self, day_id: UUID, partner_id: UUID | None = None) -> VolunteerDay | None:
        """A day (the partner's, when given), or None."""
        row = await self._conn.fetchrow(
            DAYS.select("id = $1 AND ($2::uuid IS NULL OR partner_id = $2)"), day_id, partner_id
        )
        return DAYS.load(row) if row is not None else None

    async def of_partner(self, partner_id: UUID) -> list[VolunteerDay]:
        """The partner's days, latest date first."""
        rows = await self._conn.fetch(DAYS.select("partner_id = $1", then="ORDER BY on_date DESC, id"), partner_id)
        return DAYS.load_all(rows)

    async def record_match(
        self, day_id: UUID, task_id: UUID, organisation_id: UUID, centrale_id: str, at: datetime
    ) -> bool:
        """Note the task matching matched the day to; False when the day is unknown."""
        updated = await self._conn.execute(
            DAYS.update(["status", "matched_task_id", "matched_organisation_id", "matched_centrale_id", "matched_at"]),
            day_id,
            "matched",
            task_id,
            organisation_id,
            centrale_id,
            at,
        )
        return updated != "UPDATE 0"

    async def matched_to(self, day_id: UUID, organisation_id: UUID, centrale_id: str) -> VolunteerDay | None:
        """The day if it was matched to the organisation within the centrale, locked."""
        row = await self._conn.fetchrow(
            DAYS.select("id = $1 AND matched_organisation_id = $2 AND matched_centrale_id = $3", then="FOR UPDATE"),
            day_id,
            organisation_id,
            centrale_id,
        )
        return DAYS.load(row) if row is not None else None

    async def add_hours(self, hours: DayHours) -> None:
        """Store what a team gave."""
        await self._conn.execute(DAY_HOURS.insert(), *DAY_HOURS.values(hours))

    async def hours_of(self, day_id: UUID) -> list[DayHours]:
        """Every entry of hours for the day, in the order logged."""
        rows = await self._conn.fetch(DAY_HOURS.select("day_id = $1", then="ORDER BY logged_at, id"), day_id)
        return DAY_HOURS.load_all(rows)
