"""Crypto-shredding across processes: profiles travel sealed, erasure destroys every key, a rebuild works.

The registry, matching, appreciation and reporting run as real processes on the session's Kafka and PostgreSQL.
What this covers of issue 16's erasure scan: the profile of an erased volunteer (PC4 area, skills, age band,
target groups, support need, ...) cannot be read from any record of ``registry.volunteers.v1`` or its dead
letters, since no service's table and no live record of the key topic holds their key; reporting's rebuild from
the beginning succeeds, without the erased person's profile and with everyone else's.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from common.sealing import open_profile, region_key_from_environment
from contracts import dead_letter_topic
from contracts.events import KEY_TOPIC, VolunteerKeyIssued, VolunteerRegistered
from tests.e2e.conftest import Platform
from tests.support.kafka import read_all

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

VOLUNTEERS = "registry.volunteers.v1"
LABEL = "statushouder"
# Each volunteer's own area and skill, so a value found on the topic or in a table names whose it is.
ERASED_PROFILE = {"postcode": "9712 CP", "skills": ["tuinieren"]}
KEPT_PROFILE = {"postcode": "3511 AB", "skills": ["koken"]}
# Payload fields whose digits are random (ids, moments), left out where a record is searched for a PC4.
_RANDOM_DIGITS = {"volunteer_id", "registered_at", "updated_at", "sealed_special"}


async def _eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.25)


async def _fetchval(platform: Platform, service: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(platform.databases[service])
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def _register(
    client: httpx.AsyncClient, platform: Platform, centrale_id: str, staff: dict[str, str], profile: dict[str, Any]
) -> UUID:
    """A volunteer with an area, a skill, consented target-group labels and a support need."""
    response = await client.post(
        f"{platform.url('registry')}/v1/centrales/{centrale_id}/volunteers",
        json={
            "name": "Amal",
            "email": f"amal-{secrets.token_hex(3)}@example.nl",
            "birth_date": "1990-04-01",
            **profile,
            "needs_support": True,
            "target_groups": [LABEL],
            "consents": [
                {"kind": "matching", "text_version": "2026-01"},
                {"kind": "target_group_labels", "text_version": "2026-01"},
            ],
        },
        headers=staff,
    )
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def _new_centrale(client: httpx.AsyncClient, platform: Platform) -> tuple[str, dict[str, str]]:
    centrale_id = f"vc-shred-{secrets.token_hex(4)}"
    ops = {"Authorization": f"Bearer {platform.ops_token}"}
    created = await client.post(
        f"{platform.url('registry')}/v1/centrales",
        json={"id": centrale_id, "name": "Vrijwilligerscentrale Shred", "municipality_code": "GM0344"},
        headers=ops,
    )
    assert created.status_code == 201, created.text
    credential = await client.post(
        f"{platform.url('registry')}/v1/centrales/{centrale_id}/credentials", json={"label": "intake"}, headers=ops
    )
    assert credential.status_code == 201, credential.text
    return centrale_id, {"Authorization": f"Bearer {credential.json()['token']}"}


async def _labels_in_reporting(platform: Platform, volunteer_id: UUID) -> list[str] | None:
    labels: list[str] | None = await _fetchval(
        platform, "reporting", "SELECT target_groups FROM volunteer_facts WHERE person_key = $1", volunteer_id
    )
    return labels


async def _keys_held(platform: Platform, volunteer_id: UUID) -> dict[str, int]:
    return {
        "registry": await _fetchval(
            platform, "registry", "SELECT count(*) FROM volunteer_data_keys WHERE volunteer_id = $1", volunteer_id
        ),
        **{
            service: await _fetchval(
                platform, service, "SELECT count(*) FROM volunteer_keys WHERE volunteer_id = $1", volunteer_id
            )
            for service in ("matching", "reporting", "appreciation")
        },
    }


HELD_BY_ALL = {"registry": 1, "matching": 1, "reporting": 1, "appreciation": 1}


def _clear_text(payload: dict[str, Any]) -> str:
    """The payload's clear fields as text, without those whose digits are random."""
    return json.dumps({name: value for name, value in payload.items() if name not in _RANDOM_DIGITS})


