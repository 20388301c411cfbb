"""The registry's scheduled jobs (run by the shared scheduler; ops can run one now at /v1/ops/jobs)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from typing import cast

from common.jobs import DailyAt, Every, Job, JobContext
from registry.authn import AccountPolicy
from registry.config import Settings
from registry.privacy_mail import PrivacyMailer
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases import (
    audit,
    beursvloer,
    deals,
    follow_up,
    reminders,
    retention,
    sessions,
    shifts,
    tasks,
    throttle,
    trainings,
)

__all__ = [
    "JOBS",
    "ask_check_ins",
    "ask_deal_follow_ups",
    "expire_beursvloer_postings",
    "expire_credentials",
    "expire_overdue_tasks",
    "extend_shifts",
    "purge_audit_trail",
    "purge_closed_task_texts",
    "purge_organisation_contacts",
    "reconfirm_inactive_volunteers",
    "remind",
    "remind_training_participants",
]


async def expire_overdue_tasks(context: JobContext) -> Mapping[str, int]:
    """Expire the published tasks whose closing date passed (``POST /v1/tasks/expire`` does the same now)."""
    async with context.unit_of_work() as uow:
        expired = await tasks.expire_tasks(tasks.ExpireTasks(), cast(RegistryUnitOfWork, uow))
    return {"expired": len(expired)}


async def expire_credentials(context: JobContext) -> Mapping[str, int]:
    """Revoke idle and expired sessions and expired API credentials, so every service hears of it."""
    policy = AccountPolicy.from_settings(cast(Settings, context.settings))
    async with context.unit_of_work() as uow:
        return await sessions.expire_credentials(sessions.ExpireCredentials(policy), cast(RegistryUnitOfWork, uow))


async def purge_audit_trail(context: JobContext) -> Mapping[str, int]:
    """Delete the audit trail's rows older than REGISTRY_AUDIT_RETENTION_DAYS, and attempt counters long over."""
    settings = cast(Settings, context.settings)
    async with context.unit_of_work() as uow:
        registry_uow = cast(RegistryUnitOfWork, uow)
        purged = await audit.purge_access_log(
            audit.PurgeAccessLog(timedelta(days=settings.audit_retention_days)), registry_uow
        )
        counters = await throttle.purge_attempt_counters(
            throttle.PurgeAttemptCounters(
                timedelta(seconds=max(settings.login_window_s, settings.password_reset_window_s))
            ),
            registry_uow,
        )
    return {"access_log_rows": purged, "attempt_counters": counters}


async def ask_check_ins(context: JobContext) -> Mapping[str, int]:
    """Ask both sides of every match whose check-in moment (per centrale: 2 weeks, 3 and 6 months) has come."""
    async with context.unit_of_work() as uow:
        return await follow_up.ask_due_check_ins(follow_up.AskDueCheckIns(), cast(RegistryUnitOfWork, uow))


async def remind(context: JobContext) -> Mapping[str, int]:
    """Remind volunteers of a VOG about to expire, and whoever has not answered a proposal for a while."""
    settings = cast(Settings, context.settings)
    command = reminders.SendReminders(settings.vog_reminder_days, settings.proposal_reminder_days)
    async with context.unit_of_work() as uow:
        return await reminders.send_reminders(command, cast(RegistryUnitOfWork, uow))


async def reconfirm_inactive_volunteers(context: JobContext) -> Mapping[str, int]:
    """Erase the volunteers who did not re-confirm in time, then ask the newly inactive ones (mails after commit)."""
    settings = cast(Settings, context.settings)
    async with context.unit_of_work() as uow:
        erased = await retention.erase_unconfirmed(retention.EraseUnconfirmed(), cast(RegistryUnitOfWork, uow))
    ask = retention.AskToReconfirm(
        timedelta(days=settings.volunteer_inactive_after_days), timedelta(days=settings.reconfirm_window_days)
    )
    async with context.unit_of_work() as uow:
        asked = await retention.ask_to_reconfirm(ask, cast(RegistryUnitOfWork, uow))
    mailer = PrivacyMailer(settings)
    mailed = sum([await mailer.send(mail) for mail in asked.mails])
    return {
        "erased": erased,
        "asked": len(asked.mails) + asked.without_email,
        "mailed": mailed,
        "asked_without_email": asked.without_email,
    }


async def purge_closed_task_texts(context: JobContext) -> Mapping[str, int]:
    """Blank the description and offer of tasks closed over REGISTRY_CLOSED_TASK_TEXT_RETENTION_DAYS ago."""
    settings = cast(Settings, context.settings)
    command = retention.PurgeClosedTaskTexts(timedelta(days=settings.closed_task_text_retention_days))
    async with context.unit_of_work() as uow:
        return {"tasks": await retention.purge_closed_task_texts(command, cast(RegistryUnitOfWork, uow))}


