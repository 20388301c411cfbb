"""Retention: volunteers inactive for long re-confirm or are erased; closed tasks' free text and dormant
organisations' contact persons are removed. Run by the registry's scheduled jobs (``registry.jobs``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from common.auth import hash_token
from common.errors import NotFound
from registry.authn import link_token
from registry.privacy_mail import PrivacyMail
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.volunteers import EraseVolunteer, erase_volunteer

__all__ = [
    "AskToReconfirm",
    "AskedToReconfirm",
    "EraseUnconfirmed",
    "PurgeClosedTaskTexts",
    "PurgeOrganisationContacts",
    "Reconfirm",
    "ask_to_reconfirm",
    "erase_unconfirmed",
    "purge_closed_task_texts",
    "purge_organisation_contacts",
    "reconfirm",
]


@dataclass(frozen=True)
class AskToReconfirm:
    """Ask volunteers inactive for ``inactive_after`` to re-confirm within ``window``."""

    inactive_after: timedelta
    window: timedelta
    batch: int = 500


@dataclass(frozen=True)
class AskedToReconfirm:
    """Who was asked: the mails to send once committed, and how many had no address (their deadline runs too)."""

    mails: list[PrivacyMail] = field(default_factory=list)
    without_email: int = 0


@dataclass(frozen=True)
class Reconfirm:
    """A volunteer opened their re-confirmation link: they stay."""

    token: str


@dataclass(frozen=True)
class EraseUnconfirmed:
    """Erase the volunteers whose re-confirmation deadline passed without a sign of life."""


@dataclass(frozen=True)
class PurgeClosedTaskTexts:
    """Blank the free text of tasks closed longer than ``retention`` ago."""

    retention: timedelta


@dataclass(frozen=True)
class PurgeOrganisationContacts:
    """Remove the contact person of organisations refused, or without any task, for longer than ``retention``."""

    retention: timedelta


async def ask_to_reconfirm(cmd: AskToReconfirm, uow: RegistryUnitOfWork) -> AskedToReconfirm:
    """Give each inactive volunteer a deadline and a link (the mail goes after the commit); at most ``batch``."""
    now = uow.now()
    deadline = now + cmd.window
    mails: list[PrivacyMail] = []
    without_email = 0
    for volunteer in await uow.volunteers.inactive(now - cmd.inactive_after, cmd.batch):
        token = link_token()
        await uow.volunteers.save(
            replace(
                volunteer, reconfirm_asked_at=now, reconfirm_deadline=deadline, reconfirm_token_hash=hash_token(token)
            )
        )
        if volunteer.email is None:
            without_email += 1
            continue
        centrale = await uow.centrales.get(volunteer.centrale_id)
        mails.append(
            PrivacyMail(
                kind="reconfirm",
                to=volunteer.email,
                greeting_name=volunteer.name or "",
                volunteer_name=volunteer.name or "",
                centrale=centrale.name if centrale else volunteer.centrale_id,
                token=token,
                expires_at=deadline,
            )
        )
    return AskedToReconfirm(mails, without_email)


async def reconfirm(cmd: Reconfirm, uow: RegistryUnitOfWork) -> None:
    """The volunteer stays: the question is answered and their record counts as active now."""
    volunteer = await uow.volunteers.by_reconfirm_token(hash_token(cmd.token))
    if volunteer is None or volunteer.reconfirm_deadline is None or volunteer.reconfirm_deadline <= uow.now():
        raise NotFound("this link is unknown, used or expired")
    await uow.volunteers.save(
        replace(
            volunteer,
            reconfirm_asked_at=None,
            reconfirm_deadline=None,
            reconfirm_token_hash=None,
            updated_at=uow.now(),
        )
    )


async def erase_unconfirmed(cmd: EraseUnconfirmed, uow: RegistryUnitOfWork) -> int:
    """Erase every volunteer whose deadline passed unanswered (``VolunteerErased`` for each); how many."""
    overdue = await uow.volunteers.reconfirm_overdue(uow.now())
    for volunteer in overdue:
        await erase_volunteer(EraseVolunteer(volunteer.id, volunteer.centrale_id), uow)
    return len(overdue)


async def purge_closed_task_texts(cmd: PurgeClosedTaskTexts, uow: RegistryUnitOfWork) -> int:
    """Blank description and offer of tasks closed before the window; how many."""
    now = uow.now()
    return await uow.tasks.purge_closed_texts(now - cmd.retention, now)


async def purge_organisation_contacts(cmd: PurgeOrganisationContacts, uow: RegistryUnitOfWork) -> int:
    """Remove the contact person of organisations dormant for longer than the window; how many."""
    return await uow.organisations.purge_dormant_contacts(uow.now() - cmd.retention)
