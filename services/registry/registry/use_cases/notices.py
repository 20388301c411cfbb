"""Notices about the match conversation and follow-up: queueing one (with the person's preference, consent and the
call list), people's preferences, the centrales' templates, what staff see, and the sender's steps.

Like thank-you messages, a notice row holds ids, never an address, name or text: the sender renders the mail from
the recipient's current record just before sending, after checking again that it may go (consent, erasure).
A volunteer hears about their proposals and matches only while they consent to bemiddeling (``matching``), the
consent the conversation rests on. Someone without an e-mail address lands on the consulent's call list instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from common.errors import NotFound, Rejected
from registry.domain import ConsentKind
from registry.notice_texts import (
    BOOKED_KINDS,
    DEFAULT_NOTICE_TEMPLATES,
    NoticeKind,
    NoticeText,
    as_html,
    choose_notice,
    digest,
    render_notice,
)
from registry.repositories import Notice, NoticePreference, NoticeTemplate
from registry.unit_of_work import RegistryUnitOfWork

__all__ = [
    "DELIVERIES",
    "CallListEntry",
    "ClaimDueNotices",
    "GetNoticePreferences",
    "ListCallList",
    "ListNoticeTemplates",
    "ListNotices",
    "MarkCalled",
    "NoticeMail",
    "NoticeTemplateView",
    "PrepareNotices",
    "RecordNoticeDelivery",
    "ResetNoticeTemplate",
    "SetNoticePreferences",
    "SetNoticeTemplate",
    "claim_due_notices",
    "get_notice_preferences",
    "list_call_list",
    "list_notice_templates",
    "list_notices",
    "mark_called",
    "prepare_notices",
    "queue_notice",
    "record_notice_delivery",
    "reset_notice_template",
    "set_notice_preferences",
    "set_notice_template",
]

DELIVERIES = ("immediate", "digest", "off")
"""What a person may choose per kind of notice: at once, in a daily digest, or not at all."""
_DEFAULT_DELIVERY = "immediate"
# Retry delays of a mail whose sending failed for a passing reason: doubling from a minute, at most a day.
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(days=1)
_ERROR_TEXT_LIMIT = 500
# Ids of notices derive from what caused them (an event, a job's moment), so nothing is queued twice.
_NOTICE_IDS = UUID("4f6b3c1e-8d2a-4f5e-9a7b-2c1d0e9f8a6b")
_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")  # fmt: skip


# -- queueing ---------------------------------------------------------------------------------------------


async def _recipient_problem(
    uow: RegistryUnitOfWork, recipient_kind: str, recipient_id: UUID, centrale_id: str, kind: str
) -> str | None:
    """Why no mail may go to the recipient now (``no_email``: they go on the call list), or None when one may.

    A volunteer hears about proposals and matches only with the consent to bemiddeling; about what they booked
    themselves (``BOOKED_KINDS``: a training) without it."""
    if recipient_kind == "organisation":
        organisation = await uow.organisations.get(recipient_id, centrale_id)
        if organisation is None:
            return "unknown_organisation"
        return None if organisation.contact_email else "no_email"
    if recipient_kind == "partner":
        contact = await uow.beursvloer.contact(recipient_id)
        if contact is None:
            return "no_contact"
        return None if contact.email else "no_email"
    volunteer = await uow.volunteers.get(recipient_id)
    if volunteer is None:
        return "unknown_volunteer"
    if volunteer.erased_at is not None:
        return "erased"
    if kind not in BOOKED_KINDS:
        consent = (await uow.volunteers.consents(recipient_id)).get(ConsentKind.MATCHING.value)
        if consent is None or not consent.granted:
            return "no_consent"
    return None if volunteer.email else "no_email"


async def queue_notice(
    uow: RegistryUnitOfWork,
    *,
    kind: NoticeKind,
    recipient_kind: Literal["volunteer", "organisation", "partner"],
    recipient_id: UUID,
    centrale_id: str,
    cause: str,
    match_id: UUID | None = None,
    task_id: UUID | None = None,
    check_in_id: UUID | None = None,
    deal_id: UUID | None = None,
    training_id: UUID | None = None,
    shift_id: UUID | None = None,
) -> Notice | None:
    """Queue one notice, once per ``cause`` (an event id, a job's moment): pending as the person prefers it (at
    once or in the daily digest), on the call list when they have no e-mail address, else not sent with the
    reason (they chose ``off``, no consent, erased). None when the same cause queued it before."""
    preference = (await uow.notice_preferences.of_recipient(recipient_kind, recipient_id)).get(
        kind.value, _DEFAULT_DELIVERY
    )
    problem = (
        "off"
        if preference == "off"
        else await _recipient_problem(uow, recipient_kind, recipient_id, centrale_id, kind.value)
    )
    status = "pending" if problem is None else "call" if problem == "no_email" else "not_sent"
    notice = Notice(
        id=uuid5(_NOTICE_IDS, f"{cause}|{kind.value}|{recipient_kind}|{recipient_id}"),
        recipient_kind=recipient_kind,
        recipient_id=recipient_id,
        centrale_id=centrale_id,
        kind=kind.value,
        delivery="digest" if preference == "digest" else "immediate",
        status=status,
        reason=problem,
        due_at=uow.now(),
        recorded_at=uow.now(),
        match_id=match_id,
        task_id=task_id,
        check_in_id=check_in_id,
        deal_id=deal_id,
        training_id=training_id,
        shift_id=shift_id,
    )
    return notice if await uow.notices.add_once(notice) else None


# -- preferences ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GetNoticePreferences:
    """How a person wants each kind of notice (every kind, with the default where they chose nothing)."""

    recipient_kind: str
    recipient_id: UUID


@dataclass(frozen=True)
class SetNoticePreferences:
    """A person's choices per kind of notice (``immediate``, ``digest`` or ``off``); other kinds stay as they were."""

    recipient_kind: str
    recipient_id: UUID
    choices: Mapping[str, str]


