"""The thank-you sender: a background worker the service runner starts, sending due messages over SMTP."""

from __future__ import annotations

import asyncio
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import cast

import asyncpg

from common.clock import Clock
from common.logging import get_logger
from common.polling import PollingWorker
from common.runtime import BackgroundWorker, Runtime
from common.uow import Origin, unit_of_work
from registry.config import Settings
from registry.notifications.use_cases import (
    ClaimDueThankYous,
    NotSent,
    PrepareThankYou,
    RecordDelivery,
    ThankYouMail,
    claim_due_thank_yous,
    prepare_thank_you,
    record_delivery,
)
from registry.repositories import Message
from registry.smtp import PermanentFailure, send_email
from registry.unit_of_work import PostgresRegistryUnitOfWork

__all__ = ["ThankYouSender", "thank_you_sender"]

log = get_logger(__name__)

_BATCH = 20


class ThankYouSender(PollingWorker):
    """Sends due thank-you messages; several registry instances may run one each (messages are claimed)."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, clock: Clock) -> None:
        super().__init__("thank-you-sender", settings.messages_poll_interval_s)
        self._pool = pool
        self._settings = settings
        self._clock = clock
        self._origin = Origin.of_job(service="registry", region=settings.region, job="thank-you-sender")

    async def round(self) -> int:
        """Send one batch of due messages."""
        return await self.send_due()

    async def send_due(self) -> int:
        """Handle one batch of due messages in one unit of work (they stay claimed meanwhile); how many."""
        async with unit_of_work(self._pool, self._origin, self._clock, PostgresRegistryUnitOfWork) as uow:
            due = await claim_due_thank_yous(ClaimDueThankYous(limit=_BATCH), uow)
            for message in due:
                if self.stopping:
                    break
                prepared = await prepare_thank_you(
                    PrepareThankYou(message, sending_enabled=self._settings.smtp_host is not None), uow
                )
                if isinstance(prepared, NotSent):
                    log.info("thank_you_not_sent", award_id=str(message.award_id), reason=prepared.reason)
                    continue
                delivery = await self._deliver(message, prepared, uow.now())
                retry_in = await record_delivery(delivery, uow)
                if delivery.outcome == "sent":
                    log.info("thank_you_sent", award_id=str(message.award_id))
                elif retry_in is None:
                    log.info("thank_you_not_sent", award_id=str(message.award_id), status="failed", reason="refused")
                else:
                    log.warning(
                        "thank_you_send_failed", award_id=str(message.award_id), retry_in_s=retry_in.total_seconds()
                    )
        return len(due)

    async def _deliver(self, message: Message, mail: ThankYouMail, now: datetime) -> RecordDelivery:
        """Send the mail: ``sent``, ``refused`` (for good) or ``failed`` (try again), with the error."""
        try:
            await asyncio.to_thread(self._send, self._email(mail, now))
        except PermanentFailure as error:
            return RecordDelivery(message, "refused", str(error))
        except (OSError, smtplib.SMTPException) as error:
            return RecordDelivery(message, "failed", repr(error))
        return RecordDelivery(message, "sent")

    def _email(self, mail: ThankYouMail, now: datetime) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.smtp_sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(now)
        domain = self._settings.smtp_sender.rpartition("@")[2] or "localhost"
        # From the award id: in the one window where a message can go out twice (the process dies after the
        # server accepted it, before its row was marked) mail clients see one message.
        message["Message-ID"] = f"<{mail.award_id}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.text)
        # After set_content, which replaces every Content-* header (set before, it was silently dropped).
        message["Content-Language"] = "nl"
        return message

    def _send(self, message: EmailMessage) -> None:
        """One SMTP conversation (blocking: runs in a worker thread)."""
        send_email(self._settings, message)


def thank_you_sender(runtime: Runtime) -> BackgroundWorker:
    """The sender for the running registry (``ServiceSpec.workers``)."""
    assert runtime.pool is not None, "workers start after the pool opened"
    return ThankYouSender(runtime.pool, cast(Settings, runtime.settings), runtime.clock)
