"""Business partners of the region and the team volunteer days their HR systems post."""

from __future__ import annotations

from collections.abc import Collection
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
    "DayPlace",
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
    matched_via: str | None = None
    """``matching`` (found by itself) or ``staff`` (brokered by hand), as ``VolunteerDayMatched`` said."""


@dataclass(frozen=True)
class DayHours:
    """A row of ``volunteer_day_hours``: what a team gave on its day, as the organisation or the partner logged it.

    The organisation's own entry is confirmed when logged; the partner's waits (``pending``) until the
    organisation confirms or rejects it. A day's figure is its one ``confirmed`` entry; a later
    confirmation supersedes it.
    """

    id: UUID
    day_id: UUID
    participants: int
    hours_total: Decimal
    """As stored: ``numeric(7, 2)``, so two decimals."""
    logged_at: datetime
    reported_by: str = "organisation"
    """``organisation`` or ``partner``."""
    status: str = "confirmed"
    """``pending``, ``confirmed``, ``superseded`` or ``rejected``."""
    decided_at: datetime | None = None
    """When it was confirmed or rejected."""


@dataclass(frozen=True)
class DayPlace:
    """Where a matched day took place, by name: the task, its organisation, centrale and municipality."""

    day_id: UUID
    task_title: str
    theme: str
    organisation_id: UUID
    organisation_name: str
    centrale_id: str
    centrale_name: str
    municipality_code: str


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
        self, day_id: UUID, task_id: UUID, organisation_id: UUID, centrale_id: str, at: datetime, via: str
    ) -> bool:
        """Note the task matching matched the day to, and how (``matching`` or ``staff``); False when unknown."""
        ...

    async def matched_to(self, day_id: UUID, organisation_id: UUID, centrale_id: str) -> VolunteerDay | None:
        """The day if it was matched to the organisation within the centrale; locked until the transaction ends."""
        ...

    async def of_organisation(self, organisation_id: UUID, centrale_id: str) -> list[VolunteerDay]:
        """The days matched to the organisation within the centrale, latest date first."""
        ...

    async def add_hours(self, hours: DayHours) -> None:
        """Store what a team gave."""
        ...

    async def hours_of(self, day_id: UUID) -> list[DayHours]:
        """Every entry of hours for the day, in the order logged."""
        ...

    async def decide_hours(self, hours_id: UUID, status: str, at: datetime) -> None:
        """A pending entry becomes ``confirmed`` or ``rejected`` at ``at``."""
        ...

    async def supersede_confirmed(self, day_id: UUID, at: datetime) -> None:
        """The day's confirmed entry (if any) no longer counts: another is confirmed in its place."""
        ...

    async def places_of(self, day_ids: Collection[UUID]) -> dict[UUID, DayPlace]:
        """Where each matched day among ``day_ids`` took place, by name."""
        ...

    async def confirmed_between(self, partner_id: UUID, first: date, last: date) -> list[tuple[VolunteerDay, DayHours]]:
        """The partner's days from ``first`` to ``last`` (inclusive) with their confirmed hours, by date."""
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
        self, day_id: UUID, task_id: UUID, organisation_id: UUID, centrale_id: str, at: datetime, via: str
    ) -> bool:
        """Note the task matching matched the day to, and how; False when the day is unknown."""
        updated = await self._conn.execute(
            DAYS.update(
                [
                    "status",
                    "matched_task_id",
                    "matched_organisation_id",
                    "matched_centrale_id",
                    "matched_at",
                    "matched_via",
                ]
            ),
            day_id,
            "matched",
            task_id,
            organisation_id,
            centrale_id,
            at,
            via,
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

    async def of_organisation(self, organisation_id: UUID, centrale_id: str) -> list[VolunteerDay]:
        """The days matched to the organisation within the centrale, latest date first."""
        rows = await self._conn.fetch(
            DAYS.select("matched_organisation_id = $1 AND matched_centrale_id = $2", then="ORDER BY on_date DESC, id"),
            organisation_id,
            centrale_id,
        )
        return DAYS.load_all(rows)

    async def add_hours(self, hours: DayHours) -> None:
        """Store what a team gave."""
        await self._conn.execute(DAY_HOURS.insert(), *DAY_HOURS.values(hours))

    async def hours_of(self, day_id: UUID) -> list[DayHours]:
        """Every entry of hours for the day, in the order logged."""
        rows = await self._conn.fetch(DAY_HOURS.select("day_id = $1", then="ORDER BY logged_at, id"), day_id)
        return DAY_HOURS.load_all(rows)

    async def decide_hours(self, hours_id: UUID, status: str, at: datetime) -> None:
        """A pending entry becomes ``confirmed`` or ``rejected`` at ``at``."""
        await self._conn.execute(DAY_HOURS.update(["status", "decided_at"]), hours_id, status, at)

    async def supersede_confirmed(self, day_id: UUID, at: datetime) -> None:
        """The day's confirmed entry (if any) no longer counts."""
        await self._conn.execute(
            "UPDATE volunteer_day_hours SET status = 'superseded' WHERE day_id = $1 AND status = 'confirmed'", day_id
        )

    async def places_of(self, day_ids: Collection[UUID]) -> dict[UUID, DayPlace]:
        """Where each matched day among ``day_ids`` took place, by name."""
        rows = await self._conn.fetch(
            """
            SELECT d.id AS day_id, t.title AS task_title, t.theme, o.id AS organisation_id,
                   o.name AS organisation_name, c.id AS centrale_id, c.name AS centrale_name, c.municipality_code
            FROM volunteer_days d
            JOIN tasks t ON t.id = d.matched_task_id
            JOIN organisations o ON o.id = d.matched_organisation_id
            JOIN centrales c ON c.id = d.matched_centrale_id
            WHERE d.id = ANY($1)
            """,
            list(day_ids),
        )
        return {row["day_id"]: DayPlace(**dict(row)) for row in rows}

    async def confirmed_between(self, partner_id: UUID, first: date, last: date) -> list[tuple[VolunteerDay, DayHours]]:
        """The partner's days from ``first`` to ``last`` with their confirmed hours, by date."""
        day_columns = ", ".join(f"d.{column}" for column in DAYS.columns)
        hours_columns = ", ".join(f"h.{column} AS hours_{column}" for column in DAY_HOURS.columns)
        rows = await self._conn.fetch(
            f"SELECT {day_columns}, {hours_columns} FROM volunteer_days d"  # noqa: S608  (names from the records)
            " JOIN volunteer_day_hours h ON h.day_id = d.id AND h.status = 'confirmed'"
            " WHERE d.partner_id = $1 AND d.on_date BETWEEN $2 AND $3 ORDER BY d.on_date, d.id",
            partner_id,
            first,
            last,
        )
        return [
            (
                DAYS.load(row),
                DayHours(**{column: row[f"hours_{column}"] for column in DAY_HOURS.columns}),
            )
            for row in rows
        ]
