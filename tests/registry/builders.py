"""Records with unique ids and sensible defaults, for repository and use-case tests (``a_volunteer(...)``)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from registry.authn import AccountPolicy, LoginLimits, Passwords
from registry.repositories import (
    Account,
    BusinessPartner,
    Centrale,
    CheckIn,
    Credential,
    Hours,
    Match,
    Membership,
    Message,
    Notice,
    Organisation,
    Proposal,
    Task,
    Volunteer,
    VolunteerDay,
)

__all__ = [
    "FAST_PASSWORDS",
    "NOW",
    "a_centrale",
    "a_check_in",
    "a_credential",
    "a_match",
    "a_membership",
    "a_message",
    "a_notice",
    "a_partner",
    "a_policy",
    "a_proposal",
    "a_task",
    "a_volunteer",
    "a_volunteer_day",
    "an_account",
    "an_organisation",
    "some_hours",
]

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

# Argon2id at its cheapest: the same algorithm and encoding, a millisecond per hash instead of a tenth of a second.
FAST_PASSWORDS = Passwords(time_cost=1, memory_kib=64, parallelism=1)


def a_policy(**overrides: Any) -> AccountPolicy:
    """The account policy with the settings' defaults, cheap password hashing, and ``overrides``."""
    limits: dict[str, Any] = {
        "attempts_per_address": 30,
        "attempts_per_account_and_address": 5,
        "attempts_per_account": 20,
        "window": timedelta(minutes=15),
        "resets_per_address": 10,
        "resets_per_account": 3,
        "reset_window": timedelta(hours=1),
    }
    values: dict[str, Any] = {
        "passwords": FAST_PASSWORDS,
        "session_idle": timedelta(minutes=30),
        "session_max_age": timedelta(hours=12),
        "invitation_lifetime": timedelta(hours=72),
        "reset_lifetime": timedelta(minutes=30),
        "api_credential_lifetime": timedelta(days=365),
        "totp_issuer": "Regio-platform testregio",
        "limits": LoginLimits(**(limits | overrides.pop("limits", {}))),
    }
    return AccountPolicy(**(values | overrides))


def an_account(**overrides: Any) -> Account:
    """An account with a unique address and no password yet (an open invitation)."""
    marker = secrets.token_hex(3)
    values: dict[str, Any] = {
        "id": uuid4(),
        "email": f"mens-{marker}@example.nl",
        "name": f"Mens {marker}",
        "created_at": NOW,
        "created_by": "region_ops",
    }
    return Account(**(values | overrides))


def a_membership(account_id: UUID, role: str, centrale_id: str | None, **overrides: Any) -> Membership:
    """A live membership of ``account_id``."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "account_id": account_id,
        "role": role,
        "centrale_id": centrale_id,
        "subject_id": None,
        "created_at": NOW,
        "created_by": "region_ops",
    }
    return Membership(**(values | overrides))


def a_centrale(**overrides: Any) -> Centrale:
    """A centrale with a unique slug."""
    centrale_id = f"vc-{secrets.token_hex(4)}"
    values: dict[str, Any] = {
        "id": centrale_id,
        "name": f"Centrale {centrale_id}",
        "municipality_code": "GM0344",
        "created_at": NOW,
    }
    return Centrale(**(values | overrides))


def an_organisation(centrale_id: str, **overrides: Any) -> Organisation:
    """An admitted, insured organisation with a contact person."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "name": "Voedselbank",
        "formal": True,
        "kvk_number": "12345678",
        "postcode": "3511 AB",
        "postcode_area": "3511",
        "contact_name": "Anna de Boer",
        "contact_email": "anna@voedselbank.example",
        "contact_phone": None,
        "liability_insured": True,
        "free_vog_scheme": False,
        "for_profit": False,
        "status": "admitted",
        "status_reason": None,
        "registered_at": NOW,
        "vetted_at": NOW,
    }
    return Organisation(**(values | overrides))


def a_volunteer(centrale_id: str, **overrides: Any) -> Volunteer:
    """A volunteer with distinctive personal data in every personal column."""
    marker = secrets.token_hex(3)
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "name": f"Naam {marker}",
        "registered_by": "staff",
        "registered_at": NOW,
        "email": f"{marker}@example.nl",
        "phone": "0612345678",
        "postcode": "3512 JK",
        "birth_date": date(1991, 3, 14),
        "postcode_area": "3512",
        "age_band": "30-49",
        "skills": ["koken"],
        "interests": ["zorg"],
        "languages": ["nl", "ar"],
        "availability": [{"weekday": 2, "start": "09:00:00", "end": "12:00:00"}],
        "one_off_dates": [date(2026, 12, 5)],
        "max_distance_km": 10,
        "commitment": "structural",
        "needs_support": True,
        "target_groups": ["statushouder"],
        "regional_matching_consent": True,
        "vog_verified_on": date(2026, 1, 5),
        "vog_verified_by": "Consulent Noor",
        "vog_valid_until": date(2029, 1, 5),
    }
    return Volunteer(**(values | overrides))