async def get_notice_preferences(query: GetNoticePreferences, uow: RegistryUnitOfWork) -> dict[str, str]:
    """Every kind of notice with how the person gets it."""
    chosen = await uow.notice_preferences.of_recipient(query.recipient_kind, query.recipient_id)
    return {kind.value: chosen.get(kind.value, _DEFAULT_DELIVERY) for kind in NoticeKind}


async def set_notice_preferences(cmd: SetNoticePreferences, uow: RegistryUnitOfWork) -> dict[str, str]:
    """Store the person's choices; every kind with how they get it now."""
    kinds = {kind.value for kind in NoticeKind}
    unknown = sorted(set(cmd.choices) - kinds) + sorted(set(cmd.choices.values()) - set(DELIVERIES))
    if unknown:
        raise Rejected([f"unknown kind or delivery: {', '.join(unknown)}"])
    await uow.notice_preferences.put(
        [
            NoticePreference(cmd.recipient_kind, cmd.recipient_id, kind, delivery, uow.now())
            for kind, delivery in sorted(cmd.choices.items())
        ]
    )
    return await get_notice_preferences(GetNoticePreferences(cmd.recipient_kind, cmd.recipient_id), uow)


# -- templates --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeTemplateView:
    """The template a centrale uses for one kind of notice; ``custom`` is False while the default is used."""

    kind: str
    subject: str
    body: str
    custom: bool


@dataclass(frozen=True)
class ListNoticeTemplates:
    """The notice templates a centrale uses, per kind."""

    centrale_id: str


@dataclass(frozen=True)
class SetNoticeTemplate:
    """A centrale's own template for one kind of notice."""

    centrale_id: str
    kind: str
    subject: str
    body: str


@dataclass(frozen=True)
class ResetNoticeTemplate:
    """Go back to the Dutch default for a kind."""

    centrale_id: str
    kind: str


async def list_notice_templates(query: ListNoticeTemplates, uow: RegistryUnitOfWork) -> list[NoticeTemplateView]:
    """Every kind with the template the centrale uses for it: its own, or the Dutch default."""
    own = await uow.notice_templates.of_centrale(query.centrale_id)
    return [
        NoticeTemplateView(kind, own[kind].subject, own[kind].body, custom=True)
        if kind in own
        else NoticeTemplateView(kind, subject, body, custom=False)
        for kind, (subject, body) in DEFAULT_NOTICE_TEMPLATES.items()
    ]


async def set_notice_template(cmd: SetNoticeTemplate, uow: RegistryUnitOfWork) -> NoticeTemplateView:
    """Store the centrale's own template for the kind; NotFound for no centrale."""
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    await uow.notice_templates.put(NoticeTemplate(cmd.centrale_id, cmd.kind, cmd.subject, cmd.body, uow.now()))
    return NoticeTemplateView(cmd.kind, cmd.subject, cmd.body, custom=True)


