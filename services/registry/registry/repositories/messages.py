"""Thank-you messages for appreciation awards, and the centrales' own templates for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "Message",
    "MessageRepository",
    "PostgresMessageRepository",
    "PostgresTemplateRepository",
    "Template",
    "TemplateRepository",
]


@dataclass(frozen=True)
class Message:
    """A row of ``appreciation_messages``: one per award; no address, name or text is kept."""

    award_id: UUID
    recipient_id: UUID
    recipient_kind: str
    centrale_id: str
    rule_kind: str
    title: str
    status: str
    """``pending``, ``sent``, ``not_sent`` or ``failed``."""
    reason: str | None
    recorded_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Template:
    """A row of ``appreciation_templates``: a centrale's own words for one kind of award (or ``default``)."""

    centrale_id: str
    kind: str
    subject: str
    body: str
    updated_at: datetime


class MessageRepository(Protocol):
    """Thank-you messages."""

    async def add_once(self, message: Message) -> bool:
        """Store the award's message; False when the award has one already (nothing changed)."""
        ...

    async def get(self, award_id: UUID) -> Message | None:
        """The award's message, or None."""
        ...

    async def claim_due(self, now: datetime, limit: int) -> list[Message]:
        """Up to ``limit`` pending messages due at ``now``, earliest first, locked for this transaction;
        rows another transaction holds are skipped, so several senders share the work."""
        ...

    async def settle(self, award_id: UUID, status: str, reason: str | None, error: str | None) -> None:
        """Finish a message without sending it (``not_sent`` or ``failed``), counting the attempt."""
        ...

    async def mark_sent(self, award_id: UUID, at: datetime) -> None:
        """The server accepted the message."""
        ...

    async def retry_later(self, award_id: UUID, error: str, at: datetime) -> None:
        """Sending failed for a passing reason: count the attempt and try again at ``at``."""
        ...

    async def of_centrale(self, centrale_id: str, status: str | None, limit: int) -> list[Message]:
        """The centrale's messages (with ``status`` when given), newest first."""
        ...


class TemplateRepository(Protocol):
    """The centrales' own thank-you templates."""

    async def of_centrale(self, centrale_id: str, kinds: Sequence[str] | None = None) -> dict[str, Template]:
        """The centrale's own templates by kind (only ``kinds`` when given)."""
        ...

    async def put(self, template: Template) -> None:
        """Store the centrale's template for its kind, replacing one there was."""
        ...

    async def delete(self, centrale_id: str, kind: str) -> None:
        """Forget the centrale's template for ``kind`` (the default counts again)."""
        ...


MESSAGES = Table("appreciation_messages", Message, key="award_id")
TEMPLATES = Table("appreciation_templates", Template, key="centrale_id")


class PostgresMessageRepository:
    """Thank-you messages in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_once(self, message: Message) -> bool:
        """Store the award's message; False when the award has one already."""
        added = await self._conn.fetchval(
            MESSAGES.insert(then="ON CONFLICT (award_id) DO NOTHING RETURNING true"), *MESSAGES.values(message)
        )
        return bool(added)

    async def get(self, award_id: UUID) -> Message | None:
        """The award's message, or None."""
        row = await self._conn.fetchrow(MESSAGES.select("award_id = $1"), award_id)
        return MESSAGES.load(row) if row is not None else None

    async def claim_due(self, now: datetime, limit: int) -> list[Message]:
        """Pending messages due at ``now``, locked; rows held elsewhere are skipped."""
        rows = await self._conn.fetch(
            MESSAGES.select(
                "status = 'pending' AND next_attempt_at <= $1",
                then="ORDER BY next_attempt_at, award_id LIMIT $2 FOR UPDATE SKIP LOCKED",
            ),
            now,
            limit,
        )
        return MESSAGES.load_all(rows)

    async def settle(self, award_id: UUID, status: str, reason: str | None, error: str | None) -> None:
        """Finish a message without sending it, counting the attempt."""
        await self._conn.execute(
            "UPDATE appreciation_messages SET status = $2, reason = $3, last_error = $4, attempts = attempts + 1"
            " WHERE award_id = $1",
            award_id,
            status,
            reason,
            error,
        )

    async def mark_sent(self, award_id: UUID, at: datetime) -> None:
        """The server accepted the message."""
        await self._conn.execute(
            "UPDATE appreciation_messages SET status = 'sent', attempts = attempts + 1, sent_at = $2,"
            " last_error = NULL WHERE award_id = $1",
            award_id,
            at,
        )

    async def retry_later(self, award_id: UUID, error: str, at: datetime) -> None:
        """Count the failed attempt and try again at ``at``."""
        await self._conn.execute(
            "UPDATE appreciation_messages SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3"
            " WHERE award_id = $1",
            award_id,
            error,
            at,
        )

    async def of_centrale(self, centrale_id: str, status: str | None, limit: int) -> list[Message]:
        """The centrale's messages, newest first."""
        rows = await self._conn.fetch(
            MESSAGES.select(
                "centrale_id = $1 AND ($2::text IS NULL OR status = $2)", then="ORDER BY recorded_at DESC LIMIT $3"
            ),
            centrale_id,
            status,
            limit,
        )
        return MESSAGES.load_all(rows)


class PostgresTemplateRepository:
    """Thank-you templates in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def of_centrale(self, centrale_id: str, kinds: Sequence[str] | None = None) -> dict[str, Template]:
        """The centrale's own templates by kind."""
        rows = await self._conn.fetch(
            TEMPLATES.select("centrale_id = $1 AND ($2::text[] IS NULL OR kind = ANY($2::text[]))"),
            centrale_id,
            list(kinds) if kinds is not None else None,
        )
        return {template.kind: template for template in TEMPLATES.load_all(rows)}

    async def put(self, template: Template) -> None:
        """Store the centrale's template for its kind, replacing one there was."""
        await self._conn.execute(
            TEMPLATES.insert(
                then="ON CONFLICT (centrale_id, kind) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,"
                " updated_at = EXCLUDED.updated_at"
            ),
            *TEMPLATES.values(template),
        )

    async def delete(self, centrale_id: str, kind: str) -> None:
        """Forget the centrale's template for ``kind``."""
        await self._conn.execute(
            "DELETE FROM appreciation_templates WHERE centrale_id = $1 AND kind = $2", centrale_id, kind
        )
