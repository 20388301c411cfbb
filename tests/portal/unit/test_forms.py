"""Refused forms come back as typed, with every reason at its field and in the summary linking to it."""

from __future__ import annotations

import re

import httpx

from common.clock import dutch_today
from tests.portal.unit.conftest import csrf_of, log_in
from tests.portal.unit.fake_services import ORG_ID, TASK_ID, FakeServices, Session

NOV_REFUSAL = {
    "detail": [
        {"loc": ["body", "hours_per_week"], "msg": "asks 30.00 hours a week; the NOV criteria allow at most 20"},
        {
            "loc": ["body", "description"],
            "msg": "the description must say clearly what the task is (at least 40 characters)",
        },
        {"loc": ["body", "task"], "msg": "the organisation has no liability insurance for volunteers"},
    ]
}


def _field_block(html: str, field_id: str) -> str:
    """The form field around the input with ``field_id`` (its label, errors and control)."""
    start = html.index(f'id="{field_id}"')
    block_start = html.rfind('<div class="utrecht-form-field', 0, start)
    return html[block_start : html.index("</div>\n", start) + 6]


async def test_publishing_refused_by_the_nov_check_shows_each_reason_at_its_field_and_keeps_the_input(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("organisation", subject_id=ORG_ID))
    base = rf"/v1/centrales/vc-utrecht/organisations/{ORG_ID}/tasks/{TASK_ID}"
    services.answer("PUT", "registry", base, None, 204)
    services.refuse("POST", "registry", rf"{base}/publish", 422, NOV_REFUSAL)
    token = csrf_of((await portal.get(f"/organisatie/taken/{TASK_ID}")).text)

    response = await portal.post(
        f"/organisatie/taken/{TASK_ID}",
        data={
            "csrf_token": token,
            "title": "Bus <rijden>",
            "description": "Rijden.",
            "theme": "ouderen",
            "capacity": "2",
            "hours_per_week": "30",
            "shifts": ["2-ochtend"],
            "publish": "1",
        },
    )

    assert response.status_code == 422
    html = response.text
    hours = _field_block(html, "veld-hours_per_week")
    assert "vraagt 30.00 uur per week; de NOV-criteria staan hoogstens 20 toe" in hours, "the API's reason, in Dutch"
    assert 'value="30"' in hours
    assert 'aria-invalid="true"' in hours
    assert "minstens 40 tekens" in _field_block(html, "veld-description")
    assert 'href="#veld-hours_per_week"' in html
    assert 'href="#veld-description"' in html, "the summary links each"
    assert "aansprakelijkheidsverzekering" in html[html.index('id="veld-task"') :], "the organisation's own at the top"
    assert 'value="Bus &lt;rijden&gt;"' in html, "the title as typed, escaped"
    assert re.search(r'value="2-ochtend"[^>]*checked', html), "the shifts as ticked"
    put = next(call for call in services.calls if call[0] == "PUT")
    assert put[4]["hours_per_week"] == "30"
    assert put[4]["shifts"] == [{"weekday": 2, "start": "09:00", "end": "12:00"}]


async def test_what_the_portal_cannot_read_is_refused_before_any_service_is_asked(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("volunteer", subject_id="v"))
    token = csrf_of((await portal.get("/vrijwilliger/uren")).text)
    services.calls.clear()

    response = await portal.post(
        "/vrijwilliger/uren", data={"csrf_token": token, "match_id": "m", "worked_on": "31-02-2026", "hours": "twee"}
    )

    assert response.status_code == 422
    assert "Vul een datum in zoals 17-05-2026." in _field_block(response.text, "veld-worked_on")
    assert "Vul een getal in, zoals 3 of 2,5." in _field_block(response.text, "veld-hours")
    assert not [call for call in services.calls if call[0] == "POST"]


async def test_english_visitors_get_the_portals_own_messages_in_english(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("volunteer", subject_id="v"))
    token = csrf_of((await portal.get("/vrijwilliger/uren")).text)

    response = await portal.post(
        "/vrijwilliger/uren",
        data={"csrf_token": token, "match_id": "m", "worked_on": "", "hours": "1"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )

    assert '<html lang="en"' in response.text
    assert "Fill in a date." in response.text


async def test_under_16_registration_asks_the_parents_consent_and_sends_it_with_the_others(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.answer("POST", "registry", r"/v1/centrales/vc-utrecht/volunteers/self-registration",
                    {"id": "c", "role": "volunteer", "centrale_id": "vc-utrecht", "token": "new", "kind": "session"},
                    201)  # fmt: skip
    token = csrf_of((await portal.get("/aanmelden")).text)
    fifteen = f"{dutch_today().year - 15}-01-01"
    form = {"csrf_token": token, "centrale_id": "vc-utrecht", "name": "Noor", "email": "noor@example.org",
            "birth_date": fifteen, "password": "een lange wachtzin", "consents": ["matching"]}  # fmt: skip

    parent = {"guardian_name": "Samira", "guardian_relation": "parent", "guardian_email": "samira@example.org"}

    refused = await portal.post("/aanmelden", data=form)
    sent = await portal.post("/aanmelden", data={**form, **parent})

    assert refused.status_code == 422
    # The minor ticks nothing for the parent (the registry would not count it): the parent consents by mail.
    assert 'name="parental_consent"' not in refused.text
    assert "Vul dit veld in" in _field_block(refused.text, "veld-guardian_name")
    assert "Vul dit veld in" in _field_block(refused.text, "veld-guardian_email")
    assert sent.status_code == 303
    [registration] = [call[4] for call in services.calls if call[0] == "POST"]
    assert [c["kind"] for c in registration["consents"]] == ["matching"]
    # The registry e-mails the parent their consent link (issue 16): name, relation and address go along.
    assert registration["guardian"] == {"name": "Samira", "relation": "parent", "email": "samira@example.org"}
    assert all(c["text_version"] == "2026-01" for c in registration["consents"])