async def reset_notice_template(cmd: ResetNoticeTemplate, uow: RegistryUnitOfWork) -> None:
    """Forget the centrale's own template for the kind."""
    await uow.notice_templates.delete(cmd.centrale_id, cmd.kind)


# -- what staff see ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListNotices:
    """The centrale's notices and how their delivery went, newest first."""

    centrale_id: str
    statuses: Sequence[str] | None = None
    kind: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class ListCallList:
    """The people the consulent should phone: notices to someone without an e-mail address, not called yet."""

    centrale_id: str


@dataclass(frozen=True)
class CallListEntry:
    """One call to make: who (name and phone from their current record), about what (kind, task, match)."""

    notice: Notice
    name: str | None
    phone: str | None
    task_title: str | None


@dataclass(frozen=True)
class MarkCalled:
    """The consulent phoned the person about a notice on the call list."""

    centrale_id: str
    notice_id: UUID
    by: str


async def list_notices(query: ListNotices, uow: RegistryUnitOfWork) -> list[Notice]:
    """The centrale's notices: kind, recipient, what about, and sent, due, on the call list, or why not."""
    return await uow.notices.of_centrale(query.centrale_id, query.statuses, query.kind, query.limit)


async def list_call_list(query: ListCallList, uow: RegistryUnitOfWork) -> list[CallListEntry]:
    """Who to phone and about what, oldest first; an erased person is left out (there is nobody to call)."""
    entries = []
    for notice in reversed(await uow.notices.of_centrale(query.centrale_id, ["call"], None, 500)):
        name, phone = await _name_and_phone(uow, notice)
        if name is None and phone is None:
            continue
        task = await uow.tasks.get_by_id(notice.task_id) if notice.task_id else None
        entries.append(CallListEntry(notice, name, phone, task.title if task else None))
    return entries


async def mark_called(cmd: MarkCalled, uow: RegistryUnitOfWork) -> None:
    """Take a notice off the call list: the person was phoned."""
    notice = await uow.notices.get(cmd.notice_id, cmd.centrale_id)
    if notice is None or notice.status != "call":
        raise NotFound(f"call {cmd.notice_id} not found")
    await uow.notices.mark_called(notice.id, cmd.by)


async def _name_and_phone(uow: RegistryUnitOfWork, notice: Notice) -> tuple[str | None, str | None]:
    if notice.recipient_kind == "organisation":
        organisation = await uow.organisations.get(notice.recipient_id, notice.centrale_id)
        return (organisation.contact_name, organisation.contact_phone) if organisation else (None, None)
    if notice.recipient_kind == "partner":
        contact = await uow.beursvloer.contact(notice.recipient_id)
        return (contact.name, contact.phone) if contact else (None, None)
    volunteer = await uow.volunteers.get(notice.recipient_id)
    if volunteer is None or volunteer.erased_at is not None:
        return None, None
    return volunteer.name, volunteer.phone


# -- the sender's steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimDueNotices:
    """A sender takes one recipient's notices that are to go now, as one mail (locked until its unit of work ends).

    Immediate notices wait ``gather`` after they were recorded, so a burst goes as one mail; digest notices go at
    the latest digest moment (``digest_before``).
    """

    recipient_kind: str
    recipient_id: UUID
    gather: timedelta
    digest_before: datetime


@dataclass(frozen=True)
class PrepareNotices:
    """Turn claimed notices into one mail, unless they may not (or cannot) be sent."""

    notices: Sequence[Notice]
    sending_enabled: bool
    portal_url: str | None


@dataclass(frozen=True)
class NoticeMail:
    """A mail ready to send: one notice, or several as a digest; rendered from the current records."""

    mail_id: UUID
    notice_ids: tuple[UUID, ...]
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class RecordNoticeDelivery:
    """How sending a mail ended: ``sent``, ``refused`` for good, or ``failed`` for a passing reason."""

    mail: NoticeMail
    attempts: int
    outcome: Literal["sent", "refused", "failed"]
    error: str | None = None


