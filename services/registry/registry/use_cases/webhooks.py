"""Partners' webhooks: the URL a partner registers (its signing secret shown once), the deliveries queued
with the changes they report, the delivery log the partner and ops read, and the sender's claim and record.

A delivery is written in the transaction of the change it reports (``queue_delivery``), so a change and its
message commit together; its body is fixed then, and the sender (``registry.webhooks.sender``) signs it anew
on every attempt. A failed attempt is tried again with doubling delays until the budget is spent, then the
delivery is ``failed``; the partner or ops may send it again by hand (a fresh budget).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import pydantic_core

from common.errors import Conflict, NotFound, Rejected
from registry.repositories import PartnerWebhook, WebhookAttempt, WebhookDelivery
from registry.unit_of_work import RegistryUnitOfWork
from registry.webhooks.signing import new_secret

__all__ = [
    "ClaimDueDelivery",
    "DeliveryEvent",
    "DeliveryLog",
    "DueDelivery",
    "GetDelivery",
    "GetWebhook",
    "ListDeliveries",
    "PingWebhook",
    "RecordAttempt",
    "RedriveDelivery",
    "RemoveWebhook",
    "RetryPolicy",
    "SetWebhook",
    "WebhookSet",
    "claim_due_delivery",
    "get_delivery",
    "get_webhook",
    "list_deliveries",
    "ping_webhook",
    "queue_delivery",
    "record_attempt",
    "redrive_delivery",
    "remove_webhook",
    "set_webhook",
]

_MAX_URL_LENGTH = 2000
_ERROR_TEXT_LIMIT = 300


class DeliveryEvent(StrEnum):
    """What a delivery reports (the ``type`` in its body and the ``X-Regio-Event`` header)."""

    MATCHED = "volunteer_day.matched"
    HOURS_CONFIRMED = "volunteer_day.hours_confirmed"
    HOURS_REJECTED = "volunteer_day.hours_rejected"
    PING = "ping"


@dataclass(frozen=True)
class SetWebhook:
    """Register (or change) the URL the partner's deliveries go to; ``new_secret``: replace the secret too.

    ``allow_http``: accept ``http://`` (development and tests); otherwise only ``https://``.
    """

    partner_id: UUID
    url: str
    new_secret: bool = False
    allow_http: bool = False


@dataclass(frozen=True)
class WebhookSet:
    """The webhook as registered; ``secret`` only when it was made now (it is never shown again)."""

    url: str
    secret: str | None
    created: bool


@dataclass(frozen=True)
class GetWebhook:
    """The partner's webhook (its URL and dates; never the secret)."""

    partner_id: UUID


@dataclass(frozen=True)
class RemoveWebhook:
    """Forget the partner's webhook; deliveries still waiting are cancelled."""

    partner_id: UUID


@dataclass(frozen=True)
class PingWebhook:
    """Queue a ``ping`` delivery, so the partner can check its receiver and signature check."""

    partner_id: UUID


@dataclass(frozen=True)
class ListDeliveries:
    """The partner's deliveries, newest first (only those in ``status``, when given)."""

    partner_id: UUID
    status: str | None = None


@dataclass(frozen=True)
class GetDelivery:
    """One of the partner's deliveries with every attempt."""

    partner_id: UUID
    delivery_id: UUID


@dataclass(frozen=True)
class DeliveryLog:
    """A delivery and its attempts."""

    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


@dataclass(frozen=True)
class RedriveDelivery:
    """Send a failed or cancelled delivery again, now, with a fresh budget of attempts."""

    partner_id: UUID
    delivery_id: UUID


@dataclass(frozen=True)
class ClaimDueDelivery:
    """The sender takes the next delivery due (held until its unit of work ends)."""


@dataclass(frozen=True)
class DueDelivery:
    """A delivery to send now, with where to and the secret to sign it with."""

    delivery: WebhookDelivery
    url: str
    secret: str


@dataclass(frozen=True)
class RetryPolicy:
    """How the sender tries again: the first delay (doubling each time, up to ``max_delay``) and how often."""

    first_delay: timedelta
    max_delay: timedelta
    max_attempts: int


