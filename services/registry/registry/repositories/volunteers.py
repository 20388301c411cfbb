"""Volunteers: their record (profile, VOG) and the history of their consents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["Consent", "PostgresVolunteerRepository", "Volunteer", "VolunteerRepository"]


@dataclass(frozen=True)
class Volunteer:
    """A row of ``volunteers``: personal data (see ``personal_data``) beside what matching may know."""

    id: UUID
    centrale_id: str
    name: str | None
    registered_by: str
    registered_at: datetime
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    birth_date: date | None = None
    postcode_area: str | None = None
    age_band: str | None = None
    skills: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    availability: list[dict[str, Any]] = field(default_factory=list)
    """Weekly slots as JSON (``WeeklySlot`` dumped), as the ``jsonb`` column holds them."""
    one_off_dates: list[date] = field(default_factory=list)
    max_distance_km: int | None = None
    commitment: str = "either"
    needs_support: bool = False
    target_groups: list[str] = field(default_factory=list)
    regional_matching_consent: bool = False
    vog_verified_on: date | None = None
    vog_verified_by: str | None = None
    vog_valid_until: date | None = None
    updated_at: datetime | None = None
    erased_at: datetime | None = None
    needs_guardian_consent: bool = False
    """Under 16 at registration: matching waits for a parent's or guardian's consent."""
    guardian_name: str | None = None
    guardian_relation: str | None = None
    guardian_email: str | None = None
    guardian_token_hash: str | None = None
    """The SHA-256 of the consent link's token e-mailed to the guardian (never the token)."""
    guardian_token_expires_at: datetime | None = None
    reconfirm_asked_at: datetime | None = None
    """When the volunteer, inactive for long, was asked to re-confirm (retention)."""
    reconfirm_deadline: datetime | None = None
    """Until when they may re-confirm; unanswered, they are erased after it."""
    reconfirm_token_hash: str | None = None


@dataclass(frozen=True)
class Consent:
    """A row of ``volunteer_consents``: one grant or withdrawal, with the version of the text shown."""

    volunteer_id: UUID
    kind: str
    granted: bool
    text_version: str
    recorded_by: str
    recorded_at: datetime
    given_by_name: str | None = None
    """A guardian's consent: who gave it and their relation (kept here only, never on a topic)."""
    given_by_relation: str | None = None


class VolunteerRepository(Protocol):
    """Volunteers and their consents."""

    async def add(self, volunteer: Volunteer) -> None:
        """Store a new volunteer."""
        ...

    async def get(self, volunteer_id: UUID) -> Volunteer | None:
        """Any volunteer by id, erased or not, in any centrale (for the registry's own work, never a caller's)."""
        ...

    async def get_active(self, volunteer_id: UUID, centrale_id: str, *, lock: bool = False) -> Volunteer | None:
        """The centrale's volunteer unless erased; ``lock`` serialises changes to them until the transaction ends."""
        ...

    async def save(self, volunteer: Volunteer) -> None:
        """Write every field of a volunteer already stored."""
        ...

    async def page(self, centrale_id: str, limit: int, offset: int) -> list[Volunteer]:
        """A page of the centrale's volunteers (not erased), in order of registration."""
        ...

    async def mark_erased(self, volunteer_id: UUID, at: datetime) -> None:
        """Note when the volunteer was erased (their personal data is blanked by ``personal_data``)."""
        ...

    async def vog_expiring(self, first: date, last: date) -> list[Volunteer]:
        """Volunteers (not erased) whose recorded VOG counts until a day from ``first`` to ``last``, soonest first."""
        ...

    async def by_guardian_token(self, token_hash: str) -> Volunteer | None:
        """The volunteer (not erased) whose guardian was sent the link with this token hash, locked."""
        ...

    async def inactive(self, before: datetime, limit: int) -> list[Volunteer]:
        """Volunteers (not erased) whose last activity (registration, a change, a match, hours, a login) lies before
        ``before`` and who were not asked to re-confirm since, oldest registration first."""
        ...

    async def reconfirm_overdue(self, now: datetime) -> list[Volunteer]:
        """Volunteers (not erased) asked to re-confirm whose deadline passed without any activity since asked."""
        ...

    async def by_reconfirm_token(self, token_hash: str) -> Volunteer | None:
        """The volunteer (not erased) sent the re-confirmation link with this token hash, locked."""
        ...

    async def add_consent(self, consent: Consent) -> None:
        """Record a grant or withdrawal."""
        ...

    async def consents(self, volunteer_id: UUID) -> dict[str, Consent]:
        """The latest record per kind of consent: the ones that count."""
        ...

    async def consent_history(self, volunteer_id: UUID) -> list[Consent]:
        """Every grant and withdrawal, in the order recorded."""
        ...


VOLUNTEERS = Table("volunteers", Volunteer, json_columns=["availability"])
CONSENTS = Table("volunteer_consents", Consent, key="volunteer_id")
# A volunteer's last sign of life: registration, a change to their record, a match, hours, their account's login.
_LAST_ACTIVE = (
    "GREATEST(volunteers.registered_at, volunteers.updated_at,"
    " (SELECT max(m.made_at) FROM matches m WHERE m.volunteer_id = volunteers.id),"
    " (SELECT max(h.logged_at) FROM hours h WHERE h.volunteer_id = volunteers.id),"
    " (SELECT max(a.last_login_at) FROM memberships ms JOIN accounts a ON a.id = ms.account_id"
    "  WHERE ms.subject_id = volunteers.id AND ms.role = 'volunteer'))"
)
_MUTABLE = [column for column in VOLUNTEERS.columns if column != "id"]


