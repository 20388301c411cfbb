"""Personal accounts, what each may act as (memberships) and the single-use tokens of their e-mailed links."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "Account",
    "AccountLink",
    "AccountLinkRepository",
    "AccountRepository",
    "Membership",
    "MembershipRepository",
    "PostgresAccountLinkRepository",
    "PostgresAccountRepository",
    "PostgresMembershipRepository",
]


@dataclass(frozen=True)
class Account:
    """A row of ``accounts``: one per person; the password only as an Argon2id hash."""

    id: UUID
    email: str | None
    """Unique whatever its case; None once erased."""
    name: str | None
    created_at: datetime
    created_by: str
    """Who created it: ``account:<id>``, ``credential:<id>``, ``region_ops``, ``self`` or ``bootstrap``."""
    password_hash: str | None = None
    """None until the person set a password from their invitation."""
    password_changed_at: datetime | None = None
    totp_secret: str | None = None
    """The second factor's shared secret (base32), once a first code confirmed it."""
    totp_pending_secret: str | None = None
    """A secret shown for enrolment, not confirmed yet."""
    totp_last_step: int | None = None
    """The TOTP time step last used: each code works once."""
    last_login_at: datetime | None = None
    erased_at: datetime | None = None


@dataclass(frozen=True)
class Membership:
    """A row of ``memberships``: a role an account may act as, bound to a centrale and record where the role has one."""

    id: UUID
    account_id: UUID
    role: str
    centrale_id: str | None
    subject_id: UUID | None
    created_at: datetime
    created_by: str
    ended_at: datetime | None = None
    ended_by: str | None = None


@dataclass(frozen=True)
class AccountLink:
    """A row of ``account_links``: a single-use token (only its hash) for an invitation, reset or login step."""

    token_hash: str
    account_id: UUID
    purpose: str
    """``invitation``, ``password_reset`` or ``totp_enrolment``."""
    created_at: datetime
    expires_at: datetime
    membership_id: UUID | None = None
    """For a login's TOTP enrolment: the membership the session will act as."""
    used_at: datetime | None = None


class AccountRepository(Protocol):
    """Personal accounts."""

    async def add(self, account: Account) -> bool:
        """Store a new account; False (nothing stored) when its e-mail address is taken, whatever its case."""
        ...

    async def get(self, account_id: UUID, *, lock: bool = False) -> Account | None:
        """One account, erased or not."""
        ...

    async def get_many(self, account_ids: Collection[UUID]) -> dict[UUID, Account]:
        """The accounts with these ids, by id."""
        ...

    async def by_email(self, email: str, *, lock: bool = False) -> Account | None:
        """The account with this e-mail address, whatever its case."""
        ...

    async def save(self, account: Account) -> None:
        """Write every column of a stored account."""
        ...


class MembershipRepository(Protocol):
    """What accounts may act as."""

    async def add(self, membership: Membership) -> None:
        """Store a new membership."""
        ...

    async def get(self, membership_id: UUID, *, lock: bool = False) -> Membership | None:
        """One membership, ended or not."""
        ...

    async def active_of(self, account_id: UUID) -> list[Membership]:
        """The account's memberships not ended, oldest first."""
        ...

    async def find_active(
        self, account_id: UUID, role: str, centrale_id: str | None, subject_id: UUID | None
    ) -> Membership | None:
        """The account's live membership of this role, centrale and subject, if it has one."""
        ...

    async def active_listing(
        self, *, centrale_id: str | None = None, roles: Sequence[str] = (), subject_id: UUID | None = None
    ) -> list[Membership]:
        """Live memberships, narrowed to a centrale, roles and a subject where given, oldest first."""
        ...

    async def end(self, membership_id: UUID, at: datetime, by: str) -> None:
        """End a membership (the account can no longer act as it)."""
        ...


class AccountLinkRepository(Protocol):
    """Single-use tokens of e-mailed links and login steps (only their hashes)."""

    async def add(self, link: AccountLink) -> None:
        """Store a new link."""
        ...

    async def redeem(self, token_hash: str, purposes: Collection[str], at: datetime) -> AccountLink | None:
        """Use a link once: None unless it exists for one of ``purposes``, is unused and has not expired at ``at``."""
        ...

    async def discard(self, account_id: UUID, purposes: Collection[str], at: datetime) -> int:
        """Use up the account's outstanding links of ``purposes`` (a newer link or a new password replaces them)."""
        ...


ACCOUNTS = Table("accounts", Account)
MEMBERSHIPS = Table("memberships", Membership)
ACCOUNT_LINKS = Table("account_links", AccountLink, key="token_hash")

_NOT_UPDATED = ("id", "created_at", "created_by")
# One statement, so two redemptions of a link at the same moment cannot both succeed.
_REDEEM = (
    "UPDATE account_links SET used_at = $3 WHERE token_hash = $1 AND purpose = ANY($2::text[])"  # noqa: S608
    f" AND used_at IS NULL AND expires_at > $3 RETURNING {', '.join(ACCOUNT_LINKS.columns)}"
)


