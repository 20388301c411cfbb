"""Volunteers: registration, profile, consents, VOG, self-service export and erasure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any, Literal
from uuid import UUID, uuid4

from common.auth import Role
from common.errors import Conflict, NotFound, Rejected
from contracts.events import (
    VolunteerConsentChanged,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
    WeeklySlot,
)
from registry import domain
from registry.authn import AccountPolicy, password_problems
from registry.domain import AccessPurpose, ConsentKind
from registry.repositories import Account, Consent, Membership, Volunteer
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.accounts import end_volunteer_memberships
from registry.use_cases.audit import TRAIL_LIMIT, described, record_access
from registry.use_cases.credentials import IssueCredential, IssuedCredential, issue_credential, revoke_credentials_of
from registry.use_cases.hours import hours_view
from registry.use_cases.sessions import start_session
from registry.use_cases.trainings import trainings_of_volunteer

__all__ = [
    "EraseVolunteer",
    "ExportVolunteer",
    "GetVolunteer",
    "Guardian",
    "ListVolunteers",
    "ProfileChanges",
    "RecordVog",
    "RegisterVolunteer",
    "SelfRegister",
    "SetConsent",
    "UpdateProfile",
    "consent_changed",
    "erase_volunteer",
    "export_volunteer",
    "get_volunteer",
    "list_volunteers",
    "record_vog",
    "register_volunteer",
    "self_register",
    "set_consent",
    "update_profile",
]

Commitment = Literal["one_off", "structural", "either"]


@dataclass(frozen=True)
class Guardian:
    """A minor's parent or guardian: who gives the consent, and where their link goes (kept in the registry only)."""

    name: str
    relation: str
    email: str | None = None


@dataclass(frozen=True)
class RegisterVolunteer:
    """Register a volunteer with a centrale; personal data stays in the registry."""

    centrale_id: str
    name: str
    registered_by: Literal["self", "staff"]
    recorded_by: str
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    birth_date: date | None = None
    skills: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    availability: list[WeeklySlot] = field(default_factory=list)
    one_off_dates: list[date] = field(default_factory=list)
    max_distance_km: int | None = None
    commitment: Commitment = "either"
    needs_support: bool = False
    target_groups: list[str] = field(default_factory=list)
    consents: dict[ConsentKind, str] = field(default_factory=dict)
    """Consents granted at registration, each with the version of the text shown."""
    purpose: AccessPurpose | None = None
    """Staff registering on someone's behalf: why (the audit trail); None when the volunteer registers."""
    guardian: Guardian | None = None
    """Under 16: the parent or guardian whose consent matching waits for (ignored, and not kept, from 16)."""


@dataclass(frozen=True)
class SelfRegister:
    """A volunteer registers themselves: with a password, an account and a first session; else an API credential."""

    registration: RegisterVolunteer
    password: str | None = None
    policy: AccountPolicy | None = None


@dataclass(frozen=True)
class ProfileChanges:
    """Fields of a profile update; None leaves a field as it is."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    skills: list[str] | None = None
    interests: list[str] | None = None
    languages: list[str] | None = None
    availability: list[WeeklySlot] | None = None
    one_off_dates: list[date] | None = None
    max_distance_km: int | None = None
    commitment: Commitment | None = None
    needs_support: bool | None = None
    target_groups: list[str] | None = None


@dataclass(frozen=True)
class UpdateProfile:
    """Change what a volunteer can, may and want (staff on their behalf, or themselves)."""

    volunteer_id: UUID
    centrale_id: str
    changes: ProfileChanges
    purpose: AccessPurpose | None = None
    """Staff changing it: why (the audit trail); None when the volunteer does it themselves."""


@dataclass(frozen=True)
class SetConsent:
    """Record a consent given or withdrawn, with the version of the text shown."""

    volunteer_id: UUID
    centrale_id: str
    kind: ConsentKind
    granted: bool
    text_version: str
    recorded_by: str
    purpose: AccessPurpose | None = None
    """Staff recording it: why (the audit trail); None when the volunteer does it themselves."""


@dataclass(frozen=True)
class RecordVog:
    """Staff saw an original VOG: when, by whom, until when it counts. Never a copy of the document."""

    volunteer_id: UUID
    centrale_id: str
    verified_on: date
    verified_by: str
    valid_until: date
    purpose: AccessPurpose | None = AccessPurpose.VOG_CHECK


@dataclass(frozen=True)
class GetVolunteer:
    """The volunteer's record as staff and the volunteer see it."""

    volunteer_id: UUID
    centrale_id: str
    purpose: AccessPurpose | None = None
    """Staff reading it: why (the audit trail); None when the volunteer reads their own."""


