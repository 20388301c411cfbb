"""In-memory fake of the partners' webhook repository (see ``tests/registry/fakes.py``).

It keeps the PostgreSQL repository's promises: one webhook per partner, deliveries newest first for a
partner, the oldest due delivery claimed first (a claimed one, held by another unit of work, is skipped:
``held`` stands for the rows other transactions lock), attempts numbered per delivery.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from registry.repositories import PartnerWebhook, WebhookAttempt, WebhookDelivery

if TYPE_CHECKING:
    from tests.registry.fakes import FakeTables

__all__ = ["FakeWebhookRepository"]

T = TypeVar("T")


def _stored(record: T) -> T:
    return copy.deepcopy(record)


class FakeWebhookRepository:
    """Webhooks and their delivery log in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._webhooks = tables.partner_webhooks
        self._deliveries = tables.webhook_deliveries
        self._attempts = tables.webhook_attempts
        self._partners = tables.business_partners
        self.held: set[UUID] = set()

    async def get(self, partner_id: UUID) -> PartnerWebhook | None:
        return _stored(self._webhooks.get(partner_id))

    async def save(self, webhook: PartnerWebhook) -> None:
        assert webhook.partner_id in self._partners, "a webhook belongs to a stored partner"
        known = self._webhooks.get(webhook.partner_id)
        kept = webhook if known is None else replace(webhook, created_at=known.created_at)
        self._webhooks[webhook.partner_id] = _stored(kept)

    async def delete(self, partner_id: UUID) -> bool:
        return self._webhooks.pop(partner_id, None) is not None

    async def add_delivery(self, delivery: WebhookDelivery) -> None:
        assert delivery.partner_id in self._partners, "a delivery belongs to a stored partner"
        self._deliveries[delivery.id] = _stored(delivery)

    async def delivery(self, delivery_id: UUID, partner_id: UUID | None = None) -> WebhookDelivery | None:
        found = self._deliveries.get(delivery_id)
        return _stored(found) if found is not None and partner_id in (None, found.partner_id) else None

    async def deliveries_of(
        self, partner_id: UUID, *, status: str | None = None, limit: int = 100
    ) -> list[WebhookDelivery]:
        rows = [d for d in self._deliveries.values() if d.partner_id == partner_id and status in (None, d.status)]
        rows.sort(key=lambda d: d.id)
        rows.sort(key=lambda d: d.created_at, reverse=True)  # stable: id ascending within a moment
        return _stored(rows[:limit])

    async def claim_due(self, now: datetime) -> WebhookDelivery | None:
        due = [
            d
            for d in self._deliveries.values()
            if d.status == "pending"
            and d.next_attempt_at is not None
            and d.next_attempt_at <= now
            and d.id not in self.held
        ]
        if not due:
            return None
        first = min(due, key=lambda d: (d.next_attempt_at or now, d.created_at, d.id))
        return _stored(first)

    async def update_delivery(self, delivery: WebhookDelivery) -> None:
        known = self._deliveries[delivery.id]
        self._deliveries[delivery.id] = replace(
            known,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            finished_at=delivery.finished_at,
            redriven_attempts=delivery.redriven_attempts,
        )

    async def cancel_pending(self, partner_id: UUID, at: datetime) -> int:
        cancelled = 0
        for delivery_id, delivery in list(self._deliveries.items()):
            if delivery.partner_id == partner_id and delivery.status == "pending":
                self._deliveries[delivery_id] = replace(
                    delivery, status="cancelled", next_attempt_at=None, finished_at=at
                )
                cancelled += 1
        return cancelled

    async def add_attempt(self, attempt: WebhookAttempt) -> None:
        assert attempt.delivery_id in self._deliveries, "an attempt belongs to a stored delivery"
        assert not any((a.delivery_id, a.attempt) == (attempt.delivery_id, attempt.attempt) for a in self._attempts), (
            "one row per delivery and attempt number (the primary key)"
        )
        self._attempts.append(_stored(attempt))

    async def attempts_of(self, delivery_id: UUID) -> list[WebhookAttempt]:
        return _stored(sorted((a for a in self._attempts if a.delivery_id == delivery_id), key=lambda a: a.attempt))
