"""Reminders the registry sends on its own: a VOG about to expire, a proposal nobody answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

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
    return {"vog_expiring": vog, "proposals_unanswered": unanswered}