async def purge_organisation_contacts(context: JobContext) -> Mapping[str, int]:
    """Remove the contact person of organisations dormant over REGISTRY_ORGANISATION_CONTACT_RETENTION_DAYS."""
    settings = cast(Settings, context.settings)
    command = retention.PurgeOrganisationContacts(timedelta(days=settings.organisation_contact_retention_days))
    async with context.unit_of_work() as uow:
        return {"organisations": await retention.purge_organisation_contacts(command, cast(RegistryUnitOfWork, uow))}


async def ask_deal_follow_ups(context: JobContext) -> Mapping[str, int]:
    """Ask both sides of each Beursvloer deal REGISTRY_BEURSVLOER_FOLLOW_UP_DAYS after its date whether it happened."""
    command = deals.AskFollowUps(cast(Settings, context.settings).beursvloer_follow_up_days)
    async with context.unit_of_work() as uow:
        return await deals.ask_follow_ups(command, cast(RegistryUnitOfWork, uow))


async def expire_beursvloer_postings(context: JobContext) -> Mapping[str, int]:
    """Take offers and requests whose date passed off the Beursvloer."""
    async with context.unit_of_work() as uow:
        return await beursvloer.expire_postings(beursvloer.ExpirePostings(), cast(RegistryUnitOfWork, uow))


async def remind_training_participants(context: JobContext) -> Mapping[str, int]:
    """Remind whoever booked a training starting within REGISTRY_TRAINING_REMINDER_DAYS."""
    within = timedelta(days=cast(Settings, context.settings).training_reminder_days)
    async with context.unit_of_work() as uow:
        return await trainings.remind_participants(trainings.RemindParticipants(within), cast(RegistryUnitOfWork, uow))


async def extend_shifts(context: JobContext) -> Mapping[str, int]:
    """Generate every shift pattern's dated shifts up to the horizon (six months from now)."""
    async with context.unit_of_work() as uow:
        return await shifts.extend_shifts(shifts.ExtendShifts(), cast(RegistryUnitOfWork, uow))


JOBS = [
    Job(
        "expire-tasks",
        expire_overdue_tasks,
        DailyAt(time(0, 30)),
        description="Expire published tasks whose closing date has passed (TaskClosed, reason expired).",
    ),
    Job(
        "expire-credentials",
        expire_credentials,
        Every(timedelta(minutes=1)),
        description="Revoke sessions idle for REGISTRY_SESSION_IDLE_TIMEOUT_MIN or past their end, and expired API"
        " credentials (CredentialRevoked: every service stops accepting them).",
    ),
    Job(
        "purge-audit-trail",
        purge_audit_trail,
        DailyAt(time(2, 30)),
        description="Delete audit-trail rows older than REGISTRY_AUDIT_RETENTION_DAYS and old attempt counters.",
    ),
    Job(
        "reminders",
        remind,
        DailyAt(time(8, 30)),
        description="Remind volunteers REGISTRY_VOG_REMINDER_DAYS before their VOG expires, and whoever has not "
        "answered a proposal after REGISTRY_PROPOSAL_REMINDER_DAYS (each once).",
    ),
    Job(
        "check-ins",
        ask_check_ins,
        DailyAt(time(9, 0)),
        description="Ask both sides of each match how it goes at the centrale's moments (default 2 weeks, 3 and 6 "
        "months after the match).",
    ),
    Job(
        "reconfirm-inactive-volunteers",
        reconfirm_inactive_volunteers,
        DailyAt(time(4, 0)),
        description="Erase volunteers who did not re-confirm within REGISTRY_RECONFIRM_WINDOW_DAYS, then ask those"
        " inactive for REGISTRY_VOLUNTEER_INACTIVE_AFTER_DAYS to re-confirm by e-mail.",
    ),
    Job(
        "purge-closed-task-texts",
        purge_closed_task_texts,
        DailyAt(time(4, 15)),
        description="Blank the description and offer of tasks closed over REGISTRY_CLOSED_TASK_TEXT_RETENTION_DAYS"
        " ago.",
    ),
    Job(
        "purge-organisation-contacts",
        purge_organisation_contacts,
        DailyAt(time(4, 30)),
        description="Remove the contact person of organisations refused, or without any task, for"
        " REGISTRY_ORGANISATION_CONTACT_RETENTION_DAYS.",
    ),
    Job(
        "beursvloer-follow-up",
        ask_deal_follow_ups,
        DailyAt(time(9, 15)),
        description="Ask both sides of each Beursvloer deal whether it happened, REGISTRY_BEURSVLOER_FOLLOW_UP_DAYS "
        "after its date (once per deal).",
    ),
    Job(
        "beursvloer-expire",
        expire_beursvloer_postings,
        DailyAt(time(0, 45)),
        description="Take Beursvloer offers and requests whose date passed off the floor (closed, reason expired).",
    ),
    Job(
        "training-reminders",
        remind_training_participants,
        DailyAt(time(8, 45)),
        description="Remind whoever booked a training that starts within REGISTRY_TRAINING_REMINDER_DAYS (once).",
    ),
    Job(
        "extend-shifts",
        extend_shifts,
        DailyAt(time(1, 15)),
        description="Generate the dated shifts of every shift pattern up to six months ahead (the horizon moves on"
        " a day each day; a run missed is caught up by the next).",
    ),
]
