"""Refused forms come back as typed, with every reason at its field and in the summary linking to it."""

from __future__ import annotations

import re

import httpx

from common.clock import dutch_today
from tests.portal.unit.conftest import csrf_of, log_in
from tests.portal.unit.fake_services import (
    ORG_ID,
    SHIFT_IDS,
    SIGNUP_ID,
    TASK_ID,
    VOLUNTEER_ID,
    FakeServices,
    Session,
)

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


async def test_planning_shifts_turns_the_choices_into_a_rule_and_a_refusal_shows_at_the_field_as_typed(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("organisation", subject_id=ORG_ID))
    patterns = rf"/v1/centrales/vc-utrecht/tasks/{TASK_ID}/shift-patterns"
    services.answer("POST", "registry", patterns, {"patterns": 1, "shifts": 6}, 201)
    page = (await portal.get(f"/organisatie/taken/{TASK_ID}")).text
    assert "2 van 2" in page, "the shifts listed with their places taken"
    token = csrf_of(page)
    typed = {
        "csrf_token": token,
        "shift_repeat": "monthly-1",
        "shift_weekday": "6",
        "shift_starts_on": "2026-10-01",
        "shift_start": "09:00",
        "shift_end": "12:00",
        "shift_capacity": "",
        "shift_until": "30-06-2027",
    }

    planned = await portal.post(f"/organisatie/taken/{TASK_ID}/diensten", data=typed)

    assert planned.status_code == 303
    assert planned.headers["location"] == f"/organisatie/taken/{TASK_ID}?gedaan=diensten-toegevoegd#diensten"
    posted = next(call for call in services.calls if call[0] == "POST" and call[2] == patterns.replace("\\", ""))
    assert posted[4] == {"rule": "FREQ=MONTHLY;BYDAY=1SA;UNTIL=20270630", "starts_on": "2026-10-01", "start": "09:00",
                         "end": "12:00"}  # fmt: skip

    services.refuse(
        "POST", "registry", patterns, 422, {"detail": [{"loc": ["body", "rule"], "msg": "the rule yields no shifts"}]}
    )
    refused = await portal.post(f"/organisatie/taken/{TASK_ID}/diensten", data={**typed, "shift_start": "9 uur"})
    assert refused.status_code == 422
    assert "Fill in a time like 09:30." not in refused.text
    start = _field_block(refused.text, "veld-shift_start")
    assert 'value="9 uur"' in start, "the time as typed"
    assert 'aria-invalid="true"' in start
    assert 'href="#veld-shift_start"' in refused.text

    again = await portal.post(f"/organisatie/taken/{TASK_ID}/diensten", data=typed)
    assert again.status_code == 422
    assert 'aria-invalid="true"' in _field_block(again.text, "veld-shift_repeat"), "the rule's reason at how often"
    assert 'value="2026-10-01"' in again.text


async def test_a_volunteer_signs_up_for_a_shift_and_cancels_their_own_sign_up(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("volunteer", subject_id=VOLUNTEER_ID))
    shifts = f"/v1/centrales/vc-utrecht/tasks/{TASK_ID}/shifts"
    services.answer(
        "POST", "registry", rf"{shifts}/{SHIFT_IDS[0]}/signups", {"id": SIGNUP_ID, "status": "waiting"}, 201
    )
    services.answer("POST", "registry", rf"{shifts}/{SHIFT_IDS[1]}/signups/{SIGNUP_ID}/cancel", {"placed": []})
    page = (await portal.get(f"/vrijwilliger/diensten/{TASK_ID}")).text
    assert "Op de wachtlijst" in page, "a full shift offers its waiting list"
    assert "Je bent aangemeld" in page, "their own sign-up, to cancel"
    token = csrf_of(page)

    joined = await portal.post(f"/vrijwilliger/diensten/{TASK_ID}/{SHIFT_IDS[0]}/aanmelden", data={"csrf_token": token})
    cancelled = await portal.post(
        f"/vrijwilliger/diensten/{TASK_ID}/{SHIFT_IDS[1]}/afmelden/{SIGNUP_ID}", data={"csrf_token": token}
    )

    assert joined.headers["location"] == f"/vrijwilliger/diensten/{TASK_ID}?gedaan=dienst-wachtlijst"
    assert cancelled.headers["location"] == f"/vrijwilliger/diensten/{TASK_ID}?gedaan=dienst-afgemeld"
    assert [(c[0], c[2]) for c in services.calls if c[0] == "POST"] == [
        ("POST", f"{shifts}/{SHIFT_IDS[0]}/signups"),
        ("POST", f"{shifts}/{SHIFT_IDS[1]}/signups/{SIGNUP_ID}/cancel"),
    ]


async def test_the_shifts_page_of_a_task_without_a_running_match_is_not_found(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("volunteer", subject_id=VOLUNTEER_ID))

    response = await portal.get(f"/vrijwilliger/diensten/{ORG_ID}")

    assert response.status_code == 404


async def test_a_new_task_saved_but_refused_at_publishing_is_its_page_with_the_reasons_and_its_shifts(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("organisation", subject_id=ORG_ID))
    tasks = rf"/v1/centrales/vc-utrecht/organisations/{ORG_ID}/tasks"
    services.answer("POST", "registry", tasks, {"id": TASK_ID}, 201)
    services.refuse("POST", "registry", rf"{tasks}/{TASK_ID}/publish", 422, NOV_REFUSAL)
    token = csrf_of((await portal.get("/organisatie/taken/nieuw")).text)

    response = await portal.post(
        "/organisatie/taken/nieuw",
        data={"csrf_token": token, "title": "Bus rijden", "description": "Rijden.", "theme": "ouderen",
              "capacity": "2", "hours_per_week": "30", "publish": "1"},
    )  # fmt: skip

    assert response.status_code == 422
    assert "minstens 40 tekens" in _field_block(response.text, "veld-description")
    assert 'id="diensten"' in response.text, "the saved draft's page: its shifts section too"