@dataclass(frozen=True)
class RecordAttempt:
    """How one attempt went: the status code (None when no answer came) or the error, and how long it took."""

    due: DueDelivery
    status_code: int | None
    error: str | None
    duration_ms: int
    policy: RetryPolicy


async def set_webhook(cmd: SetWebhook, uow: RegistryUnitOfWork) -> WebhookSet:
    """Store the URL; a new webhook (or ``new_secret``) gets a new secret, returned this once."""
    await _partner(cmd.partner_id, uow)
    problems = _url_problems(cmd.url, allow_http=cmd.allow_http)
    if problems:
        raise Rejected(problems, field="url")
    known = await uow.webhooks.get(cmd.partner_id)
    now = uow.now()
    secret = new_secret() if known is None or cmd.new_secret else known.secret
    webhook = PartnerWebhook(
        partner_id=cmd.partner_id,
        url=cmd.url,
        secret=secret,
        created_at=known.created_at if known is not None else now,
        updated_at=now,
    )
    await uow.webhooks.save(webhook)
    shown = secret if known is None or cmd.new_secret else None
    return WebhookSet(url=webhook.url, secret=shown, created=known is None)


async def get_webhook(query: GetWebhook, uow: RegistryUnitOfWork) -> PartnerWebhook:
    """The partner's webhook; NotFound when it has none. Callers must not show its secret."""
    await _partner(query.partner_id, uow)
    webhook = await uow.webhooks.get(query.partner_id)
    if webhook is None:
        raise NotFound("no webhook registered")
    return webhook


async def remove_webhook(cmd: RemoveWebhook, uow: RegistryUnitOfWork) -> int:
    """Forget the webhook and cancel what still waits to be sent; how many were cancelled."""
    await _partner(cmd.partner_id, uow)
    if not await uow.webhooks.delete(cmd.partner_id):
        raise NotFound("no webhook registered")
    return await uow.webhooks.cancel_pending(cmd.partner_id, uow.now())


async def ping_webhook(cmd: PingWebhook, uow: RegistryUnitOfWork) -> UUID:
    """Queue a ``ping`` to the partner's webhook; its id (follow it in the delivery log)."""
    await _partner(cmd.partner_id, uow)
    delivery_id = await queue_delivery(cmd.partner_id, None, DeliveryEvent.PING, {"partner_id": cmd.partner_id}, uow)
    if delivery_id is None:
        raise NotFound("no webhook registered")
    return delivery_id


async def list_deliveries(query: ListDeliveries, uow: RegistryUnitOfWork) -> list[WebhookDelivery]:
    """The partner's deliveries, newest first (the last hundred)."""
    await _partner(query.partner_id, uow)
    return await uow.webhooks.deliveries_of(query.partner_id, status=query.status)


async def get_delivery(query: GetDelivery, uow: RegistryUnitOfWork) -> DeliveryLog:
    """One delivery of the partner with its attempts; NotFound for another partner's."""
    delivery = await uow.webhooks.delivery(query.delivery_id, query.partner_id)
    if delivery is None:
        raise NotFound(f"delivery {query.delivery_id} not found")
    return DeliveryLog(delivery, await uow.webhooks.attempts_of(delivery.id))


async def redrive_delivery(cmd: RedriveDelivery, uow: RegistryUnitOfWork) -> WebhookDelivery:
    """A failed or cancelled delivery is sent again now, with a fresh budget; Conflict for one still going."""
    delivery = await uow.webhooks.delivery(cmd.delivery_id, cmd.partner_id)
    if delivery is None:
        raise NotFound(f"delivery {cmd.delivery_id} not found")
    if delivery.status not in ("failed", "cancelled"):
        raise Conflict(f"delivery is {delivery.status}: only a failed or cancelled one is sent again")
    if await uow.webhooks.get(cmd.partner_id) is None:
        raise Conflict("no webhook registered to send it to")
    again = replace(
        delivery, status="pending", next_attempt_at=uow.now(), finished_at=None, redriven_attempts=delivery.attempts
    )
    await uow.webhooks.update_delivery(again)
    return again


