"""Routes for centre staff: vetting organisations, registering and looking after volunteers, tasks."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Query, Request, status
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role, require_centrale_access
from common.bounds import MAX_OFFSET
from registry.api._accounts import AccountPolicyDep
from registry.api._plumbing import IdempotencyKey, RegistryUowDep, credential_out, idempotent
from registry.api.credentials import lifetime
from registry.api.guardians import PrivacyMailerDep, ask_guardian_after_commit
from registry.api.models import (
    ConsentChangeIn,
    Created,
    CredentialOut,
    LabelIn,
    OrganisationIn,
    Record,
    RefusalIn,
    VogIn,
    VolunteerIn,
    VolunteerPatch,
)
from registry.domain import AccessPurpose
from registry.use_cases import credentials, organisations, tasks, volunteers

router = APIRouter(prefix="/v1/centrales/{centrale_id}", tags=["centrale staff"])


# The ``purpose`` query parameter of every route that touches a volunteer's record (kept in the audit trail).
Purpose = Annotated[
    AccessPurpose,
    Query(alias="purpose", description="Why you open or change this record (the audit trail keeps it)."),
]


def _staff(caller: Caller, centrale_id: str) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


def registration(
    centrale_id: str,
    body: VolunteerIn,
    *,
    by: Literal["self", "staff"],
    recorded_by: str,
    why: AccessPurpose | None = None,
) -> volunteers.RegisterVolunteer:
    """The use-case command for a registration request."""
    return volunteers.RegisterVolunteer(
        centrale_id=centrale_id,
        name=body.name,
        registered_by=by,
        recorded_by=recorded_by,
        email=body.email,
        phone=body.phone,
        postcode=body.postcode,
        birth_date=body.birth_date,
        skills=body.skills,
        interests=body.interests,
        languages=body.languages,
        availability=body.availability,
        one_off_dates=body.one_off_dates,
        max_distance_km=body.max_distance_km,
        commitment=body.commitment,
        needs_support=body.needs_support,
        target_groups=body.target_groups,
        consents={consent.kind: consent.text_version for consent in body.consents},
        purpose=why,
        guardian=volunteers.Guardian(body.guardian.name, body.guardian.relation, body.guardian.email)
        if body.guardian
        else None,
    )


def profile_changes(body: VolunteerPatch) -> volunteers.ProfileChanges:
    """The use-case changes for a profile patch."""
    return volunteers.ProfileChanges(**{name: getattr(body, name) for name in body.model_fields_set})


@router.post(
    "/organisations", status_code=status.HTTP_201_CREATED, response_model=Created, summary="Register an organisation."
)
async def register_organisation(
    centrale_id: str,
    body: OrganisationIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    _staff(caller, centrale_id)
    contact = body.contact_person
    cmd = organisations.RegisterOrganisation(
        centrale_id=centrale_id,
        name=body.name,
        formal=body.formal,
        kvk_number=body.kvk_number,
        postcode=body.postcode,
        contact_name=contact.name if contact else None,
        contact_email=str(contact.email) if contact and contact.email else None,
        contact_phone=contact.phone if contact else None,
        liability_insured=body.liability_insured,
        free_vog_scheme=body.free_vog_scheme,
        for_profit=body.for_profit,
    )

    async def create() -> tuple[int, Any]:
        return 201, Created(id=await organisations.register_organisation(cmd, uow))

    return await idempotent(uow, caller, key, request, body, create)


@router.get("/organisations", summary="The centrale's organisations.")
async def list_organisations(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    status_filter: Literal["pending", "admitted", "refused"] | None = Query(None, alias="status"),
) -> list[Record]:
    _staff(caller, centrale_id)
    return await organisations.list_organisations(organisations.ListOrganisations(centrale_id, status_filter), uow)


@router.get("/organisations/{organisation_id}", summary="One organisation with its contact person.")
async def get_organisation(centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> Record:
    _staff(caller, centrale_id)
    return await organisations.get_organisation(organisations.GetOrganisation(organisation_id, centrale_id), uow)


@router.post("/organisations/{organisation_id}/admit", status_code=204, summary="Admit after vetting.")
async def admit_organisation(centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    _staff(caller, centrale_id)
    await organisations.admit_organisation(organisations.AdmitOrganisation(organisation_id, centrale_id), uow)


@router.post(
    "/organisations/{organisation_id}/refuse",
    status_code=204,
    summary="Refuse after vetting; its credentials and sessions are revoked and its users' memberships end.",
)
async def refuse_organisation(
    centrale_id: str, organisation_id: UUID, body: RefusalIn, caller: CallerDep, uow: RegistryUowDep
) -> None:
    _staff(caller, centrale_id)
    cmd = organisations.RefuseOrganisation(organisation_id, centrale_id, body.reason)
    await organisations.refuse_organisation(cmd, uow)


@router.post(
    "/organisations/{organisation_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    summary="Issue an admitted organisation a credential for its own tasks and hours (409 while pending or refused).",
)
async def create_organisation_credential(
    centrale_id: str,
    organisation_id: UUID,
    body: LabelIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    policy: AccountPolicyDep,
) -> CredentialOut:
    _staff(caller, centrale_id)
    cmd = credentials.IssueCredential(
        role=Role.ORGANISATION,
        centrale_id=centrale_id,
        label=body.label,
        subject_id=organisation_id,
        lifetime=lifetime(body.expires_in_days, policy),
    )
    return credential_out(await credentials.issue_credential(cmd, uow))


@router.post(
    "/volunteers",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Register a volunteer at intake, on their behalf.",
)
async def register_volunteer(
    centrale_id: str,
    body: VolunteerIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
    tasks: BackgroundTasks,
    mailer: PrivacyMailerDep,
    key: IdempotencyKey = None,
    why: Purpose = AccessPurpose.INTAKE,
) -> JSONResponse:
    _staff(caller, centrale_id)
    cmd = registration(centrale_id, body, by="staff", recorded_by=f"staff:{caller.key}", why=why)

    async def create() -> tuple[int, Any]:
        volunteer_id = await volunteers.register_volunteer(cmd, uow)
        # Under 16 with the guardian's address: they are e-mailed their consent link once this has committed.
        await ask_guardian_after_commit(volunteer_id, centrale_id, uow, request, tasks, mailer)
        return 201, Created(id=volunteer_id)

    return await idempotent(uow, caller, key, request, body, create)


@router.get("/volunteers", summary="A page of the centrale's volunteers.")
async def list_volunteers(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[Record]:
    _staff(caller, centrale_id)
    return await volunteers.list_volunteers(volunteers.ListVolunteers(centrale_id, limit, offset), uow)


@router.get("/volunteers/{volunteer_id}", summary="One volunteer's record.")
async def get_volunteer(
    centrale_id: str,
    volunteer_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    why: Purpose = AccessPurpose.MEDIATION,
) -> Record:
    _staff(caller, centrale_id)
    return await volunteers.get_volunteer(volunteers.GetVolunteer(volunteer_id, centrale_id, why), uow)


@router.patch("/volunteers/{volunteer_id}", status_code=204, summary="Update a volunteer's profile.")
async def update_volunteer(
    centrale_id: str,
    volunteer_id: UUID,
    body: VolunteerPatch,
    caller: CallerDep,
    uow: RegistryUowDep,
    why: Purpose = AccessPurpose.PROFILE_UPDATE,
) -> None:
    _staff(caller, centrale_id)
    cmd = volunteers.UpdateProfile(volunteer_id, centrale_id, profile_changes(body), why)
    await volunteers.update_profile(cmd, uow)


@router.post("/volunteers/{volunteer_id}/consents", status_code=204, summary="Record a consent given or withdrawn.")
async def change_consent(
    centrale_id: str,
    volunteer_id: UUID,
    body: ConsentChangeIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    why: Purpose = AccessPurpose.PROFILE_UPDATE,
) -> None:
    _staff(caller, centrale_id)
    cmd = volunteers.SetConsent(
        volunteer_id,
        centrale_id,
        body.kind,
        body.granted,
        body.text_version,
        recorded_by=f"staff:{caller.key}",
        purpose=why,
    )
    await volunteers.set_consent(cmd, uow)


@router.put("/volunteers/{volunteer_id}/vog", status_code=204, summary="Record that an original VOG was seen.")
async def record_vog(
    centrale_id: str,
    volunteer_id: UUID,
    body: VogIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    why: Purpose = AccessPurpose.VOG_CHECK,
) -> None:
    _staff(caller, centrale_id)
    cmd = volunteers.RecordVog(volunteer_id, centrale_id, body.verified_on, body.verified_by, body.valid_until, why)
    await volunteers.record_vog(cmd, uow)


@router.get("/volunteers/{volunteer_id}/export", summary="Everything held about a volunteer.")
async def export_volunteer(
    centrale_id: str,
    volunteer_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    why: Purpose = AccessPurpose.EXPORT_REQUEST,
) -> Record:
    _staff(caller, centrale_id)
    return await volunteers.export_volunteer(volunteers.ExportVolunteer(volunteer_id, centrale_id, why), uow)


@router.delete("/volunteers/{volunteer_id}", status_code=204, summary="Erase a volunteer's personal data.")
async def erase_volunteer(
    centrale_id: str,
    volunteer_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    why: Purpose = AccessPurpose.ERASURE_REQUEST,
) -> None:
    _staff(caller, centrale_id)
    await volunteers.erase_volunteer(volunteers.EraseVolunteer(volunteer_id, centrale_id, why), uow)


@router.post(
    "/volunteers/{volunteer_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a volunteer registered at intake a credential for self-service.",
)
async def create_volunteer_credential(
    centrale_id: str,
    volunteer_id: UUID,
    body: LabelIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    policy: AccountPolicyDep,
    why: Purpose = AccessPurpose.ACCOUNT_SUPPORT,
) -> CredentialOut:
    _staff(caller, centrale_id)
    cmd = credentials.IssueCredential(
        role=Role.VOLUNTEER,
        centrale_id=centrale_id,
        label=body.label,
        subject_id=volunteer_id,
        lifetime=lifetime(body.expires_in_days, policy),
        purpose=why,
    )
    return credential_out(await credentials.issue_credential(cmd, uow))


@router.get("/tasks", summary="The centrale's tasks.")
async def list_tasks(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    status_filter: Literal["draft", "published", "filled", "closed", "expired"] | None = Query(None, alias="status"),
) -> list[Record]:
    _staff(caller, centrale_id)
    return await tasks.list_tasks(tasks.ListTasks(centrale_id, None, status_filter), uow)
