"""The thank-you subscriber: each award becomes one message row, in the inbox transaction."""

from __future__ import annotations

from common.consumer import EventConsumer
from common.logging import get_logger
from contracts.events import AppreciationAwarded
from registry.notifications.use_cases import RecordThankYou, record_thank_you
from registry.unit_of_work import PostgresRegistryUnitOfWork

__all__ = ["on_appreciation_awarded", "register_notifications"]

log = get_logger(__name__)


async def on_appreciation_awarded(event: AppreciationAwarded, uow: PostgresRegistryUnitOfWork) -> None:
    """Queue a thank-you for the award when the volunteer consents, else record why not; once per award."""
    recorded = await record_thank_you(
        RecordThankYou(
            award_id=event.award_id,
            recipient_id=event.recipient_id,
            recipient_kind=event.recipient_kind,
            centrale_id=event.centrale_id,
            rule_kind=event.rule_kind,
            title=event.title,
            historic=event.historic,
        ),
        uow,
    )
    log.info(
        "thank_you_queued" if recorded.new and recorded.reason is None else "thank_you_not_queued",
        award_id=str(event.award_id),
        reason=recorded.reason if recorded.new else "seen_before",
    )


def register_notifications(consumer: EventConsumer) -> None:
    """Attach the thank-you subscriber to the registry's consumer."""
    consumer.on(AppreciationAwarded)(on_appreciation_awarded)
