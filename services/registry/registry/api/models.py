"""Request and response bodies of the registry API; validation here gives field-level 422s."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator, model_validator

from common.auth import Role
from common.bounds import BirthDate, PlatformDate, PlatformDateTime
from common.clock import dutch_today
from contracts.events import WeeklySlot
from registry import domain
from registry.domain import ConsentKind, HoursCorrectionReason, HoursRejectionReason

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, to_lower=True)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]


# A VOG counts at most ten years (and a day for each leap year in them) after it was seen.
_VOG_MAX_DAYS = 3653


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_postcode(value: str | None) -> str | None:
    if value is not None:
        domain.postcode_area(value)
    return value


def _check_slots(slots: list[WeeklySlot] | None) -> list[WeeklySlot] | None:
    for slot in slots or []:
        if slot.end <= slot.start:
            raise ValueError(f"slot on weekday {slot.weekday} ends before it starts")
    return slots


class CentraleIn(_Request):
    """A centrale to add to the region."""

    id: Slug = Field(description="Slug, used in URLs and events.", examples=["vc-utrecht"])
    name: str = Field(min_length=2, max_length=200, examples=["Vrijwilligerscentrale Utrecht"])
    municipality_code: str = Field(pattern=r"^GM[0-9]{4}$", examples=["GM0344"])


ExpiresInDays = Field(
    None,
    ge=1,
    le=3650,
    description="Days until it stops working; default REGISTRY_API_CREDENTIAL_LIFETIME_DAYS.",
    examples=[90],
)


class StaffCredentialIn(_Request):
    """An API credential for a desk or script of one centrale (staff) or its municipality (reader)."""

    role: Literal[Role.CENTRALE_STAFF, Role.MUNICIPALITY_READER] = Role.CENTRALE_STAFF
    label: str = Field(min_length=1, max_length=200, description="Who or what uses it.", examples=["intake desk"])
    expires_in_days: int | None = ExpiresInDays


class LabelIn(_Request):
    """An API credential for an organisation, volunteer or partner: a label, and how long it works."""

    label: str = Field(min_length=1, max_length=200, examples=["HR-systeem"])
    expires_in_days: int | None = ExpiresInDays


class CredentialOut(BaseModel):
    """An issued credential or session; the token is shown only in this response."""

    id: UUID
    role: Role
    centrale_id: str | None
    subject_id: UUID | None = None
    token: str
    kind: Literal["api", "session"] = Field("api", description="`api` for a machine client, `session` for a person.")
    expires_at: datetime | None = Field(None, description="When it stops working (null: until revoked).")


class Created(BaseModel):
    """The id of a newly created record."""

    id: UUID


class PartnerIn(_Request):
    """A business partner of the region."""

    name: str = Field(min_length=2, max_length=200, examples=["Rabobank Utrecht"])


class ContactPerson(_Request):
    """The organisation's contact person (stays in the registry)."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _reachable(self) -> ContactPerson:
        if self.email is None and self.phone is None:
            raise ValueError("a contact person needs an e-mail address or a phone number")
        return self


class OrganisationIn(_Request):
    """An organisation registering with a centrale."""

    name: str = Field(min_length=2, max_length=200, examples=["Voedselbank Utrecht"])
    formal: bool = Field(True, description="False for an informal neighbourhood initiative without KvK number.")
    kvk_number: str | None = Field(None, pattern=r"^[0-9]{8}$")
    postcode: str | None = Field(None, examples=["3511 AB"])
    contact_person: ContactPerson | None = None
    liability_insured: bool = False
    free_vog_scheme: bool = False
    for_profit: bool = False

    _postcode = field_validator("postcode")(_check_postcode)


class RefusalIn(_Request):
    """Why an organisation is refused."""

    reason: str = Field(min_length=3, max_length=1000)


class ConsentIn(_Request):
    """A consent given, with the version of the text the volunteer was shown."""

    kind: ConsentKind
    text_version: str = Field(min_length=1, max_length=40, examples=["2026-01"])


class ConsentChangeIn(ConsentIn):
    """A consent granted or withdrawn."""

    granted: bool