async def test_profiles_travel_sealed_and_erasure_shreds_every_copy(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        centrale_id, staff = await _new_centrale(client, platform)
        erased, kept = (
            await _register(client, platform, centrale_id, staff, ERASED_PROFILE),
            await _register(client, platform, centrale_id, staff, KEPT_PROFILE),
        )

        # Reporting opens labels, area and skills, matching the area and support need, appreciation the age band:
        # each only through the key it learned.
        for volunteer_id, area, skills in ((erased, "9712", ["tuinieren"]), (kept, "3511", ["koken"])):
            await _eventually(
                lambda v=volunteer_id: _has_label(platform, v), f"reporting counts the label of {volunteer_id}"
            )
            await _eventually(
                lambda v=volunteer_id: _needs_support_in_matching(platform, v), "matching knows the support need"
            )
            await _eventually(
                lambda v=volunteer_id: _age_band_in_appreciation(platform, v), "appreciation knows the age band"
            )
            assert await _area_and_skills(platform, "reporting", "volunteer_facts", "person_key", volunteer_id) == (
                area,
                skills,
            )
            assert await _area_and_skills(platform, "matching", "volunteers", "volunteer_id", volunteer_id) == (
                area,
                skills,
            )
        assert await _keys_held(platform, erased) == HELD_BY_ALL

        # No profile value on the topic in clear: not the label, the area, the skill nor the age band.
        records = [r for r in await read_all(platform.bootstrap, VOLUNTEERS) if r.key in (_key(erased), _key(kept))]
        assert records
        for record in records:
            assert LABEL.encode() not in record.value
            payload = json.loads(record.value)
            if "sealed_special" not in payload:
                continue  # a consent or erasure event: no profile
            for value in ("9712", "3511", "tuinieren", "koken", "30-"):
                assert value not in _clear_text(payload), f"{value} in clear in {payload}"
            assert (payload["postcode_area"], payload["age_band"], payload["skills"]) == (None, None, [])
            assert (payload["needs_support"], payload["target_groups"]) == (False, [])
            assert payload["sealed_special"]

        erase = await client.delete(
            f"{platform.url('registry')}/v1/centrales/{centrale_id}/volunteers/{erased}", headers=staff
        )
        assert erase.status_code == 204, erase.text

        # Every copy of the key goes: the registry's at once, the consumers' at the tombstone.
        await _eventually(
            lambda: _no_keys(platform, erased), "no service holds the erased volunteer's key", timeout=30.0
        )
        assert await _keys_held(platform, kept) == HELD_BY_ALL
        key_records = [r for r in await read_all(platform.bootstrap, KEY_TOPIC) if r.key == _key(erased)]
        assert key_records[-1].value is None  # the tombstone compaction keeps in place of the key

        # The scan, for the profile: every record of the volunteer on the stream and its dead letters is
        # sealed and opens to nothing without a key. The one copy of the key left is the wrapped record on the key
        # topic, now followed by its tombstone: compaction removes it within the stated time (README), which this
        # test cannot wait for; here it only shows that the sealed text was the profile.
        kek = region_key_from_environment()
        wrapped = [
            kek.unwrap(VolunteerKeyIssued.model_validate_json(r.value).wrapped_key, erased)
            for r in key_records
            if r.value is not None
        ]
        stream = await read_all(platform.bootstrap, VOLUNTEERS)
        dead = await read_all(platform.bootstrap, dead_letter_topic(VOLUNTEERS))
        theirs = [r for r in stream + dead if r.key == _key(erased) and b"sealed_special" in (r.value or b"")]
        assert theirs
        for record in theirs:
            assert LABEL.encode() not in record.value
            sealed = VolunteerRegistered.model_validate_json(record.value)
            assert sealed.sealed_special is not None
            shredded, opened = open_profile(sealed, None), open_profile(sealed, wrapped[0])
            assert (shredded.postcode_area, shredded.skills, shredded.target_groups) == (None, [], [])
            assert shredded.matching_consent is False  # a replayed, shredded registration is never proposed
            assert (opened.postcode_area, opened.skills, opened.target_groups) == ("9712", ["tuinieren"], [LABEL])

        # A rebuild of reporting from the beginning: no errors, the erased volunteer without labels, the other with.
        await platform.rebuild_reporting(client)
        assert await _labels_in_reporting(platform, kept) == [LABEL]
        assert await _area_and_skills(platform, "reporting", "volunteer_facts", "person_key", kept) == (
            "3511",
            ["koken"],
        )
        assert await _labels_in_reporting(platform, erased) is None  # its facts are under a surrogate now
        leftover = await _fetchval(
            platform, "reporting", "SELECT count(*) FROM volunteer_facts t WHERE t::text LIKE $1", f"%{erased}%"
        )
        assert leftover == 0


def _key(volunteer_id: UUID) -> bytes:
    return str(volunteer_id).encode()


async def _has_label(platform: Platform, volunteer_id: UUID) -> bool:
    return await _labels_in_reporting(platform, volunteer_id) == [LABEL]


async def _needs_support_in_matching(platform: Platform, volunteer_id: UUID) -> bool:
    return bool(
        await _fetchval(
            platform, "matching", "SELECT needs_support FROM volunteers WHERE volunteer_id = $1", volunteer_id
        )
    )


async def _age_band_in_appreciation(platform: Platform, volunteer_id: UUID) -> bool:
    band = await _fetchval(platform, "appreciation", "SELECT age_band FROM volunteers WHERE id = $1", volunteer_id)
    return band is not None


async def _area_and_skills(
    platform: Platform, service: str, table: str, id_column: str, volunteer_id: UUID
) -> tuple[str | None, list[str]] | None:
    conn = await asyncpg.connect(platform.databases[service])
    try:
        row = await conn.fetchrow(
            f"SELECT postcode_area, skills FROM {table} WHERE {id_column} = $1",  # noqa: S608 (test's own names)
            volunteer_id,
        )
    finally:
        await conn.close()
    return None if row is None else (row["postcode_area"], list(row["skills"]))


async def _no_keys(platform: Platform, volunteer_id: UUID) -> bool:
    return await _keys_held(platform, volunteer_id) == dict.fromkeys(HELD_BY_ALL, 0)