async def claim_due_delivery(cmd: ClaimDueDelivery, uow: RegistryUnitOfWork) -> DueDelivery | None:
    """The next delivery due, with its URL and secret; one whose webhook is gone is cancelled instead."""
    while (delivery := await uow.webhooks.claim_due(uow.now())) is not None:
        webhook = await uow.webhooks.get(delivery.partner_id)
        if webhook is not None:
            return DueDelivery(delivery, webhook.url, webhook.secret)
        await uow.webhooks.update_delivery(
            replace(delivery, status="cancelled", next_attempt_at=None, finished_at=uow.now())
        )
    return None


async def record_attempt(cmd: RecordAttempt, uow: RegistryUnitOfWork) -> WebhookDelivery:
    """Log the attempt; a 2xx delivers, anything else is tried again later or, the budget spent, fails."""
    delivery = cmd.due.delivery
    number = delivery.attempts + 1
    await uow.webhooks.add_attempt(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempt=number,
            at=uow.now(),
            url=cmd.due.url,
            status_code=cmd.status_code,
            error=cmd.error[:_ERROR_TEXT_LIMIT] if cmd.error is not None else None,
            duration_ms=cmd.duration_ms,
        )
    )
    tried = number - delivery.redriven_attempts
    if cmd.status_code is not None and 200 <= cmd.status_code < 300:
        outcome = replace(delivery, attempts=number, status="delivered", next_attempt_at=None, finished_at=uow.now())
    elif tried >= cmd.policy.max_attempts:
        outcome = replace(delivery, attempts=number, status="failed", next_attempt_at=None, finished_at=uow.now())
    else:
        delay = min(cmd.policy.first_delay * 2 ** (tried - 1), cmd.policy.max_delay)
        outcome = replace(delivery, attempts=number, next_attempt_at=uow.now() + delay)
    await uow.webhooks.update_delivery(outcome)
    return outcome


async def queue_delivery(
    partner_id: UUID, day_id: UUID | None, event: DeliveryEvent, data: dict[str, Any], uow: RegistryUnitOfWork
) -> UUID | None:
    """Queue a message to the partner's webhook (none registered: nothing, None); a step of other use cases.

    The body is fixed now: ``{"id", "type", "created_at", "data"}``, ``data`` as the partner's status route
    shows it at this moment.
    """
    if await uow.webhooks.get(partner_id) is None:
        return None
    delivery_id = uuid4()
    now = uow.now()
    body = {"id": delivery_id, "type": event.value, "created_at": now, "data": data}
    await uow.webhooks.add_delivery(
        WebhookDelivery(
            id=delivery_id,
            partner_id=partner_id,
            day_id=day_id,
            event_type=event.value,
            # As the API serialises: decimals as strings ("42.00"), times in ISO 8601 (UTC as Z).
            body=pydantic_core.to_json(body).decode(),
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
    )
    return delivery_id


async def _partner(partner_id: UUID, uow: RegistryUnitOfWork) -> None:
    if not await uow.partners.exists(partner_id):
        raise NotFound(f"business partner {partner_id} not found")


def _url_problems(url: str, *, allow_http: bool) -> list[str]:
    """What is wrong with a webhook URL (never echoing it): https, a host, no credentials or fragment."""
    if len(url) > _MAX_URL_LENGTH:
        return [f"at most {_MAX_URL_LENGTH} characters"]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return ["not a URL"]
    schemes = ("https", "http") if allow_http else ("https",)
    problems = []
    if parts.scheme not in schemes:
        problems.append("must start with https://" if not allow_http else "must start with https:// or http://")
    if not parts.hostname:
        problems.append("must name a host")
    if parts.username is not None or parts.password is not None:
        problems.append("must not carry a user name or password")
    if parts.fragment:
        problems.append("must not have a #fragment")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        problems.append("must not contain spaces or control characters")
    return problems
