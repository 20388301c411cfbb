"""Walking skeleton: HTTP registration → outbox → Kafka → reporting's inbox → count over HTTP."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from common.sealing import open_profile
from contracts import EventEnvelope
from contracts.events import VolunteerRegistered
from tests.e2e.conftest import Platform
from tests.support.kafka import publish_raw, read_until, wait_for_group_offset

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

VOLUNTEERS = "registry.volunteers.v1"
PERSONAL_VALUES = ("Fatima", "fatima@example.nl", "0612345678", "3511 AB", "1990-04-01")


async def _new_centrale(client: httpx.AsyncClient, platform: Platform) -> tuple[str, dict[str, str]]:
    """Create a centrale with a unique id and a staff credential; return its id and staff headers."""
    centrale_id = f"vc-test-{secrets.token_hex(4)}"
    ops = {"Authorization": f"Bearer {platform.ops_token}"}
    created = await client.post(
        f"{platform.url('registry')}/v1/centrales",
        json={"id": centrale_id, "name": "Vrijwilligerscentrale Test", "municipality_code": "GM0344"},
        headers=ops,
    )
    assert created.status_code == 201, created.text
    credential = await client.post(
        f"{platform.url('registry')}/v1/centrales/{centrale_id}/credentials", json={"label": "intake"}, headers=ops
    )
    assert credential.status_code == 201, credential.text
    return centrale_id, {"Authorization": f"Bearer {credential.json()['token']}"}


async def _register(client: httpx.AsyncClient, platform: Platform, centrale_id: str, staff: dict[str, str]) -> str:
    response = await client.post(
        f"{platform.url('registry')}/v1/centrales/{centrale_id}/volunteers",
        json={
            "name": "Fatima",
            "email": "fatima@example.nl",
            "phone": "0612345678",
            "postcode": "3511 AB",
            "birth_date": "1990-04-01",
            "skills": ["koken"],
            "interests": ["zorg"],
            "languages": ["nl", "ar"],
        },
        headers=staff,
    )
    assert response.status_code == 201, response.text
    volunteer_id: str = response.json()["id"]
    return volunteer_id


async def _count(client: httpx.AsyncClient, platform: Platform, centrale_id: str) -> int:
    response = await client.get(
        f"{platform.url('reporting')}/v1/centrales/{centrale_id}/volunteers/count",
        headers={"Authorization": f"Bearer {platform.ops_token}"},
    )
    assert response.status_code == 200, response.text
    registered: int = response.json()["registered"]
    return registered


async def _wait_for_count(
    client: httpx.AsyncClient, platform: Platform, centrale_id: str, expected: int, timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while (count := await _count(client, platform, centrale_id)) != expected:
        assert count < expected, f"count overshot: {count} > {expected}"
        assert time.monotonic() < deadline, f"count stuck at {count}, expected {expected}"
        await asyncio.sleep(0.2)


def _headers(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


async def test_registration_reaches_reporting_count_through_kafka(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        centrale_id, staff = await _new_centrale(client, platform)
        volunteer_ids = [await _register(client, platform, centrale_id, staff) for _ in range(3)]

        await _wait_for_count(client, platform, centrale_id, 3)

    records = await read_until(
        platform.bootstrap,
        VOLUNTEERS,
        lambda seen: {r.key.decode() for r in seen if r.key} >= set(volunteer_ids),
    )
    ours = [r for r in records if r.key and r.key.decode() in volunteer_ids]
    assert len(ours) == 3
    for record in ours:
        envelope = EventEnvelope.from_headers(record.headers)
        assert envelope.type == "nl.vrijwilligerscentrale.volunteer.registered.v1"
        assert envelope.subject == record.key.decode()
        assert envelope.tenant == centrale_id
        assert envelope.region == "testregio"
        payload = json.loads(record.value)
        # The profile travels sealed under the volunteer's data key (crypto-shredding, issue 16).
        assert (payload["postcode_area"], payload["age_band"], payload["sealed_special"] is not None) == (
            None,
            None,
            True,
        )
        opened = open_profile(VolunteerRegistered.model_validate(payload), await _data_key(platform, record.key))
        assert opened.postcode_area == "3511"
        assert opened.age_band in {"30-49", "21-29"}
        assert not any(value in record.value.decode() for value in PERSONAL_VALUES)


async def test_duplicate_delivery_is_counted_once(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        centrale_id, staff = await _new_centrale(client, platform)
        volunteer_id = await _register(client, platform, centrale_id, staff)
        await _wait_for_count(client, platform, centrale_id, 1)

        [original] = [
            r
            for r in await read_until(
                platform.bootstrap, VOLUNTEERS, lambda seen: any(r.key == volunteer_id.encode() for r in seen)
            )
            if r.key == volunteer_id.encode()
        ]
        duplicate = await publish_raw(
            platform.bootstrap, VOLUNTEERS, original.value, key=original.key, headers=list(original.headers)
        )
        # Once reporting committed past the duplicate it has certainly processed it.
        await wait_for_group_offset(platform.bootstrap, "reporting", VOLUNTEERS, duplicate.partition, duplicate.offset)

        assert await _count(client, platform, centrale_id) == 1


async def test_malformed_message_is_dead_lettered_and_consumers_keep_going(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        centrale_id, staff = await _new_centrale(client, platform)
        envelope = EventEnvelope(
            source="/regions/testregio/fuzzer",
            type="nl.vrijwilligerscentrale.volunteer.registered.v1",
            subject=f"poison-{secrets.token_hex(4)}",
            tenant=centrale_id,
            region="testregio",
        )
        poison = await publish_raw(
            platform.bootstrap, VOLUNTEERS, b"{not json", key=envelope.subject.encode(), headers=envelope.to_headers()
        )

        dead = await read_until(
            platform.bootstrap,
            f"{VOLUNTEERS}.dlq",
            lambda seen: (
                {_headers(r).get("dlq_consumer") for r in seen if _headers(r).get("ce_id") == str(envelope.id)}
                >= {"reporting", "matching", "appreciation"}
            ),
        )
        ours = [_headers(r) for r in dead if _headers(r).get("ce_id") == str(envelope.id)]
        reporting = next(h for h in ours if h["dlq_consumer"] == "reporting")
        assert reporting["dlq_error_class"] == "ContractViolation"
        assert "VolunteerRegistered" in reporting["dlq_error_message"]
        assert reporting["dlq_original_topic"] == VOLUNTEERS
        assert reporting["dlq_original_partition"] == str(poison.partition)
        assert reporting["dlq_original_offset"] == str(poison.offset)
        assert next(r.value for r in dead if _headers(r).get("ce_id") == str(envelope.id)) == b"{not json"

        # The stream goes on: a registration after the poison message is still counted.
        await _register(client, platform, centrale_id, staff)
        await _wait_for_count(client, platform, centrale_id, 1)
    assert all(process.alive() for process in platform.services.values())


async def test_credentials_issued_by_the_registry_authenticate_at_reporting(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        centrale_id, _ = await _new_centrale(client, platform)
        other_id, _ = await _new_centrale(client, platform)
        reader = await client.post(
            f"{platform.url('registry')}/v1/centrales/{centrale_id}/credentials",
            json={"label": "beleidsmedewerker", "role": "municipality_reader"},
            headers={"Authorization": f"Bearer {platform.ops_token}"},
        )
        headers = {"Authorization": f"Bearer {reader.json()['token']}"}
        url = f"{platform.url('reporting')}/v1/centrales/{{}}/volunteers/count"

        # Reporting learns the credential from registry.credentials.v1; until then the token is unknown.
        deadline = time.monotonic() + 30
        while (own := await client.get(url.format(centrale_id), headers=headers)).status_code == 401:
            assert time.monotonic() < deadline, "reporting never learned the credential"
            await asyncio.sleep(0.2)
        assert own.status_code == 200
        assert (await client.get(url.format(other_id), headers=headers)).status_code == 404
        assert (await client.get(url.format(centrale_id))).status_code == 401


async def _data_key(platform: Platform, volunteer_id: bytes) -> bytes:
    """The volunteer's data key as the registry holds it."""
    conn = await asyncpg.connect(platform.databases["registry"])
    try:
        key = await conn.fetchval(
            "SELECT data_key FROM volunteer_data_keys WHERE volunteer_id = $1", UUID(volunteer_id.decode())
        )
    finally:
        await conn.close()
    return bytes(key)
