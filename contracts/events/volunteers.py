"""Events on the volunteers stream (``registry.volunteers.v1``), emitted by the registry."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import AgeBand, CentraleId, Imported, ImportSource, PostcodeArea, WeeklySlot

__all__ = [
    "KEY_TOPIC",
    "VolunteerConsentChanged",
    "VolunteerErased",
    "VolunteerKeyIssued",
    "VolunteerProfileUpdated",
    "VolunteerRegistered",
]

_TOPIC = "registry.volunteers.v1"
KEY_TOPIC = "registry.volunteer-keys.v1"


class _VolunteerProfile(Event):
    """What matching needs of a volunteer: can, may and want; no name, contact data or birth date.

    Everything that describes the person (``sealed_fields``: area, age band, skills, interests, languages,
    availability, reach, commitment, VOG, support need, target groups, consents) travels sealed in
    ``sealed_special`` under the volunteer's data key, at placeholders in the clear, so erasure (destroying the
    key) leaves nothing in any copy that links the id to a profile value (issue 16). In the clear stay only the
    ids, the moments and how the record came in (``registered_by``, ``imported``, ``import_source``); every
    service that reads a sealed field (matching, reporting, appreciation) opens them with its key ring.
    """

    sealed_fields: ClassVar[tuple[str, ...]] = (
        "postcode_area",
        "age_band",
        "skills",
        "interests",
        "languages",
        "availability",
        "one_off_dates",
        "max_distance_km",
        "commitment",
        "needs_support",
        "regional_matching_consent",
        "matching_consent",
        "appreciation_messages_consent",
        "vog_valid_until",
        "target_groups",
    )
    # Shredded, a volunteer must not read as consenting to matching (its default, True, is for old events).
    sealed_placeholders: ClassVar[dict[str, object]] = {"matching_consent": False}

    volunteer_id: UUID = Field(description="Pseudonymous id of the volunteer.")
    centrale_id: CentraleId
    postcode_area: PostcodeArea | None = None
    age_band: AgeBand | None = None
    skills: list[str] = Field(default_factory=list, description="Skill codes.", examples=[["koken"]])
    interests: list[str] = Field(default_factory=list, description="Themes of interest.", examples=[["zorg", "sport"]])
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 language codes.", examples=[["nl", "ar"]])
    availability: list[WeeklySlot] = Field(default_factory=list, description="Weekly availability.")
    one_off_dates: list[date] = Field(default_factory=list, description="Extra days available for one-off tasks.")
    max_distance_km: int | None = Field(None, ge=0, le=200, description="Maximum travel distance.")
    commitment: Literal["one_off", "structural", "either"] = Field(
        "either", description="Preference for one-off or structural tasks."
    )
    needs_support: bool = Field(False, description="A consulent mediates every match of this volunteer.")
    regional_matching_consent: bool = Field(
        False, description="Consented to being matched by neighbouring centrales in the region."
    )
    matching_consent: bool = Field(True, description="Consented to being proposed for tasks at all.")
    appreciation_messages_consent: bool = Field(False, description="Consented to receiving thank-you messages.")
    vog_valid_until: date | None = Field(
        None, description="Last day the recorded VOG counts; None when no VOG was verified. Never a document."
    )
    target_groups: list[str] = Field(
        default_factory=list,
        description="Self-declared target-group labels, present only with explicit consent; used in aggregates.",
        examples=[["statushouder"]],
    )
    sealed_special: str | None = Field(
        None,
        description="The volunteer's profile (postcode_area, age_band, skills, interests, languages, availability,"
        " one_off_dates, max_distance_km, commitment, needs_support, regional_matching_consent, matching_consent,"
        " appreciation_messages_consent, vog_valid_until, target_groups) as JSON sealed with the volunteer's data"
        " key: base64url of a 12-byte nonce and the AES-256-GCM ciphertext, authenticated with the volunteer id."
        " The key travels wrapped on registry.volunteer-keys.v1 before this event and is destroyed on erasure."
        " When set, those fields are at placeholders in the clear (their defaults; matching_consent false). The"
        " name is historic: events sealed before the whole profile was sealed hold only needs_support and"
        " target_groups here (the rest in the clear), and events from before sealing have none.",
    )
    imported: Imported = False
    import_source: ImportSource = None


@register
class VolunteerRegistered(_VolunteerProfile):
    """Emitted by the registry when a volunteer is registered, by themselves or by centrale staff."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer.registered.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "volunteer_id"

    registered_at: datetime = Field(
        description="When the registration was accepted (for an imported volunteer: in the other system)."
    )
    registered_by: Literal["self", "staff"] = Field(
        "self", description="Whether the volunteer registered or staff did so at intake."
    )


@register
class VolunteerProfileUpdated(_VolunteerProfile):
    """Emitted by the registry when a volunteer's matching-relevant profile or consents change."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer.profile-updated.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "volunteer_id"

    updated_at: datetime = Field(description="When the update was accepted.")


@register
class VolunteerErased(Event):
    """Emitted by the registry when a volunteer is erased; every service forgets the id's personal data."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer.erased.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "volunteer_id"

    volunteer_id: UUID = Field(description="Pseudonymous id of the erased volunteer.")
    centrale_id: CentraleId
    erased_at: datetime = Field(description="When the erasure was carried out in the registry.")


@register
class VolunteerConsentChanged(Event):
    """Emitted by the registry when a volunteer grants or withdraws a consent."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer.consent-changed.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "volunteer_id"

    volunteer_id: UUID
    centrale_id: CentraleId
    consent: str = Field(
        description="Which consent: matching, regional_matching, contact_by_organisations, appreciation_messages, "
        "target_group_labels.",
        examples=["appreciation_messages"],
    )
    granted: bool = Field(description="True when granted, False when withdrawn.")
    text_version: str = Field(description="Version of the consent text the volunteer was shown.", examples=["2026-01"])
    changed_at: datetime = Field(
        description="When it was given or withdrawn (for an imported consent: when, in the other system)."
    )
    imported: Imported = False
    import_source: ImportSource = None


@register
class VolunteerKeyIssued(Event):
    """Emitted by the registry when a volunteer gets a data key, before any event sealed with it.

    On ``registry.volunteer-keys.v1``, compacted and keyed by volunteer id. Erasure publishes a tombstone (the
    id as key, no value) in its place: consumers delete their copy, and compaction removes the key from Kafka,
    and with it every way to open what was sealed for the volunteer in any copy of the events.
    """

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer.key-issued.v1"
    topic: ClassVar[str] = KEY_TOPIC
    subject_field: ClassVar[str] = "volunteer_id"

    volunteer_id: UUID = Field(description="Pseudonymous id of the volunteer whose key this is.")
    centrale_id: CentraleId
    wrapped_key: str = Field(
        description="The volunteer's 256-bit data key wrapped with the region's key-encryption key: base64url of a"
        " 12-byte nonce and the AES-256-GCM ciphertext, authenticated with the volunteer id."
    )
    kek_fingerprint: str = Field(
        description="First 16 hex digits of SHA-256 of the key-encryption key it was wrapped with, so a service"
        " configured with another one says so instead of failing to open events.",
        examples=["3f2a9c0d1e7b4a55"],
    )
    issued_at: datetime
