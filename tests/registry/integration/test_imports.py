"""Imports and exports over HTTP on real PostgreSQL and Kafka: staff only, their own centrale only, field-level
422s, a dry run by default, imported events marked and free of personal data, exports in CSV and Excel."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from contracts import EventEnvelope
from contracts.events import KEY_TOPIC
from registry.bulk import read_sheet
from tests.support.registry_client import Headers, Registry

pytestmark = pytest.mark.integration

SOURCE = "vrijwilligersbank"


def csv_of(*rows: list[str]) -> bytes:
    return "\n".join(";".join(row) for row in rows).encode()


async def upload(registry: Registry, centrale_id: str, kind: str, content: bytes, headers: Headers, **form: Any) -> Any:
    data = {"source": SOURCE, **{k: v if isinstance(v, str) else json.dumps(v) for k, v in form.items()}}
    return await registry.http.post(
        f"/v1/centrales/{centrale_id}/imports/{kind}",
        files={"file": (f"{kind}.csv", content, "text/csv")},
        data=data,
        headers=headers,
    )


async def test_staff_check_then_import_a_file_and_the_events_say_imported_without_personal_data(
    registry: Registry,
) -> None:
    centrale_id, staff = await registry.new_centrale()
    marker = secrets.token_hex(4)
    name, mail = f"Naam{marker}", f"mail{marker}@example.nl"
    content = csv_of(
        ["Relatienummer", "Naam", "E-mailadres", "Geboortedatum", "Aangemeld op", "Bemiddeling", "Versie"],
        ["R-1", name, mail, "14-03-1991", "01-02-2015", "01-02-2015", "vb-2015"],
        ["R-2", "", "geen mail", "01-01-2020", "", "", ""],
    )
    mapping = {"Bemiddeling": "consent_matching", "Versie": "consent_version"}

    checked = await upload(registry, centrale_id, "volunteers", content, staff, mapping=mapping)
    assert checked.status_code == 200, checked.text
    report = checked.json()
    assert report["dry_run"] is True
    assert [(p["line"], p["field"]) for p in report["problems"]] == [(3, "name"), (3, "email"), (3, "birth_date")]
    assert (report["rows"], report["added"], report["skipped"], report["events"]) == (2, 1, 1, 0)
    assert report["columns"]["Relatienummer"] == "external_id"
    assert "geen mail" not in checked.text
    assert await registry.pool.fetchval("SELECT count(*) FROM volunteers WHERE centrale_id = $1", centrale_id) == 0

    applied = await upload(registry, centrale_id, "volunteers", content, staff, mapping=mapping, dry_run="false")
    assert applied.status_code == 200, applied.text
    assert (applied.json()["added"], applied.json()["events"]) == (1, 1)
    volunteer_id = await registry.pool.fetchval("SELECT id FROM volunteers WHERE centrale_id = $1", centrale_id)
    [record] = await registry.events("registry.volunteers.v1", volunteer_id, 1)
    envelope = EventEnvelope.from_headers(record.headers)
    payload = json.loads(record.value)
    assert envelope.type == "nl.vrijwilligerscentrale.volunteer.registered.v1"
    # The bulk path passes the same door as every other: the profile sealed, its key on the key topic first.
    assert (payload["age_band"], payload["matching_consent"], bool(payload["sealed_special"])) == (None, False, True)
    [key_record] = await registry.events(KEY_TOPIC, volunteer_id, 1)
    assert key_record.value is not None
    opened = await registry.opened(record.value)
    assert (opened["imported"], opened["import_source"], opened["matching_consent"]) == (True, SOURCE, True)
    assert opened["age_band"] == "30-49"
    assert payload["registered_at"].startswith("2015-01-31T23:00")
    for personal in (name, mail, "1991-03-14", "R-1"):
        assert personal not in record.value.decode()

    again = await upload(registry, centrale_id, "volunteers", content, staff, mapping=mapping, dry_run="false")
    assert (again.json()["added"], again.json()["unchanged"], again.json()["events"]) == (0, 1, 0)


async def test_only_the_centrales_own_staff_import_and_export(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    _, other_staff = await registry.new_centrale()
    _, organisation = await registry.new_organisation(centrale_id, staff)
    content = csv_of(["id", "naam"], ["O-1", "Buurthuis"])
    assert (await upload(registry, centrale_id, "organisations", content, other_staff)).status_code == 404
    assert (await upload(registry, centrale_id, "organisations", content, organisation)).status_code == 403
    assert (await upload(registry, centrale_id, "organisations", content, registry.ops)).status_code == 403
    export = f"/v1/centrales/{centrale_id}/exports/volunteers.csv"
    assert (await registry.http.get(export, headers=other_staff)).status_code == 404
    assert (await registry.http.get(export, headers=organisation)).status_code == 403


async def test_bad_input_is_a_422_at_the_field(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    not_a_table = await upload(registry, centrale_id, "hours", b"\x00\x01binary", staff)
    assert not_a_table.status_code == 422
    assert not_a_table.json()["detail"][0]["loc"] == ["body", "file"]
    mapping = await upload(registry, centrale_id, "hours", b"id\n1\n", staff, mapping="{not json")
    assert mapping.status_code == 422
    assert mapping.json()["detail"][0]["loc"] == ["body", "mapping"]
    source = await registry.http.post(
        f"/v1/centrales/{centrale_id}/imports/hours",
        files={"file": ("x.csv", b"id\n1\n", "text/csv")},
        data={"source": "<script>"},
        headers=staff,
    )
    assert source.status_code == 422
    assert source.json()["detail"][0]["loc"] == ["body", "source"]
    assert "<script>" not in source.text
    kind = await upload(registry, centrale_id, "meetings", b"id\n1\n", staff)
    assert kind.status_code == 422
    header = await upload(registry, centrale_id, "hours", b"id;uren\n1;2\n", staff)
    assert header.status_code == 200
    assert {p["field"] for p in header.json()["problems"]} == {"volunteer", "organisation", "worked_on"}


async def test_exports_hold_the_centrales_records_in_csv_and_excel_and_import_again(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)

    csv_answer = await registry.http.get(f"/v1/centrales/{centrale_id}/exports/volunteers.csv", headers=staff)
    assert csv_answer.status_code == 200
    assert csv_answer.headers["cache-control"] == "private, no-store"
    assert csv_answer.headers["content-disposition"].startswith(f'attachment; filename="{centrale_id}-volunteers-')
    sheet = read_sheet(csv_answer.content)
    [(_, row)] = list(sheet.rows)
    record = dict(zip(sheet.headers, row, strict=True))
    assert (UUID(record["external_id"]), record["consent_matching"] != "") == (volunteer_id, True)
    trail = await registry.pool.fetch(
        "SELECT action, what, purpose FROM personal_data_access WHERE volunteer_id = $1 AND action = 'export'",
        volunteer_id,
    )
    assert [tuple(r) for r in trail] == [("export", "export", "other")]

    xlsx = await registry.http.get(f"/v1/centrales/{centrale_id}/exports/tasks.xlsx", headers=staff)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = read_sheet(xlsx.content)
    [(_, row)] = list(sheet.rows)
    task = dict(zip(sheet.headers, row, strict=True))
    assert (UUID(task["external_id"]), UUID(task["organisation"]), task["status"], task["shifts"]) == (
        task_id,
        organisation_id,
        "open",
        "di 09:00-12:00",
    )

    other_id, other_staff = await registry.new_centrale()
    for kind in ("organisations", "tasks", "volunteers"):
        exported = await registry.http.get(f"/v1/centrales/{centrale_id}/exports/{kind}.xlsx", headers=staff)
        moved = await registry.http.post(
            f"/v1/centrales/{other_id}/imports/{kind}",
            files={"file": (f"{kind}.xlsx", exported.content, "application/octet-stream")},
            data={"source": f"platform-{centrale_id}", "dry_run": "false"},
            headers=other_staff,
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["added"], moved.json()["problems"]) == (1, []), kind


def readme_files() -> dict[str, bytes]:
    """The example files of the README's "Importing and exporting" section, as it writes them."""
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Importing and exporting", 1)[1].split("\n## ", 1)[0]
    files = {name: body.encode() for name, body in re.findall(r"cat > (\S+) <<'CSV'\n(.*?)\nCSV\n", section, re.S)}
    mapping = re.search(r"echo '(.*)' > mapping\.json", section)
    assert mapping is not None
    files["mapping.json"] = mapping.group(1).encode()
    return files


