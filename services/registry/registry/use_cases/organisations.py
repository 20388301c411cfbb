"""Organisations: registration with a centrale and vetting by its staff (pending → admitted / refused)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID, uuid4

from common.errors import Conflict, NotFound, Rejected
from contracts.events import OrganisationAdmitted, OrganisationRefused, OrganisationRegistered
from registry import domain
from registry.repositories import Organisation
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.accounts import end_organisation_memberships
from registry.use_cases.credentials import revoke_credentials_of

__all__ = [
    "AdmitOrganisation",
    "GetOrganisation",
    "ListOrganisations",
    "RefuseOrganisation",
    "Refused",
    "RegisterOrganisation",
    "admit_organisation",
    "get_organisation",
    "list_organisations",
    "refuse_organisation",
    "register_organisation",
]


@dataclass(frozen=True)
class RegisterOrganisation:
    """Register an organisation (formal with a KvK number, or an informal initiative without one)."""

    centrale_id: str
    name: str
    formal: bool
    kvk_number: str | None
    postcode: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    liability_insured: bool
    free_vog_scheme: bool
    for_profit: bool


@dataclass(frozen=True)
class AdmitOrganisation:
    """Staff admit a pending organisation after vetting."""

    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class RefuseOrganisation:
    """Staff refuse a pending organisation, saying why."""

    organisation_id: UUID
    centrale_id: str
    reason: str


@dataclass(frozen=True)
class Refused:
    """What a refusal took away: credentials and sessions revoked, memberships ended."""

    credentials_revoked: int
    memberships_ended: int


@dataclass(frozen=True)
class GetOrganisation:
    """One organisation of the centrale, with its contact person."""

    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class ListOrganisations:
    """The centrale's organisations, optionally only those with one status (e.g. pending vetting)."""

    centrale_id: str
    status: str | None = None


async def register_organisation(cmd: RegisterOrganisation, uow: RegistryUnitOfWork) -> UUID:
    """Store the organisation as pending and queue ``OrganisationRegistered``."""
    if cmd.formal and not cmd.kvk_number:
        raise Rejected(["a formal organisation needs its KvK number"], field="kvk_number")
    if not cmd.formal and cmd.kvk_number:
        raise Rejected(["an informal initiative has no KvK number; register it as formal"], field="kvk_number")
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    organisation = Organisation(
        id=uuid4(),
        centrale_id=cmd.centrale_id,
        name=cmd.name,
        formal=cmd.formal,
        kvk_number=cmd.kvk_number,
        postcode=cmd.postcode,
        postcode_area=domain.postcode_area(cmd.postcode) if cmd.postcode else None,
        contact_name=cmd.contact_name,
        contact_email=cmd.contact_email,
        contact_phone=cmd.contact_phone,
        liability_insured=cmd.liability_insured,
        free_vog_scheme=cmd.free_vog_scheme,
        for_profit=cmd.for_profit,
        status="pending",
        status_reason=None,
        registered_at=uow.now(),
        vetted_at=None,
    )
    await uow.organisations.add(organisation)
    await uow.emit(
        OrganisationRegistered(
            organisation_id=organisation.id,
            centrale_id=organisation.centrale_id,
            organisation_name=organisation.name,
            formal=organisation.formal,
            postcode_area=organisation.postcode_area,
            liability_insured=organisation.liability_insured,
            free_vog_scheme=organisation.free_vog_scheme,
            registered_at=organisation.registered_at,
        ),
        tenant=organisation.centrale_id,
    )
    return organisation.id


async def admit_organisation(cmd: AdmitOrganisation, uow: RegistryUnitOfWork) -> None:
    """Admit a pending organisation; queue ``OrganisationAdmitted``."""
    await _vet(uow, cmd.organisation_id, cmd.centrale_id, "admitted", None)
    await uow.emit(
        OrganisationAdmitted(organisation_id=cmd.organisation_id, centrale_id=cmd.centrale_id, admitted_at=uow.now()),
        tenant=cmd.centrale_id,
    )


async def refuse_organisation(cmd: RefuseOrganisation, uow: RegistryUnitOfWork) -> Refused:
    """Refuse a pending organisation with a reason; queue ``OrganisationRefused``.

    Whatever it could act with goes in the same transaction: its API credentials and its users' sessions are
    revoked (``CredentialRevoked`` each, so every service refuses them within seconds) and the memberships
    acting as it end.
    """
    await _vet(uow, cmd.organisation_id, cmd.centrale_id, "refused", cmd.reason)
    await uow.emit(
        OrganisationRefused(
            organisation_id=cmd.organisation_id, centrale_id=cmd.centrale_id, reason=cmd.reason, refused_at=uow.now()
        ),
        tenant=cmd.centrale_id,
    )
    revoked = await revoke_credentials_of(cmd.organisation_id, uow)
    ended = await end_organisation_memberships(uow, cmd.organisation_id, cmd.centrale_id)
    return Refused(credentials_revoked=revoked, memberships_ended=ended)


async def get_organisation(query: GetOrganisation, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The organisation's record; NotFound for another tenant's."""
    organisation = await uow.organisations.get(query.organisation_id, query.centrale_id)
    if organisation is None:
        raise NotFound(f"organisation {query.organisation_id} not found")
    return asdict(organisation)


async def list_organisations(query: ListOrganisations, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The centrale's organisations: id, name, formal, status and when they registered."""
    return [
        {"id": o.id, "name": o.name, "formal": o.formal, "status": o.status, "registered_at": o.registered_at}
        for o in await uow.organisations.of_centrale(query.centrale_id, query.status)
    ]


async def _vet(
    uow: RegistryUnitOfWork, organisation_id: UUID, centrale_id: str, status: str, reason: str | None
) -> None:
    """Record a vetting decision on a pending organisation (locked meanwhile); NotFound or Conflict otherwise."""
    organisation = await uow.organisations.get(organisation_id, centrale_id, lock=True)
    if organisation is None:
        raise NotFound(f"organisation {organisation_id} not found")
    if organisation.status != "pending":
        raise Conflict(f"organisation is already {organisation.status}")
    await uow.organisations.set_status(organisation_id, status, reason, uow.now())
