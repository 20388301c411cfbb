"""How many API calls the busiest pages make, and which public answers the portal keeps for everyone."""

from __future__ import annotations

import httpx

from portal.backend import PublicAnswers
from tests.portal.unit.conftest import log_in
from tests.portal.unit.fake_services import ORG_ID, FakeServices, Session

FACETS = r"/v1/vacatures/facets"
_FACETS_BODY = {"themes": [{"theme": "ouderen", "count": 1}], "centrales": []}


def _facets_answered(services: FakeServices, cache_control: str | None) -> None:
    headers = {"Cache-Control": cache_control} if cache_control else {}
    services.routes[("GET", "registry", FACETS)] = lambda _r, _m: httpx.Response(
        200, json=_FACETS_BODY, headers=headers
    )


def _facets_calls(services: FakeServices) -> list[str | None]:
    """The token each facets call went with."""
    return [call[3] for call in services.calls if call[2] == "/v1/vacatures/facets"]


async def test_the_work_queue_asks_each_service_once_beside_the_session_check(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("centrale_staff"))

    response = await portal.get("/consulent")

    assert response.status_code == 200
    assert "Buurthuis De Linde" in response.text
    assert f"/consulent/organisaties/{ORG_ID}" in response.text
    assert sorted((call[1], call[2]) for call in services.calls) == [
        ("matching", "/v1/centrales/vc-utrecht/work-queue"),
        ("registry", "/v1/centrales/vc-utrecht/work-queue"),
        ("registry", "/v1/sessions/current"),
    ]
    assert {call[3] for call in services.calls} == {"token-1"}
    assert 'api;desc="3 calls"' in response.headers["server-timing"]


async def test_public_counts_are_asked_once_while_the_registry_allows_keeping_them(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    _facets_answered(services, "public, max-age=60")

    for path in ("/", "/vacatures", "/vacatures?page=2", "/contact"):
        assert (await portal.get(path)).status_code == 200, path

    assert _facets_calls(services) == [None]


async def test_public_counts_are_asked_without_the_persons_token_and_shared(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    _facets_answered(services, "public, max-age=60")
    log_in(portal, services, Session("centrale_staff"))

    assert (await portal.get("/vacatures")).status_code == 200
    portal.cookies.clear()
    assert (await portal.get("/vacatures")).status_code == 200

    assert _facets_calls(services) == [None], "asked once, anonymously, for both visitors"


async def test_an_answer_the_registry_does_not_mark_public_is_asked_for_each_page(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    for cache_control in (None, "private, max-age=60", "public, no-store", "public, max-age=0"):
        services.calls.clear()
        _facets_answered(services, cache_control)

        for _ in range(2):
            assert (await portal.get("/vacatures")).status_code == 200

        assert _facets_calls(services) == [None, None], cache_control


def test_a_public_answer_is_kept_no_longer_than_the_portal_allows() -> None:
    answers = PublicAnswers(max_s=0.0)
    response = httpx.Response(200, json=_FACETS_BODY, headers={"Cache-Control": "public, max-age=600"})

    answers.put("registry /v1/vacatures/facets", response)

    assert answers.get("registry /v1/vacatures/facets") is None


def test_the_oldest_public_answer_goes_first_when_full() -> None:
    answers = PublicAnswers(size=2)
    response = httpx.Response(200, json=_FACETS_BODY, headers={"Cache-Control": "public, max-age=60"})

    for key in ("a", "b", "c"):
        answers.put(key, response)

    assert answers.get("a") is None
    assert answers.get("b") == answers.get("c") == response.content