@dataclass(frozen=True)
class ListVolunteers:
    """A page of the centrale's volunteers."""

    centrale_id: str
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class ExportVolunteer:
    """Everything the registry holds about a volunteer (AVG right of access and portability)."""

    volunteer_id: UUID
    centrale_id: str
    purpose: AccessPurpose | None = None
    """Staff exporting it: why (the audit trail); None when the volunteer exports their own."""


@dataclass(frozen=True)
class EraseVolunteer:
    """Erase a volunteer's personal data everywhere the registry holds it."""

    volunteer_id: UUID
    centrale_id: str
    purpose: AccessPurpose | None = None
    """Staff erasing it: why (the audit trail); None when the volunteer erases their own."""


_PARENT_MUST_CONSENT = (
    "under 16 a parent or guardian must consent too: record their parental_consent, or name them (guardian) to ask"
)
_PARENT_ASKED_BY_MAIL = "under 16 a parent or guardian must consent too: give their name, relation and e-mail address"
_LABELS_NEED_CONSENT = "target-group labels need the volunteer's explicit consent"
_GUARDIAN_GIVES_IT = "a parent's consent is given by the parent (their e-mailed link) or recorded by staff"


async def register_volunteer(cmd: RegisterVolunteer, uow: RegistryUnitOfWork) -> UUID:
    """Store the volunteer and consents and queue ``VolunteerRegistered``."""
    if cmd.target_groups and ConsentKind.TARGET_GROUP_LABELS not in cmd.consents:
        raise Rejected([_LABELS_NEED_CONSENT], field="target_groups")
    now = uow.now()
    minor = domain.needs_parental_consent(cmd.birth_date, uow.today())
    guardian = cmd.guardian if minor else None
    consents = dict(cmd.consents)
    if cmd.registered_by == "self":
        # A minor's own "my parent agrees" is not the parent's consent: the parent gives it through their link.
        consents.pop(ConsentKind.PARENTAL_CONSENT, None)
        if minor and (guardian is None or guardian.email is None):
            raise Rejected([_PARENT_ASKED_BY_MAIL], field="guardian")
    elif minor and guardian is None and ConsentKind.PARENTAL_CONSENT not in consents:
        raise Rejected([_PARENT_MUST_CONSENT], field="consents")
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    volunteer = Volunteer(
        id=uuid4(),
        centrale_id=cmd.centrale_id,
        name=cmd.name,
        registered_by=cmd.registered_by,
        registered_at=now,
        email=cmd.email,
        phone=cmd.phone,
        postcode=cmd.postcode,
        birth_date=cmd.birth_date,
        postcode_area=domain.postcode_area(cmd.postcode) if cmd.postcode else None,
        age_band=domain.age_band(cmd.birth_date, uow.today()) if cmd.birth_date else None,
        skills=cmd.skills,
        interests=cmd.interests,
        languages=cmd.languages,
        availability=_slots_json(cmd.availability),
        one_off_dates=cmd.one_off_dates,
        max_distance_km=cmd.max_distance_km,
        commitment=cmd.commitment,
        needs_support=cmd.needs_support,
        target_groups=cmd.target_groups,
        needs_guardian_consent=minor,
        guardian_name=guardian.name if guardian else None,
        guardian_relation=guardian.relation if guardian else None,
        guardian_email=guardian.email if guardian else None,
    )
    await uow.volunteers.add(volunteer)
    for kind, text_version in consents.items():
        # Staff recording a parent's consent at intake: who gave it, when the registration names them.
        given_by = guardian if kind is ConsentKind.PARENTAL_CONSENT else None
        await uow.volunteers.add_consent(
            Consent(
                volunteer.id,
                kind.value,
                True,
                text_version,
                cmd.recorded_by,
                now,
                given_by_name=given_by.name if given_by else None,
                given_by_relation=given_by.relation if given_by else None,
            )
        )
    profile = _profile(volunteer, await uow.volunteers.consents(volunteer.id))
    await uow.emit(
        VolunteerRegistered(**profile, registered_at=now, registered_by=cmd.registered_by), tenant=cmd.centrale_id
    )
    if cmd.purpose is not None:
        await record_access(uow, volunteer.id, cmd.centrale_id, "create", "record", cmd.purpose)
    return volunteer.id


