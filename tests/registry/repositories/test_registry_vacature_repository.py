"""VacatureRepository, PostcodeAreaRepository, PublicContactRepository: the behaviour fakes and PostgreSQL share.

Dutch stemming and stop words are PostgreSQL's alone: ``tests/registry/integration/test_vacaturebank_search.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from registry.repositories import PostcodeArea, PublicContact, Task
from registry.repositories.vacatures import search_statements
from registry.unit_of_work import RegistryUnitOfWork
from registry.vacaturebank import Criteria, Kind, Sort, search_terms
from tests.registry.builders import NOW, a_centrale, an_organisation
from tests.registry.builders_vacaturebank import AREAS, a_published_task, a_region

UTRECHT = (AREAS[0].lat, AREAS[0].lon)


async def _published(uow: RegistryUnitOfWork, **overrides: Any) -> Task:
    centrale_id, organisation_id = await a_region(uow)
    task = a_published_task(centrale_id, organisation_id, **overrides)
    await uow.tasks.add(task)
    return task


async def _ids(uow: RegistryUnitOfWork, criteria: Criteria, sort: Sort = Sort.NEWEST, **page: int) -> list[Any]:
    found = await uow.vacatures.search(criteria, sort, page.get("limit", 20), page.get("offset", 0))
    return [v.id for v in found.vacatures]


async def test_a_published_task_is_found_by_a_word_of_its_title_or_a_prefix_of_one(uow: RegistryUnitOfWork) -> None:
    task = await _published(uow, title="Boodschappenbus rijden")
    for text in ("boodschappenbus", "Boodschap", "RIJDEN"):
        assert await _ids(uow, Criteria(terms=search_terms(text))) == [task.id], text
    assert await _ids(uow, Criteria(terms=search_terms("zwemles"))) == []


async def test_every_word_must_match(uow: RegistryUnitOfWork) -> None:
    task = await _published(uow, title="Boodschappenbus rijden", description="Rijd ouderen naar de markt in de wijk.")
    assert await _ids(uow, Criteria(terms=search_terms("boodschappenbus markt"))) == [task.id]
    assert await _ids(uow, Criteria(terms=search_terms("boodschappenbus zwembad"))) == []


async def test_only_published_tasks_are_found_never_drafts_or_filled_closed_or_expired_ones(
    uow: RegistryUnitOfWork,
) -> None:
    centrale_id, organisation_id = await a_region(uow)
    published = a_published_task(centrale_id, organisation_id)
    others = [
        a_published_task(centrale_id, organisation_id, status=status, closed_at=NOW)
        for status in ("filled", "closed", "expired")
    ]
    draft = replace(a_published_task(centrale_id, organisation_id), status="draft", published_at=None)
    for task in (published, *others, draft):
        await uow.tasks.add(task)

    assert await _ids(uow, Criteria()) == [published.id]
    assert await _ids(uow, Criteria(terms=search_terms("boodschappenbus"))) == [published.id]


async def test_themes_centrale_and_the_suitability_flags_filter(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    other_centrale, other_organisation = await a_region(uow)
    zorg = a_published_task(centrale_id, organisation_id, theme="zorg", vog_required=True, support_accessible=True)
    sport = a_published_task(centrale_id, organisation_id, theme="sport", vog_required=False, team_suitable=True)
    elsewhere = a_published_task(other_centrale, other_organisation, theme="zorg", vog_required=False)
    for task in (zorg, sport, elsewhere):
        await uow.tasks.add(task)

    assert set(await _ids(uow, Criteria(themes=("zorg",)))) == {zorg.id, elsewhere.id}
    assert set(await _ids(uow, Criteria(themes=("zorg", "sport"), centrale_id=centrale_id))) == {zorg.id, sport.id}
    assert await _ids(uow, Criteria(centrale_id=other_centrale)) == [elsewhere.id]
    assert await _ids(uow, Criteria(vog_required=True)) == [zorg.id]
    assert set(await _ids(uow, Criteria(vog_required=False))) == {sport.id, elsewhere.id}
    assert await _ids(uow, Criteria(team_suitable=True)) == [sport.id]
    assert await _ids(uow, Criteria(support_accessible=True)) == [zorg.id]


async def test_a_radius_keeps_tasks_within_it_and_reports_their_distance(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    near = a_published_task(centrale_id, organisation_id, postcode_area="3512")
    zeist = a_published_task(centrale_id, organisation_id, postcode_area="3701")
    far = a_published_task(centrale_id, organisation_id, postcode_area="3811")
    unknown_area = a_published_task(centrale_id, organisation_id, postcode_area="9999")
    nowhere = a_published_task(centrale_id, organisation_id, postcode_area=None, postcode=None)
    for task in (near, zeist, far, unknown_area, nowhere):
        await uow.tasks.add(task)

    found = await uow.vacatures.search(Criteria(origin=UTRECHT, within_km=10), Sort.DISTANCE, 20, 0)
    assert [v.id for v in found.vacatures] == [near.id, zeist.id]
    assert [round(v.distance_km or -1, 1) for v in found.vacatures] == [0.6, 7.6]
    assert found.vacatures[1].place == "Zeist"
    assert await _ids(uow, Criteria(origin=UTRECHT, within_km=5)) == [near.id]


async def test_sorting_by_distance_puts_the_nearest_first_and_tasks_without_an_area_last(
    uow: RegistryUnitOfWork,
) -> None:
    centrale_id, organisation_id = await a_region(uow)
    far = a_published_task(centrale_id, organisation_id, postcode_area="3811", minutes_ago=1)
    nowhere = a_published_task(centrale_id, organisation_id, postcode_area=None, postcode=None, minutes_ago=2)
    near = a_published_task(centrale_id, organisation_id, postcode_area="3584", minutes_ago=3)
    for task in (far, nowhere, near):
        await uow.tasks.add(task)

    assert await _ids(uow, Criteria(origin=UTRECHT), Sort.DISTANCE) == [near.id, far.id, nowhere.id]
    assert await _ids(uow, Criteria(origin=UTRECHT), Sort.NEWEST) == [far.id, nowhere.id, near.id]


async def test_relevance_puts_a_title_match_before_a_description_match_then_newest(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    in_description = a_published_task(
        centrale_id,
        organisation_id,
        title="Gastvrouw in het buurthuis",
        description="Je zet koffie en helpt soms bij de taalles voor nieuwe buren in de wijk.",
        minutes_ago=1,
    )
    in_title, older_in_title = (
        a_published_task(
            centrale_id,
            organisation_id,
            title="Taalles geven",
            description="Help nieuwkomers Nederlands te oefenen in een kleine groep in de bibliotheek.",
            minutes_ago=minutes,
        )
        for minutes in (5, 50)
    )
    for task in (in_description, in_title, older_in_title):
        await uow.tasks.add(task)

    criteria = Criteria(terms=search_terms("taalles"))
    assert await _ids(uow, criteria, Sort.RELEVANCE) == [in_title.id, older_in_title.id, in_description.id]
    assert await _ids(uow, criteria, Sort.NEWEST) == [in_description.id, in_title.id, older_in_title.id]


async def test_kind_dates_and_hours_filter(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    structural = a_published_task(centrale_id, organisation_id, hours_per_week=Decimal("3.00"))
    closing = a_published_task(
        centrale_id, organisation_id, hours_per_week=Decimal("8.00"), closing_date=date(2026, 12, 1)
    )
    one_off = a_published_task(
        centrale_id,
        organisation_id,
        shifts=[],
        one_off_start=NOW + timedelta(days=10),  # 2 December 2026
        one_off_end=NOW + timedelta(days=10, hours=4),
        hours_per_week=Decimal("4.00"),
    )
    for task in (structural, closing, one_off):
        await uow.tasks.add(task)

    assert set(await _ids(uow, Criteria(kind=Kind.STRUCTURAL))) == {structural.id, closing.id}
    assert await _ids(uow, Criteria(kind=Kind.ONE_OFF)) == [one_off.id]
    # Open on or after 3 December: the one-off task is over, the closing one closed.
    assert await _ids(uow, Criteria(available_from=date(2026, 12, 3))) == [structural.id]
    # Starting by 1 December: the one-off task starts later; structural ones run on.
    assert set(await _ids(uow, Criteria(available_until=date(2026, 12, 1)))) == {structural.id, closing.id}
    assert set(await _ids(uow, Criteria(available_from=date(2026, 12, 2), available_until=date(2026, 12, 2)))) == {
        structural.id,
        one_off.id,
    }
    assert set(await _ids(uow, Criteria(min_hours_per_week=Decimal(4)))) == {closing.id, one_off.id}
    assert await _ids(uow, Criteria(max_hours_per_week=Decimal("3.5"))) == [structural.id]


async def test_pages_are_slices_of_one_order_and_every_page_knows_the_total(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    tasks = [a_published_task(centrale_id, organisation_id, minutes_ago=minutes) for minutes in range(5)]
    for task in tasks:
        await uow.tasks.add(task)

    first = await uow.vacatures.search(Criteria(), Sort.NEWEST, 2, 0)
    last = await uow.vacatures.search(Criteria(), Sort.NEWEST, 2, 4)
    past_the_end = await uow.vacatures.search(Criteria(), Sort.NEWEST, 2, 10)
    assert [v.id for v in first.vacatures] == [tasks[0].id, tasks[1].id]
    assert [v.id for v in last.vacatures] == [tasks[4].id]
    assert (first.total, last.total, past_the_end.total, past_the_end.vacatures) == (5, 5, 5, [])
    whole = await uow.vacatures.search(Criteria(), Sort.NEWEST, 10, 0)
    assert (whole.total, len(whole.vacatures)) == (5, 5)
    by_relevance = await uow.vacatures.search(Criteria(terms=search_terms(tasks[0].title)), Sort.RELEVANCE, 2, 2)
    assert (by_relevance.total, len(by_relevance.vacatures)) == (5, 2)


def test_newest_first_a_page_stops_after_its_rows_while_a_ranking_counts_every_match() -> None:
    newest, _ = search_statements(Criteria(), Sort.NEWEST, 20, 20)
    ranked, _ = search_statements(Criteria(terms=("koken",)), Sort.RELEVANCE, 20, 20)
    # A window count would make PostgreSQL visit every published task for one page (50,000 in the benchmark).
    assert "OVER ()" not in newest.sql
    assert "OVER ()" in ranked.sql


async def test_a_public_record_holds_what_was_published_with_names_and_place_but_no_contact(
    uow: RegistryUnitOfWork,
) -> None:
    task = await _published(uow, offer="Onkostenvergoeding en een inwerkdag", postcode_area="3584")
    vacature = await uow.vacatures.get(task.id)
    assert vacature is not None
    assert (vacature.title, vacature.offer, vacature.organisation_name) == (
        task.title,
        "Onkostenvergoeding en een inwerkdag",
        "Voedselbank Utrecht",
    )
    assert (vacature.postcode_area, vacature.place, vacature.district) == ("3584", "Utrecht", "Oost")
    assert vacature.centrale_name.startswith("Centrale vc-")
    assert vacature.shifts == task.shifts
    assert not hasattr(vacature, "postcode")  # the street postcode ("3511 AB") never leaves the registry
    assert "anna" not in repr(vacature).lower()  # nor the organisation's contact person


async def test_a_closed_task_keeps_its_public_record_but_a_draft_has_none(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    filled = a_published_task(centrale_id, organisation_id, status="filled", closed_at=NOW)
    draft = replace(a_published_task(centrale_id, organisation_id), status="draft", published_at=None)
    for task in (filled, draft):
        await uow.tasks.add(task)
    found = await uow.vacatures.get(filled.id)
    assert found is not None
    assert found.status == "filled"
    assert await uow.vacatures.get(draft.id) is None


async def test_facets_count_published_tasks_per_theme_and_centrale(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    other_centrale, other_organisation = await a_region(uow)
    for task in (
        a_published_task(centrale_id, organisation_id, theme="zorg"),
        a_published_task(centrale_id, organisation_id, theme="zorg"),
        a_published_task(centrale_id, organisation_id, theme="sport", status="filled"),
        a_published_task(other_centrale, other_organisation, theme="sport"),
    ):
        await uow.tasks.add(task)
    everywhere = await uow.vacatures.facets(None)
    assert everywhere.themes == {"sport": 1, "zorg": 2}
    assert {key: count for key, (_, count) in everywhere.centrales.items()} == {centrale_id: 2, other_centrale: 1}
    assert (await uow.vacatures.facets(other_centrale)).themes == {"sport": 1}


async def test_loading_areas_adds_and_replaces(uow: RegistryUnitOfWork) -> None:
    assert await uow.postcode_areas.load(AREAS[:2]) == 2
    assert await uow.postcode_areas.get("3511") == AREAS[0]
    moved = PostcodeArea("3511", 52.1, 5.2, "Utrecht", None)
    await uow.postcode_areas.load([moved])
    assert await uow.postcode_areas.get("3511") == moved
    assert await uow.postcode_areas.get("1011") is None


async def test_a_centrales_public_contact_is_stored_and_replaced(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    assert await uow.public_contacts.get(centrale.id) is None
    first = PublicContact(centrale.id, NOW, "info@vc.example", "030 123 45 67", None)
    await uow.public_contacts.put(first)
    second = replace(first, phone=None, website="https://vc.example/", updated_at=NOW + timedelta(1))
    await uow.public_contacts.put(second)
    assert await uow.public_contacts.get(centrale.id) == second


@pytest.mark.parametrize("sort", list(Sort))
async def test_a_search_without_criteria_lists_every_published_task_in_any_order(
    uow: RegistryUnitOfWork, sort: Sort
) -> None:
    centrale_id, _ = await a_region(uow)
    organisation = an_organisation(centrale_id, name="Buurthuis")
    await uow.organisations.add(organisation)
    tasks = [a_published_task(centrale_id, organisation.id, minutes_ago=m) for m in range(3)]
    for task in tasks:
        await uow.tasks.add(task)
    assert await _ids(uow, Criteria(), sort) == [task.id for task in tasks]
