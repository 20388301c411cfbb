"""The audit trail on the fakes: every read, export, change and erasure by someone else is recorded with who,
for which centrale and why; the volunteer's export lists it; only ids and categories are kept; it is purged."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from uuid import uuid4

import pytest

from common.auth import Caller, Role
from common.clock import ManualClock
from common.errors import NotFound
from registry.domain import AccessPurpose, ConsentKind
from registry.use_cases.audit import (
    CentraleAccessLog,
    PurgeAccessLog,
    VolunteerAccessLog,
    centrale_access_log,
    purge_access_log,
    volunteer_access_log,
)
from registry.use_cases.credentials import IssueCredential, issue_credential
from registry.use_cases.volunteers import (
    EraseVolunteer,
    ExportVolunteer,
    GetVolunteer,
    ProfileChanges,
    RecordVog,
    RegisterVolunteer,
    SetConsent,
    UpdateProfile,
    erase_volunteer,
    export_volunteer,
    get_volunteer,
    record_vog,
    register_volunteer,
    set_consent,
    update_profile,
)
from tests.registry.builders import NOW, a_volunteer
from tests.registry.fakes import FakeRegistryUnitOfWork
from tests.registry.unit.accounts_steps import acting, person, staff_of, with_centrale


async def test_a_staff_member_reading_a_record_is_recorded_as_their_account_with_the_purpose(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    volunteer = a_volunteer(centrale.id)
    await uow.volunteers.add(volunteer)
    consulent, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    by = staff_of(centrale.id, consulent.id)

    await get_volunteer(GetVolunteer(volunteer.id, centrale.id, AccessPurpose.INTAKE), acting(uow, by))
    await get_volunteer(GetVolunteer(volunteer.id, centrale.id), uow)  # the volunteer themselves: not recorded

    [access] = uow.tables.personal_data_access.values()
    assert (access.volunteer_id, access.centrale_id, access.actor, access.account_id, access.acting_centrale_id) == (
        volunteer.id,
        centrale.id,
        f"account:{consulent.id}",
        consulent.id,
        centrale.id,
    )
    assert (access.action, access.what, access.purpose, access.at) == ("read", "record", "intake", NOW)


async def test_every_kind_of_access_by_staff_is_recorded(uow: FakeRegistryUnitOfWork, clock: ManualClock) -> None:
    centrale = await with_centrale(uow)
    consulent, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    by = staff_of(centrale.id, consulent.id)
    registration = RegisterVolunteer(
        centrale_id=centrale.id,
        name="Fatima",
        registered_by="staff",
        recorded_by="staff",
        email="fatima@example.nl",
        purpose=AccessPurpose.INTAKE,
    )
    volunteer_id = await register_volunteer(registration, acting(uow, by))

    def next_minute() -> FakeRegistryUnitOfWork:
        clock.advance(timedelta(minutes=1))
        return acting(uow, by)

    changes = ProfileChanges(phone="0612345678")
    await update_profile(UpdateProfile(volunteer_id, centrale.id, changes, AccessPurpose.FOLLOW_UP), next_minute())
    consent = SetConsent(
        volunteer_id, centrale.id, ConsentKind.MATCHING, True, "2026-01", "staff", AccessPurpose.INTAKE
    )
    await set_consent(consent, next_minute())
    vog = RecordVog(volunteer_id, centrale.id, NOW.date(), "Noor", NOW.date() + timedelta(days=1000))
    await record_vog(vog, next_minute())
    credential = IssueCredential(
        Role.VOLUNTEER, centrale.id, "app", volunteer_id, purpose=AccessPurpose.ACCOUNT_SUPPORT
    )
    await issue_credential(credential, next_minute())
    await export_volunteer(ExportVolunteer(volunteer_id, centrale.id, AccessPurpose.EXPORT_REQUEST), next_minute())
    await erase_volunteer(EraseVolunteer(volunteer_id, centrale.id, AccessPurpose.ERASURE_REQUEST), next_minute())

    trail = await volunteer_access_log(VolunteerAccessLog(volunteer_id, centrale.id), uow)
    assert [(e["action"], e["what"], e["purpose"]) for e in reversed(trail)] == [
        ("create", "record", "intake"),
        ("change", "profile", "follow_up"),
        ("change", "consent", "intake"),
        ("change", "vog", "vog_check"),
        ("change", "credential", "account_support"),
        ("export", "export", "export_request"),
        ("erase", "record", "erasure_request"),
    ]
    assert {e["by"]["name"] for e in trail} == {consulent.name}, "still readable after the erasure"


async def test_the_volunteers_export_lists_who_accessed_their_data_by_name_and_centrale(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    volunteer = a_volunteer(centrale.id)
    await uow.volunteers.add(volunteer)
    consulent, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    desk_credential = await issue_credential(IssueCredential(Role.CENTRALE_STAFF, centrale.id, "balie"), uow)
    desk = Caller(desk_credential.id, Role.CENTRALE_STAFF, centrale.id)  # a shared desk: no person known

    await get_volunteer(
        GetVolunteer(volunteer.id, centrale.id, AccessPurpose.MEDIATION),
        acting(uow, staff_of(centrale.id, consulent.id)),
    )
    await get_volunteer(GetVolunteer(volunteer.id, centrale.id, AccessPurpose.FOLLOW_UP), acting(uow, desk))
    export = await export_volunteer(ExportVolunteer(volunteer.id, centrale.id), uow)

    by_name = {
        (e["by"]["kind"], e["by"].get("name") or e["by"].get("label"), e["purpose"]) for e in export["access_log"]
    }
    assert by_name == {("account", consulent.name, "mediation"), ("credential", "balie", "follow_up")}
    assert {e["centrale"]["name"] for e in export["access_log"]} == {centrale.name}


async def test_the_trail_keeps_ids_and_categories_only(uow: FakeRegistryUnitOfWork) -> None:
    centrale = await with_centrale(uow)
    volunteer = a_volunteer(centrale.id)
    await uow.volunteers.add(volunteer)
    consulent, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    await get_volunteer(
        GetVolunteer(volunteer.id, centrale.id, AccessPurpose.MEDIATION),
        acting(uow, staff_of(centrale.id, consulent.id)),
    )
    [access] = uow.tables.personal_data_access.values()
    stored = repr(asdict(access))
    for personal in (volunteer.name, volunteer.email, volunteer.phone, consulent.name, consulent.email):
        assert personal is not None
        assert personal not in stored


async def test_staff_read_their_centrales_trail_by_period_and_person_and_not_anothers(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale, other = await with_centrale(uow), await with_centrale(uow)
    volunteer, elsewhere = a_volunteer(centrale.id), a_volunteer(other.id)
    for v in (volunteer, elsewhere):
        await uow.volunteers.add(v)
    anna, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    ben, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    for day, who in enumerate((anna, ben, anna)):
        clock.set(NOW + timedelta(days=day))
        await get_volunteer(
            GetVolunteer(volunteer.id, centrale.id, AccessPurpose.MEDIATION), acting(uow, staff_of(centrale.id, who.id))
        )

    everyone = await centrale_access_log(CentraleAccessLog(centrale.id, NOW, NOW + timedelta(days=3)), uow)
    annas = await centrale_access_log(CentraleAccessLog(centrale.id, NOW, NOW + timedelta(days=3), anna.id), uow)
    first_day = await centrale_access_log(CentraleAccessLog(centrale.id, NOW, NOW + timedelta(days=1)), uow)
    page = await centrale_access_log(
        CentraleAccessLog(centrale.id, NOW, NOW + timedelta(days=3), limit=1, offset=1), uow
    )

    assert [e["by"]["name"] for e in everyone] == [anna.name, ben.name, anna.name]  # newest first
    assert [e["at"] for e in annas] == [NOW + timedelta(days=2), NOW]
    assert [e["volunteer_id"] for e in first_day] == [volunteer.id]
    assert [e["by"]["name"] for e in page] == [ben.name]
    with pytest.raises(NotFound):
        await volunteer_access_log(VolunteerAccessLog(elsewhere.id, centrale.id), uow)
    with pytest.raises(NotFound):
        await volunteer_access_log(VolunteerAccessLog(uuid4(), centrale.id), uow)
    with pytest.raises(NotFound):
        await centrale_access_log(CentraleAccessLog("vc-nowhere", NOW, NOW), uow)


async def test_rows_older_than_the_retention_period_are_purged(uow: FakeRegistryUnitOfWork, clock: ManualClock) -> None:
    centrale = await with_centrale(uow)
    volunteer = a_volunteer(centrale.id)
    await uow.volunteers.add(volunteer)
    for days_ago in (800, 731, 729, 1):
        clock.set(NOW - timedelta(days=days_ago))
        await get_volunteer(
            GetVolunteer(volunteer.id, centrale.id, AccessPurpose.MEDIATION), acting(uow, staff_of(centrale.id))
        )
    clock.set(NOW)
    uow.renew()

    assert await purge_access_log(PurgeAccessLog(timedelta(days=730), batch=1), uow) == 2

    assert sorted(a.at for a in uow.tables.personal_data_access.values()) == [
        NOW - timedelta(days=729),
        NOW - timedelta(days=1),
    ]
