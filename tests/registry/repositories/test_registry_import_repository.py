"""ImportRepository, HistoricHoursRepository and ExportRepository: the behaviour the fakes and PostgreSQL share."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from registry.repositories import Access, Consent, HistoricHours, ImportLink, TaskReference
from registry.repositories import imports as import_repository
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_match, a_task, a_volunteer, an_organisation, some_hours


async def _centrale(uow: RegistryUnitOfWork) -> str:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale.id


def a_link(centrale_id: str, external_id: str, kind: str = "volunteers", **overrides: object) -> ImportLink:
    values: dict[str, object] = {
        "centrale_id": centrale_id,
        "source": "vrijwilligersbank",
        "kind": kind,
        "external_key": hashlib.sha256(external_id.encode()).digest(),
        "external_id": external_id,
        "record_id": uuid4(),
        "row_digest": hashlib.sha256(b"row").digest(),
        "imported_at": NOW,
        "updated_at": NOW,
    }
    return ImportLink(**(values | overrides))  # type: ignore[arg-type]


def an_entry(centrale_id: str, external_id: str, **overrides: object) -> HistoricHours:
    values: dict[str, object] = {
        "centrale_id": centrale_id,
        "source": "vrijwilligersbank",
        "external_id": external_id,
        "id": uuid4(),
        "volunteer_id": uuid4(),
        "organisation_id": uuid4(),
        "task_id": None,
        "theme": "zorg",
        "worked_on": date(2016, 3, 4),
        "hours": Decimal("2.50"),
        "imported_at": NOW,
        "updated_at": NOW,
    }
    return HistoricHours(**(values | overrides))  # type: ignore[arg-type]


async def test_links_are_found_by_key_within_their_centrale_source_and_kind(uow: RegistryUnitOfWork) -> None:
    centrale, other = await _centrale(uow), await _centrale(uow)
    first, second = a_link(centrale, "V1"), a_link(centrale, "V2")
    elsewhere = a_link(other, "V1")
    as_task = a_link(centrale, "V1", kind="tasks")
    await uow.imports.save_links([first, second, elsewhere, as_task])
    found = await uow.imports.links(centrale, "vrijwilligersbank", "volunteers", [first.external_key, b"missing"])
    assert found == {first.external_key: first}
    assert await uow.imports.links(centrale, "ander-systeem", "volunteers", [first.external_key]) == {}
    assert await uow.imports.of_records([second.record_id, as_task.record_id]) == {
        second.record_id: second,
        as_task.record_id: as_task,
    }


async def test_saving_a_link_again_replaces_it_and_references_leave_out_erased_ones(uow: RegistryUnitOfWork) -> None:
    centrale = await _centrale(uow)
    first, second = a_link(centrale, "V1"), a_link(centrale, "V2")
    await uow.imports.save_links([first, second])
    corrected = replace(first, row_digest=hashlib.sha256(b"other").digest(), updated_at=NOW + timedelta(days=1))
    erased = replace(second, external_id=None)
    await uow.imports.save_links([corrected, erased])
    keys = [first.external_key, second.external_key]
    assert await uow.imports.links(centrale, "vrijwilligersbank", "volunteers", keys) == {
        first.external_key: corrected,
        second.external_key: erased,
    }
    assert await uow.imports.references(centrale, "vrijwilligersbank", "volunteers") == {"V1": first.record_id}


async def test_bulk_writes_land_in_the_records_own_tables(uow: RegistryUnitOfWork) -> None:
    centrale = await _centrale(uow)
    volunteers = [a_volunteer(centrale), a_volunteer(centrale)]
    consents = [
        Consent(volunteers[0].id, "matching", True, "vb-2015", "import:vrijwilligersbank", NOW - timedelta(days=900)),
        Consent(volunteers[0].id, "matching", False, "vb-2019", "import:vrijwilligersbank", NOW - timedelta(days=9)),
    ]
    await uow.imports.add_volunteers(volunteers, consents)
    assert [await uow.volunteers.get(v.id) for v in volunteers] == volunteers
    assert await uow.volunteers.consent_history(volunteers[0].id) == consents
    organisation = an_organisation(centrale)
    await uow.imports.add_organisations([organisation])
    renamed = replace(organisation, name="Voedselbank Utrecht-West", contact_phone="030 123 45 67")
    await uow.imports.update_organisation(renamed)
    assert await uow.organisations.get(organisation.id, centrale) == renamed
    task = a_task(centrale, organisation.id, status="published", published_at=NOW)
    await uow.imports.add_tasks([task])
    assert await uow.tasks.get(task.id, centrale) == task
    await uow.imports.save_links([a_link(centrale, "T1", kind="tasks", record_id=task.id)])
    assert await uow.imports.task_references(centrale, "vrijwilligersbank") == {
        "T1": TaskReference(task.id, organisation.id, task.theme)
    }
    access = Access(
        uuid4(), NOW, volunteers[1].id, centrale, "cli:import", None, centrale, "create", "record", "intake"
    )
    await uow.imports.add_accesses([access])
    assert await uow.access_log.of_volunteer(volunteers[1].id, 10) == [access]


async def test_historic_hours_are_kept_by_their_key_rounded_as_stored_and_corrected_in_place(
    uow: RegistryUnitOfWork,
) -> None:
    centrale, other = await _centrale(uow), await _centrale(uow)
    volunteer = uuid4()
    first = an_entry(centrale, "U2", volunteer_id=volunteer, worked_on=date(2017, 1, 1))
    second = an_entry(centrale, "U1", volunteer_id=volunteer, hours=Decimal("3"))
    elsewhere = an_entry(other, "U1")
    await uow.historic_hours.add([first, second, elsewhere])
    assert await uow.historic_hours.of_source(centrale, "vrijwilligersbank") == {"U1": second, "U2": first}
    assert await uow.historic_hours.of_source(centrale, "ander-systeem") == {}
    corrected = first._replace(hours=Decimal("1.25"), task_id=uuid4(), theme="buurt", updated_at=NOW + timedelta(1))
    await uow.historic_hours.update([corrected])
    assert await uow.historic_hours.of_volunteer(volunteer) == [second, corrected]
    assert await uow.historic_hours.of_centrale(centrale) == [second, corrected]
    assert (await uow.historic_hours.of_centrale(other))[0].hours == Decimal("2.50")


async def test_an_export_reads_the_centrales_volunteers_their_consents_and_confirmed_hours(
    uow: RegistryUnitOfWork,
) -> None:
    centrale, other = await _centrale(uow), await _centrale(uow)
    later = a_volunteer(centrale, registered_at=NOW)
    earlier = a_volunteer(centrale, registered_at=NOW - timedelta(days=400))
    erased = a_volunteer(centrale)
    for volunteer in (later, earlier, erased, a_volunteer(other)):
        await uow.volunteers.add(volunteer)
    await uow.volunteers.mark_erased(erased.id, NOW)
    given = Consent(earlier.id, "matching", True, "2026-01", "staff", NOW - timedelta(days=5))
    withdrawn = Consent(earlier.id, "matching", False, "2026-01", "self", NOW)
    labels = Consent(earlier.id, "target_group_labels", True, "2026-01", "staff", NOW)
    for consent in (given, withdrawn, labels):
        await uow.volunteers.add_consent(consent)
    assert [v.id for v in await uow.exports.volunteers(centrale)] == [earlier.id, later.id]
    assert await uow.exports.consents(centrale) == {earlier.id: {"matching": withdrawn, "target_group_labels": labels}}
    organisation = an_organisation(centrale)
    await uow.organisations.add(organisation)
    task = a_task(centrale, organisation.id, theme="voedselhulp")
    await uow.tasks.add(task)
    match = a_match(task, earlier.id)
    await uow.matches.add(match)
    confirmed, pending = some_hours(match), some_hours(match, status="pending", confirmed_at=None)
    await uow.hours.add(confirmed)
    await uow.hours.add(pending)
    [exported] = await uow.exports.hours(centrale)
    assert (exported.id, exported.theme, exported.hours, exported.task_id) == (
        confirmed.id,
        "voedselhulp",
        confirmed.hours,
        task.id,
    )
    assert await uow.exports.hours(other) == []


async def test_historic_hours_keep_tabs_newlines_and_backslashes_in_their_texts(uow: RegistryUnitOfWork) -> None:
    centrale = await _centrale(uow)
    odd = an_entry(centrale, "U\t1\\n\r\n", theme="zorg\\welzijn\tbuurt", id=str(uuid4()), task_id=uuid4())
    plain = an_entry(centrale, "U2", hours=Decimal("1E+1"))
    await uow.historic_hours.add([odd, plain])
    stored = await uow.historic_hours.of_source(centrale, "vrijwilligersbank")
    assert stored[odd.external_id] == odd._replace(id=UUID(str(odd.id)))
    assert stored["U2"].hours == Decimal("10.00")


async def test_adding_links_stores_new_keys_as_saving_them_would(uow: RegistryUnitOfWork) -> None:
    centrale = await _centrale(uow)
    first, second = a_link(centrale, "V1"), a_link(centrale, "V2", kind="tasks")
    await uow.imports.add_links([first, second])
    assert await uow.imports.links(centrale, "vrijwilligersbank", "volunteers", [first.external_key]) == {
        first.external_key: first
    }
    assert await uow.imports.references(centrale, "vrijwilligersbank", "tasks") == {"V2": second.record_id}


async def test_historic_hours_are_copied_whole_across_several_copies(
    uow: RegistryUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_repository, "_COPY_CHUNK", 2)  # five entries, three COPYs sharing their texts
    centrale = await _centrale(uow)
    volunteer, task = uuid4(), uuid4()
    entries = [an_entry(centrale, f"U{n}", volunteer_id=volunteer, task_id=task if n % 2 else None) for n in range(5)]
    await uow.historic_hours.add(entries)
    assert await uow.historic_hours.of_source(centrale, "vrijwilligersbank") == {e.external_id: e for e in entries}
