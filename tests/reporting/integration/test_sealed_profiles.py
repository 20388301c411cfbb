"""Sealed profiles in reporting: opened with the key ring; a shredded one counts, without area, under "onbekend"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from common.sealing import new_data_key, region_key_from_environment, seal_profile
from contracts.events import KEY_TOPIC, VolunteerKeyIssued
from tests.reporting.events import Published, World
from tests.reporting.integration.conftest import Reporting


def _table(figures: dict[str, Any], table_id: str) -> dict[str, dict[str, Any]]:
    [found] = [t for t in figures["tables"] if t["id"] == table_id]
    return {row["key"]: row["values"] for row in found["rows"]}


async def test_sealed_profiles_open_and_shredded_ones_count_under_unknown(reporting: Reporting) -> None:
    world = World()
    centrale = world.centrale("seal")
    await reporting.configure({centrale: ("GM0344", "Utrecht")}, [("3511", "WK034401", "Binnenstad")])
    # Five of each, so neither district's count is a small cell.
    keyed = [world.volunteer(centrale, "3511", "2026-01-12", skills=("koken",)) for _ in range(5)]
    shredded = [world.volunteer(centrale, "3511", "2026-01-12", skills=("koken",)) for _ in range(5)]
    keys = {volunteer_id: new_data_key() for volunteer_id in [*keyed, *shredded]}
    # Only the keyed volunteers' keys are on the key topic; the others' were shredded before reporting read them.
    kek = region_key_from_environment()
    for volunteer_id in keyed:
        issued = VolunteerKeyIssued(
            volunteer_id=volunteer_id, centrale_id=centrale, wrapped_key=kek.wrap(keys[volunteer_id], volunteer_id),
            kek_fingerprint=kek.fingerprint, issued_at=datetime.now(UTC),
        )  # fmt: skip
        await reporting.producer.send_and_wait(
            KEY_TOPIC, issued.model_dump_json().encode(), key=str(volunteer_id).encode()
        )
    sealed = [
        Published(seal_profile(p.event, keys[UUID(p.event.subject())]), p.tenant, p.recorded, p.source)
        for p in world.take()
    ]
    assert all(b"3511" not in p.event.model_dump_json(exclude={"sealed_special"}).encode() for p in sealed)

    await reporting.publish(sealed)
    await reporting.settle()

    rows = {
        row["person_key"]: (row["postcode_area"], row["age_band"], list(row["skills"]))
        for row in await reporting.pool.fetch(
            "SELECT person_key, postcode_area, age_band, skills FROM volunteer_facts WHERE centrale_id = $1", centrale
        )
    }
    assert rows == {
        **{volunteer_id: ("3511", "30-49", ["koken"]) for volunteer_id in keyed},
        **{volunteer_id: (None, None, []) for volunteer_id in shredded},
    }
    utrecht = await reporting.json("/v1/municipalities/GM0344/figures", period="2026-Q1")
    districts = _table(utrecht, "districts")
    assert districts["WK034401"]["volunteers_new"] == 5
    assert districts["onbekend"]["volunteers_new"] == 5
