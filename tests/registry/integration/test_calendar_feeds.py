"""Private calendar feeds on real PostgreSQL and Kafka: matches made (MatchMade) and ended (MatchEnded) show and
leave; an organisation sees a volunteer's name only with consent; a revoked or erased owner's URL is gone."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit
from uuid import UUID

import icalendar
import pytest

from contracts import EventEnvelope
from contracts.events import MatchEnded
from tests.registry.integration.conftest import Headers, Registry
from tests.support.kafka import publish_raw

pytestmark = pytest.mark.integration


async def _calendar(registry: Registry, url: str) -> icalendar.Calendar:
    response = await registry.http.get(urlsplit(url).path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-store"
    return icalendar.Calendar.from_ical(response.content)


async def _feed_url(registry: Registry, headers: Headers) -> str:
    created = await registry.http.post("/v1/me/calendar-feed", headers=headers)
    assert created.status_code == 201, created.text
    url: str = created.json()["url"]
    assert created.json()["webcal_url"] == "webcal://" + url.split("://", 1)[1]
    return url


async def _matched(registry: Registry) -> tuple[str, Headers, UUID, Headers, UUID, Headers, UUID]:
    """A volunteer with their own credential, matched to an organisation's weekly task."""
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id)
    return centrale_id, staff, organisation_id, organisation, volunteer_id, volunteer, match_id


async def _end(registry: Registry, match_id: UUID, centrale_id: str, organisation_id: UUID, **ids: UUID) -> None:
    """Publish MatchEnded as matching would and wait until the registry recorded it."""
    ended = MatchEnded(
        match_id=match_id,
        organisation_id=organisation_id,
        centrale_id=centrale_id,
        volunteer_centrale_id=centrale_id,
        ended_at=datetime.now(UTC),
        **ids,
    )
    envelope = EventEnvelope(
        source="/regions/testregio/matching",
        type=ended.event_type,
        subject=ended.subject(),
        tenant=centrale_id,
        region="testregio",
    )
    await publish_raw(
        registry.bootstrap,
        ended.topic,
        ended.model_dump_json().encode(),
        key=ended.subject().encode(),
        headers=envelope.to_headers(),
    )
    deadline = time.monotonic() + 30
    while await registry.pool.fetchval("SELECT ended_at FROM matches WHERE id = $1", match_id) is None:
        assert time.monotonic() < deadline, "the registry did not record the end of the match"
        await asyncio.sleep(0.1)


async def test_a_volunteers_feed_holds_their_weekly_commitment_until_the_match_ends(registry: Registry) -> None:
    centrale_id, _, organisation_id, _, volunteer_id, volunteer, match_id = await _matched(registry)
    url = await _feed_url(registry, volunteer)

    calendar = await _calendar(registry, url)
    [event] = calendar.events
    assert str(event["summary"]) == "Boodschappenbus rijden"
    assert event.rrules == [{"FREQ": ["WEEKLY"], "BYDAY": ["TU"]}]
    start = event.DTSTART
    assert isinstance(start, datetime)
    assert (start.isoweekday(), start.hour, str(start.tzinfo)) == (2, 9, "Europe/Amsterdam")
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Amsterdam"]
    assert str(event["uid"]).startswith(str(match_id))

    task_id = await registry.pool.fetchval("SELECT task_id FROM matches WHERE id = $1", match_id)
    await _end(registry, match_id, centrale_id, organisation_id, task_id=task_id, volunteer_id=volunteer_id)
    assert (await _calendar(registry, url)).events == []


async def test_an_organisations_feed_names_the_volunteer_only_after_they_consent_to_contact(
    registry: Registry,
) -> None:
    *_, organisation, _, volunteer, _ = await _matched(registry)
    url = await _feed_url(registry, organisation)
    name = registry.personal_values[-5]  # register_volunteer remembers name, e-mail, phone, postcode, birth date

    [event] = (await _calendar(registry, url)).events
    assert str(event["summary"]) == "Boodschappenbus rijden: vrijwilliger via de centrale"
    assert name not in (await registry.http.get(urlsplit(url).path)).text

    consent = {"kind": "contact_by_organisations", "granted": True, "text_version": "2026-01"}
    assert (await registry.http.post("/v1/me/consents", json=consent, headers=volunteer)).status_code == 204
    [event] = (await _calendar(registry, url)).events
    assert str(event["summary"]) == f"Boodschappenbus rijden: {name}"
    text = (await registry.http.get(urlsplit(url).path)).text
    for other in registry.personal_values[-4:]:  # never the e-mail, phone, postcode or birth date
        assert other not in text


async def test_a_revoked_or_replaced_url_answers_404(registry: Registry) -> None:
    *_, volunteer, _ = await _matched(registry)
    first = await _feed_url(registry, volunteer)
    second = await _feed_url(registry, volunteer)
    assert (await registry.http.get(urlsplit(first).path)).status_code == 404
    assert (await registry.http.get(urlsplit(second).path)).status_code == 200

    assert (await registry.http.delete("/v1/me/calendar-feed", headers=volunteer)).status_code == 204
    assert (await registry.http.get(urlsplit(second).path)).status_code == 404
    assert (await registry.http.delete("/v1/me/calendar-feed", headers=volunteer)).status_code == 404
    assert (await registry.http.get("/v1/calendar/cal_nietbestaand.ics")).status_code == 404
    token_hashes = await registry.pool.fetchval("SELECT count(*) FROM calendar_feeds WHERE token_hash LIKE 'cal_%'")
    assert token_hashes == 0  # only hashes are stored


async def test_an_erased_volunteers_feed_is_gone(registry: Registry) -> None:
    *_, volunteer, _ = await _matched(registry)
    url = await _feed_url(registry, volunteer)
    assert (await registry.http.delete("/v1/me", headers=volunteer)).status_code == 204
    assert (await registry.http.get(urlsplit(url).path)).status_code == 404


async def test_only_volunteers_and_organisations_have_calendar_feeds(registry: Registry) -> None:
    _, staff = await registry.new_centrale()
    assert (await registry.http.post("/v1/me/calendar-feed")).status_code == 401
    assert (await registry.http.post("/v1/me/calendar-feed", headers=staff)).status_code == 403
    assert (await registry.http.post("/v1/me/calendar-feed", headers=registry.ops)).status_code == 403