async def self_register(cmd: SelfRegister, uow: RegistryUnitOfWork) -> IssuedCredential:
    """Register the volunteer and give them a token of their own (in the answer, once).

    With a password: an account (e-mail and password), its volunteer membership and a first session.
    Without one (the API before personal accounts): an API credential acting as the volunteer.
    """
    registration = cmd.registration
    if cmd.password is None:
        volunteer_id = await register_volunteer(registration, uow)
        lifetime = cmd.policy.api_credential_lifetime if cmd.policy else None
        issue = IssueCredential(
            role=Role.VOLUNTEER,
            centrale_id=registration.centrale_id,
            label="self-registration",
            subject_id=volunteer_id,
            lifetime=lifetime,
        )
        return await issue_credential(issue, uow)
    assert cmd.policy is not None, "an account needs the region's account policy"
    if registration.email is None:
        raise Rejected(["an account needs an e-mail address"], field="email")
    if problems := password_problems(cmd.password, registration.email):
        raise Rejected(problems, field="password")
    volunteer_id = await register_volunteer(registration, uow)
    now = uow.now()
    account = Account(
        id=uuid4(),
        email=registration.email,
        name=registration.name,
        created_at=now,
        created_by="self",
        password_hash=await cmd.policy.passwords.hash(cmd.password),
        password_changed_at=now,
        last_login_at=now,
    )
    if not await uow.accounts.add(account):
        # Said plainly: the person is better helped by "log in or reset" than by a second account.
        raise Conflict("this e-mail address has an account already: log in, or ask for a new password")
    membership = Membership(
        uuid4(), account.id, Role.VOLUNTEER.value, registration.centrale_id, volunteer_id, now, "self"
    )
    await uow.memberships.add(membership)
    started = await start_session(uow, account.id, membership, "self-registration", cmd.policy)
    session = started.session
    return IssuedCredential(
        session["id"],
        Role.VOLUNTEER,
        registration.centrale_id,
        volunteer_id,
        started.token,
        "session",
        session["expires_at"],
    )


async def update_profile(cmd: UpdateProfile, uow: RegistryUnitOfWork) -> None:
    """Apply the changes and queue ``VolunteerProfileUpdated`` with the full new profile."""
    volunteer = await _active(uow, cmd.volunteer_id, cmd.centrale_id)
    values: dict[str, Any] = {k: v for k, v in vars(cmd.changes).items() if v is not None}
    if values.get("target_groups") and not await _has_consent(uow, volunteer.id, ConsentKind.TARGET_GROUP_LABELS):
        raise Rejected([_LABELS_NEED_CONSENT], field="target_groups")
    if "postcode" in values:
        values["postcode_area"] = domain.postcode_area(values["postcode"])
    if "availability" in values:
        values["availability"] = _slots_json(values["availability"])
    if values:
        volunteer = replace(volunteer, **values, updated_at=uow.now())
        await uow.volunteers.save(volunteer)
    if cmd.purpose is not None:
        await record_access(uow, volunteer.id, cmd.centrale_id, "change", "profile", cmd.purpose)
    await _emit_profile_updated(uow, volunteer)


async def set_consent(cmd: SetConsent, uow: RegistryUnitOfWork) -> None:
    """Record a grant or withdrawal with its text version; queue the consent change and the new profile."""
    if cmd.kind is ConsentKind.PARENTAL_CONSENT and cmd.purpose is None:
        raise Rejected([_GUARDIAN_GIVES_IT], field="kind")
    volunteer = await _active(uow, cmd.volunteer_id, cmd.centrale_id)
    await uow.volunteers.add_consent(
        Consent(volunteer.id, cmd.kind.value, cmd.granted, cmd.text_version, cmd.recorded_by, uow.now())
    )
    if cmd.purpose is not None:
        await record_access(uow, volunteer.id, cmd.centrale_id, "change", "consent", cmd.purpose)
    if cmd.kind is ConsentKind.TARGET_GROUP_LABELS and not cmd.granted:
        # Without consent the labels may not be kept at all (AVG: special category data).
        volunteer = replace(volunteer, target_groups=[])
        await uow.volunteers.save(volunteer)
    if cmd.kind is ConsentKind.REGIONAL_MATCHING:
        volunteer = replace(volunteer, regional_matching_consent=cmd.granted)
        await uow.volunteers.save(volunteer)
    await consent_changed(uow, volunteer, cmd.kind, granted=cmd.granted, text_version=cmd.text_version)


