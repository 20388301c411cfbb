"""Events on the organisations stream (``registry.organisations.v1``), emitted by the registry."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId, Imported, ImportSource, PostcodeArea

__all__ = ["OrganisationAdmitted", "OrganisationRefused", "OrganisationRegistered"]

_TOPIC = "registry.organisations.v1"


@register
class OrganisationRegistered(Event):
    """Emitted by the registry when an organisation registers with a centrale (vetting pending)."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.organisation.registered.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    centrale_id: CentraleId
    organisation_name: str = Field(
        description="Name of the organisation (not of a person).", examples=["Voedselbank Utrecht"]
    )
    formal: bool = Field(description="False for an informal neighbourhood initiative without a KvK number.")
    postcode_area: PostcodeArea | None = None
    liability_insured: bool = Field(description="Whether it has liability insurance covering volunteers.")
    free_vog_scheme: bool = Field(description="Whether it is admitted to the Regeling Gratis VOG.")
    registered_at: datetime
    imported: Imported = False
    import_source: ImportSource = None


@register
class OrganisationAdmitted(Event):
    """Emitted by the registry when centrale staff admit an organisation after vetting."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.organisation.admitted.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    centrale_id: CentraleId
    admitted_at: datetime
    imported: Imported = False
    import_source: ImportSource = None


@register
class OrganisationRefused(Event):
    """Emitted by the registry when centrale staff refuse an organisation after vetting."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.organisation.refused.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    centrale_id: CentraleId
    reason: str = Field(description="Why, in the centrale's words (no personal data).")
    refused_at: datetime
