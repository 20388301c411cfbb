"""The audit trail of personal data access: recording an access, reading the trail, purging it.

Every use case that reads, exports, changes or erases a volunteer's record on someone else's behalf
records it (``record_access``, a step in that use case's transaction): who (the actor of the unit of
work's origin: ``account:<id>`` for a person's session, ``credential:<id>`` for a shared or machine
credential), the centrale they acted for, what, why and when. Staff of the volunteer's centrale read the
trail; the volunteer sees it in their export (AVG art. 15); nobody else. Rows hold ids and categories only;
names are looked up when the trail is shown, and rows older than the retention period are purged daily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from common.errors import NotFound
from registry.domain import AccessPurpose
from registry.repositories import Access
from registry.unit_of_work import RegistryUnitOfWork

__all__ = [
    "CentraleAccessLog",
    "PurgeAccessLog",
    "VolunteerAccessLog",
    "access_by",
    "centrale_access_log",
    "described",
    "purge_access_log",
    "record_access",
    "volunteer_access_log",
]

Action = Literal["read", "export", "change", "erase", "create"]
What = Literal["record", "export", "profile", "consent", "vog", "credential", "account"]

# The newest entries an export or a volunteer's trail shows (a record read daily for a year stays within it).
TRAIL_LIMIT = 1000


@dataclass(frozen=True)
class VolunteerAccessLog:
    """Who accessed one volunteer's record, newest first (staff of their centrale)."""

    volunteer_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class CentraleAccessLog:
    """A page of the accesses to a centrale's volunteers in a period, newest first; one account's if given."""

    centrale_id: str
    since: datetime
    until: datetime
    account_id: UUID | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class PurgeAccessLog:
    """Delete the trail's rows older than the retention period."""

    retention: timedelta
    batch: int = 10_000


async def record_access(
    uow: RegistryUnitOfWork, volunteer_id: UUID, centrale_id: str, action: Action, what: What, purpose: AccessPurpose
) -> None:
    """Record that the unit of work's actor accessed the volunteer's record (a step of the use case doing it)."""
    await uow.access_log.add(access_by(uow, volunteer_id, centrale_id, action, what, purpose))


def access_by(
    uow: RegistryUnitOfWork, volunteer_id: UUID, centrale_id: str, action: Action, what: What, purpose: AccessPurpose
) -> Access:
    """The trail's row for the unit of work's actor accessing the volunteer's record (bulk paths store many)."""
    actor = uow.origin.actor or "unknown"
    account_id = UUID(actor.removeprefix("account:")) if actor.startswith("account:") else None
    return Access(
        id=uuid4(),
        at=uow.now(),
        volunteer_id=volunteer_id,
        centrale_id=centrale_id,
        actor=actor,
        account_id=account_id,
        acting_centrale_id=uow.origin.tenant,
        action=action,
        what=what,
        purpose=purpose.value,
    )


async def volunteer_access_log(query: VolunteerAccessLog, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The volunteer's trail with who and for which centrale; NotFound for another centrale's volunteer.

    An erased volunteer's trail stays readable (it holds no personal data) until it is purged.
    """
    volunteer = await uow.volunteers.get(query.volunteer_id)
    if volunteer is None or volunteer.centrale_id != query.centrale_id:
        raise NotFound(f"volunteer {query.volunteer_id} not found")
    return await described(await uow.access_log.of_volunteer(query.volunteer_id, TRAIL_LIMIT), uow)


async def centrale_access_log(query: CentraleAccessLog, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """A page of the centrale's trail, with who and for which centrale."""
    if not await uow.centrales.exists(query.centrale_id):
        raise NotFound(f"centrale {query.centrale_id} not found")
    rows = await uow.access_log.of_centrale(
        query.centrale_id, query.since, query.until, query.account_id, query.limit, query.offset
    )
    return [
        {"volunteer_id": access.volunteer_id, **entry}
        for access, entry in zip(rows, await described(rows, uow), strict=True)
    ]


async def purge_access_log(cmd: PurgeAccessLog, uow: RegistryUnitOfWork) -> int:
    """Delete every row older than the retention period, in batches; how many went."""
    before = uow.now() - cmd.retention
    purged = 0
    while (deleted := await uow.access_log.purge(before, cmd.batch)) > 0:
        purged += deleted
        if deleted < cmd.batch:
            break
    return purged


async def described(rows: Sequence[Access], uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """Trail rows as people read them: when, what, why, who (by name, looked up now) and for which centrale."""
    accounts = await uow.accounts.get_many({a.account_id for a in rows if a.account_id is not None})
    centrale_ids = {a.acting_centrale_id for a in rows if a.acting_centrale_id is not None}
    centrales = {c: await uow.centrales.get(c) for c in centrale_ids}
    labels: dict[str, str | None] = {}
    for access in rows:
        if access.actor.startswith("credential:") and access.actor not in labels:
            credential = await uow.credentials.get(UUID(access.actor.removeprefix("credential:")))
            labels[access.actor] = credential.label if credential else None
    entries = []
    for access in rows:
        by: dict[str, Any]
        if access.account_id is not None:
            account = accounts.get(access.account_id)
            # An erased account leaves its id: the trail still says someone acted, not who.
            by = {"kind": "account", "account_id": access.account_id, "name": account.name if account else None}
        elif access.actor.startswith("credential:"):
            by = {
                "kind": "credential",
                "credential_id": UUID(access.actor.removeprefix("credential:")),
                "label": labels.get(access.actor),
            }
        else:
            by = {"kind": access.actor}
        centrale = centrales.get(access.acting_centrale_id) if access.acting_centrale_id else None
        entries.append(
            {
                "at": access.at,
                "action": access.action,
                "what": access.what,
                "purpose": access.purpose,
                "by": by,
                "centrale": {"id": centrale.id, "name": centrale.name} if centrale else None,
            }
        )
    return entries
