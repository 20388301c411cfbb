"""WebhookRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from registry.repositories import PartnerWebhook, WebhookAttempt, WebhookDelivery
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_partner


async def _partner(uow: RegistryUnitOfWork) -> UUID:
    partner = a_partner()
    await uow.partners.add(partner)
    return partner.id


def _delivery(partner_id: UUID, **overrides: Any) -> WebhookDelivery:
    values: dict[str, Any] = {
        "id": uuid4(),
        "partner_id": partner_id,
        "day_id": None,
        "event_type": "ping",
        "body": '{"type":"ping"}',
        "status": "pending",
        "attempts": 0,
        "created_at": NOW,
        "next_attempt_at": NOW,
    }
    return WebhookDelivery(**(values | overrides))


async def test_one_webhook_per_partner_changed_in_place(uow: RegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    first = PartnerWebhook(partner_id, "https://hr.example/a", "whsec_a", NOW, NOW)
    await uow.webhooks.save(first)
    later = NOW + timedelta(days=1)

    await uow.webhooks.save(PartnerWebhook(partner_id, "https://hr.example/b", "whsec_b", later, later))

    assert await uow.webhooks.get(partner_id) == PartnerWebhook(
        partner_id, "https://hr.example/b", "whsec_b", NOW, later
    )
    assert await uow.webhooks.get(uuid4()) is None
    assert await uow.webhooks.delete(partner_id) is True
    assert await uow.webhooks.delete(partner_id) is False
    assert await uow.webhooks.get(partner_id) is None


async def test_the_oldest_due_delivery_is_claimed_first(uow: RegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    later = _delivery(partner_id, next_attempt_at=NOW - timedelta(minutes=1))
    sooner = _delivery(partner_id, next_attempt_at=NOW - timedelta(minutes=5))
    not_yet = _delivery(partner_id, next_attempt_at=NOW + timedelta(minutes=1))
    done = _delivery(partner_id, status="delivered", next_attempt_at=None, finished_at=NOW)
    for delivery in (later, sooner, not_yet, done):
        await uow.webhooks.add_delivery(delivery)

    claimed = await uow.webhooks.claim_due(NOW)
    assert claimed == sooner
    await uow.webhooks.update_delivery(replace(sooner, status="delivered", attempts=1, finished_at=NOW))
    assert await uow.webhooks.claim_due(NOW) == later
    await uow.webhooks.update_delivery(replace(later, attempts=1, next_attempt_at=NOW + timedelta(minutes=2)))
    assert await uow.webhooks.claim_due(NOW) is None
    assert await uow.webhooks.claim_due(NOW + timedelta(minutes=1)) == not_yet


async def test_a_partners_deliveries_newest_first_by_status_and_only_its_own(uow: RegistryUnitOfWork) -> None:
    partner_id, other = await _partner(uow), await _partner(uow)
    old = _delivery(partner_id, created_at=NOW - timedelta(hours=1), status="failed", next_attempt_at=None)
    new = _delivery(partner_id)
    theirs = _delivery(other)
    for delivery in (old, new, theirs):
        await uow.webhooks.add_delivery(delivery)

    assert await uow.webhooks.deliveries_of(partner_id) == [new, old]
    assert await uow.webhooks.deliveries_of(partner_id, status="failed") == [old]
    assert await uow.webhooks.deliveries_of(partner_id, limit=1) == [new]
    assert await uow.webhooks.delivery(new.id, partner_id) == new
    assert await uow.webhooks.delivery(theirs.id, partner_id) is None
    assert await uow.webhooks.delivery(theirs.id) == theirs


async def test_cancelling_leaves_finished_deliveries_alone(uow: RegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    waiting = [_delivery(partner_id), _delivery(partner_id, attempts=2)]
    done = _delivery(partner_id, status="delivered", attempts=1, next_attempt_at=None, finished_at=NOW)
    for delivery in (*waiting, done):
        await uow.webhooks.add_delivery(delivery)

    assert await uow.webhooks.cancel_pending(partner_id, NOW) == 2

    statuses = {d.id: (d.status, d.finished_at) for d in await uow.webhooks.deliveries_of(partner_id)}
    assert statuses == {
        waiting[0].id: ("cancelled", NOW),
        waiting[1].id: ("cancelled", NOW),
        done.id: ("delivered", NOW),
    }
    assert await uow.webhooks.claim_due(NOW) is None


async def test_attempts_are_logged_in_order(uow: RegistryUnitOfWork) -> None:
    delivery = _delivery(await _partner(uow))
    await uow.webhooks.add_delivery(delivery)
    second = WebhookAttempt(delivery.id, 2, NOW, "https://hr.example/a", 200, None, 31)
    first = WebhookAttempt(delivery.id, 1, NOW - timedelta(minutes=1), "https://hr.example/a", 500, "HTTP 500", 12)
    for attempt in (second, first):
        await uow.webhooks.add_attempt(attempt)

    assert await uow.webhooks.attempts_of(delivery.id) == [first, second]
    assert await uow.webhooks.attempts_of(uuid4()) == []