async def claim_due_notices(cmd: ClaimDueNotices, uow: RegistryUnitOfWork) -> list[Notice]:
    """The recipient's notices to send now in one mail, oldest first (none when nothing is to go yet)."""
    now = uow.now()
    return await uow.notices.claim_for(
        cmd.recipient_kind, cmd.recipient_id, now, immediate_before=now - cmd.gather, digest_before=cmd.digest_before
    )


async def prepare_notices(cmd: PrepareNotices, uow: RegistryUnitOfWork) -> NoticeMail | None:
    """The mail for claimed notices of one recipient, or None when they are settled without one: sending switched
    off, consent withdrawn or erased since (not sent), no address any more (call list), or switched off by the
    person since they were queued."""
    if not cmd.notices:
        return None
    first = cmd.notices[0]
    problem = (
        await _recipient_problem(uow, first.recipient_kind, first.recipient_id, first.centrale_id, first.kind)
        if cmd.sending_enabled
        else "sending_disabled"
    )
    if problem is not None:
        status = "call" if problem == "no_email" else "not_sent"
        await uow.notices.settle([n.id for n in cmd.notices], status, problem, None)
        return None
    chosen = await uow.notice_preferences.of_recipient(first.recipient_kind, first.recipient_id)
    switched_off = [n for n in cmd.notices if chosen.get(n.kind) == "off"]
    if switched_off:
        await uow.notices.settle([n.id for n in switched_off], "not_sent", "off", None)
    going = [n for n in cmd.notices if n not in switched_off]
    if not going:
        return None
    to, name, centrale_name, vog_until = await _recipient(uow, first)
    own = await uow.notice_templates.of_centrale(first.centrale_id)
    templates = {kind: (t.subject, t.body) for kind, t in own.items()}
    texts = []
    for notice in going:
        values = await _values(
            uow, notice, name=name, centrale=centrale_name, vog_until=vog_until, portal=cmd.portal_url
        )
        subject, body = choose_notice(templates, notice.kind)
        texts.append(render_notice(subject, body, values, recipient_kind=notice.recipient_kind, footer=len(going) == 1))
    text: NoticeText = (
        texts[0] if len(texts) == 1 else digest(name, centrale_name, texts, recipient_kind=first.recipient_kind)
    )
    ids = tuple(n.id for n in going)
    mail_id = uuid5(_NOTICE_IDS, ",".join(sorted(str(i) for i in ids)))
    return NoticeMail(mail_id, ids, to, text.subject, text.text, as_html(text.text))


async def record_notice_delivery(cmd: RecordNoticeDelivery, uow: RegistryUnitOfWork) -> timedelta | None:
    """Note how sending went: sent; refused for good (``failed``); or tried again later, with backoff.

    Returns how long until the next try (None when the notices are settled).
    """
    ids = cmd.mail.notice_ids
    if cmd.outcome == "sent":
        await uow.notices.mark_sent(ids, cmd.mail.mail_id, uow.now())
        return None
    if cmd.outcome == "refused":
        await uow.notices.settle(ids, "failed", "refused", cmd.error)
        return None
    delay: timedelta = min(FIRST_RETRY * 2**cmd.attempts, MAX_RETRY)
    await uow.notices.retry_later(ids, (cmd.error or "")[:_ERROR_TEXT_LIMIT], uow.now() + delay)
    return delay


async def _recipient(uow: RegistryUnitOfWork, notice: Notice) -> tuple[str, str, str, date | None]:
    """The address, the name to greet, the centrale's name and (volunteers) the VOG's last day, from the records."""
    centrale = await uow.centrales.get(notice.centrale_id)
    assert centrale is not None, "a recipient's centrale stays"
    if notice.recipient_kind == "organisation":
        organisation = await uow.organisations.get(notice.recipient_id, notice.centrale_id)
        assert organisation is not None, "checked by _recipient_problem"
        assert organisation.contact_email, "checked by _recipient_problem"
        return organisation.contact_email, organisation.contact_name or organisation.name, centrale.name, None
    if notice.recipient_kind == "partner":
        contact = await uow.beursvloer.contact(notice.recipient_id)
        assert contact is not None, "checked by _recipient_problem"
        assert contact.email, "checked by _recipient_problem"
        return contact.email, contact.name, centrale.name, None
    volunteer = await uow.volunteers.get(notice.recipient_id)
    assert volunteer is not None, "checked by _recipient_problem"
    assert volunteer.email, "checked by _recipient_problem"
    return volunteer.email, volunteer.name or "", centrale.name, volunteer.vog_valid_until