async def test_the_readmes_example_imports_as_the_readme_says(registry: Registry) -> None:
    files = readme_files()
    assert set(files) == {"organisaties.csv", "vacatures.csv", "vrijwilligers.csv", "uren.csv", "mapping.json"}
    centrale_id, staff = await registry.new_centrale()
    mapping = files["mapping.json"].decode()

    for kind, name in (("organisations", "organisaties.csv"), ("tasks", "vacatures.csv")):
        answer = await upload(registry, centrale_id, kind, files[name], staff, dry_run="false")
        assert (answer.json()["added"], answer.json()["problems"]) == (1, [])
    checked = (
        await upload(registry, centrale_id, "volunteers", files["vrijwilligers.csv"], staff, mapping=mapping)
    ).json()
    assert (checked["dry_run"], checked["rows"], checked["added"], checked["skipped"]) == (True, 2, 1, 1)
    assert checked["problems"] == [
        {"line": 3, "field": "email", "message": "not an e-mail address"},
        {"line": 3, "field": "birth_date", "message": "lies in the future"},
    ]
    assert checked["columns"]["Mobiel nr"] == "phone"
    applied = await upload(
        registry, centrale_id, "volunteers", files["vrijwilligers.csv"], staff, mapping=mapping, dry_run="false"
    )
    assert (applied.json()["added"], len(applied.json()["problems"])) == (1, 2)
    first = (await upload(registry, centrale_id, "hours", files["uren.csv"], staff, dry_run="false")).json()
    again = (await upload(registry, centrale_id, "hours", files["uren.csv"], staff, dry_run="false")).json()
    assert (first["added"], first["problems"]) == (2, [])
    assert (again["added"], again["unchanged"], again["events"]) == (0, 2, 0)
    exported = await registry.http.get(f"/v1/centrales/{centrale_id}/exports/hours.csv", headers=staff)
    assert sorted(cells[-1] for _, cells in read_sheet(exported.content).rows) == ["U-1", "U-2"]
