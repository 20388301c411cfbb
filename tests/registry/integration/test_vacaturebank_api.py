"""The public vacaturebank over HTTP on real PostgreSQL and Kafka: search, a task's page, feeds, caching."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from registry.feeds.json_ld import REQUIRED
from tests.registry.integration.conftest import Headers, Registry

pytestmark = pytest.mark.integration

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
AREAS = [
    {"pc4": "3511", "lat": 52.0907, "lon": 5.1214, "place": "Utrecht", "district": "Binnenstad"},
    {"pc4": "3584", "lat": 52.0850, "lon": 5.1750, "place": "Utrecht", "district": "Oost"},
    {"pc4": "3701", "lat": 52.0894, "lon": 5.2330, "place": "Zeist"},
    {"pc4": "3811", "lat": 52.1561, "lon": 5.3878, "place": "Amersfoort"},
]


async def _setting(registry: Registry) -> tuple[str, Headers, UUID, Headers, str]:
    """Areas loaded, a centrale with staff, an admitted organisation, and a word no other test uses."""
    loaded = await registry.http.put("/v1/postcode-areas", json=AREAS, headers=registry.ops)
    assert loaded.json() == {"loaded": len(AREAS)}, loaded.text
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    return centrale_id, staff, organisation_id, organisation, f"kw{secrets.token_hex(4)}"


async def _task(
    registry: Registry, centrale_id: str, organisation_id: UUID, headers: Headers, *, publish: bool = True, **body: Any
) -> UUID:
    if publish:
        return await registry.published_task(centrale_id, organisation_id, headers, **body)
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks"
    created = await registry.http.post(base, json=await registry.task_body(**body), headers=headers)
    assert created.status_code == 201, created.text
    return UUID(created.json()["id"])


def _leaks(registry: Registry, text: str) -> list[str]:
    """Personal values the tests used that appear in ``text``."""
    return [value for value in registry.personal_values if value in text]


async def test_an_anonymous_search_finds_a_published_task_by_text_theme_and_distance_and_nothing_else(
    registry: Registry,
) -> None:
    centrale_id, _, organisation_id, organisation, word = await _setting(registry)
    title = f"Chauffeur boodschappenbus {word}"
    found = await _task(registry, centrale_id, organisation_id, organisation, title=title, postcode="3584 CS")
    other_theme = await _task(
        registry, centrale_id, organisation_id, organisation, title=title, theme="sport", postcode="3584 CS"
    )
    beyond = await _task(registry, centrale_id, organisation_id, organisation, title=title, postcode="3811 AB")
    draft = await _task(registry, centrale_id, organisation_id, organisation, publish=False, title=title)
    closed = await _task(registry, centrale_id, organisation_id, organisation, title=title, postcode="3584 CS")
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks"
    assert (await registry.http.post(f"{base}/{closed}/close", headers=organisation)).status_code == 204

    search = await registry.http.get(
        "/v1/vacatures",
        params={"q": f"chauffeurs {word}", "theme": "ouderen", "postcode": "3511 AB", "within_km": "10"},
    )

    assert search.status_code == 200, search.text
    body = search.json()
    assert [item["id"] for item in body["items"]] == [str(found)]
    assert body["total"] == 1
    [item] = body["items"]
    assert item["area"] == {"pc4": "3584", "place": "Utrecht", "district": "Oost"}
    assert item["distance_km"] == pytest.approx(3.7, abs=0.05)
    assert item["organisation"] == "Voedselbank"
    assert item["schedule"] == ["Elke dinsdag, 09:00–12:00"]
    assert item["url"].endswith(f"/v1/vacatures/{found}")
    assert _leaks(registry, search.text) == []
    assert "3584 CS" not in search.text  # only the PC4 area is public
    wider = await registry.http.get("/v1/vacatures", params={"q": word, "centrale": centrale_id, "sort": "newest"})
    assert {item["id"] for item in wider.json()["items"]} == {str(found), str(other_theme), str(beyond)}
    assert str(draft) not in wider.text
    assert str(closed) not in wider.text
    assert search.headers["cache-control"] == "public, max-age=60"
    assert search.headers["access-control-allow-origin"] == "*"


async def test_results_page_with_links_and_a_bounded_page_size(registry: Registry) -> None:
    centrale_id, _, organisation_id, organisation, word = await _setting(registry)
    for _ in range(3):
        await _task(registry, centrale_id, organisation_id, organisation, title=f"Gastvrouw {word}")
    first = await registry.http.get("/v1/vacatures", params={"q": word, "page_size": "2"})
    second = await registry.http.get(first.json()["links"]["next"])
    assert (first.json()["total"], first.json()["pages"], len(first.json()["items"])) == (3, 2, 2)
    assert first.json()["links"]["prev"] is None
    assert second.status_code == 200, second.text
    assert len(second.json()["items"]) == 1
    assert second.json()["links"]["next"] is None
    assert {i["id"] for i in first.json()["items"]}.isdisjoint({i["id"] for i in second.json()["items"]})


async def test_a_tasks_page_shows_what_was_published_with_the_centrales_contact_and_json_ld(
    registry: Registry,
) -> None:
    centrale_id, staff, organisation_id, organisation, word = await _setting(registry)
    contact = {"email": "info@vc.example", "phone": "030 123 45 67", "website": "https://vc.example/"}
    put = await registry.http.put(f"/v1/centrales/{centrale_id}/public-contact", json=contact, headers=staff)
    assert put.status_code == 204, put.text
    task_id = await _task(
        registry,
        centrale_id,
        organisation_id,
        organisation,
        title=f"Taalcoach {word}",
        offer="Een training en een vaste begeleider",
        closing_date=(datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
    )

    page = await registry.http.get(f"/v1/vacatures/{task_id}")

    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["title"], body["status"], body["open"], body["offer"]) == (
        f"Taalcoach {word}",
        "published",
        True,
        "Een training en een vaste begeleider",
    )
    assert body["centrale"] == {"id": centrale_id, "name": f"Centrale {centrale_id}", **contact}
    assert body["asked"][:2] == ["3 uur per week", "2 vrijwilligers gezocht"]
    assert body["area"]["pc4"] == "3511"
    record = body["json_ld"]
    assert all(record.get(name) for name in REQUIRED)
    assert record["jobLocation"]["address"]["postalCode"] == "3511"
    assert record["applicationContact"]["email"] == "info@vc.example"
    assert _leaks(registry, page.text) == []
    assert "contact@voedselbank.example" not in page.text
    assert page.headers["cache-control"] == "public, max-age=300"
    again = await registry.http.get(f"/v1/vacatures/{task_id}", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


async def test_a_draft_has_no_page_and_a_closed_tasks_page_says_it_is_gone(registry: Registry) -> None:
    centrale_id, _, organisation_id, organisation, word = await _setting(registry)
    draft = await _task(registry, centrale_id, organisation_id, organisation, publish=False, title=f"Klus {word}")
    closed = await _task(registry, centrale_id, organisation_id, organisation, title=f"Klus {word}")
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks"
    assert (await registry.http.post(f"{base}/{closed}/close", headers=organisation)).status_code == 204

    assert (await registry.http.get(f"/v1/vacatures/{draft}")).status_code == 404
    gone = await registry.http.get(f"/v1/vacatures/{closed}")
    assert gone.status_code == 410
    assert gone.json()["status"] == "closed"
    assert gone.json()["detail"] == "deze vacature is gesloten"
    assert gone.json()["title"] == f"Klus {word}"
    assert (await registry.http.get("/v1/vacatures/00000000-0000-4000-8000-000000000000")).status_code == 404


async def test_the_centrale_and_region_feeds_parse_as_atom_and_json_feed(registry: Registry) -> None:
    centrale_id, _, organisation_id, organisation, word = await _setting(registry)
    task_id = await _task(registry, centrale_id, organisation_id, organisation, title=f"Voorlezen {word}")

    atom = await registry.http.get(f"/v1/centrales/{centrale_id}/vacatures/feed.atom")
    assert atom.status_code == 200
    assert atom.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(atom.content)  # noqa: S314 (our own output)
    assert feed.findtext("atom:title", namespaces=ATOM) == f"Vacatures van Centrale {centrale_id}"
    for required in ("atom:id", "atom:updated", "atom:author/atom:name"):
        assert feed.findtext(required, namespaces=ATOM), required
    [entry] = feed.findall("atom:entry", ATOM)
    assert entry.findtext("atom:id", namespaces=ATOM) == f"urn:uuid:{task_id}"
    assert entry.findtext("atom:title", namespaces=ATOM) == f"Voorlezen {word}"
    self_link = feed.find("atom:link[@rel='self']", ATOM)
    assert self_link is not None
    assert self_link.get("href", "").endswith(f"/v1/centrales/{centrale_id}/vacatures/feed.atom")

    json_feed = await registry.http.get(f"/v1/centrales/{centrale_id}/vacatures/feed.json")
    assert json_feed.headers["content-type"] == "application/feed+json"
    assert [item["id"] for item in json_feed.json()["items"]] == [str(task_id)]

    region = await registry.http.get("/v1/vacatures/feed.atom", params={"q": word})
    region_feed = ET.fromstring(region.content)  # noqa: S314 (our own output)
    assert [e.findtext("atom:id", namespaces=ATOM) for e in region_feed.findall("atom:entry", ATOM)] == [
        f"urn:uuid:{task_id}"
    ]
    assert _leaks(registry, atom.text + json_feed.text) == []
    assert (await registry.http.get("/v1/centrales/vc-nergens/vacatures/feed.atom")).status_code == 404


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"page_size": "500"}, ["query", "page_size"]),
        ({"page": "0"}, ["query", "page"]),
        ({"within_km": "5"}, ["query", "within_km"]),
        ({"within_km": "nan", "postcode": "3511"}, ["query", "within_km"]),
        ({"postcode": "1011"}, ["query", "postcode"]),
        ({"postcode": "hallo"}, ["query", "postcode"]),
        ({"sort": "distance"}, ["query", "sort"]),
        ({"sort": "random"}, ["query", "sort"]),
        ({"kind": "sometimes"}, ["query", "kind"]),
        ({"available_from": "2026-02-31"}, ["query", "available_from"]),
        ({"available_from": "2026-12-02", "available_until": "2026-12-01"}, ["query", "available_until"]),
        ({"max_hours_per_week": "-1"}, ["query", "max_hours_per_week"]),
        ({"centrale": "vc-nergens"}, ["query", "centrale"]),
        ({"q": "x" * 201}, ["query", "q"]),
        ({"theme": "zorg\x00"}, ["query", "theme"]),
        ({"theme": "x" * 41}, ["query", "theme"]),
    ],
)
async def test_bad_search_parameters_get_field_level_422s(
    registry: Registry, params: dict[str, str], loc: list[str]
) -> None:
    await registry.http.put("/v1/postcode-areas", json=AREAS, headers=registry.ops)
    response = await registry.http.get("/v1/vacatures", params=params)
    assert response.status_code == 422, response.text
    assert loc in [item["loc"] for item in response.json()["detail"]]


async def test_only_ops_load_areas_and_only_a_centrales_staff_set_its_contact(registry: Registry) -> None:
    centrale_id, staff, _, organisation, _ = await _setting(registry)
    other_centrale, other_staff = await registry.new_centrale()
    assert (await registry.http.put("/v1/postcode-areas", json=AREAS)).status_code == 401
    assert (await registry.http.put("/v1/postcode-areas", json=AREAS, headers=staff)).status_code == 403
    for bad_area in ({"pc4": "0123", "lat": 52, "lon": 5}, {"pc4": "3511", "lat": 100, "lon": 5},
                     {"pc4": "3511", "lat": 52, "lon": 5, "place": "Utrecht\x00"}):  # fmt: skip
        refused = await registry.http.put("/v1/postcode-areas", json=[bad_area], headers=registry.ops)
        assert refused.status_code == 422, bad_area
    path = f"/v1/centrales/{centrale_id}/public-contact"
    assert (await registry.http.put(path, json={"email": "a@b.example"}, headers=other_staff)).status_code == 404
    assert (await registry.http.put(path, json={"email": "a@b.example"}, headers=organisation)).status_code == 403
    assert (await registry.http.put(path, json={"email": "geen adres"}, headers=staff)).status_code == 422
    assert (await registry.http.put(path, json={"email": "a@b.example"}, headers=registry.ops)).status_code == 204
    assert (await registry.http.get(path)).json()["email"] == "a@b.example"
    assert (await registry.http.get(f"/v1/centrales/{other_centrale}/public-contact")).json()["email"] is None


async def test_facets_count_what_is_published(registry: Registry) -> None:
    centrale_id, _, organisation_id, organisation, word = await _setting(registry)
    await _task(registry, centrale_id, organisation_id, organisation, title=f"Tuin {word}", theme="natuur")
    facets = await registry.http.get("/v1/vacatures/facets", params={"centrale": centrale_id})
    assert facets.json() == {
        "themes": [{"theme": "natuur", "count": 1}],
        "centrales": [{"id": centrale_id, "name": f"Centrale {centrale_id}", "count": 1}],
    }
