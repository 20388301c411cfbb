"""Volunteers: registration by staff or themselves, profile and consents, VOG, export, and erasure."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from common.clock import dutch_today
from common.sealing import open_profile
from contracts import EventEnvelope
from contracts.events import KEY_TOPIC, VolunteerKeyIssued, VolunteerProfileUpdated
from tests.registry.integration.conftest import Registry

pytestmark = pytest.mark.integration

VOLUNTEERS = "registry.volunteers.v1"


def _type(record: object) -> str:
    return EventEnvelope.from_headers(record.headers).type.split(".")[-2]  # type: ignore[attr-defined]


async def test_self_registration_gives_a_token_for_self_service(registry: Registry) -> None:
    centrale_id, _ = await registry.new_centrale()
    registered = await registry.http.post(
        f"/v1/centrales/{centrale_id}/volunteers/self-registration",
        json={
            "name": "Sanne",
            "postcode": "3701 EF",
            "skills": ["Sport"],
            "consents": [{"kind": "matching", "text_version": "2026-01"}],
        },
    )
    assert registered.status_code == 201, registered.text
    me = {"Authorization": f"Bearer {registered.json()['token']}"}
    profile = (await registry.http.get("/v1/me", headers=me)).json()
    assert profile["name"] == "Sanne"
    assert profile["skills"] == ["sport"]  # codes are normalised
    assert profile["consents"]["matching"]["text_version"] == "2026-01"
    [event] = await registry.events(VOLUNTEERS, profile["id"], 1)
    assert json.loads(event.value)["postcode_area"] is None  # sealed (issue 16)
    payload = await registry.opened(event.value)
    assert payload["registered_by"] == "self"
    assert payload["matching_consent"] is True
    assert payload["postcode_area"] == "3701"


async def test_profile_update_and_consents_are_recorded_with_their_text_version(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}"

    labels_without_consent = await registry.http.patch(path, json={"target_groups": ["statushouder"]}, headers=staff)
    assert labels_without_consent.status_code == 422
    assert labels_without_consent.json()["detail"][0]["loc"] == ["body", "target_groups"]

    for change in (
        {"kind": "target_group_labels", "text_version": "2026-02", "granted": True},
        {"kind": "regional_matching", "text_version": "2026-01", "granted": True},
    ):
        assert (await registry.http.post(f"{path}/consents", json=change, headers=staff)).status_code == 204
    patched = await registry.http.patch(
        path, json={"target_groups": ["statushouder"], "languages": ["nl", "ar"], "max_distance_km": 5}, headers=staff
    )
    assert patched.status_code == 204, patched.text
    withdraw = {"kind": "target_group_labels", "text_version": "2026-02", "granted": False}
    assert (await registry.http.post(f"{path}/consents", json=withdraw, headers=staff)).status_code == 204

    record = (await registry.http.get(path, headers=staff)).json()
    assert record["target_groups"] == []  # withdrawn consent removes the labels themselves
    assert record["consents"]["target_group_labels"]["granted"] is False
    assert record["regional_matching_consent"] is True
    events = await registry.events(VOLUNTEERS, volunteer_id, 8)
    assert [_type(r) for r in events] == [
        "registered",
        "consent-changed",
        "profile-updated",
        "consent-changed",
        "profile-updated",
        "profile-updated",
        "consent-changed",
        "profile-updated",
    ]
    with_labels = json.loads(events[5].value)
    # The labels travel sealed under the volunteer's data key, never in clear, and so does the rest of the
    # profile (issue 16).
    assert b"statushouder" not in events[5].value
    assert (with_labels["target_groups"], with_labels["languages"], with_labels["max_distance_km"]) == ([], [], None)
    assert with_labels["regional_matching_consent"] is False
    data_key = await registry.pool.fetchval(
        "SELECT data_key FROM volunteer_data_keys WHERE volunteer_id = $1", volunteer_id
    )
    opened = open_profile(VolunteerProfileUpdated.model_validate(with_labels), bytes(data_key))
    assert opened.target_groups == ["statushouder"]
    assert (opened.languages, opened.max_distance_km, opened.regional_matching_consent) == (["nl", "ar"], 5, True)
    assert (
        open_profile(VolunteerProfileUpdated.model_validate_json(events[7].value), bytes(data_key)).target_groups == []
    )
    assert json.loads(events[6].value) | {"changed_at": None} == {
        "volunteer_id": str(volunteer_id),
        "centrale_id": centrale_id,
        "consent": "target_group_labels",
        "granted": False,
        "text_version": "2026-02",
        "changed_at": None,
        "imported": False,  # a change made here, not brought in by an import
        "import_source": None,
    }


async def test_vog_is_recorded_as_verified_by_and_until_and_only_validity_is_shared(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/vog"
    today = dutch_today()
    later = today + timedelta(days=3 * 365)
    bad = await registry.http.put(
        path,
        json={"verified_on": today.isoformat(), "verified_by": "Consulent Kees", "valid_until": "2020-01-01"},
        headers=staff,
    )
    assert bad.status_code == 422
    ok = await registry.http.put(
        path,
        json={"verified_on": today.isoformat(), "verified_by": "Consulent Kees", "valid_until": later.isoformat()},
        headers=staff,
    )
    assert ok.status_code == 204
    [_, updated] = await registry.events(VOLUNTEERS, volunteer_id, 2)
    assert (await registry.opened(updated.value))["vog_valid_until"] == later.isoformat()
    assert b"Kees" not in updated.value


async def test_export_holds_profile_consent_history_matches_and_hours(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    me = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id)
    yesterday = (dutch_today() - timedelta(days=1)).isoformat()
    logged = await registry.http.post(
        f"/v1/me/matches/{match_id}/hours", json={"worked_on": yesterday, "hours": "2.5"}, headers=me
    )
    assert logged.status_code == 201, logged.text

    export = (await registry.http.get("/v1/me/export", headers=me)).json()

    assert export["volunteer"]["id"] == str(volunteer_id)
    assert export["volunteer"]["email"].startswith("mail")
    assert [c["kind"] for c in export["consent_history"]] == ["matching"]
    assert [m["id"] for m in export["matches"]] == [str(match_id)]
    assert [(h["hours"], h["status"]) for h in export["hours"]] == [("2.50", "pending")]


async def test_erasure_leaves_no_personal_data_in_any_registry_table_and_publishes_the_event(
    registry: Registry,
) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    marker = "Erasme Vandenberghe"
    volunteer_id = await registry.register_volunteer(
        centrale_id,
        staff,
        name=marker,
        email="erasme@example.nl",
        phone="0687654321",
        postcode="9712 CP",
        birth_date="1988-08-08",
    )
    me = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    vog = {"verified_on": "2026-01-05", "verified_by": "Consulent Noor", "valid_until": "2029-01-05"}
    await registry.http.put(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/vog", json=vog, headers=staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id)
    yesterday = (dutch_today() - timedelta(days=1)).isoformat()
    hours_path = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/hours"
    assert (
        await registry.http.post(hours_path, json={"worked_on": yesterday, "hours": "3"}, headers=organisation)
    ).status_code == 201

    assert (await registry.http.delete("/v1/me", headers=me)).status_code == 204

    personal = [marker, "erasme@example.nl", "0687654321", "9712 CP", "9712", "1988-08-08", "Consulent Noor"]
    assert await _tables_containing(registry, personal, ignoring=centrale_id) == []
    # The facts stay, anonymously: the match and its hours still count.
    assert await registry.pool.fetchval("SELECT sum(hours) FROM hours WHERE volunteer_id = $1", volunteer_id) == 3
    assert (await registry.http.get("/v1/me", headers=me)).status_code == 401  # credential removed
    staff_view = await registry.http.get(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}", headers=staff)
    assert staff_view.status_code == 404
    events = await registry.events(VOLUNTEERS, volunteer_id, 3)
    assert _type(events[-1]) == "erased"
    assert json.loads(events[-1].value)["volunteer_id"] == str(volunteer_id)
    # Crypto-shredding: the key is gone from the registry, and a tombstone follows its key on the key topic.
    assert (
        await registry.pool.fetchval("SELECT count(*) FROM volunteer_data_keys WHERE volunteer_id = $1", volunteer_id)
        == 0
    )
    key_records = await registry.events(KEY_TOPIC, volunteer_id, 2)
    issued, tombstone = key_records[0], key_records[-1]
    assert VolunteerKeyIssued.model_validate_json(issued.value).volunteer_id == volunteer_id
    assert tombstone.value is None


_TEXT_LIKE = 'SELECT 1 FROM "{table}" WHERE replace("{column}"::text, $2, \'\') LIKE $1 LIMIT 1'
# An event payload's ids, moments and digests are strings too: "…T02:18:27.971234+00:00" holds a postcode's
# four digits (the CI failure "outbox.payload contains '9712'"), so a JSON column is searched leaf by leaf,
# passing over the strings shaped like a uuid, a moment or a hex digest, which cannot hold what a person typed.
_JSON_LEAVES_LIKE = (
    'SELECT 1 FROM "{table}", jsonb_path_query("{column}"::jsonb, \'strict $.**\') AS leaf'
    " WHERE jsonb_typeof(leaf) = 'string' AND replace(leaf #>> '{{}}', $2, '') LIKE $1"
    " AND leaf #>> '{{}}' !~ '^[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$'"
    " AND leaf #>> '{{}}' !~ '^\\d{{4}}-\\d{{2}}-\\d{{2}}T[0-9:.]+(Z|[+-][0-9:]+)?$'"
    " AND leaf #>> '{{}}' !~ '^[0-9a-f]{{32,}}$'"
    " LIMIT 1"
)


async def _tables_containing(registry: Registry, values: list[str], *, ignoring: str) -> list[str]:
    """Every table.column of the registry's database whose text, without ``ignoring``, contains one of ``values``.

    ``ignoring`` is the test's centrale id: it is random hex (``vc-…``) and can hold a postcode's four digits, as in
    the CI failure "centrales.id contains '9712'".

    Ids, numbers, moments, keys and digests cannot hold what a person typed, and their text would give false
    hits (a postcode's four digits in a uuid, a timestamp's microseconds or a token's hex SHA-256); dates can
    hold a birth date, so stay.
    """
    columns = await registry.pool.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
        " AND data_type <> ALL($1::text[]) AND column_name NOT LIKE '%\\_hash'",
        [
            "uuid",
            "timestamp with time zone",
            "timestamp without time zone",
            "integer",
            "bigint",
            "smallint",
            "numeric",
            "boolean",
            "interval",
            "double precision",
            "real",
            "bytea",
        ],
    )
    found = []
    for column in columns:
        table, name = column["table_name"], column["column_name"]
        search = _JSON_LEAVES_LIKE if column["data_type"] in ("json", "jsonb") else _TEXT_LIKE
        for value in values:
            hit = await registry.pool.fetchval(search.format(table=table, column=name), f"%{value}%", ignoring)
            if hit:
                found.append(f"{table}.{name} contains {value!r}")
    return found
