"""Minors: a volunteer under 16 at registration is matched only after a parent's or guardian's consent.

The consent is recorded like every other one (``volunteer_consents``, kind ``parental_consent``) with who gave it: their
name and relation stay in the registry. Until it is given the volunteer is registered and published with
``matching_consent`` false, so matching never proposes them; the age band is published as always. It is given by
the guardian through a link e-mailed to them (its token exists in clear only in the mail; the registry keeps its
hash) or recorded by staff who saw the signed form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID

from common.auth import hash_token
from common.errors import NotFound, Rejected
from registry.authn import link_token
from registry.domain import AccessPurpose, ConsentKind
from registry.privacy_mail import PrivacyMail
from registry.repositories import Consent, Volunteer
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.audit import record_access
from registry.use_cases.volunteers import consent_changed

__all__ = [
    "AskGuardianConsent",
    "GiveGuardianConsent",
    "RecordGuardianConsent",
    "ask_guardian_consent",
    "give_guardian_consent",
    "record_guardian_consent",
]


@dataclass(frozen=True)
class AskGuardianConsent:
    """Make a consent link for the guardian of a volunteer waiting for it (a new link replaces an older one)."""

    volunteer_id: UUID
    centrale_id: str
    lifetime: timedelta


@dataclass(frozen=True)
class GiveGuardianConsent:
    """The guardian opened their link and consents, having been shown the text of ``text_version``."""

    token: str
    text_version: str


@dataclass(frozen=True)
class RecordGuardianConsent:
    """Staff saw the guardian's signed consent: who gave it, their relation, the text's version."""

    volunteer_id: UUID
    centrale_id: str
    name: str
    relation: str
    text_version: str
    recorded_by: str
    purpose: AccessPurpose | None = AccessPurpose.INTAKE


async def ask_guardian_consent(cmd: AskGuardianConsent, uow: RegistryUnitOfWork) -> PrivacyMail | None:
    """A new link for the guardian's address; None when no consent is awaited or no address is known."""
    volunteer = await uow.volunteers.get_active(cmd.volunteer_id, cmd.centrale_id, lock=True)
    if volunteer is None:
        raise NotFound(f"volunteer {cmd.volunteer_id} not found")
    if not await _awaits_consent(uow, volunteer) or volunteer.guardian_email is None:
        return None
    token = link_token()
    expires_at = uow.now() + cmd.lifetime
    await uow.volunteers.save(
        replace(volunteer, guardian_token_hash=hash_token(token), guardian_token_expires_at=expires_at)
    )
    centrale = await uow.centrales.get(cmd.centrale_id)
    return PrivacyMail(
        kind="guardian_consent",
        to=volunteer.guardian_email,
        greeting_name=volunteer.guardian_name or "",
        volunteer_name=volunteer.name or "",
        centrale=centrale.name if centrale else cmd.centrale_id,
        token=token,
        expires_at=expires_at,
    )


async def give_guardian_consent(cmd: GiveGuardianConsent, uow: RegistryUnitOfWork) -> None:
    """Record the guardian's consent from their link (once; an unknown, used or expired link is NotFound)."""
    volunteer = await uow.volunteers.by_guardian_token(hash_token(cmd.token))
    expires_at = volunteer.guardian_token_expires_at if volunteer else None
    if volunteer is None or expires_at is None or expires_at <= uow.now():
        raise NotFound("this link is unknown, used or expired: ask the centrale for a new one")
    await _record(
        uow, volunteer, volunteer.guardian_name or "", volunteer.guardian_relation or "", cmd.text_version, "guardian"
    )


async def record_guardian_consent(cmd: RecordGuardianConsent, uow: RegistryUnitOfWork) -> None:
    """Record a guardian's consent staff saw signed (recording it again adds a second record, like any consent)."""
    volunteer = await uow.volunteers.get_active(cmd.volunteer_id, cmd.centrale_id, lock=True)
    if volunteer is None:
        raise NotFound(f"volunteer {cmd.volunteer_id} not found")
    if not volunteer.needs_guardian_consent:
        raise Rejected(["this volunteer was 16 or older at registration: no guardian's consent is needed"])
    if cmd.purpose is not None:
        await record_access(uow, volunteer.id, cmd.centrale_id, "change", "consent", cmd.purpose)
    await _record(uow, volunteer, cmd.name, cmd.relation, cmd.text_version, cmd.recorded_by)


async def _awaits_consent(uow: RegistryUnitOfWork, volunteer: Volunteer) -> bool:
    if not volunteer.needs_guardian_consent:
        return False
    consent = (await uow.volunteers.consents(volunteer.id)).get(ConsentKind.PARENTAL_CONSENT.value)
    return not (consent and consent.granted)


async def _record(
    uow: RegistryUnitOfWork, volunteer: Volunteer, name: str, relation: str, text_version: str, recorded_by: str
) -> None:
    now = uow.now()
    await uow.volunteers.add_consent(
        Consent(
            volunteer.id,
            ConsentKind.PARENTAL_CONSENT.value,
            True,
            text_version,
            recorded_by,
            now,
            given_by_name=name,
            given_by_relation=relation,
        )
    )
    # The link works once; the guardian's address is kept until erasure (the centrale may need to reach them).
    volunteer = replace(volunteer, guardian_token_hash=None, guardian_token_expires_at=None, updated_at=now)
    await uow.volunteers.save(volunteer)
    await consent_changed(uow, volunteer, ConsentKind.PARENTAL_CONSENT, granted=True, text_version=text_version)