async def consent_changed(
    uow: RegistryUnitOfWork, volunteer: Volunteer, kind: ConsentKind, *, granted: bool, text_version: str
) -> None:
    """Queue ``VolunteerConsentChanged`` (the kind only: never who gave it) and the volunteer's new profile."""
    await uow.emit(
        VolunteerConsentChanged(
            volunteer_id=volunteer.id,
            centrale_id=volunteer.centrale_id,
            consent=kind.value,
            granted=granted,
            text_version=text_version,
            changed_at=uow.now(),
        ),
        tenant=volunteer.centrale_id,
    )
    await _emit_profile_updated(uow, volunteer)


async def record_vog(cmd: RecordVog, uow: RegistryUnitOfWork) -> None:
    """Record that staff saw an original VOG (never a copy) and until when it counts."""
    if cmd.valid_until < cmd.verified_on:
        raise Rejected(["valid_until lies before verified_on"], field="valid_until")
    if cmd.verified_on > uow.today():
        raise Rejected(["a VOG cannot be verified in the future"], field="verified_on")
    volunteer = await _active(uow, cmd.volunteer_id, cmd.centrale_id)
    volunteer = replace(
        volunteer,
        vog_verified_on=cmd.verified_on,
        vog_verified_by=cmd.verified_by,
        vog_valid_until=cmd.valid_until,
        updated_at=uow.now(),
    )
    await uow.volunteers.save(volunteer)
    if cmd.purpose is not None:
        await record_access(uow, volunteer.id, cmd.centrale_id, "change", "vog", cmd.purpose)
    await _emit_profile_updated(uow, volunteer)


