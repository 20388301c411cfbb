"""No event on any registry topic carries personal data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from common.clock import dutch_today
from contracts import TOPICS
from tests.registry.integration.conftest import Registry
from tests.support.kafka import read_all

pytestmark = pytest.mark.integration

PERSONAL_KEYS = {
    "name",
    "email",
    "phone",
    "postcode",
    "birth_date",
    "address",
    "street",
    "contact_name",
    "contact_email",
    "contact_phone",
    "verified_by",
    "description",
    "notes",
    "bsn",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


async def test_no_registry_topic_holds_a_personal_field_or_value(registry: Registry) -> None:
    # One round of every kind of registry event, with distinctive personal data all along the way;
    # whatever other tests in the session published is scanned too.
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}"
    registry.personal_values += ["0611223344", "Consulent Marieke"]
    assert (await registry.http.patch(path, json={"phone": "0611223344"}, headers=staff)).status_code == 204
    consent = {"kind": "appreciation_messages", "text_version": "2026-01", "granted": True}
    assert (await registry.http.post(f"{path}/consents", json=consent, headers=staff)).status_code == 204
    vog = {"verified_on": "2026-01-05", "verified_by": "Consulent Marieke", "valid_until": "2029-01-05"}
    assert (await registry.http.put(f"{path}/vog", json=vog, headers=staff)).status_code == 204
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id)
    hours = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/hours"
    yesterday = (dutch_today() - timedelta(days=1)).isoformat()
    assert (
        await registry.http.post(hours, json={"worked_on": yesterday, "hours": "2"}, headers=organisation)
    ).status_code == 201
    partner = await registry.http.post("/v1/business-partners", json={"name": "Zorgverzekeraar"}, headers=registry.ops)
    hr = await registry.credential(f"/v1/business-partners/{partner.json()['id']}/credentials", registry.ops)
    day = {"external_ref": "privacy-check", "team_size": 4, "on_date": "2030-06-01"}
    assert (await registry.http.post("/v1/volunteer-days", json=day, headers=hr)).status_code == 201
    # The Beursvloer and the trainings (issue 18): the words and the company's contact stay in the registry.
    floor = f"/v1/centrales/{centrale_id}/beursvloer"
    contact = {"name": "Contactpersoon Beurs", "email": "beurs.contact@bedrijf.example"}
    offer = {"category": "goods", "description": "Omschrijving van het aanbod: tien laptops", "quantity": 10}
    wish = {"category": "goods", "description": "Omschrijving van de vraag: laptops", "quantity": 4}
    registry.personal_values += [*contact.values(), offer["description"], wish["description"]]
    assert (
        await registry.http.put(f"/v1/beursvloer/partners/{partner.json()['id']}/contact", json=contact, headers=hr)
    ).status_code == 200
    offer_id = (await registry.http.post(f"{floor}/offers", json=offer, headers=hr)).json()["id"]
    request_id = (await registry.http.post(f"{floor}/requests", json=wish, headers=organisation)).json()["id"]
    deal = {"offer_id": offer_id, "request_id": request_id, "due_on": "2030-06-01"}
    assert (await registry.http.post(f"{floor}/deals", json=deal, headers=staff)).status_code == 201
    start = datetime.now(UTC) + timedelta(days=7)
    training = {
        "title": "Omgaan met agressie", "description": "Omschrijving van de training", "audience": "both",
        "place": "Adres van de trainingslocatie", "capacity": 5,
        "sessions": [{"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}],
    }  # fmt: skip
    registry.personal_values += ["Omschrijving van de training", "Adres van de trainingslocatie"]
    created = await registry.http.post(f"/v1/centrales/{centrale_id}/trainings", json=training, headers=staff)
    assert created.status_code == 201
    booking = {"volunteer_id": str(volunteer_id)}
    booked = await registry.http.post(
        f"/v1/centrales/{centrale_id}/trainings/{created.json()['id']}/bookings", json=booking, headers=staff
    )
    assert booked.status_code == 201
    assert (await registry.http.delete(path, headers=staff)).status_code == 204
    await registry.events("registry.volunteers.v1", volunteer_id, 6)

    scanned: dict[str, int] = {}
    for topic in (t.name for t in TOPICS if t.name.startswith("registry.") and not t.name.endswith(".dlq")):
        for record in await read_all(registry.bootstrap, topic):
            scanned[topic] = scanned.get(topic, 0) + 1
            if record.value is None:
                continue  # a tombstone on the key topic (an erased volunteer's key): nothing but the id
            text = record.value.decode() + " ".join(v.decode() for _, v in record.headers)
            leaked = [value for value in registry.personal_values if value in text]
            assert leaked == [], f"{topic}@{record.offset} carries {leaked}"
            try:
                payload = json.loads(record.value)
            except ValueError:
                continue  # a poison record some test published on purpose; its text was scanned above
            assert _keys(payload) & PERSONAL_KEYS == set(), f"{topic}@{record.offset}"
    assert set(scanned) == {t.name for t in TOPICS if t.name.startswith("registry.") and not t.name.endswith(".dlq")}
    assert len(registry.personal_values) >= 8
