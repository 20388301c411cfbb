"""Thank-you use cases: record one message per award, look after templates, and the sender's steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from uuid import UUID

from common.errors import NotFound
from registry.domain import ConsentKind
from registry.notifications.templates import DEFAULT_TEMPLATES, choose, render
from registry.repositories import Message, Template
from registry.unit_of_work import RegistryUnitOfWork

__all__ = [
    "ClaimDueThankYous",
    "ListMessages",
    "ListTemplates",
    "NotSent",
    "PrepareThankYou",
    "RecordDelivery",
    "RecordThankYou",
    "Recorded",
    "ResetTemplate",
    "SetTemplate",
    "TemplateView",
    "ThankYouMail",
    "claim_due_thank_yous",
    "list_messages",
    "list_templates",
    "prepare_thank_you",
    "record_delivery",
    "record_thank_you",
    "reset_template",
    "set_template",
]

# Retry delays of a message whose sending failed for a passing reason: doubling from a minute, at most a day.
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(days=1)
_ERROR_TEXT_LIMIT = 500
# Why an award earned by imported history gets no message (issue 18): no thank-you for the past.
HISTORIC = "historic"


@dataclass(frozen=True)
class RecordThankYou:
    """Appreciation awarded something (``AppreciationAwarded``): a thank-you may be due."""

    award_id: UUID
    recipient_id: UUID
    recipient_kind: str
    centrale_id: str
    rule_kind: str
    title: str
    historic: bool = False
    """Earned by history an import brought in: recorded, but no thank-you for the past."""


@dataclass(frozen=True)
class Recorded:
    """What recording an award did: whether it was new, and why no message is due (None: one is)."""

    new: bool
    reason: str | None


@dataclass(frozen=True)
class ListTemplates:
    """The thank-you templates a centrale uses, per award kind."""

    centrale_id: str


@dataclass(frozen=True)
class SetTemplate:
    """A centrale's own thank-you template for one kind of award."""

    centrale_id: str
    kind: str
    subject: str
    body: str


@dataclass(frozen=True)
class ResetTemplate:
    """Go back to the default template for a kind."""

    centrale_id: str
    kind: str


@dataclass(frozen=True)
class TemplateView:
    """The template a centrale uses for one kind of award; ``custom`` is False while the default is used."""

    kind: str
    subject: str
    body: str
    custom: bool


@dataclass(frozen=True)
class ListMessages:
    """Thank-you messages for the centrale's awards, newest first."""

    centrale_id: str
    status: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class ClaimDueThankYous:
    """A sender takes the messages due now (they stay locked until its unit of work ends)."""

    limit: int


@dataclass(frozen=True)
class PrepareThankYou:
    """Turn a due message into a mail, unless it may not (or cannot) be sent."""

    message: Message
    sending_enabled: bool


@dataclass(frozen=True)
class ThankYouMail:
    """A thank-you ready to send: rendered from the volunteer's current record and the centrale's template."""

    award_id: UUID
    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class NotSent:
    """A due message that is not sent after all, and why."""

    reason: str


@dataclass(frozen=True)
class RecordDelivery:
    """How sending a message ended: ``sent``, ``refused`` for good, or ``failed`` for a passing reason."""

    message: Message
    outcome: Literal["sent", "refused", "failed"]
    error: str | None = None


async def record_thank_you(cmd: RecordThankYou, uow: RegistryUnitOfWork) -> Recorded:
    """Record the award's message: ``pending`` when the volunteer consents and has an address, else
    ``not_sent`` with the reason; once per award, whatever is redelivered or published again."""
    reason = HISTORIC if cmd.historic else await _why_not(uow, cmd.recipient_kind, cmd.recipient_id)
    new = await uow.messages.add_once(
        Message(
            award_id=cmd.award_id,
            recipient_id=cmd.recipient_id,
            recipient_kind=cmd.recipient_kind,
            centrale_id=cmd.centrale_id,
            rule_kind=cmd.rule_kind,
            title=cmd.title,
            status="pending" if reason is None else "not_sent",
            reason=reason,
            recorded_at=uow.now(),
            next_attempt_at=uow.now(),
        )
    )
    return Recorded(new=new, reason=reason)


