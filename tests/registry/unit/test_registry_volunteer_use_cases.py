"""Volunteers' registration, profile, consents, VOG, export and erasure, on the fakes."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.auth import Role
from common.clock import ManualClock
from common.errors import NotFound, Rejected
from contracts.events import (
    CredentialIssued,
    CredentialRevoked,
    VolunteerConsentChanged,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
    WeeklySlot,
)
from registry.domain import ConsentKind
from registry.repositories.personal_data import PERSONAL_DATA
from registry.use_cases.credentials import IssueCredential, issue_credential
from registry.use_cases.volunteers import (
    EraseVolunteer,
    ExportVolunteer,
    GetVolunteer,
    ListVolunteers,
    ProfileChanges,
    RecordVog,
    RegisterVolunteer,
    SelfRegister,
    SetConsent,
    UpdateProfile,
    erase_volunteer,
    export_volunteer,
    get_volunteer,
    list_volunteers,
    record_vog,
    register_volunteer,
    self_register,
    set_consent,
    update_profile,
)
from tests.registry.builders import NOW, a_centrale, a_match, a_task, an_organisation, some_hours
from tests.registry.fakes import FakeRegistryUnitOfWork

TUESDAY_MORNING = WeeklySlot(weekday=2, start=time(9), end=time(12))


def _registration(centrale_id: str, **overrides: Any) -> RegisterVolunteer:
    values: dict[str, Any] = {
        "centrale_id": centrale_id,
        "name": "Fatima el Amrani",
        "registered_by": "staff",
        "recorded_by": "staff:credential-1",
        "email": "fatima@example.nl",
        "phone": "0612345678",
        "postcode": "3511 AB",
        "birth_date": date(1994, 5, 17),
        "skills": ["koken"],
        "languages": ["nl", "ar"],
        "availability": [TUESDAY_MORNING],
        "needs_support": True,
        "consents": {ConsentKind.MATCHING: "2026-01"},
    }
    return RegisterVolunteer(**(values | overrides))


async def _registered(uow: FakeRegistryUnitOfWork, **overrides: Any) -> tuple[str, UUID]:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale.id, await register_volunteer(_registration(centrale.id, **overrides), uow)


async def test_a_registration_publishes_coarse_facts_only(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, volunteer_id = await _registered(uow)

    [event] = uow.events()
    assert isinstance(event, VolunteerRegistered)
    assert (event.volunteer_id, event.centrale_id, event.postcode_area, event.age_band) == (
        volunteer_id,
        centrale_id,
        "3511",
        "30-49",
    )
    assert (event.matching_consent, event.regional_matching_consent, event.registered_by) == (True, False, "staff")
    assert event.availability == [TUESDAY_MORNING]
    published = event.model_dump_json()
    for personal in ("Fatima", "fatima@example.nl", "0612345678", "3511 AB", "1994-05-17"):
        assert personal not in published
    record = await get_volunteer(GetVolunteer(volunteer_id, centrale_id), uow)
    assert (record["name"], record["birth_date"], record["registered_at"]) == (
        "Fatima el Amrani",
        date(1994, 5, 17),
        NOW,
    )
    assert record["consents"] == {"matching": {"granted": True, "text_version": "2026-01", "recorded_at": NOW}}
    assert record["availability"] == [{"weekday": 2, "start": "09:00:00", "end": "12:00:00"}]


async def test_target_group_labels_need_the_volunteers_explicit_consent(uow: FakeRegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    with pytest.raises(Rejected, match="explicit consent") as refused:
        await register_volunteer(_registration(centrale.id, target_groups=["statushouder"]), uow)
    assert refused.value.field == "target_groups"

    volunteer_id = await register_volunteer(
        _registration(
            centrale.id,
            target_groups=["statushouder"],
            consents={ConsentKind.MATCHING: "2026-01", ConsentKind.TARGET_GROUP_LABELS: "2026-02"},
        ),
        uow,
    )
    [event] = uow.events(VolunteerRegistered)
    assert isinstance(event, VolunteerRegistered)
    assert (event.volunteer_id, event.target_groups) == (volunteer_id, ["statushouder"])


async def test_a_volunteer_registers_only_with_a_centrale_that_exists(uow: FakeRegistryUnitOfWork) -> None:
    with pytest.raises(NotFound, match="centrale vc-nowhere"):
        await register_volunteer(_registration("vc-nowhere"), uow)
    assert uow.tables.volunteers == {}


async def test_self_registration_gives_the_volunteer_a_credential_of_their_own(uow: FakeRegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)

    issued = await self_register(
        SelfRegister(_registration(centrale.id, registered_by="self", recorded_by="self")), uow
    )

    [volunteer] = uow.tables.volunteers.values()
    assert (issued.role, issued.centrale_id, issued.subject_id) == (Role.VOLUNTEER, centrale.id, volunteer.id)
    assert [type(e) for e in uow.events()] == [VolunteerRegistered, CredentialIssued]
    assert uow.tables.volunteer_consents[0].recorded_by == "self"


async def test_a_profile_update_publishes_the_whole_new_profile(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, volunteer_id = await _registered(uow)
    uow.renew()
    changes = ProfileChanges(postcode="3701 EF", skills=["fietsen"], max_distance_km=5, availability=[])

    await update_profile(UpdateProfile(volunteer_id, centrale_id, changes), uow)

    updated = uow.events()[-1]
    assert isinstance(updated, VolunteerProfileUpdated)
    assert (updated.postcode_area, updated.skills, updated.max_distance_km, updated.availability) == (
        "3701",
        ["fietsen"],
        5,
        [],
    )
    assert updated.languages == ["nl", "ar"]  # what was not changed stays
    record = await get_volunteer(GetVolunteer(volunteer_id, centrale_id), uow)
    assert (record["postcode"], record["updated_at"]) == ("3701 EF", NOW)


async def test_labels_in_a_profile_update_need_consent_too(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, volunteer_id = await _registered(uow)
    with pytest.raises(Rejected, match="explicit consent"):
        await update_profile(UpdateProfile(volunteer_id, centrale_id, ProfileChanges(target_groups=["x"])), uow)
    await set_consent(
        SetConsent(volunteer_id, centrale_id, ConsentKind.TARGET_GROUP_LABELS, True, "2026-02", "self"), uow
    )
    await update_profile(UpdateProfile(volunteer_id, centrale_id, ProfileChanges(target_groups=["statushouder"])), uow)
    last = uow.events()[-1]
    assert isinstance(last, VolunteerProfileUpdated)
    assert last.target_groups == ["statushouder"]


async def test_withdrawing_label_consent_removes_the_labels_and_regional_consent_is_kept_on_the_record(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale_id, volunteer_id = await _registered(
        uow,
        target_groups=["statushouder"],
        consents={ConsentKind.MATCHING: "2026-01", ConsentKind.TARGET_GROUP_LABELS: "2026-01"},
    )
    await set_consent(
        SetConsent(volunteer_id, centrale_id, ConsentKind.REGIONAL_MATCHING, True, "2026-01", "self"), uow
    )
    await set_consent(
        SetConsent(volunteer_id, centrale_id, ConsentKind.TARGET_GROUP_LABELS, False, "2026-01", "staff:x"), uow
    )

    record = await get_volunteer(GetVolunteer(volunteer_id, centrale_id), uow)
    assert (record["target_groups"], record["regional_matching_consent"]) == ([], True)
    assert [type(e).__name__ for e in uow.events()] == [
        "VolunteerRegistered",
        "VolunteerConsentChanged",
        "VolunteerProfileUpdated",
        "VolunteerConsentChanged",
        "VolunteerProfileUpdated",
    ]
    withdrawal = uow.events(VolunteerConsentChanged)[-1]
    assert isinstance(withdrawal, VolunteerConsentChanged)
    assert (withdrawal.consent, withdrawal.granted, withdrawal.text_version) == (
        "target_group_labels",
        False,
        "2026-01",
    )
    profile = uow.events()[-1]
    assert isinstance(profile, VolunteerProfileUpdated)
    assert (profile.target_groups, profile.regional_matching_consent) == ([], True)


async def test_a_vog_is_recorded_as_seen_and_only_its_validity_is_shared(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, volunteer_id = await _registered(uow)
    today = NOW.date()
    with pytest.raises(Rejected, match="before verified_on"):
        await record_vog(RecordVog(volunteer_id, centrale_id, today, "Kees", today - timedelta(days=1)), uow)
    with pytest.raises(Rejected, match="in the future"):
        await record_vog(RecordVog(volunteer_id, centrale_id, today + timedelta(days=1), "Kees", date(2030, 1, 1)), uow)

    await record_vog(RecordVog(volunteer_id, centrale_id, today, "Consulent Kees", date(2029, 11, 22)), uow)

    updated = uow.events()[-1]
    assert isinstance(updated, VolunteerProfileUpdated)
    assert updated.vog_valid_until == date(2029, 11, 22)
    assert "Kees" not in updated.model_dump_json()
    record = await get_volunteer(GetVolunteer(volunteer_id, centrale_id), uow)
    assert (record["vog_verified_by"], record["vog_verified_on"]) == ("Consulent Kees", today)


async def test_changes_to_an_unknown_or_other_centrales_volunteer_are_not_found(uow: FakeRegistryUnitOfWork) -> None:
    _, volunteer_id = await _registered(uow)
    other_centrale = a_centrale()
    await uow.centrales.add(other_centrale)
    for attempt in (
        update_profile(UpdateProfile(volunteer_id, other_centrale.id, ProfileChanges(name="x")), uow),
        set_consent(SetConsent(uuid4(), other_centrale.id, ConsentKind.MATCHING, True, "1", "self"), uow),
        record_vog(RecordVog(volunteer_id, other_centrale.id, NOW.date(), "x", date(2030, 1, 1)), uow),
        get_volunteer(GetVolunteer(volunteer_id, other_centrale.id), uow),
        export_volunteer(ExportVolunteer(volunteer_id, other_centrale.id), uow),
        erase_volunteer(EraseVolunteer(volunteer_id, other_centrale.id), uow),
    ):
        with pytest.raises(NotFound):
            await attempt


async def test_a_page_of_volunteers_shows_names_and_who_needs_support(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale_id, first = await _registered(uow)
    later = clock.advance(timedelta(minutes=10))
    uow.renew()
    second = await register_volunteer(_registration(centrale_id, name="Jan", needs_support=False), uow)
    await erase_volunteer(EraseVolunteer(await register_volunteer(_registration(centrale_id), uow), centrale_id), uow)

    assert await list_volunteers(ListVolunteers(centrale_id, limit=10, offset=0), uow) == [
        {"id": first, "name": "Fatima el Amrani", "registered_at": NOW, "needs_support": True},
        {"id": second, "name": "Jan", "registered_at": later, "needs_support": False},
    ]
    assert [v["id"] for v in await list_volunteers(ListVolunteers(centrale_id, limit=1, offset=1), uow)] == [second]


async def test_the_export_holds_record_consent_history_matches_and_hours(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, volunteer_id = await _registered(uow)
    await set_consent(SetConsent(volunteer_id, centrale_id, ConsentKind.MATCHING, False, "2026-02", "self"), uow)
    organisation = an_organisation(centrale_id)
    await uow.organisations.add(organisation)
    task = a_task(centrale_id, organisation.id, title="Taalmaatje")
    await uow.tasks.add(task)
    match = a_match(task, volunteer_id)
    await uow.matches.add(match)
    hours = some_hours(match)
    await uow.hours.add(hours)

    export = await export_volunteer(ExportVolunteer(volunteer_id, centrale_id), uow)

    assert export["volunteer"]["email"] == "fatima@example.nl"
    assert [(c["kind"], c["granted"]) for c in export["consent_history"]] == [("matching", True), ("matching", False)]
    assert export["matches"] == [
        {"id": match.id, "task_id": task.id, "task_title": "Taalmaatje", "made_at": match.made_at}
    ]
    assert [(h["id"], h["hours"], h["status"]) for h in export["hours"]] == [(hours.id, hours.hours, "confirmed")]


async def test_erasure_blanks_what_personal_data_declares_revokes_credentials_and_keeps_the_facts(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale_id, volunteer_id = await _registered(uow)
    await record_vog(RecordVog(volunteer_id, centrale_id, NOW.date(), "Consulent Noor", date(2029, 1, 1)), uow)
    issued = await issue_credential(
        IssueCredential(Role.VOLUNTEER, centrale_id, "Fatima's telefoon", volunteer_id), uow
    )
    organisation = an_organisation(centrale_id)
    await uow.organisations.add(organisation)
    task = a_task(centrale_id, organisation.id)
    await uow.tasks.add(task)
    match = a_match(task, volunteer_id)
    await uow.matches.add(match)
    await uow.hours.add(some_hours(match))

    await erase_volunteer(EraseVolunteer(volunteer_id, centrale_id), uow)

    erased = uow.tables.volunteers[volunteer_id]
    [declared] = [t for t in PERSONAL_DATA if t.table == "volunteers"]
    assert {c: getattr(erased, c) for c in declared.blanks} == {c: b.value() for c, b in declared.blanks.items()}
    assert erased.erased_at == NOW
    assert "Fatima" not in repr(uow.tables)
    assert "Noor" not in repr(uow.tables)
    assert uow.tables.volunteer_consents == []
    assert uow.credentials.active() == []
    assert uow.tables.credentials[issued.id].label is None
    assert len(uow.tables.hours) == 1  # hours stay counted, anonymously
    revoked, erased_event = uow.events()[-2:]
    assert isinstance(revoked, CredentialRevoked)
    assert revoked.credential_id == issued.id
    assert isinstance(erased_event, VolunteerErased)
    assert (erased_event.volunteer_id, erased_event.erased_at) == (volunteer_id, NOW)
    with pytest.raises(NotFound):
        await get_volunteer(GetVolunteer(volunteer_id, centrale_id), uow)
    with pytest.raises(NotFound):
        await erase_volunteer(EraseVolunteer(volunteer_id, centrale_id), uow)  # once is enough


async def test_someone_under_16_registers_only_with_a_parents_consent_recorded(uow: FakeRegistryUnitOfWork) -> None:
    fifteen = date(NOW.year - 15, 1, 1)
    centrale = a_centrale()
    await uow.centrales.add(centrale)

    with pytest.raises(Rejected, match="parent or guardian") as refused:
        await register_volunteer(_registration(centrale.id, birth_date=fifteen), uow)
    consents = {ConsentKind.MATCHING: "2026-01", ConsentKind.PARENTAL_CONSENT: "2026-01"}
    volunteer_id = await register_volunteer(_registration(centrale.id, birth_date=fifteen, consents=consents), uow)
    sixteen = date(NOW.year - 16, 1, 1)
    await register_volunteer(_registration(centrale.id, birth_date=sixteen), uow)

    assert refused.value.field == "consents"
    stored = {kind: c.granted for kind, c in (await uow.volunteers.consents(volunteer_id)).items()}
    assert stored == {"matching": True, "parental_consent": True}
