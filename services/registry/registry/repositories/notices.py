"""Notices about the match conversation and follow-up, people's preferences for them, and the centrales' templates."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "Notice",
    "NoticePreference",
    "NoticePreferenceRepository",
    "NoticeRepository",
    "NoticeTemplate",
    "NoticeTemplateRepository",
    "PostgresNoticePreferenceRepository",
    "PostgresNoticeRepository",
    "PostgresNoticeTemplateRepository",
]


@dataclass(frozen=True)
class Notice:
    """A row of ``notices``: one notice to one person; ids of what it is about, no address, name or text."""

    id: UUID
    recipient_kind: str
    """``volunteer``, ``organisation`` (its contact person) or ``partner`` (a company's Beursvloer contact)."""
    recipient_id: UUID
    centrale_id: str
    """The recipient's centrale: its templates and its staff."""
    kind: str
    delivery: str
    """``immediate`` or ``digest``."""
    status: str
    """``pending``, ``sent``, ``not_sent`` (``reason`` says why), ``failed``, ``call`` (call list), ``called``."""
    due_at: datetime
    recorded_at: datetime
    match_id: UUID | None = None
    task_id: UUID | None = None
    check_in_id: UUID | None = None
    reason: str | None = None
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    mail_id: UUID | None = None
    """The mail it went out in: several notices share one in a digest."""
    called_by: str | None = None
    deal_id: UUID | None = None
    """A Beursvloer deal it is about."""
    training_id: UUID | None = None
    """A training it is about."""
    shift_id: UUID | None = None
    """A dated shift of a task it is about."""


@dataclass(frozen=True)
class NoticePreference:
    """A row of ``notice_preferences``: how one person wants one kind of notice."""

    recipient_kind: str
    recipient_id: UUID
    kind: str
    delivery: str
    """``immediate``, ``digest`` or ``off``."""
    updated_at: datetime


@dataclass(frozen=True)
class NoticeTemplate:
    """A row of ``notice_templates``: a centrale's own words for one kind of notice."""

    centrale_id: str
    kind: str
    subject: str
    body: str
    updated_at: datetime


class NoticeRepository(Protocol):
    """Notices and their delivery."""

    async def add_once(self, notice: Notice) -> bool:
        """Store the notice; False when one with its id is stored already (nothing changes)."""
        ...

    async def get(self, notice_id: UUID, centrale_id: str | None = None) -> Notice | None:
        """The notice (of the centrale, when given), or None."""
        ...

    async def recipients_due(
        self, now: datetime, *, immediate_before: datetime, digest_before: datetime, limit: int
    ) -> list[tuple[str, UUID]]:
        """Up to ``limit`` recipients with a notice to send now, the longest waiting first.

        A pending notice is sendable when its ``due_at`` has come and it is immediate and recorded before
        ``immediate_before`` (a short wait gathers a burst), or digest and recorded before ``digest_before``.
        """
        ...

    async def claim_for(
        self, recipient_kind: str, recipient_id: UUID, now: datetime, *, immediate_before: datetime,
        digest_before: datetime,
    ) -> list[Notice]:  # fmt: skip
        """The recipient's notices to send in one mail, locked for this transaction (rows another holds are
        skipped), oldest first: when any is sendable (see ``recipients_due``), every pending immediate one and
        every digest one recorded before ``digest_before``. None when nothing is sendable."""
        ...

    async def settle(self, notice_ids: Collection[UUID], status: str, reason: str | None, error: str | None) -> None:
        """Finish notices without sending them (``not_sent``, ``failed`` or ``call``), counting the attempt."""
        ...

    async def mark_sent(self, notice_ids: Collection[UUID], mail_id: UUID, at: datetime) -> None:
        """The server accepted the mail carrying these notices."""
        ...

    async def retry_later(self, notice_ids: Collection[UUID], error: str, at: datetime) -> None:
        """Sending failed for a passing reason: count the attempt and try again at ``at``."""
        ...

    async def mark_called(self, notice_id: UUID, by: str) -> None:
        """A consulent phoned the person about the notice on the call list."""
        ...

    async def of_centrale(
        self, centrale_id: str, statuses: Collection[str] | None, kind: str | None, limit: int
    ) -> list[Notice]:
        """The centrale's notices (in these statuses, of this kind, when given), newest first."""
        ...


class NoticePreferenceRepository(Protocol):
    """People's notice preferences."""

    async def of_recipient(self, recipient_kind: str, recipient_id: UUID) -> dict[str, str]:
        """The person's chosen delivery per kind (kinds never chosen are absent)."""
        ...

    async def put(self, preferences: Sequence[NoticePreference]) -> None:
        """Store choices, replacing earlier ones for the same kinds."""
        ...


class NoticeTemplateRepository(Protocol):
    """The centrales' own notice templates."""

    async def of_centrale(self, centrale_id: str, kinds: Sequence[str] | None = None) -> dict[str, NoticeTemplate]:
        """The centrale's own templates by kind (only ``kinds`` when given)."""
        ...

    async def put(self, template: NoticeTemplate) -> None:
        """Store the centrale's template for its kind, replacing one there was."""
        ...

    async def delete(self, centrale_id: str, kind: str) -> None:
        """Forget the centrale's template for the kind (the default counts again)."""
        ...


NOTICES = Table("notices", Notice)
# $1 now, $2 immediate notices recorded before, $3 digest notices recorded before.
_SENDABLE = (
    "status = 'pending' AND due_at <= $1"
    " AND ((delivery = 'immediate' AND recorded_at <= $2) OR (delivery = 'digest' AND recorded_at <= $3))"
)
PREFERENCES = Table("notice_preferences", NoticePreference, key="recipient_id")
TEMPLATES = Table("notice_templates", NoticeTemplate, key="centrale_id")


class PostgresNoticeRepository:
    """Notices in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_once(self, notice: Notice) -> bool:
        """Store the notice; False when its id is stored already."""
        added = await self._conn.fetchval(
            NOTICES.insert(then="ON CONFLICT (id) DO NOTHING RETURNING true"), *NOTICES.values(notice)
        )
        return bool(added)

    async def get(self, notice_id: UUID, centrale_id: str | None = None) -> Notice | None:
        """The notice, or None."""
        row = await self._conn.fetchrow(
            NOTICES.select("id = $1 AND ($2::text IS NULL OR centrale_id = $2)"), notice_id, centrale_id
        )
        return NOTICES.load(row) if row is not None else None

    async def recipients_due(
        self, now: datetime, *, immediate_before: datetime, digest_before: datetime, limit: int
    ) -> list[tuple[str, UUID]]:
        """Recipients with a notice to send now, the longest waiting first."""
        rows = await self._conn.fetch(
            f"SELECT recipient_kind, recipient_id FROM notices WHERE {_SENDABLE}"  # noqa: S608  (a constant)
            " GROUP BY recipient_kind, recipient_id ORDER BY min(recorded_at), recipient_id LIMIT $4",
            now,
            immediate_before,
            digest_before,
            limit,
        )
        return [(row["recipient_kind"], row["recipient_id"]) for row in rows]

    async def claim_for(
        self, recipient_kind: str, recipient_id: UUID, now: datetime, *, immediate_before: datetime,
        digest_before: datetime,
    ) -> list[Notice]:  # fmt: skip
        """The recipient's notices for one mail, locked; none when nothing is sendable."""
        rows = await self._conn.fetch(
            NOTICES.select(
                "recipient_kind = $1 AND recipient_id = $2 AND status = 'pending' AND due_at <= $3"
                " AND (delivery = 'immediate' OR recorded_at <= $4)",
                then="ORDER BY recorded_at, id FOR UPDATE SKIP LOCKED",
            ),
            recipient_kind,
            recipient_id,
            now,
            digest_before,
        )
        claimed = NOTICES.load_all(rows)
        sendable = any(
            notice.recorded_at <= (immediate_before if notice.delivery == "immediate" else digest_before)
            for notice in claimed
        )
        return claimed if sendable else []

    async def settle(self, notice_ids: Collection[UUID], status: str, reason: str | None, error: str | None) -> None:
        """Finish notices without sending them, counting the attempt."""
        await self._conn.execute(
            "UPDATE notices SET status = $2, reason = $3, last_error = $4, attempts = attempts + 1"
            " WHERE id = ANY($1::uuid[])",
            list(notice_ids),
            status,
            reason,
            error,
        )

    async def mark_sent(self, notice_ids: Collection[UUID], mail_id: UUID, at: datetime) -> None:
        """The server accepted the mail carrying these notices."""
        await self._conn.execute(
            "UPDATE notices SET status = 'sent', attempts = attempts + 1, sent_at = $3, mail_id = $2,"
            " last_error = NULL WHERE id = ANY($1::uuid[])",
            list(notice_ids),
            mail_id,
            at,
        )

    async def retry_later(self, notice_ids: Collection[UUID], error: str, at: datetime) -> None:
        """Count the failed attempt and try again at ``at``."""
        await self._conn.execute(
            "UPDATE notices SET attempts = attempts + 1, last_error = $2, due_at = $3 WHERE id = ANY($1::uuid[])",
            list(notice_ids),
            error,
            at,
        )

    async def mark_called(self, notice_id: UUID, by: str) -> None:
        """A consulent phoned about the notice."""
        await self._conn.execute("UPDATE notices SET status = 'called', called_by = $2 WHERE id = $1", notice_id, by)

    async def of_centrale(
        self, centrale_id: str, statuses: Collection[str] | None, kind: str | None, limit: int
    ) -> list[Notice]:
        """The centrale's notices, newest first."""
        rows = await self._conn.fetch(
            NOTICES.select(
                "centrale_id = $1 AND ($2::text[] IS NULL OR status = ANY($2)) AND ($3::text IS NULL OR kind = $3)",
                then="ORDER BY recorded_at DESC, id LIMIT $4",
            ),
            centrale_id,
            list(statuses) if statuses is not None else None,
            kind,
            limit,
        )
        return NOTICES.load_all(rows)


class PostgresNoticePreferenceRepository:
    """Notice preferences in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def of_recipient(self, recipient_kind: str, recipient_id: UUID) -> dict[str, str]:
        """The person's chosen delivery per kind."""
        rows = await self._conn.fetch(
            "SELECT kind, delivery FROM notice_preferences WHERE recipient_kind = $1 AND recipient_id = $2",
            recipient_kind,
            recipient_id,
        )
        return {row["kind"]: row["delivery"] for row in rows}

    async def put(self, preferences: Sequence[NoticePreference]) -> None:
        """Store choices, replacing earlier ones for the same kinds."""
        await self._conn.executemany(
            PREFERENCES.insert(
                then="ON CONFLICT (recipient_kind, recipient_id, kind) DO UPDATE SET delivery = EXCLUDED.delivery,"
                " updated_at = EXCLUDED.updated_at"
            ),
            [PREFERENCES.values(preference) for preference in preferences],
        )


class PostgresNoticeTemplateRepository:
    """Notice templates in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def of_centrale(self, centrale_id: str, kinds: Sequence[str] | None = None) -> dict[str, NoticeTemplate]:
        """The centrale's own templates by kind."""
        rows = await self._conn.fetch(
            TEMPLATES.select("centrale_id = $1 AND ($2::text[] IS NULL OR kind = ANY($2::text[]))"),
            centrale_id,
            list(kinds) if kinds is not None else None,
        )
        return {template.kind: template for template in TEMPLATES.load_all(rows)}

    async def put(self, template: NoticeTemplate) -> None:
        """Store the centrale's template for its kind."""
        await self._conn.execute(
            TEMPLATES.insert(
                then="ON CONFLICT (centrale_id, kind) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,"
                " updated_at = EXCLUDED.updated_at"
            ),
            *TEMPLATES.values(template),
        )

    async def delete(self, centrale_id: str, kind: str) -> None:
        """Forget the centrale's template for the kind."""
        await self._conn.execute("DELETE FROM notice_templates WHERE centrale_id = $1 AND kind = $2", centrale_id, kind)
