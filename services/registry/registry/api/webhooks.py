"""Routes for a business partner's webhook: register its URL (the signing secret shown once), ping it, and read
the delivery log. The partner's HR contacts and systems reach their own partner's; region ops every partner's."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Caller, CallerDep, Role, require_role
from registry.api._plumbing import RegistryUowDep, settings_of
from registry.repositories import PartnerWebhook, WebhookAttempt, WebhookDelivery
from registry.use_cases import webhooks

router = APIRouter(prefix="/v1/business-partners/{partner_id}/webhook", tags=["business partners"])

DeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]


class WebhookIn(BaseModel):
    """Where the partner's deliveries go."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="https:// URL that receives a POST per change of your team days.",
        examples=["https://hr.example.com/regio/webhook"],
    )
    new_secret: bool = Field(False, description="Replace the signing secret too (the new one is shown once).")


class WebhookOut(BaseModel):
    """The registered webhook; ``secret`` only in the answer that made it."""

    url: str
    secret: str | None = Field(
        None, description="The signing secret: shown once, here; keep it where your receiver can read it."
    )
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def of(cls, webhook: PartnerWebhook) -> WebhookOut:
        """The webhook without its secret."""
        return cls(url=webhook.url, created_at=webhook.created_at, updated_at=webhook.updated_at)


class AttemptOut(BaseModel):
    """One attempt: when, where to, the answer's status code (or the error), how long it took."""

    attempt: int
    at: datetime
    url: str
    status_code: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptOut:
        """The attempt as the API shows it."""
        return cls(**{name: getattr(attempt, name) for name in cls.model_fields})


class DeliveryOut(BaseModel):
    """A delivery: what it reports, how far it got, when it is tried next."""

    id: UUID
    event_type: str
    day_id: UUID | None
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        """The delivery as the API lists it."""
        return cls(**{name: getattr(delivery, name) for name in cls.model_fields})


class DeliveryLogOut(DeliveryOut):
    """A delivery with the exact body it sends and every attempt."""

    body: dict[str, Any] = Field(description="The JSON body, as signed and sent on every attempt.")
    attempt_log: list[AttemptOut]


def _partner(caller: Caller, partner_id: UUID) -> None:
    """Region ops, or the partner's own HR credential or contact; another partner's gets 404."""
    require_role(caller, Role.REGION_OPS, Role.BUSINESS_PARTNER)
    if caller.role is Role.BUSINESS_PARTNER and caller.subject_id != partner_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")


@router.put(
    "",
    response_model=WebhookOut,
    responses={201: {"model": WebhookOut, "description": "Registered: the answer carries the secret, once."}},
    summary="Register or change where your team days' news goes; a new webhook gets a signing secret, shown once.",
)
async def set_webhook(
    partner_id: UUID, body: WebhookIn, caller: CallerDep, uow: RegistryUowDep, request: Request
) -> JSONResponse:
    _partner(caller, partner_id)
    allow_http = settings_of(request).webhook_allow_http
    result = await webhooks.set_webhook(webhooks.SetWebhook(partner_id, body.url, body.new_secret, allow_http), uow)
    stored = await webhooks.get_webhook(webhooks.GetWebhook(partner_id), uow)
    out = WebhookOut.of(stored).model_copy(update={"secret": result.secret})
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if result.created else 200)


@router.get("", summary="Your webhook (its URL; the secret is never shown again).")
async def get_webhook(partner_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> WebhookOut:
    _partner(caller, partner_id)
    return WebhookOut.of(await webhooks.get_webhook(webhooks.GetWebhook(partner_id), uow))


@router.delete("", summary="Stop sending: the webhook is forgotten, deliveries still waiting are cancelled.")
async def remove_webhook(partner_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> dict[str, int]:
    _partner(caller, partner_id)
    return {"cancelled": await webhooks.remove_webhook(webhooks.RemoveWebhook(partner_id), uow)}


@router.post(
    "/ping",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a signed test delivery (type ping) to check your receiver; follow it in the delivery log.",
)
async def ping(partner_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> dict[str, UUID]:
    _partner(caller, partner_id)
    return {"delivery_id": await webhooks.ping_webhook(webhooks.PingWebhook(partner_id), uow)}


@router.get("/deliveries", summary="The delivery log: your last hundred deliveries, newest first.")
async def deliveries(
    partner_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    status_filter: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> list[DeliveryOut]:
    _partner(caller, partner_id)
    found = await webhooks.list_deliveries(webhooks.ListDeliveries(partner_id, status_filter), uow)
    return [DeliveryOut.of(delivery) for delivery in found]


@router.get("/deliveries/{delivery_id}", summary="One delivery: its body and every attempt.")
async def delivery(partner_id: UUID, delivery_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> DeliveryLogOut:
    _partner(caller, partner_id)
    log = await webhooks.get_delivery(webhooks.GetDelivery(partner_id, delivery_id), uow)
    return DeliveryLogOut(
        **DeliveryOut.of(log.delivery).model_dump(),
        body=json.loads(log.delivery.body),
        attempt_log=[AttemptOut.of(attempt) for attempt in log.attempts],
    )


@router.post(
    "/deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a failed or cancelled delivery again, now, with a fresh round of attempts.",
)
async def retry(partner_id: UUID, delivery_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> DeliveryOut:
    _partner(caller, partner_id)
    return DeliveryOut.of(await webhooks.redrive_delivery(webhooks.RedriveDelivery(partner_id, delivery_id), uow))