class PostgresAccountRepository:
    """Accounts in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, account: Account) -> bool:
        """Store a new account; False when its e-mail address is taken (an insert at the same moment waits)."""
        status = await self._conn.execute(
            ACCOUNTS.insert(then="ON CONFLICT ((lower(email))) DO NOTHING"), *ACCOUNTS.values(account)
        )
        return bool(status == "INSERT 0 1")

    async def get(self, account_id: UUID, *, lock: bool = False) -> Account | None:
        """One account, erased or not."""
        row = await self._conn.fetchrow(ACCOUNTS.select("id = $1", then="FOR UPDATE" if lock else ""), account_id)
        return ACCOUNTS.load(row) if row else None

    async def get_many(self, account_ids: Collection[UUID]) -> dict[UUID, Account]:
        """The accounts with these ids, by id."""
        rows = await self._conn.fetch(ACCOUNTS.select("id = ANY($1::uuid[])"), list(account_ids))
        return {account.id: account for account in ACCOUNTS.load_all(rows)}

    async def by_email(self, email: str, *, lock: bool = False) -> Account | None:
        """The account with this e-mail address, whatever its case."""
        row = await self._conn.fetchrow(
            ACCOUNTS.select("lower(email) = lower($1)", then="FOR UPDATE" if lock else ""), email
        )
        return ACCOUNTS.load(row) if row else None

    async def save(self, account: Account) -> None:
        """Write every column of a stored account."""
        columns = [c for c in ACCOUNTS.columns if c not in _NOT_UPDATED]
        await self._conn.execute(ACCOUNTS.update(columns), *ACCOUNTS.changes(account, columns))


class PostgresMembershipRepository:
    """Memberships in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, membership: Membership) -> None:
        """Store a new membership."""
        await self._conn.execute(MEMBERSHIPS.insert(), *MEMBERSHIPS.values(membership))

    async def get(self, membership_id: UUID, *, lock: bool = False) -> Membership | None:
        """One membership, ended or not."""
        row = await self._conn.fetchrow(MEMBERSHIPS.select("id = $1", then="FOR UPDATE" if lock else ""), membership_id)
        return MEMBERSHIPS.load(row) if row else None

    async def active_of(self, account_id: UUID) -> list[Membership]:
        """The account's memberships not ended, oldest first."""
        rows = await self._conn.fetch(
            MEMBERSHIPS.select("account_id = $1 AND ended_at IS NULL", then="ORDER BY created_at, id"), account_id
        )
        return MEMBERSHIPS.load_all(rows)

    async def find_active(
        self, account_id: UUID, role: str, centrale_id: str | None, subject_id: UUID | None
    ) -> Membership | None:
        """The account's live membership of this role, centrale and subject, if it has one."""
        row = await self._conn.fetchrow(
            MEMBERSHIPS.select(
                "account_id = $1 AND role = $2 AND centrale_id IS NOT DISTINCT FROM $3"
                " AND subject_id IS NOT DISTINCT FROM $4 AND ended_at IS NULL"
            ),
            account_id,
            role,
            centrale_id,
            subject_id,
        )
        return MEMBERSHIPS.load(row) if row else None

    async def active_listing(
        self, *, centrale_id: str | None = None, roles: Sequence[str] = (), subject_id: UUID | None = None
    ) -> list[Membership]:
        """Live memberships, narrowed to a centrale, roles and a subject where given, oldest first."""
        rows = await self._conn.fetch(
            MEMBERSHIPS.select(
                "ended_at IS NULL AND ($1::text IS NULL OR centrale_id = $1)"
                " AND (cardinality($2::text[]) = 0 OR role = ANY($2::text[]))"
                " AND ($3::uuid IS NULL OR subject_id = $3)",
                then="ORDER BY created_at, id",
            ),
            centrale_id,
            list(roles),
            subject_id,
        )
        return MEMBERSHIPS.load_all(rows)

    async def end(self, membership_id: UUID, at: datetime, by: str) -> None:
        """End a membership."""
        await self._conn.execute(
            "UPDATE memberships SET ended_at = $2, ended_by = $3 WHERE id = $1 AND ended_at IS NULL",
            membership_id,
            at,
            by,
        )


class PostgresAccountLinkRepository:
    """Link tokens in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, link: AccountLink) -> None:
        """Store a new link."""
        await self._conn.execute(ACCOUNT_LINKS.insert(), *ACCOUNT_LINKS.values(link))

    async def redeem(self, token_hash: str, purposes: Collection[str], at: datetime) -> AccountLink | None:
        """Use a link once."""
        row = await self._conn.fetchrow(_REDEEM, token_hash, list(purposes), at)
        return ACCOUNT_LINKS.load(row) if row else None

    async def discard(self, account_id: UUID, purposes: Collection[str], at: datetime) -> int:
        """Use up the account's outstanding links of ``purposes``."""
        status = await self._conn.execute(
            "UPDATE account_links SET used_at = $3 WHERE account_id = $1 AND purpose = ANY($2::text[])"
            " AND used_at IS NULL",
            account_id,
            list(purposes),
            at,
        )
        return int(status.split()[-1])
