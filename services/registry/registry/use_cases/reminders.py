"""Reminders the registry sends on its own: a VOG about to expire, a proposal nobody answered, and the follow-up
after a one-off day (three structural tasks that fit the volunteer, issue 18)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from registry.domain import dutch_date
from registry.notice_texts import NoticeKind
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.notices import queue_notice

__all__ = ["SendReminders", "send_reminders"]


@dataclass(frozen=True)
class SendReminders:
    """Remind volunteers whose VOG expires within ``vog_within_days``, and whoever has not answered a proposal made
    ``proposals_older_than_days`` ago or longer (the reminders job)."""

    vog_within_days: int
    proposals_older_than_days: int


async def send_reminders(cmd: SendReminders, uow: RegistryUnitOfWork) -> dict[str, int]:
    """Queue each reminder once (per VOG, per proposal and side); how many were new."""
    today = dutch_date(uow.now())
    vog = 0
    for volunteer in await uow.volunteers.vog_expiring(today, today + timedelta(days=cmd.vog_within_days)):
        queued = await queue_notice(
            uow,
            kind=NoticeKind.VOG_EXPIRING,
            recipient_kind="volunteer",
            recipient_id=volunteer.id,
            centrale_id=volunteer.centrale_id,
            cause=f"vog:{volunteer.id}:{volunteer.vog_valid_until}",
        )
        vog += queued is not None
    unanswered = 0
    for proposal in await uow.proposals.pending(uow.now() - timedelta(days=cmd.proposals_older_than_days)):
        if proposal.needs_consulent and proposal.status == "proposed":
            continue  # waiting for the consulent, who sees it in their own queue
        sides = []
        if proposal.agreed_at is None:
            sides.append(("volunteer", proposal.volunteer_id, proposal.volunteer_centrale_id))
        if proposal.accepted_at is None:
            sides.append(("organisation", proposal.organisation_id, proposal.centrale_id))
        for side, recipient_id, centrale_id in sides:
            queued = await queue_notice(
                uow,
                kind=NoticeKind.PROPOSAL_UNANSWERED,
                recipient_kind="volunteer" if side == "volunteer" else "organisation",
                recipient_id=recipient_id,
                centrale_id=centrale_id,
                cause=f"unanswered:{proposal.match_id}",
                match_id=proposal.match_id,
                task_id=proposal.task_id,
            )
            unanswered += queued is not None
    return {"vog_expiring": vog, "proposals_unanswered": unanswered, "one_off_follow_ups": await _follow_ups(uow)}


# How far back the follow-up looks for one-off days: a job that missed a few days still follows them up, once.
FOLLOW_UP_WITHIN_DAYS = 7


async def _follow_ups(uow: RegistryUnitOfWork) -> int:
    """Queue, once per match, the follow-up to volunteers whose one-off day ended before today (and not longer
    than ``FOLLOW_UP_WITHIN_DAYS`` ago); the fitting tasks are chosen when the mail is written. How many were new."""
    today = dutch_date(uow.now())
    until = datetime.combine(today, time(), ZoneInfo("Europe/Amsterdam"))
    queued = 0
    for match in await uow.matches.one_off_ended_between(until - timedelta(days=FOLLOW_UP_WITHIN_DAYS), until):
        notice = await queue_notice(
            uow,
            kind=NoticeKind.ONE_OFF_FOLLOW_UP,
            recipient_kind="volunteer",
            recipient_id=match.volunteer_id,
            centrale_id=match.volunteer_centrale_id,
            cause=f"one-off-follow-up:{match.id}",
            task_id=match.task_id,
        )
        queued += notice is not None
    return queued