def a_task(centrale_id: str, organisation_id: UUID, **overrides: Any) -> Task:
    """A draft task that would pass the NOV check."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "organisation_id": organisation_id,
        "title": "Boodschappenbus rijden",
        "description": "Rijd op dinsdagochtend de boodschappenbus voor ouderen uit de wijk naar de markt.",
        "theme": "ouderen",
        "capacity": 2,
        "hours_per_week": Decimal("3.00"),
        "vog_required": True,
        "created_at": NOW,
        "skills": ["rijbewijs-b"],
        "postcode": "3511 AB",
        "postcode_area": "3511",
        "shifts": [{"weekday": 2, "start": "09:00:00", "end": "12:00:00"}],
    }
    return Task(**(values | overrides))


def a_match(task: Task, volunteer_id: UUID, **overrides: Any) -> Match:
    """A match on ``task`` made three days before NOW."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "task_id": task.id,
        "volunteer_id": volunteer_id,
        "organisation_id": task.organisation_id,
        "centrale_id": task.centrale_id,
        "volunteer_centrale_id": task.centrale_id,
        "made_at": NOW - timedelta(days=3),
    }
    return Match(**(values | overrides))


def some_hours(match: Match, **overrides: Any) -> Hours:
    """Confirmed hours for ``match`` yesterday."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "match_id": match.id,
        "volunteer_id": match.volunteer_id,
        "task_id": match.task_id,
        "organisation_id": match.organisation_id,
        "centrale_id": match.centrale_id,
        "worked_on": (NOW - timedelta(days=1)).date(),
        "hours": Decimal("2.50"),
        "logged_by": "organisation",
        "status": "confirmed",
        "logged_at": NOW,
        "confirmed_at": NOW,
    }
    return Hours(**(values | overrides))


def a_partner(**overrides: Any) -> BusinessPartner:
    """A business partner."""
    values: dict[str, Any] = {"id": uuid4(), "name": "Bouwbedrijf", "registered_at": NOW}
    return BusinessPartner(**(values | overrides))


def a_volunteer_day(partner_id: UUID, **overrides: Any) -> VolunteerDay:
    """An open team day a week after NOW under a unique reference."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "partner_id": partner_id,
        "external_ref": f"HR-{secrets.token_hex(3)}",
        "team_size": 8,
        "on_date": (NOW + timedelta(days=7)).date(),
        "posted_at": NOW,
        "themes": ["natuur"],
    }
    return VolunteerDay(**(values | overrides))


def a_credential(subject_id: UUID | None, centrale_id: str | None, **overrides: Any) -> Credential:
    """A volunteer's credential."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "token_hash": secrets.token_hex(32),
        "role": "volunteer",
        "centrale_id": centrale_id,
        "subject_id": subject_id,
        "label": "Sanne's phone",
        "created_at": NOW,
    }
    return Credential(**(values | overrides))


def a_message(centrale_id: str, recipient_id: UUID, **overrides: Any) -> Message:
    """A pending thank-you, due at NOW."""
    values: dict[str, Any] = {
        "award_id": uuid4(),
        "recipient_id": recipient_id,
        "recipient_kind": "volunteer",
        "centrale_id": centrale_id,
        "rule_kind": "hours_milestone",
        "title": "10 uur vrijwillige inzet",
        "status": "pending",
        "reason": None,
        "recorded_at": NOW,
        "next_attempt_at": NOW,
    }
    return Message(**(values | overrides))


def a_proposal(task: Task, volunteer_id: UUID, **overrides: Any) -> Proposal:
    """A proposal of the volunteer for ``task`` as matching reported it, a week before NOW, waiting for a yes."""
    values: dict[str, Any] = {
        "match_id": uuid4(),
        "task_id": task.id,
        "volunteer_id": volunteer_id,
        "organisation_id": task.organisation_id,
        "centrale_id": task.centrale_id,
        "volunteer_centrale_id": task.centrale_id,
        "via": "matching",
        "needs_consulent": False,
        "status": "proposed",
        "proposed_at": NOW - timedelta(days=7),
    }
    return Proposal(**(values | overrides))


def a_notice(centrale_id: str, recipient_id: UUID, **overrides: Any) -> Notice:
    """A pending notice to a volunteer, to go at once, recorded at NOW."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "recipient_kind": "volunteer",
        "recipient_id": recipient_id,
        "centrale_id": centrale_id,
        "kind": "proposal_new",
        "delivery": "immediate",
        "status": "pending",
        "due_at": NOW,
        "recorded_at": NOW,
    }
    return Notice(**(values | overrides))


def a_check_in(match: Proposal, **overrides: Any) -> CheckIn:
    """The volunteer's two-week check-in of ``match``, asked at NOW."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "match_id": match.match_id,
        "volunteer_id": match.volunteer_id,
        "organisation_id": match.organisation_id,
        "centrale_id": match.centrale_id,
        "volunteer_centrale_id": match.volunteer_centrale_id,
        "step": "P2W",
        "side": "volunteer",
        "status": "asked",
        "due_at": NOW,
        "asked_at": NOW,
    }
    return CheckIn(**(values | overrides))
