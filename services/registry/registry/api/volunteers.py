"""Routes for volunteers themselves: self-registration and self-service (see, export, change, erase)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, Request, status
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role, require_role
from common.ratelimit import limit_per_client
from registry.api._accounts import AccountPolicyDep
from registry.api._plumbing import IdempotencyKey, RegistryUowDep, credential_out, idempotent, settings_of
from registry.api.guardians import PrivacyMailerDep, ask_guardian_after_commit
from registry.api.models import (
    ConsentChangeIn,
    Created,
    CredentialOut,
    HoursCorrectionIn,
    HoursIn,
    Record,
    SelfRegistrationIn,
    VolunteerPatch,
)
from registry.api.staff import profile_changes, registration
from registry.use_cases import hours, volunteers

router = APIRouter(prefix="/v1", tags=["volunteers"])


def _me(caller: Caller) -> tuple[UUID, str]:
    """The volunteer the caller is, and their centrale."""
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    assert caller.centrale_id is not None, "volunteer credentials carry the centrale"
    return caller.subject_id, caller.centrale_id


@router.post(
    "/centrales/{centrale_id}/volunteers/self-registration",
    status_code=status.HTTP_201_CREATED,
    summary="Register yourself as a volunteer; with e-mail and password an account, and the answer holds your"
    " session's token (shown once).",
    # Anonymous: a client address may register a few times an hour (RATE_LIMIT_SELF_REGISTRATION), not 100 in 0.5 s.
    dependencies=[Depends(limit_per_client(lambda settings: settings.self_registration_limit))],
)
async def self_register(
    centrale_id: str,
    body: SelfRegistrationIn,
    uow: RegistryUowDep,
    policy: AccountPolicyDep,
    request: Request,
    tasks: BackgroundTasks,
    mailer: PrivacyMailerDep,
) -> CredentialOut:
    cmd = volunteers.SelfRegister(
        registration(centrale_id, body, by="self", recorded_by="self"), password=body.password, policy=policy
    )
    credential = await volunteers.self_register(cmd, uow)
    assert credential.subject_id is not None, "a volunteer's credential names the volunteer"
    # Under 16: the guardian is e-mailed their consent link once this registration has committed.
    await ask_guardian_after_commit(credential.subject_id, centrale_id, uow, request, tasks, mailer)
    return credential_out(credential)


@router.get("/me", summary="Your record as the registry holds it.")
async def get_me(caller: CallerDep, uow: RegistryUowDep) -> Record:
    return await volunteers.get_volunteer(volunteers.GetVolunteer(*_me(caller)), uow)


@router.get("/me/export", summary="Everything the registry holds about you (AVG access and portability).")
async def export_me(caller: CallerDep, uow: RegistryUowDep) -> Record:
    return await volunteers.export_volunteer(volunteers.ExportVolunteer(*_me(caller)), uow)


@router.patch("/me", status_code=204, summary="Change what you can, may and want.")
async def update_me(body: VolunteerPatch, caller: CallerDep, uow: RegistryUowDep) -> None:
    await volunteers.update_profile(volunteers.UpdateProfile(*_me(caller), profile_changes(body)), uow)


@router.post("/me/consents", status_code=204, summary="Give or withdraw a consent.")
async def change_my_consent(body: ConsentChangeIn, caller: CallerDep, uow: RegistryUowDep) -> None:
    cmd = volunteers.SetConsent(*_me(caller), body.kind, body.granted, body.text_version, recorded_by="self")
    await volunteers.set_consent(cmd, uow)


@router.delete("/me", status_code=204, summary="Erase your personal data everywhere (your hours stay, anonymously).")
async def erase_me(caller: CallerDep, uow: RegistryUowDep) -> None:
    await volunteers.erase_volunteer(volunteers.EraseVolunteer(*_me(caller)), uow)


@router.post(
    "/me/matches/{match_id}/hours",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Log your hours for a match; they count once the organisation confirms them.",
)
async def log_my_hours(
    match_id: UUID, body: HoursIn, caller: CallerDep, uow: RegistryUowDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    volunteer_id, centrale_id = _me(caller)
    cmd = hours.LogHours(
        match_id, body.worked_on, body.hours, by="volunteer", centrale_id=centrale_id, volunteer_id=volunteer_id
    )

    async def create() -> tuple[int, Any]:
        return 201, Created(id=await hours.log_hours(cmd, uow))

    return await idempotent(uow, caller, key, request, body, create)


@router.post(
    "/me/hours/{hours_id}/correct",
    status_code=204,
    summary="Correct the amount of hours you logged, while the organisation has not confirmed them yet.",
)
async def correct_my_hours(
    hours_id: UUID, body: HoursCorrectionIn, caller: CallerDep, uow: RegistryUowDep, request: Request
) -> None:
    volunteer_id, _ = _me(caller)
    cmd = hours.CorrectHours(
        hours_id,
        body.hours,
        body.reason,
        by="volunteer",
        window=timedelta(days=settings_of(request).hours_correction_days),
        volunteer_id=volunteer_id,
        note=body.note,
    )
    await hours.correct_hours(cmd, uow)
