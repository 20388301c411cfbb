"""Certificates: a real PDF in Dutch with the right totals, verifiable by id, and the name never stored."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from tests.appreciation.integration.conftest import Appreciation

pytestmark = pytest.mark.integration

NAME = "Fatima el Amrani-Łukowska"


async def test_the_certificate_pdf_lists_the_right_totals_and_can_be_verified(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    settings = {"display_name": "Vrijwilligerscentrale Utrecht"}
    named = await appreciation.http.put(f"/v1/centrales/{centrale_id}/settings", json=settings, headers=staff)
    assert named.status_code == 204
    volunteer_id = await appreciation.volunteer(centrale_id)
    food_bank = await appreciation.organisation(centrale_id, "Voedselbank Utrecht")
    library = await appreciation.organisation(centrale_id, "Bibliotheek Oost")
    driving = await appreciation.task(centrale_id, food_bank, "ouderen", ["rijbewijs-b", "koken"])
    reading = await appreciation.task(centrale_id, library, "taal", ["taalles"])
    for organisation_id, task_id, entries in (
        (food_bank, driving, [("8", date(2026, 2, 3)), ("4.5", date(2026, 2, 10))]),
        (library, reading, [("2.25", date(2026, 3, 1))]),
    ):
        match = await appreciation.match(centrale_id, volunteer_id, organisation_id, task_id)
        for hours, day in entries:
            await appreciation.publish_applied(appreciation.hours(match, hours, day), centrale_id)
    me = await appreciation.credential("volunteer", centrale_id, volunteer_id)

    response = await appreciation.http.post("/v1/me/certificates", json={"name": NAME}, headers=me)

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/pdf"
    certificate_id = response.headers["x-certificate-id"]
    pdf = PdfReader(io.BytesIO(response.content))
    assert pdf.metadata is not None
    assert pdf.metadata.title == "Bewijs van vrijwillige inzet"
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for expected in (
        "Bewijs van vrijwillige inzet",
        f"Naam: {NAME}",
        "Hierbij verklaart Vrijwilligerscentrale Utrecht",
        "periode 3 februari 2026 t/m 1 maart 2026",
        "Totaal aantal uren: 14,75",
        "Voedselbank Utrecht 12,50 3 februari 2026 t/m 10 februari 2026",
        "Bibliotheek Oost 2,25 1 maart 2026",
        "Voedselbank Utrecht ouderen koken, rijbewijs-b 12,50",
        "Bibliotheek Oost taal taalles 2,25",
        "Ingezette vaardigheden koken, rijbewijs-b, taalles",
        "Trainingen Geen trainingen gevolgd bij de vrijwilligerscentrale.",
        "10 uur vrijwillige inzet",
        "Je eerste klus als vrijwilliger",
        f"Certificaatnummer: {certificate_id}",
        f"https://waardering.example/v1/certificates/{certificate_id}",
    ):
        assert expected in text, expected

    # A third party checks the id (no token needed) and the file itself.
    facts = await appreciation.http.get(f"/v1/certificates/{certificate_id}")
    assert facts.status_code == 200
    assert facts.json()["issued_by"] == "Vrijwilligerscentrale Utrecht"
    assert facts.json()["total_hours"] == "14.75"
    assert facts.json()["organisations"] == 2
    assert NAME not in facts.text
    assert str(volunteer_id) not in facts.text
    verify = f"/v1/certificates/{certificate_id}/verify"
    as_pdf = {"Content-Type": "application/pdf"}
    genuine = await appreciation.http.post(verify, content=response.content, headers=as_pdf)
    forged = response.content + b"\n% one byte more is another document\n"
    tampered = await appreciation.http.post(verify, content=forged, headers=as_pdf)
    assert genuine.json() == {"certificate_id": certificate_id, "authentic": True}
    assert tampered.json()["authentic"] is False
    assert (await appreciation.http.get("/v1/certificates/00000000-0000-4000-8000-000000000000")).status_code == 404

    # The name came with the request and went out with the PDF: it is nowhere in the database.
    assert await _tables_containing(appreciation, ["Amrani", "Łukowska"]) == []
    record = (await appreciation.http.get("/v1/me/appreciation", headers=me)).json()
    assert [c["certificate_id"] for c in record["certificates"]] == [certificate_id]


async def test_certificates_are_only_for_the_volunteer_or_their_staff_and_need_hours(
    appreciation: Appreciation,
) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    _, other_staff = await appreciation.new_centrale()
    volunteer_id = await appreciation.volunteer(centrale_id)
    path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/certificates"

    nothing_yet = await appreciation.http.post(path, json={"name": "Jan"}, headers=staff)
    other_tenant = await appreciation.http.post(path, json={"name": "Jan"}, headers=other_staff)
    no_name = await appreciation.http.post(path, json={"name": ""}, headers=staff)
    organisation = await appreciation.credential("organisation", centrale_id, volunteer_id)
    wrong_role = await appreciation.http.post(path, json={"name": "Jan"}, headers=organisation)

    assert nothing_yet.status_code == 409
    assert other_tenant.status_code == 404
    assert no_name.status_code == 422
    assert no_name.json()["detail"][0]["loc"] == ["body", "name"]
    assert wrong_role.status_code == 403


async def _tables_containing(app: Appreciation, values: list[str]) -> list[str]:
    """Every table.column of appreciation's database whose text contains one of ``values``."""
    columns = await app.pool.fetch(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
    )
    found = []
    for column in columns:
        table, name = column["table_name"], column["column_name"]
        for value in values:
            hit = await app.pool.fetchval(
                f'SELECT 1 FROM "{table}" WHERE "{name}"::text LIKE $1 LIMIT 1',  # noqa: S608  (catalogue names)
                f"%{value}%",
            )
            if hit:
                found.append(f"{table}.{name} contains {value!r}")
    return found
