"""Partners' webhooks: where a partner hears about its team days, and the log of every delivery and attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "PartnerWebhook",
    "PostgresWebhookRepository",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookRepository",
]


@dataclass(frozen=True)
class PartnerWebhook:
    """A row of ``partner_webhooks``: one URL per partner and the secret its deliveries are signed with."""

    partner_id: UUID
    url: str
    secret: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class WebhookDelivery:
    """A row of ``webhook_deliveries``: one message to a partner, its body fixed when the change happened."""

    id: UUID
    partner_id: UUID
    day_id: UUID | None
    event_type: str
    body: str
    status: str
    """``pending`` (tried again at ``next_attempt_at``), ``delivered``, ``failed`` (gave up) or ``cancelled``."""
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None = None
    redriven_attempts: int = 0
    """``attempts`` when someone last sent it again by hand: the retry budget counts from there."""


@dataclass(frozen=True)
class WebhookAttempt:
    """A row of ``webhook_attempts``: one try, what came back (a status code, never the body), how long it took."""

    delivery_id: UUID
    attempt: int
    at: datetime
    url: str
    status_code: int | None
    error: str | None
    duration_ms: int


class WebhookRepository(Protocol):
    """Partners' webhooks and their delivery log."""

    async def get(self, partner_id: UUID) -> PartnerWebhook | None:
        """The partner's webhook, or None."""
        ...

    async def save(self, webhook: PartnerWebhook) -> None:
        """Store the partner's webhook (replacing its URL and secret)."""
        ...

    async def delete(self, partner_id: UUID) -> bool:
        """Forget the partner's webhook; False when it had none."""
        ...

    async def add_delivery(self, delivery: WebhookDelivery) -> None:
        """Queue a delivery."""
        ...

    async def delivery(self, delivery_id: UUID, partner_id: UUID | None = None) -> WebhookDelivery | None:
        """One delivery (the partner's, when given), locked until the transaction ends, or None."""
        ...

    async def deliveries_of(
        self, partner_id: UUID, *, status: str | None = None, limit: int = 100
    ) -> list[WebhookDelivery]:
        """The partner's deliveries (in ``status``, when given), newest first."""
        ...

    async def claim_due(self, now: datetime) -> WebhookDelivery | None:
        """The oldest pending delivery due by ``now`` that no one else holds, locked until the transaction ends."""
        ...

    async def update_delivery(self, delivery: WebhookDelivery) -> None:
        """Store a delivery's status, attempts and timing."""
        ...

    async def cancel_pending(self, partner_id: UUID, at: datetime) -> int:
        """Cancel the partner's pending deliveries (its webhook is gone); how many."""
        ...

    async def add_attempt(self, attempt: WebhookAttempt) -> None:
        """Log one attempt."""
        ...

    async def attempts_of(self, delivery_id: UUID) -> list[WebhookAttempt]:
        """A delivery's attempts, first first."""
        ...


WEBHOOKS = Table("partner_webhooks", PartnerWebhook, key="partner_id")
DELIVERIES = Table("webhook_deliveries", WebhookDelivery)
ATTEMPTS = Table("webhook_attempts", WebhookAttempt, key="delivery_id")

_DELIVERY_CHANGES = ["status", "attempts", "next_attempt_at", "finished_at", "redriven_attempts"]


class PostgresWebhookRepository:
    """Webhooks and their delivery log in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, partner_id: UUID) -> PartnerWebhook | None:
        """The partner's webhook, or None."""
        row = await self._conn.fetchrow(WEBHOOKS.select("partner_id = $1"), partner_id)
        return WEBHOOKS.load(row) if row is not None else None

    async def save(self, webhook: PartnerWebhook) -> None:
        """Store the partner's webhook (replacing its URL and secret)."""
        await self._conn.execute(
            WEBHOOKS.insert(
                then="ON CONFLICT (partner_id) DO UPDATE SET url = excluded.url, secret = excluded.secret,"
                " updated_at = excluded.updated_at"
            ),
            *WEBHOOKS.values(webhook),
        )

    async def delete(self, partner_id: UUID) -> bool:
        """Forget the partner's webhook; False when it had none."""
        deleted = await self._conn.execute("DELETE FROM partner_webhooks WHERE partner_id = $1", partner_id)
        return deleted != "DELETE 0"

    async def add_delivery(self, delivery: WebhookDelivery) -> None:
        """Queue a delivery."""
        await self._conn.execute(DELIVERIES.insert(), *DELIVERIES.values(delivery))

    async def delivery(self, delivery_id: UUID, partner_id: UUID | None = None) -> WebhookDelivery | None:
        """One delivery (the partner's, when given), locked, or None."""
        row = await self._conn.fetchrow(
            DELIVERIES.select("id = $1 AND ($2::uuid IS NULL OR partner_id = $2)", then="FOR UPDATE"),
            delivery_id,
            partner_id,
        )
        return DELIVERIES.load(row) if row is not None else None

    async def deliveries_of(
        self, partner_id: UUID, *, status: str | None = None, limit: int = 100
    ) -> list[WebhookDelivery]:
        """The partner's deliveries (in ``status``, when given), newest first."""
        rows = await self._conn.fetch(
            DELIVERIES.select(
                "partner_id = $1 AND ($2::text IS NULL OR status = $2)", then="ORDER BY created_at DESC, id LIMIT $3"
            ),
            partner_id,
            status,
            limit,
        )
        return DELIVERIES.load_all(rows)

    async def claim_due(self, now: datetime) -> WebhookDelivery | None:
        """The oldest pending delivery due by ``now`` that no one else holds, locked."""
        row = await self._conn.fetchrow(
            DELIVERIES.select(
                "status = 'pending' AND next_attempt_at <= $1",
                then="ORDER BY next_attempt_at, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
            ),
            now,
        )
        return DELIVERIES.load(row) if row is not None else None

    async def update_delivery(self, delivery: WebhookDelivery) -> None:
        """Store a delivery's status, attempts and timing."""
        await self._conn.execute(DELIVERIES.update(_DELIVERY_CHANGES), *DELIVERIES.changes(delivery, _DELIVERY_CHANGES))

    async def cancel_pending(self, partner_id: UUID, at: datetime) -> int:
        """Cancel the partner's pending deliveries; how many."""
        cancelled = await self._conn.execute(
            "UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, finished_at = $2"
            " WHERE partner_id = $1 AND status = 'pending'",
            partner_id,
            at,
        )
        return int(cancelled.split()[-1])

    async def add_attempt(self, attempt: WebhookAttempt) -> None:
        """Log one attempt."""
        await self._conn.execute(ATTEMPTS.insert(), *ATTEMPTS.values(attempt))

    async def attempts_of(self, delivery_id: UUID) -> list[WebhookAttempt]:
        """A delivery's attempts, first first."""
        rows = await self._conn.fetch(ATTEMPTS.select("delivery_id = $1", then="ORDER BY attempt"), delivery_id)
        return ATTEMPTS.load_all(rows)
