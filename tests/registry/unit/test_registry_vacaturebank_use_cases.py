"""Vacaturebank use cases on the fakes: what a search may ask, a task's public page, feeds, areas, contacts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from common.errors import NotFound, Rejected
from registry.repositories import PostcodeArea
from registry.use_cases.vacaturebank import (
    GetCentraleCard,
    GetVacature,
    GetVacatureFacets,
    GetVacatureFeed,
    LoadPostcodeAreas,
    SearchVacatures,
    SetPublicContact,
    get_centrale_card,
    get_vacature,
    get_vacature_facets,
    get_vacature_feed,
    load_postcode_areas,
    search_vacatures,
    set_public_contact,
)
from registry.vacaturebank import Sort, search_terms, tsquery_text
from tests.registry.builders import NOW
from tests.registry.builders_vacaturebank import a_published_task, a_region
from tests.registry.fakes import FakeRegistryUnitOfWork


async def test_an_anonymous_search_finds_a_task_by_text_theme_and_distance_and_nothing_beyond(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale_id, organisation_id = await a_region(uow)
    near = a_published_task(centrale_id, organisation_id, theme="ouderen", postcode_area="3584")
    far = a_published_task(centrale_id, organisation_id, theme="ouderen", postcode_area="3811")
    other_theme = a_published_task(centrale_id, organisation_id, theme="sport", postcode_area="3584")
    for task in (near, far, other_theme):
        await uow.tasks.add(task)

    query = SearchVacatures(text="boodschap", themes=("ouderen",), postcode="3511 AB", within_km=10)
    result = await search_vacatures(query, uow)

    assert [v.id for v in result.vacatures] == [near.id]
    assert (result.total, result.page, result.pages) == (1, 1, 1)
    assert result.vacatures[0].distance_km == pytest.approx(3.72, abs=0.01)


async def test_pages_come_from_page_and_page_size(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    tasks = [a_published_task(centrale_id, organisation_id, minutes_ago=minutes) for minutes in range(5)]
    for task in tasks:
        await uow.tasks.add(task)
    result = await search_vacatures(SearchVacatures(sort=Sort.NEWEST, page=2, page_size=2), uow)
    assert [v.id for v in result.vacatures] == [tasks[2].id, tasks[3].id]
    assert (result.total, result.pages) == (5, 3)


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        (SearchVacatures(within_km=5), "within_km", "a distance needs a postcode to measure from"),
        (SearchVacatures(sort=Sort.DISTANCE), "sort", "sorting by distance needs a postcode to measure from"),
        (SearchVacatures(postcode="1011"), "postcode", "no location is known for postcode area 1011"),
        (SearchVacatures(postcode="hallo"), "postcode", "not a Dutch postcode like '3511 AB'"),
        (SearchVacatures(centrale_id="vc-nergens"), "centrale", "no such centrale"),
        (
            SearchVacatures(available_from=date(2026, 12, 2), available_until=date(2026, 12, 1)),
            "available_until",
            "lies before available_from",
        ),
        (
            SearchVacatures(min_hours_per_week=Decimal(4), max_hours_per_week=Decimal(2)),
            "max_hours_per_week",
            "is less than min_hours_per_week",
        ),
    ],
)
async def test_a_search_that_cannot_be_asked_is_refused_at_its_query_parameter(
    uow: FakeRegistryUnitOfWork, query: SearchVacatures, field: str, reason: str
) -> None:
    await a_region(uow)
    with pytest.raises(Rejected) as refused:
        await search_vacatures(query, uow)
    assert refused.value.loc == ["query", field]
    assert refused.value.reasons == [reason]


async def test_a_public_page_is_there_for_an_open_or_closed_task_never_a_draft(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    await set_public_contact(SetPublicContact(centrale_id, "info@vc.example", None, None), uow)
    open_task = a_published_task(centrale_id, organisation_id)
    filled = a_published_task(centrale_id, organisation_id, status="filled", closed_at=NOW)
    draft = replace(a_published_task(centrale_id, organisation_id), status="draft", published_at=None)
    for task in (open_task, filled, draft):
        await uow.tasks.add(task)

    page = await get_vacature(GetVacature(open_task.id), uow)
    assert page.open
    assert page.centrale.email == "info@vc.example"
    assert not (await get_vacature(GetVacature(filled.id), uow)).open
    with pytest.raises(NotFound):
        await get_vacature(GetVacature(draft.id), uow)


async def test_a_feed_is_the_newest_tasks_of_a_centrale_or_the_region(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    other_centrale, other_organisation = await a_region(uow)
    mine = [a_published_task(centrale_id, organisation_id, minutes_ago=minutes) for minutes in (5, 1)]
    theirs = a_published_task(other_centrale, other_organisation, minutes_ago=3, theme="sport")
    for task in (*mine, theirs):
        await uow.tasks.add(task)

    centrale_feed = await get_vacature_feed(GetVacatureFeed(centrale_id, limit=10), uow)
    region_feed = await get_vacature_feed(GetVacatureFeed(None, limit=10), uow)
    sport_feed = await get_vacature_feed(GetVacatureFeed(None, SearchVacatures(themes=("sport",)), 10), uow)

    assert [v.id for v in centrale_feed.vacatures] == [mine[1].id, mine[0].id]
    assert centrale_feed.centrale is not None
    assert centrale_feed.centrale.id == centrale_id
    assert centrale_feed.updated == mine[1].published_at
    assert [v.id for v in region_feed.vacatures] == [mine[1].id, theirs.id, mine[0].id]
    assert region_feed.centrale is None
    assert region_feed.region == "testregio"
    assert [v.id for v in sport_feed.vacatures] == [theirs.id]
    with pytest.raises(NotFound):
        await get_vacature_feed(GetVacatureFeed("vc-nergens"), uow)


async def test_an_empty_feed_has_no_moment_of_its_own(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, _ = await a_region(uow)
    feed = await get_vacature_feed(GetVacatureFeed(centrale_id), uow)
    assert (feed.vacatures, feed.updated) == ([], None)


async def test_facets_count_per_theme_and_refuse_an_unknown_centrale(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    await uow.tasks.add(a_published_task(centrale_id, organisation_id, theme="zorg"))
    facets = await get_vacature_facets(GetVacatureFacets(centrale_id), uow)
    assert facets.themes == {"zorg": 1}
    with pytest.raises(Rejected):
        await get_vacature_facets(GetVacatureFacets("vc-nergens"), uow)


async def test_ops_load_areas_and_a_search_measures_from_them(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    await uow.tasks.add(a_published_task(centrale_id, organisation_id, postcode_area="9401"))
    with pytest.raises(Rejected):
        await search_vacatures(SearchVacatures(postcode="9401", within_km=1), uow)
    loaded = await load_postcode_areas(LoadPostcodeAreas((PostcodeArea("9401", 52.99, 6.56, "Assen", None),)), uow)
    assert loaded == 1
    found = await search_vacatures(SearchVacatures(postcode="9401 AB", within_km=1), uow)
    assert [v.place for v in found.vacatures] == ["Assen"]


async def test_a_centrales_public_card_holds_its_contact_once_given(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, _ = await a_region(uow)
    bare = await get_centrale_card(GetCentraleCard(centrale_id), uow)
    assert (bare.email, bare.phone, bare.website) == (None, None, None)
    await set_public_contact(SetPublicContact(centrale_id, None, "030 123 45 67", "https://vc.example/"), uow)
    card = await get_centrale_card(GetCentraleCard(centrale_id), uow)
    assert (card.phone, card.website) == ("030 123 45 67", "https://vc.example/")
    with pytest.raises(NotFound):
        await set_public_contact(SetPublicContact("vc-nergens", None, None, None), uow)
    with pytest.raises(NotFound):
        await get_centrale_card(GetCentraleCard("vc-nergens"), uow)


def test_search_text_becomes_words_only_with_prefixes_from_three_letters() -> None:
    assert search_terms("  Chauffeur & boodschappen!  a:* | (de) ") == ("chauffeur", "boodschappen", "a", "de")
    assert search_terms("tuin tuin TUIN") == ("tuin",)
    assert search_terms(None) == ()
    assert len(search_terms(" ".join(f"woord{i}" for i in range(20)))) == 8
    assert tsquery_text(("tuin", "de", "a")) == "tuin:* & de & a"