class PostgresVolunteerRepository:
    """Volunteers in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, volunteer: Volunteer) -> None:
        """Store a new volunteer."""
        await self._conn.execute(VOLUNTEERS.insert(), *VOLUNTEERS.values(volunteer))

    async def get(self, volunteer_id: UUID) -> Volunteer | None:
        """Any volunteer by id."""
        row = await self._conn.fetchrow(VOLUNTEERS.select("id = $1"), volunteer_id)
        return VOLUNTEERS.load(row) if row is not None else None

    async def get_active(self, volunteer_id: UUID, centrale_id: str, *, lock: bool = False) -> Volunteer | None:
        """The centrale's volunteer unless erased."""
        row = await self._conn.fetchrow(
            VOLUNTEERS.select("id = $1 AND centrale_id = $2 AND erased_at IS NULL", then="FOR UPDATE" if lock else ""),
            volunteer_id,
            centrale_id,
        )
        return VOLUNTEERS.load(row) if row is not None else None

    async def save(self, volunteer: Volunteer) -> None:
        """Write every field of a volunteer already stored."""
        await self._conn.execute(VOLUNTEERS.update(_MUTABLE), *VOLUNTEERS.changes(volunteer, _MUTABLE))

    async def page(self, centrale_id: str, limit: int, offset: int) -> list[Volunteer]:
        """A page of the centrale's volunteers, in order of registration."""
        rows = await self._conn.fetch(
            VOLUNTEERS.select(
                "centrale_id = $1 AND erased_at IS NULL", then="ORDER BY registered_at, id LIMIT $2 OFFSET $3"
            ),
            centrale_id,
            limit,
            offset,
        )
        return VOLUNTEERS.load_all(rows)

    async def mark_erased(self, volunteer_id: UUID, at: datetime) -> None:
        """Note when the volunteer was erased."""
        await self._conn.execute(VOLUNTEERS.update(["erased_at", "updated_at"]), volunteer_id, at, at)

    async def vog_expiring(self, first: date, last: date) -> list[Volunteer]:
        """Volunteers whose VOG counts until a day from ``first`` to ``last``, soonest first."""
        rows = await self._conn.fetch(
            VOLUNTEERS.select(
                "erased_at IS NULL AND vog_valid_until BETWEEN $1 AND $2", then="ORDER BY vog_valid_until, id"
            ),
            first,
            last,
        )
        return VOLUNTEERS.load_all(rows)

    async def by_guardian_token(self, token_hash: str) -> Volunteer | None:
        """The volunteer whose guardian was sent this link, locked until the transaction ends."""
        row = await self._conn.fetchrow(
            VOLUNTEERS.select("guardian_token_hash = $1 AND erased_at IS NULL", then="FOR UPDATE"), token_hash
        )
        return VOLUNTEERS.load(row) if row is not None else None

    async def inactive(self, before: datetime, limit: int) -> list[Volunteer]:
        """Volunteers last active before ``before``, not asked since."""
        rows = await self._conn.fetch(
            VOLUNTEERS.select(
                f"erased_at IS NULL AND {_LAST_ACTIVE} < $1"
                f" AND (reconfirm_asked_at IS NULL OR reconfirm_asked_at < {_LAST_ACTIVE})",
                then="ORDER BY registered_at, id LIMIT $2",
            ),
            before,
            limit,
        )
        return VOLUNTEERS.load_all(rows)

    async def reconfirm_overdue(self, now: datetime) -> list[Volunteer]:
        """Volunteers whose re-confirmation deadline passed without activity since they were asked."""
        rows = await self._conn.fetch(
            VOLUNTEERS.select(
                f"erased_at IS NULL AND reconfirm_deadline <= $1 AND {_LAST_ACTIVE} <= reconfirm_asked_at",
                then="ORDER BY reconfirm_deadline, id",
            ),
            now,
        )
        return VOLUNTEERS.load_all(rows)

    async def by_reconfirm_token(self, token_hash: str) -> Volunteer | None:
        """The volunteer sent this re-confirmation link, locked until the transaction ends."""
        row = await self._conn.fetchrow(
            VOLUNTEERS.select("reconfirm_token_hash = $1 AND erased_at IS NULL", then="FOR UPDATE"), token_hash
        )
        return VOLUNTEERS.load(row) if row is not None else None

    async def add_consent(self, consent: Consent) -> None:
        """Record a grant or withdrawal (the serial id keeps the order they were recorded in)."""
        await self._conn.execute(CONSENTS.insert(), *CONSENTS.values(consent))

    async def consents(self, volunteer_id: UUID) -> dict[str, Consent]:
        """The latest record per kind of consent."""
        rows = await self._conn.fetch(
            "SELECT DISTINCT ON (kind) * FROM volunteer_consents WHERE volunteer_id = $1 ORDER BY kind, id DESC",
            volunteer_id,
        )
        return {consent.kind: consent for consent in CONSENTS.load_all(rows)}

    async def consent_history(self, volunteer_id: UUID) -> list[Consent]:
        """Every grant and withdrawal, in the order recorded."""
        return CONSENTS.load_all(
            await self._conn.fetch(CONSENTS.select("volunteer_id = $1", then="ORDER BY id"), volunteer_id)
        )