async def get_volunteer(query: GetVolunteer, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The volunteer's record with their current consents; NotFound for another tenant's or an erased one."""
    volunteer = await uow.volunteers.get_active(query.volunteer_id, query.centrale_id)
    if volunteer is None:
        raise NotFound(f"volunteer {query.volunteer_id} not found")
    if query.purpose is not None:
        await record_access(uow, volunteer.id, query.centrale_id, "read", "record", query.purpose)
    consents = await uow.volunteers.consents(volunteer.id)
    record = asdict(volunteer)
    # The links' secrets stay with the registry.
    del record["guardian_token_hash"], record["reconfirm_token_hash"]
    return {
        **record,
        "consents": {
            kind: {"granted": c.granted, "text_version": c.text_version, "recorded_at": c.recorded_at}
            for kind, c in consents.items()
        },
        # The kennisfunctie: trainings booked and followed (issue 18).
        "trainings": await trainings_of_volunteer(uow, volunteer.id, query.centrale_id),
    }


async def list_volunteers(query: ListVolunteers, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """A page of the centrale's volunteers: ids, names, registration date and whether they need support."""
    return [
        {"id": v.id, "name": v.name, "registered_at": v.registered_at, "needs_support": v.needs_support}
        for v in await uow.volunteers.page(query.centrale_id, query.limit, query.offset)
    ]


async def export_volunteer(query: ExportVolunteer, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """Everything the registry holds about the volunteer: record, consent history, matches, hours (and those an
    import brought in from before the platform), proposals and their messages, check-ins, notice preferences,
    and who accessed the record, when and why (AVG art. 15: the recipients of their data)."""
    record = await get_volunteer(GetVolunteer(query.volunteer_id, query.centrale_id), uow)
    if query.purpose is not None:
        await record_access(uow, query.volunteer_id, query.centrale_id, "export", "export", query.purpose)
    history = await uow.volunteers.consent_history(query.volunteer_id)
    matches = []
    for match in await uow.matches.of_volunteer(query.volunteer_id):
        task = await uow.tasks.get_by_id(match.task_id)
        matches.append(
            {
                "id": match.id,
                "task_id": match.task_id,
                "task_title": task.title if task else None,
                "made_at": match.made_at,
            }
        )
    hours = await uow.hours.of_volunteer(query.volunteer_id)
    proposals = await uow.proposals.of_volunteer(query.volunteer_id)
    messages = await uow.response_messages.of_volunteer(query.volunteer_id)
    check_ins = await uow.follow_up.of_volunteer(query.volunteer_id)
    preferences = await uow.notice_preferences.of_recipient("volunteer", query.volunteer_id)
    return {
        "volunteer": record,
        "consent_history": [
            {k: getattr(c, k) for k in ("kind", "granted", "text_version", "recorded_by", "recorded_at")}
            for c in history
        ],
        "matches": matches,
        "hours": await hours_view(hours, uow),
        "historic_hours": [
            {k: getattr(h, k) for k in ("id", "organisation_id", "task_id", "worked_on", "hours", "source")}
            for h in await uow.historic_hours.of_volunteer(query.volunteer_id)
        ],
        "proposals": [
            {k: getattr(p, k) for k in ("match_id", "task_id", "status", "via", "proposed_at", "made_at", "end_reason")}
            for p in proposals
        ],
        "messages": [{k: getattr(m, k) for k in ("match_id", "body", "written_by", "written_at")} for m in messages],
        "check_ins": [
            {k: getattr(c, k) for k in ("match_id", "step", "side", "status", "answer", "note", "answered_at")}
            for c in check_ins
        ],
        "notice_preferences": preferences,
        "access_log": await described(await uow.access_log.of_volunteer(query.volunteer_id, TRAIL_LIMIT), uow),
    }


async def erase_volunteer(cmd: EraseVolunteer, uow: RegistryUnitOfWork) -> None:
    """Remove the volunteer's personal data, revoke their credentials and sessions and queue ``VolunteerErased``.

    What is erased is what ``repositories.personal_data`` declares; the row stays as a pseudonymous id,
    so matches and hours remain as anonymous facts. Their account goes too, unless it still has another
    role (it works for an organisation, say). The audit trail keeps its rows (ids only) until purged.
    """
    volunteer = await _active(uow, cmd.volunteer_id, cmd.centrale_id)
    if cmd.purpose is not None:
        await record_access(uow, volunteer.id, cmd.centrale_id, "erase", "record", cmd.purpose)
    await revoke_credentials_of(volunteer.id, uow)
    await end_volunteer_memberships(uow, volunteer.id)
    await uow.personal_data.erase(volunteer.id)
    await uow.volunteers.mark_erased(volunteer.id, uow.now())
    await uow.emit(
        VolunteerErased(volunteer_id=volunteer.id, centrale_id=cmd.centrale_id, erased_at=uow.now()),
        tenant=cmd.centrale_id,
    )


def _slots_json(slots: list[WeeklySlot]) -> list[dict[str, Any]]:
    return [slot.model_dump(mode="json") for slot in slots]


async def _active(uow: RegistryUnitOfWork, volunteer_id: UUID, centrale_id: str) -> Volunteer:
    """The volunteer, locked (serialising changes to them), or NotFound."""
    volunteer = await uow.volunteers.get_active(volunteer_id, centrale_id, lock=True)
    if volunteer is None:
        raise NotFound(f"volunteer {volunteer_id} not found")
    return volunteer


async def _has_consent(uow: RegistryUnitOfWork, volunteer_id: UUID, kind: ConsentKind) -> bool:
    consent = (await uow.volunteers.consents(volunteer_id)).get(kind.value)
    return bool(consent and consent.granted)


def _profile(volunteer: Volunteer, consents: dict[str, Consent]) -> dict[str, Any]:
    """The shareable profile fields of the events: coarse, pseudonymous, consented."""

    def granted(kind: ConsentKind) -> bool:
        consent = consents.get(kind.value)
        return bool(consent and consent.granted)

    # A volunteer under 16 at registration is published, but not matchable until a guardian consents.
    may_match = not volunteer.needs_guardian_consent or granted(ConsentKind.PARENTAL_CONSENT)

    return {
        "volunteer_id": volunteer.id,
        "centrale_id": volunteer.centrale_id,
        "postcode_area": volunteer.postcode_area,
        "age_band": volunteer.age_band,
        "skills": volunteer.skills,
        "interests": volunteer.interests,
        "languages": volunteer.languages,
        "availability": volunteer.availability,
        "one_off_dates": volunteer.one_off_dates,
        "max_distance_km": volunteer.max_distance_km,
        "commitment": volunteer.commitment,
        "needs_support": volunteer.needs_support,
        "matching_consent": may_match and granted(ConsentKind.MATCHING),
        "regional_matching_consent": may_match and granted(ConsentKind.REGIONAL_MATCHING),
        "appreciation_messages_consent": granted(ConsentKind.APPRECIATION_MESSAGES),
        "vog_valid_until": volunteer.vog_valid_until,
        "target_groups": volunteer.target_groups if granted(ConsentKind.TARGET_GROUP_LABELS) else [],
    }


async def _emit_profile_updated(uow: RegistryUnitOfWork, volunteer: Volunteer) -> None:
    profile = _profile(volunteer, await uow.volunteers.consents(volunteer.id))
    await uow.emit(VolunteerProfileUpdated(**profile, updated_at=uow.now()), tenant=volunteer.centrale_id)