class GuardianIn(_Request):
    """A minor's parent or guardian: kept in the registry only, never shared."""

    name: str = Field(min_length=1, max_length=200, examples=["Samira el Amrani"])
    relation: Literal["parent", "guardian"] = Field(description="Parent (ouder) or legal guardian (voogd).")
    email: EmailStr | None = Field(
        None, description="Where the consent link goes; needed when the minor registers themselves."
    )


class GuardianConsentIn(_Request):
    """A guardian consents through the link they were e-mailed."""

    token: str = Field(min_length=1, max_length=200)
    text_version: str = Field(min_length=1, max_length=40, examples=["2026-01"])


class ReconfirmIn(_Request):
    """A volunteer asked to re-confirm stays, through the link they were e-mailed."""

    token: str = Field(min_length=1, max_length=200)


class GuardianConsentRecordIn(_Request):
    """Staff saw a guardian's signed consent."""

    name: str = Field(min_length=1, max_length=200)
    relation: Literal["parent", "guardian"]
    text_version: str = Field(min_length=1, max_length=40, examples=["2026-01"])


class VolunteerIn(_Request):
    """A volunteer's registration: personal data stays in the registry, only coarse facts are shared."""

    name: str = Field(min_length=1, max_length=200, examples=["Fatima el Amrani"])
    email: EmailStr | None = None
    phone: Phone | None = None
    postcode: str | None = Field(None, examples=["3511 AB"])
    birth_date: BirthDate | None = Field(None, description="Used only to derive the age band (1900 or later).")
    skills: list[Code] = Field(default_factory=list, max_length=50)
    interests: list[Code] = Field(default_factory=list, max_length=50)
    languages: list[Language] = Field(default_factory=list, max_length=20)
    availability: list[WeeklySlot] = Field(default_factory=list, max_length=50)
    one_off_dates: list[PlatformDate] = Field(default_factory=list, max_length=100)
    max_distance_km: int | None = Field(None, ge=0, le=200)
    commitment: Literal["one_off", "structural", "either"] = "either"
    needs_support: bool = Field(False, description="A consulent mediates every match.")
    target_groups: list[Code] = Field(
        default_factory=list, max_length=10, description="Self-declared; requires the target_group_labels consent."
    )
    consents: list[ConsentIn] = Field(default_factory=list, description="Consents given at registration.")
    guardian: GuardianIn | None = Field(
        None, description="Under 16: the parent or guardian whose consent matching waits for (ignored from 16)."
    )

    _postcode = field_validator("postcode")(_check_postcode)
    _slots = field_validator("availability")(_check_slots)

    @field_validator("birth_date")
    @classmethod
    def _old_enough(cls, value: date | None) -> date | None:
        if value is not None:
            today = dutch_today()
            if value > today:
                raise ValueError("birth date lies in the future")
            domain.age_band(value, today)
        return value


class SelfRegistrationIn(VolunteerIn):
    """A volunteer registering themselves, with a password for a personal account."""

    password: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="With an e-mail address: a personal account is made (at least 12 characters) and the answer"
        " holds a session. Without: an API credential as before personal accounts.",
    )


