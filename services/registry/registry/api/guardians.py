"""Routes of the privacy rules' e-mailed links: a minor's guardian consents (or staff record it and send a new
link); a volunteer asked to re-confirm stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, Request, status

from common.auth import CallerDep, Role, require_centrale_access
from registry.api._plumbing import RegistryUowDep, settings_of
from registry.api.models import GuardianConsentIn, GuardianConsentRecordIn, ReconfirmIn
from registry.privacy_mail import PrivacyMail, PrivacyMailer
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases import guardians, retention

__all__ = ["PrivacyMailerDep", "ask_guardian_after_commit", "router"]

router = APIRouter(prefix="/v1", tags=["guardians"])


def _mailer(request: Request) -> PrivacyMailer:
    return PrivacyMailer(settings_of(request))


PrivacyMailerDep = Annotated[PrivacyMailer, Depends(_mailer)]


async def ask_guardian_after_commit(
    volunteer_id: UUID,
    centrale_id: str,
    uow: RegistryUnitOfWork,
    request: Request,
    tasks: BackgroundTasks,
    mailer: PrivacyMailer,
) -> PrivacyMail | None:
    """Make the guardian's link (when a consent is awaited and their address known); mail it once committed."""
    lifetime = timedelta(days=settings_of(request).guardian_link_lifetime_days)
    mail = await guardians.ask_guardian_consent(guardians.AskGuardianConsent(volunteer_id, centrale_id, lifetime), uow)
    if mail is not None:
        tasks.add_task(mailer.send, mail)
    return mail


@router.post(
    "/guardian-consents",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A parent or guardian consents through the link they were e-mailed (no login: the link is the key).",
)
async def give_guardian_consent(body: GuardianConsentIn, uow: RegistryUowDep) -> None:
    await guardians.give_guardian_consent(guardians.GiveGuardianConsent(body.token, body.text_version), uow)


@router.post(
    "/centrales/{centrale_id}/volunteers/{volunteer_id}/guardian-consent",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Record a parent's or guardian's consent staff saw signed (a minor becomes matchable).",
)
async def record_guardian_consent(
    centrale_id: str, volunteer_id: UUID, body: GuardianConsentRecordIn, caller: CallerDep, uow: RegistryUowDep
) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    cmd = guardians.RecordGuardianConsent(
        volunteer_id, centrale_id, body.name, body.relation, body.text_version, recorded_by=f"staff:{caller.key}"
    )
    await guardians.record_guardian_consent(cmd, uow)


@router.post(
    "/centrales/{centrale_id}/volunteers/{volunteer_id}/guardian-consent/link",
    status_code=status.HTTP_202_ACCEPTED,
    summary="E-mail the guardian a new consent link (the older one stops working).",
)
async def send_guardian_link(
    centrale_id: str,
    volunteer_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
    tasks: BackgroundTasks,
    mailer: PrivacyMailerDep,
) -> dict[str, bool]:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    mail = await ask_guardian_after_commit(volunteer_id, centrale_id, uow, request, tasks, mailer)
    return {"sent": mail is not None}


@router.post(
    "/reconfirmations",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A volunteer asked to re-confirm stays registered (the link they were e-mailed; no login needed).",
)
async def reconfirm(body: ReconfirmIn, uow: RegistryUowDep) -> None:
    await retention.reconfirm(retention.Reconfirm(body.token), uow)