async def list_templates(query: ListTemplates, uow: RegistryUnitOfWork) -> list[TemplateView]:
    """Every kind with the template the centrale uses for it: its own, or the Dutch default."""
    own = await uow.templates.of_centrale(query.centrale_id)
    return [
        TemplateView(kind, own[kind].subject, own[kind].body, custom=True)
        if kind in own
        else TemplateView(kind, subject, body, custom=False)
        for kind, (subject, body) in DEFAULT_TEMPLATES.items()
    ]


async def set_template(cmd: SetTemplate, uow: RegistryUnitOfWork) -> TemplateView:
    """Store the centrale's own template for the kind (replacing one there was); NotFound for no centrale."""
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    await uow.templates.put(Template(cmd.centrale_id, cmd.kind, cmd.subject, cmd.body, uow.now()))
    return TemplateView(cmd.kind, cmd.subject, cmd.body, custom=True)


async def reset_template(cmd: ResetTemplate, uow: RegistryUnitOfWork) -> None:
    """Forget the centrale's own template for the kind."""
    await uow.templates.delete(cmd.centrale_id, cmd.kind)


async def list_messages(query: ListMessages, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The centrale's messages: award, recipient, what it was for, and sent, due or why not."""
    columns = (
        "award_id",
        "recipient_id",
        "recipient_kind",
        "rule_kind",
        "title",
        "status",
        "reason",
        "attempts",
        "recorded_at",
        "sent_at",
    )
    messages = await uow.messages.of_centrale(query.centrale_id, query.status, query.limit)
    return [{column: getattr(message, column) for column in columns} for message in messages]


async def claim_due_thank_yous(cmd: ClaimDueThankYous, uow: RegistryUnitOfWork) -> list[Message]:
    """The messages due now, earliest first; another sender's messages in hand are skipped."""
    return await uow.messages.claim_due(uow.now(), cmd.limit)


async def prepare_thank_you(cmd: PrepareThankYou, uow: RegistryUnitOfWork) -> ThankYouMail | NotSent:
    """The mail for a due message, or why it is settled as not sent instead (sending switched off,
    consent withdrawn since the award, volunteer erased, no address)."""
    message = cmd.message
    reason = (
        await _why_not(uow, message.recipient_kind, message.recipient_id) if cmd.sending_enabled else "sending_disabled"
    )
    if reason is not None:
        await uow.messages.settle(message.award_id, "not_sent", reason, None)
        return NotSent(reason)
    volunteer = await uow.volunteers.get(message.recipient_id)
    assert volunteer is not None, "checked by _why_not"
    assert volunteer.email is not None, "checked by _why_not"
    centrale = await uow.centrales.get(volunteer.centrale_id)
    assert centrale is not None, "a volunteer's centrale stays"
    own = await uow.templates.of_centrale(volunteer.centrale_id, [message.rule_kind, "default"])
    subject, body = choose({kind: (t.subject, t.body) for kind, t in own.items()}, message.rule_kind)
    subject, text = render(subject, body, naam=volunteer.name or "", titel=message.title, centrale=centrale.name)
    return ThankYouMail(message.award_id, volunteer.email, subject, text)


async def record_delivery(cmd: RecordDelivery, uow: RegistryUnitOfWork) -> timedelta | None:
    """Note how sending went: sent; refused for good (``failed``); or tried again later, with backoff.

    Returns how long until the next try (None when the message is settled).
    """
    award_id = cmd.message.award_id
    if cmd.outcome == "sent":
        await uow.messages.mark_sent(award_id, uow.now())
        return None
    if cmd.outcome == "refused":
        await uow.messages.settle(award_id, "failed", "refused", cmd.error)
        return None
    delay: timedelta = min(FIRST_RETRY * 2**cmd.message.attempts, MAX_RETRY)
    await uow.messages.retry_later(award_id, (cmd.error or "")[:_ERROR_TEXT_LIMIT], uow.now() + delay)
    return delay


async def _why_not(uow: RegistryUnitOfWork, recipient_kind: str, recipient_id: UUID) -> str | None:
    """Why no message may go to the recipient now, or None when one may."""
    if recipient_kind != "volunteer":
        return "no_contact_data"  # the registry keeps no contact person for business partners
    volunteer = await uow.volunteers.get(recipient_id)
    if volunteer is None:
        return "unknown_volunteer"
    if volunteer.erased_at is not None:
        return "erased"
    consent = (await uow.volunteers.consents(recipient_id)).get(ConsentKind.APPRECIATION_MESSAGES.value)
    if consent is None or not consent.granted:
        return "no_consent"
    if not volunteer.email:
        return "no_email"
    return None