class VolunteerPatch(_Request):
    """Profile fields to change; omitted fields stay as they are."""

    name: str | None = Field(None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: Phone | None = None
    postcode: str | None = None
    skills: list[Code] | None = Field(None, max_length=50)
    interests: list[Code] | None = Field(None, max_length=50)
    languages: list[Language] | None = Field(None, max_length=20)
    availability: list[WeeklySlot] | None = Field(None, max_length=50)
    one_off_dates: list[PlatformDate] | None = Field(None, max_length=100)
    max_distance_km: int | None = Field(None, ge=0, le=200)
    commitment: Literal["one_off", "structural", "either"] | None = None
    needs_support: bool | None = None
    target_groups: list[Code] | None = Field(None, max_length=10)

    _postcode = field_validator("postcode")(_check_postcode)
    _slots = field_validator("availability")(_check_slots)


class VogIn(_Request):
    """Staff saw an original VOG: when, by whom, until when it counts. Never a copy of the document."""

    verified_on: PlatformDate
    verified_by: str = Field(min_length=1, max_length=200, description="Staff member who saw the original.")
    valid_until: PlatformDate = Field(description="Last day it counts: at most 10 years after verified_on.")

    @model_validator(mode="after")
    def _realistic_validity(self) -> VogIn:
        # Matching relies on it: a VOG "valid" from 0001-01-01 to 9999-12-31 would open every VOG task forever.
        if (self.valid_until - self.verified_on).days > _VOG_MAX_DAYS:
            raise ValueError("valid_until lies more than 10 years after verified_on")
        return self


class TaskIn(_Request):
    """A task as an organisation describes it; checked against the NOV criteria when published."""

    title: str = Field(min_length=3, max_length=200, examples=["Chauffeur voor de boodschappenbus"])
    description: str = Field(min_length=1, max_length=5000)
    theme: Code = Field(examples=["ouderen"])
    skills: list[Code] = Field(default_factory=list, max_length=30)
    postcode: str | None = Field(None, examples=["3511 AB"])
    one_off_start: PlatformDateTime | None = None
    one_off_end: PlatformDateTime | None = None
    shifts: list[WeeklySlot] = Field(default_factory=list, max_length=50)
    capacity: int = Field(ge=1, le=1000, description="How many volunteers; a task can be split.")
    hours_per_week: Decimal = Field(gt=0, le=168, max_digits=5, decimal_places=2)
    vog_required: bool
    team_suitable: bool = False
    support_accessible: bool = False
    closing_date: PlatformDate | None = None
    replaces_paid_work: bool = Field(False, description="Volunteer work may not replace paid work (NOV).")
    offer: str | None = Field(
        None,
        max_length=1000,
        description="What the organisation offers volunteers (training, expenses, a team); public.",
        examples=["Onkostenvergoeding, een inwerkdag en een gezellig team"],
    )

    _postcode = field_validator("postcode")(_check_postcode)
    _slots = field_validator("shifts")(_check_slots)

    @model_validator(mode="after")
    def _one_off_window(self) -> TaskIn:
        if (self.one_off_start is None) != (self.one_off_end is None):
            raise ValueError("a one-off task needs both one_off_start and one_off_end")
        if self.one_off_start and self.one_off_end and self.one_off_end <= self.one_off_start:
            raise ValueError("one_off_end must lie after one_off_start")
        return self


class HoursIn(_Request):
    """Hours given on one day for one match."""

    worked_on: PlatformDate
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)


_NOTE = Field(
    None,
    min_length=1,
    max_length=500,
    description="Why, in your own words (kept in the registry only, never sent to other services).",
)


class HoursRejectionIn(_Request):
    """Why the organisation rejects an hours entry."""

    reason: HoursRejectionReason = Field(description="A category; the note may add why.", examples=["not_worked"])
    note: str | None = _NOTE


class HoursCorrectionIn(_Request):
    """The right amount for an hours entry, and why it was wrong."""

    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2, description="The corrected amount.")
    reason: HoursCorrectionReason = Field(description="A category; the note may add why.", examples=["typing_error"])
    note: str | None = _NOTE


class VolunteerDayIn(_Request):
    """A team volunteer day posted by a partner's HR system."""

    external_ref: str = Field(min_length=1, max_length=100, description="The HR system's own reference.")
    team_size: int = Field(ge=1, le=500)
    on_date: PlatformDate
    skills: list[Code] = Field(default_factory=list, max_length=30)
    themes: list[Code] = Field(default_factory=list, max_length=10)
    postcode: str | None = Field(None, description="Preferred area.", examples=["3511"])
    centrale_id: Slug | None = None

    @field_validator("postcode")
    @classmethod
    def _area(cls, value: str | None) -> str | None:
        return domain.postcode_area(value) if value is not None else None


class DayHoursIn(_Request):
    """What a partner's team gave on its day, logged by the organisation."""

    participants: int = Field(ge=1, le=500)
    hours_total: Decimal = Field(gt=0, max_digits=7, decimal_places=2)


Record = dict[str, Any]
