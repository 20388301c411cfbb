"""The notice sender: a background worker the service runner starts, mailing each person's due notices over SMTP.

Per person, what is due goes as one mail: a single notice as itself, several (a burst gathered up, or the daily
digest) as one digest. Instances share the work: notices are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import asyncio
import smtplib
from datetime import timedelta
from typing import cast

import asyncpg

from common.clock import Clock
from common.jobs import DailyAt, latest_due
from common.logging import get_logger
from common.polling import PollingWorker
from common.runtime import BackgroundWorker, Runtime
from common.uow import Origin, unit_of_work
from registry.config import Settings
from registry.notifications.mail import build_mail
from registry.smtp import PermanentFailure, send_email
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases.notices import (
    ClaimDueNotices,
    NoticeMail,
    PrepareNotices,
    RecordNoticeDelivery,
    claim_due_notices,
    prepare_notices,
    record_notice_delivery,
)

__all__ = ["NoticeSender", "notice_sender"]

log = get_logger(__name__)

_RECIPIENTS_PER_ROUND = 20


class NoticeSender(PollingWorker):
    """Sends due notices, one mail per person; several registry instances may run one each."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, clock: Clock) -> None:
        super().__init__("notice-sender", settings.messages_poll_interval_s)
        self._pool = pool
        self._settings = settings
        self._clock = clock
        self._origin = Origin.of_job(service="registry", region=settings.region, job="notice-sender")
        self._gather = timedelta(seconds=settings.notice_gather_s)
        self._digest = DailyAt(settings.notice_digest_at)

    async def round(self) -> int:
        """Mail the people with notices due."""
        return await self.send_due()

    async def send_due(self) -> int:
        """Mail every person with notices due (each in a unit of work of its own); how many mails were handled."""
        now = self._clock.now()
        digest_before = latest_due(self._digest, now)
        async with self._pool.acquire() as conn:
            recipients = await PostgresRegistryUnitOfWork(conn, self._origin, self._clock).notices.recipients_due(
                now, immediate_before=now - self._gather, digest_before=digest_before, limit=_RECIPIENTS_PER_ROUND
            )
        handled = 0
        for recipient_kind, recipient_id in recipients:
            if self.stopping:
                break
            async with unit_of_work(self._pool, self._origin, self._clock, PostgresRegistryUnitOfWork) as uow:
                claim = ClaimDueNotices(recipient_kind, recipient_id, self._gather, digest_before)
                notices = await claim_due_notices(claim, uow)
                prepared = await prepare_notices(
                    PrepareNotices(
                        notices, sending_enabled=self._settings.smtp_host is not None,
                        portal_url=self._settings.portal_url,
                    ),
                    uow,
                )  # fmt: skip
                if prepared is None:
                    handled += bool(notices)
                    continue
                attempts = max(n.attempts for n in notices)
                delivery = await self._deliver(prepared, attempts)
                retry_in = await record_notice_delivery(delivery, uow)
                handled += 1
                kinds = sorted({n.kind for n in notices if n.id in prepared.notice_ids})
                if delivery.outcome == "sent":
                    log.info(
                        "notice_sent", mail_id=str(prepared.mail_id), notices=len(prepared.notice_ids), kinds=kinds
                    )
                elif retry_in is None:
                    log.info("notice_not_sent", mail_id=str(prepared.mail_id), status="failed", reason="refused")
                else:
                    log.warning(
                        "notice_send_failed", mail_id=str(prepared.mail_id), retry_in_s=retry_in.total_seconds()
                    )
        return handled

    async def _deliver(self, mail: NoticeMail, attempts: int) -> RecordNoticeDelivery:
        """Send the mail: ``sent``, ``refused`` (for good) or ``failed`` (try again), with the error."""
        message = build_mail(
            self._settings, to=mail.to, subject=mail.subject, text=mail.text, html=mail.html,
            message_id=str(mail.mail_id), now=self._clock.now(),
        )  # fmt: skip
        try:
            await asyncio.to_thread(send_email, self._settings, message)
        except PermanentFailure as error:
            return RecordNoticeDelivery(mail, attempts, "refused", str(error))
        except (OSError, smtplib.SMTPException) as error:
            return RecordNoticeDelivery(mail, attempts, "failed", repr(error))
        return RecordNoticeDelivery(mail, attempts, "sent")


def notice_sender(runtime: Runtime) -> BackgroundWorker:
    """The sender for the running registry (``ServiceSpec.workers``)."""
    assert runtime.pool is not None, "workers start after the pool opened"
    return NoticeSender(runtime.pool, cast(Settings, runtime.settings), runtime.clock)
