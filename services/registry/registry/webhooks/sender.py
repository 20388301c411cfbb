"""The webhook sender: a background worker the service runner starts, posting due deliveries to partners.

Each delivery is claimed, sent and recorded in one unit of work (``FOR UPDATE SKIP LOCKED``: several registry
instances share the work, and none sends what another holds). The body is sent as stored; the signature is
made for this attempt. Redirects are not followed and the answer's body is never read or kept: a 2xx
delivers, anything else (or no answer within ``REGISTRY_WEBHOOK_TIMEOUT_S``) is tried again later.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import cast

import asyncpg
import httpx

from common.clock import Clock
from common.logging import get_logger
from common.polling import PollingWorker
from common.runtime import BackgroundWorker, Runtime
from common.uow import Origin, unit_of_work
from registry.config import Settings
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases.webhooks import (
    ClaimDueDelivery,
    DueDelivery,
    RecordAttempt,
    RetryPolicy,
    claim_due_delivery,
    record_attempt,
)
from registry.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header

__all__ = ["WebhookSender", "webhook_sender"]

log = get_logger(__name__)

_USER_AGENT = "regio-platform-webhooks/1"
# Deliveries sent in a row before the sender looks whether it should stop.
_BATCH = 20


class WebhookSender(PollingWorker):
    """Sends due webhook deliveries; several registry instances may run one each (deliveries are claimed)."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, clock: Clock) -> None:
        super().__init__("webhook-sender", settings.webhook_poll_interval_s)
        self._pool = pool
        self._settings = settings
        self._clock = clock
        self._origin = Origin.of_job(service="registry", region=settings.region, job="webhook-sender")
        self._policy = RetryPolicy(
            first_delay=timedelta(seconds=settings.webhook_first_retry_s),
            max_delay=timedelta(seconds=settings.webhook_max_retry_s),
            max_attempts=settings.webhook_max_attempts,
        )
        self._client: httpx.AsyncClient | None = None

    async def opening(self) -> None:
        """One HTTP client for every delivery (its connections are reused per partner host)."""
        self._client = httpx.AsyncClient(
            timeout=self._settings.webhook_timeout_s, follow_redirects=False, headers={"User-Agent": _USER_AGENT}
        )

    async def closing(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()

    async def round(self) -> int:
        """Send up to a batch of due deliveries."""
        return await self.send_due()

    async def send_due(self) -> int:
        """Send up to a batch of due deliveries, each in its own unit of work; how many were tried."""
        tried = 0
        while tried < _BATCH and not self.stopping:
            async with unit_of_work(self._pool, self._origin, self._clock, PostgresRegistryUnitOfWork) as uow:
                due = await claim_due_delivery(ClaimDueDelivery(), uow)
                if due is None:
                    return tried
                status_code, error, duration_ms = await self._post(due, int(uow.now().timestamp()))
                outcome = await record_attempt(RecordAttempt(due, status_code, error, duration_ms, self._policy), uow)
            tried += 1
            facts = {
                "delivery_id": str(due.delivery.id),
                "partner_id": str(due.delivery.partner_id),
                "event_type": due.delivery.event_type,
                "attempt": outcome.attempts,
                "status_code": status_code,
            }
            if outcome.status == "delivered":
                log.info("webhook_delivered", **facts)
            elif outcome.status == "failed":
                log.warning("webhook_failed", **facts, error=error)
            else:
                log.info("webhook_retry_later", **facts, error=error, next_attempt_at=str(outcome.next_attempt_at))
        return tried

    async def _post(self, due: DueDelivery, timestamp: int) -> tuple[int | None, str | None, int]:
        """POST the delivery signed for ``timestamp``: (status code or None, error or None, milliseconds)."""
        assert self._client is not None, "started"
        body = due.delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature_header(due.secret, timestamp, body),
            EVENT_HEADER: due.delivery.event_type,
            DELIVERY_HEADER: str(due.delivery.id),
        }
        started = time.monotonic()
        try:
            # Streamed and closed unread: a partner's answer is a status code to us, never a body to keep.
            async with self._client.stream("POST", due.url, content=body, headers=headers) as response:
                status_code: int | None = response.status_code
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.HTTPError as failure:
            status_code, error = None, f"{type(failure).__name__}: {failure}"
        return status_code, error, round((time.monotonic() - started) * 1000)


def webhook_sender(runtime: Runtime) -> BackgroundWorker:
    """The sender for the running registry (``ServiceSpec.workers``)."""
    assert runtime.pool is not None, "workers start after the pool opened"
    return WebhookSender(runtime.pool, cast(Settings, runtime.settings), runtime.clock)
