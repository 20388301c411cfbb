"""Minors: a volunteer under 16 at registration waits for a parent's or guardian's consent before being matchable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from common.auth import hash_token
from common.clock import ManualClock
from common.errors import NotFound, Rejected
from contracts.events import VolunteerConsentChanged, VolunteerProfileUpdated, VolunteerRegistered
from registry.domain import ConsentKind
from registry.use_cases.guardians import (
    AskGuardianConsent,
    GiveGuardianConsent,
    RecordGuardianConsent,
    ask_guardian_consent,
    give_guardian_consent,
    record_guardian_consent,
)
from registry.use_cases.volunteers import (
    ExportVolunteer,
    Guardian,
    RegisterVolunteer,
    SetConsent,
    export_volunteer,
    register_volunteer,
    set_consent,
)
from tests.registry.builders import NOW, a_centrale
from tests.registry.fakes import FakeRegistryUnitOfWork

FOURTEEN = date(NOW.year - 14, 3, 1)
SAMIRA = Guardian("Samira el Amrani", "parent", "samira@example.nl")
LINK_LIFETIME = timedelta(days=14)


def _registration(centrale_id: str, **overrides: Any) -> RegisterVolunteer:
    values: dict[str, Any] = {
        "centrale_id": centrale_id,
        "name": "Yasmina el Amrani",
        "registered_by": "self",
        "recorded_by": "self",
        "email": "yasmina@example.nl",
        "birth_date": FOURTEEN,
        "consents": {ConsentKind.MATCHING: "2026-01"},
        "guardian": SAMIRA,
    }
    return RegisterVolunteer(**(values | overrides))


async def _minor(uow: FakeRegistryUnitOfWork, **overrides: Any) -> tuple[str, UUID]:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale.id, await register_volunteer(_registration(centrale.id, **overrides), uow)


def _latest_profile(uow: FakeRegistryUnitOfWork) -> VolunteerRegistered | VolunteerProfileUpdated:
    profiles = [e for e in uow.events() if isinstance(e, VolunteerRegistered | VolunteerProfileUpdated)]
    return profiles[-1]


async def test_a_fourteen_year_old_is_published_but_not_matchable_until_a_guardian_consents(
    uow: FakeRegistryUnitOfWork,
) -> None:
    _, volunteer_id = await _minor(uow)

    [event] = uow.events()
    assert isinstance(event, VolunteerRegistered)
    assert (event.volunteer_id, event.age_band, event.matching_consent) == (volunteer_id, "12-17", False)
    stored = await uow.volunteers.get(volunteer_id)
    assert stored is not None
    assert (stored.needs_guardian_consent, stored.guardian_name, stored.guardian_relation) == (
        True,
        "Samira el Amrani",
        "parent",
    )
    # The guardian never travels: not in the event.
    assert "Samira" not in event.model_dump_json()
    assert "samira@" not in event.model_dump_json()


async def test_the_guardians_link_records_their_consent_with_who_gave_it_and_makes_the_minor_matchable(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale_id, volunteer_id = await _minor(uow)
    mail = await ask_guardian_consent(AskGuardianConsent(volunteer_id, centrale_id, LINK_LIFETIME), uow)
    assert mail is not None
    assert (mail.kind, mail.to, mail.greeting_name, mail.expires_at) == (
        "guardian_consent",
        "samira@example.nl",
        "Samira el Amrani",
        NOW + LINK_LIFETIME,
    )
    stored = await uow.volunteers.get(volunteer_id)
    assert stored is not None
    assert stored.guardian_token_hash == hash_token(mail.token)

    await give_guardian_consent(GiveGuardianConsent(mail.token, "2026-01"), uow)

    consent = (await uow.volunteers.consents(volunteer_id))[ConsentKind.PARENTAL_CONSENT.value]
    assert (consent.granted, consent.recorded_by, consent.given_by_name, consent.given_by_relation) == (
        True,
        "guardian",
        "Samira el Amrani",
        "parent",
    )
    changed = [e for e in uow.events() if isinstance(e, VolunteerConsentChanged)]
    assert [(e.consent, e.granted) for e in changed] == [("parental_consent", True)]
    assert "Samira" not in changed[0].model_dump_json()
    assert _latest_profile(uow).matching_consent is True
    # The link works once.
    with pytest.raises(NotFound, match="unknown, used or expired"):
        await give_guardian_consent(GiveGuardianConsent(mail.token, "2026-01"), uow)
    export = await export_volunteer(ExportVolunteer(volunteer_id, centrale_id), uow)
    assert "guardian_token_hash" not in export["volunteer"]


async def test_an_expired_guardian_link_is_refused_and_the_minor_stays_unmatchable(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale_id, volunteer_id = await _minor(uow)
    mail = await ask_guardian_consent(AskGuardianConsent(volunteer_id, centrale_id, LINK_LIFETIME), uow)
    assert mail is not None
    clock.advance(LINK_LIFETIME + timedelta(seconds=1))
    uow.renew()

    with pytest.raises(NotFound):
        await give_guardian_consent(GiveGuardianConsent(mail.token, "2026-01"), uow)
    assert ConsentKind.PARENTAL_CONSENT.value not in await uow.volunteers.consents(volunteer_id)
    assert _latest_profile(uow).matching_consent is False


async def test_staff_record_a_signed_consent_and_no_link_is_asked_afterwards(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, volunteer_id = await _minor(
        uow, registered_by="staff", recorded_by="staff:1", guardian=Guardian("Henk de Vries", "guardian")
    )
    # Staff registered without the guardian's address: no link can go.
    assert await ask_guardian_consent(AskGuardianConsent(volunteer_id, centrale_id, LINK_LIFETIME), uow) is None

    await record_guardian_consent(
        RecordGuardianConsent(volunteer_id, centrale_id, "Henk de Vries", "guardian", "2026-01", "staff:1"), uow
    )

    consent = (await uow.volunteers.consents(volunteer_id))[ConsentKind.PARENTAL_CONSENT.value]
    assert (consent.recorded_by, consent.given_by_name, consent.given_by_relation) == (
        "staff:1",
        "Henk de Vries",
        "guardian",
    )
    assert _latest_profile(uow).matching_consent is True
    assert _latest_profile(uow).age_band == "12-17"


async def test_under_16_self_registration_needs_the_parents_address_and_staff_a_consent_or_a_parent(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    with pytest.raises(Rejected, match="parent or guardian") as refused:
        await register_volunteer(_registration(centrale.id, guardian=None), uow)
    assert refused.value.field == "guardian"
    with pytest.raises(Rejected, match="e-mail address") as refused:
        await register_volunteer(_registration(centrale.id, guardian=Guardian("Samira", "parent")), uow)
    assert refused.value.field == "guardian"
    staff = {"registered_by": "staff", "recorded_by": "staff:1"}
    with pytest.raises(Rejected, match="parent or guardian") as refused:
        await register_volunteer(_registration(centrale.id, guardian=None, **staff), uow)
    assert refused.value.field == "consents"


async def test_staff_recording_the_parents_consent_at_intake_keeps_who_gave_it_and_the_minor_is_matchable(
    uow: FakeRegistryUnitOfWork,
) -> None:
    consents = {ConsentKind.MATCHING: "2026-01", ConsentKind.PARENTAL_CONSENT: "2026-01"}
    _, volunteer_id = await _minor(uow, registered_by="staff", recorded_by="staff:1", consents=consents)

    [event] = uow.events()
    assert isinstance(event, VolunteerRegistered)
    assert event.matching_consent is True
    consent = (await uow.volunteers.consents(volunteer_id))[ConsentKind.PARENTAL_CONSENT.value]
    assert (consent.recorded_by, consent.given_by_name, consent.given_by_relation) == (
        "staff:1",
        "Samira el Amrani",
        "parent",
    )


async def test_a_parents_consent_cannot_be_given_by_the_volunteer(uow: FakeRegistryUnitOfWork) -> None:
    consents = {ConsentKind.MATCHING: "2026-01", ConsentKind.PARENTAL_CONSENT: "2026-01"}
    centrale_id, volunteer_id = await _minor(uow, consents=consents)

    # The minor's own tick is not the parent's consent: not recorded, and they wait for the parent's link.
    assert ConsentKind.PARENTAL_CONSENT.value not in await uow.volunteers.consents(volunteer_id)
    assert _latest_profile(uow).matching_consent is False
    with pytest.raises(Rejected, match="given by the parent"):
        await set_consent(
            SetConsent(volunteer_id, centrale_id, ConsentKind.PARENTAL_CONSENT, True, "2026-01", "self"), uow
        )


async def test_from_sixteen_no_guardian_is_needed_nor_kept(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, volunteer_id = await _minor(uow, birth_date=date(NOW.year - 17, 1, 1))

    [event] = uow.events()
    assert isinstance(event, VolunteerRegistered)
    assert (event.age_band, event.matching_consent) == ("12-17", True)
    stored = await uow.volunteers.get(volunteer_id)
    assert stored is not None
    assert (stored.needs_guardian_consent, stored.guardian_name) == (False, None)
    with pytest.raises(Rejected, match="16 or older"):
        await record_guardian_consent(
            RecordGuardianConsent(volunteer_id, centrale_id, "Samira", "parent", "2026-01", "staff:1"), uow
        )