async def _values(
    uow: RegistryUnitOfWork, notice: Notice, *, name: str, centrale: str, vog_until: date | None, portal: str | None
) -> dict[str, str]:
    """What a notice's placeholders stand for: names and titles from the current records, a link into the portal."""
    task = await uow.tasks.get_by_id(notice.task_id) if notice.task_id else None
    organisation = await uow.organisations.get(task.organisation_id, task.centrale_id) if task else None
    values = {
        "naam": name,
        "taak": task.title if task else "",
        "organisatie": organisation.name if organisation else "",
        "centrale": centrale,
        "link": _link(portal, notice),
        "datum": _dutch_day(vog_until) if vog_until else "",
    }
    deal = await uow.deals.get(notice.deal_id, notice.centrale_id) if notice.deal_id else None
    if deal is not None:
        values |= {"afspraak": deal.description, "datum": _dutch_day(deal.due_on)}
    if notice.kind == NoticeKind.ONE_OFF_FOLLOW_UP:
        values["taken"] = await _fitting_structural_tasks(uow, notice, portal)
    training = await uow.trainings.get(notice.training_id, notice.centrale_id) if notice.training_id else None
    if training is not None:
        start = training.starts_at.astimezone(_DUTCH_TIME)
        values |= {
            "training": training.title,
            "plaats": training.place,
            "datum": f"{_dutch_day(start.date())} om {start:%H:%M}",
        }
    shift = await uow.shifts.get_shift(notice.shift_id, notice.task_id) if notice.shift_id and notice.task_id else None
    if shift is not None:
        start, end = shift.starts_at.astimezone(_DUTCH_TIME), shift.ends_at.astimezone(_DUTCH_TIME)
        values["datum"] = f"{_dutch_day(start.date())} van {start:%H:%M} tot {end:%H:%M}"
    return values


# How many structural tasks the follow-up after a one-off day offers.
FOLLOW_UP_TASKS = 3


async def _fitting_structural_tasks(uow: RegistryUnitOfWork, notice: Notice, portal: str | None) -> str:
    """The follow-up's list: up to three published structural tasks of the volunteer's centrale they have no match
    for, those of a theme they are interested in first, then those near them (same PC4 area), then the newest."""
    volunteer = await uow.volunteers.get(notice.recipient_id)
    if volunteer is None:
        return ""
    matched = {match.task_id for match in await uow.matches.of_volunteer(volunteer.id)}
    candidates = [
        task
        for task in await uow.tasks.of_centrale(volunteer.centrale_id, status="published")
        if task.one_off_start is None and task.id not in matched
    ]
    interests = set(volunteer.interests)
    candidates.sort(
        key=lambda task: (
            task.theme not in interests,
            task.postcode_area != volunteer.postcode_area,
            -(task.published_at or task.created_at).timestamp(),
            str(task.id),
        )
    )
    lines = []
    for task in candidates[:FOLLOW_UP_TASKS]:
        organisation = await uow.organisations.get(task.organisation_id, task.centrale_id)
        where = f" bij {organisation.name}" if organisation else ""
        link = f"{portal.rstrip('/')}/vacatures/{task.id}" if portal else "via de vrijwilligerscentrale"
        lines.append(f"- {task.title}{where} ({task.hours_per_week.normalize():f} uur per week): {link}")
    return "\n".join(lines) if lines else "- (op dit moment geen; kijk gerust in de vacaturebank)"


def _link(portal: str | None, notice: Notice) -> str:
    """Where the person answers: the portal's page for the proposal or check-in (or, without a portal, how)."""
    if portal is None:
        return "via de vrijwilligerscentrale"
    base = portal.rstrip("/")
    if notice.shift_id is not None:
        return f"{base}/vrijwilliger/diensten/{notice.task_id}"
    if notice.deal_id is not None:
        return f"{base}/beursvloer/afspraken/{notice.deal_id}"
    if notice.training_id is not None:
        return f"{base}/trainingen/{notice.training_id}"
    if notice.check_in_id is not None:
        return f"{base}/check-ins/{notice.check_in_id}"
    if notice.match_id is not None:
        return f"{base}/voorstellen/{notice.match_id}"
    return base


def _dutch_day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
