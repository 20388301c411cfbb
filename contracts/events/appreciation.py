"""Events on the awards stream (``appreciation.awards.v1``), emitted by appreciation."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId

__all__ = ["AppreciationAwarded"]


@register
class AppreciationAwarded(Event):
    """Emitted by appreciation when a rule awards a volunteer (or thanks a business partner).

    Never a payment: a milestone, a thank-you, a certificate line. The registry, which holds contact
    data, sends the message when the volunteer consented to appreciation messages.
    """

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.appreciation.awarded.v1"
    topic: ClassVar[str] = "appreciation.awards.v1"
    subject_field: ClassVar[str] = "recipient_id"

    award_id: UUID = Field(description="Id of the award; the same trigger always yields the same id.")
    recipient_id: UUID = Field(description="Volunteer id, or business partner id for team-day thanks.")
    recipient_kind: str = Field("volunteer", description="volunteer or business_partner.")
    centrale_id: CentraleId
    rule_id: str = Field(description="The centrale's rule that awarded it.", examples=["hours-100"])
    rule_kind: str = Field(
        description="first_match, hours_milestone, anniversary, nldoet, mdt, partner_team_day.",
        examples=["hours_milestone"],
    )
    title: str = Field(description="What is celebrated, in Dutch.", examples=["100 uur vrijwillige inzet"])
    trigger_event_id: UUID = Field(description="The event that crossed the threshold.")
    trigger_event_type: str
    awarded_at: datetime
    historic: bool = Field(
        False,
        description="Earned by history an import brought in (hours worked or a registration from before the"
        " platform): recorded on the volunteer's record, not celebrated anew; the registry sends no thank-you.",
    )
