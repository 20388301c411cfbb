"""Allowance guardrail: totals across all organisations, warned before a payment breaks a fiscal limit."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from common.clock import dutch_today
from tests.appreciation.integration.conftest import Appreciation, Headers

pytestmark = pytest.mark.integration


async def _organisation(app: Appreciation, centrale_id: str, volunteer_id: UUID, name: str) -> tuple[str, Headers]:
    """An organisation that has a match with the volunteer; its allowance path and credential."""
    organisation_id = await app.organisation(centrale_id, name)
    task_id = await app.task(centrale_id, organisation_id, "sport", [])
    await app.match(centrale_id, volunteer_id, organisation_id, task_id)
    headers = await app.credential("organisation", centrale_id, organisation_id)
    return f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/allowances", headers


async def test_the_payment_that_would_break_the_monthly_limit_across_two_organisations_is_warned(
    appreciation: Appreciation,
) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    volunteer_id = await appreciation.volunteer(centrale_id, age_band="30-49")
    club, club_headers = await _organisation(appreciation, centrale_id, volunteer_id, "Voetbalclub")
    food_bank, food_bank_headers = await _organisation(appreciation, centrale_id, volunteer_id, "Voedselbank")
    payment = {"volunteer_id": str(volunteer_id), "paid_on": "2025-03-05", "amount": "150.00", "reference": "VC-1"}

    recorded = await appreciation.http.post(club, json=payment, headers=club_headers)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["within_limits"] is True

    about_to_pay = {"volunteer_id": str(volunteer_id), "paid_on": "2025-03-20", "amount": "80.00"}
    too_much = await appreciation.http.post(f"{food_bank}/check", json=about_to_pay, headers=food_bank_headers)
    just_enough = await appreciation.http.post(
        f"{food_bank}/check", json=about_to_pay | {"amount": "60.00"}, headers=food_bank_headers
    )
    next_month = await appreciation.http.post(
        f"{food_bank}/check", json=about_to_pay | {"paid_on": "2025-04-01"}, headers=food_bank_headers
    )

    assert too_much.status_code == 200, too_much.text
    assert too_much.json()["within_limits"] is False
    [warning] = too_much.json()["warnings"]
    assert (warning["limit"], warning["limit_amount"], warning["excess"]) == ("monthly", "210", "20.00")
    assert "across all organisations" in warning["message"]
    assert too_much.json()["month_room_before"] == "60.00"
    assert too_much.json()["limits_year"] == 2025
    assert just_enough.json()["within_limits"] is True
    assert just_enough.json()["warnings"] == []
    assert next_month.json()["within_limits"] is True
    # Checking recorded nothing; the food bank pays anyway and records it: warned again, and kept.
    paid = await appreciation.http.post(
        food_bank, json=about_to_pay | {"reference": "FB-77"}, headers=food_bank_headers
    )
    retried = await appreciation.http.post(
        food_bank, json=about_to_pay | {"reference": "FB-77"}, headers=food_bank_headers
    )
    reused = await appreciation.http.post(
        food_bank, json=about_to_pay | {"reference": "FB-77", "amount": "81.00"}, headers=food_bank_headers
    )
    assert paid.status_code == 201
    assert [w["limit"] for w in paid.json()["warnings"]] == ["monthly"]
    assert retried.status_code == 200
    assert retried.json()["id"] == paid.json()["id"]
    assert [w["limit"] for w in retried.json()["warnings"]] == ["monthly"]
    assert reused.status_code == 409

    # Each organisation sees only its own entries; staff of the centrale see an organisation's on its behalf.
    club_list = (await appreciation.http.get(club, params={"year": 2025}, headers=club_headers)).json()
    food_list = (await appreciation.http.get(food_bank, params={"year": 2025}, headers=food_bank_headers)).json()
    assert [(e["reference"], e["amount"]) for e in club_list] == [("VC-1", "150.00")]
    assert [(e["reference"], e["amount"]) for e in food_list] == [("FB-77", "80.00")]
    assert (await appreciation.http.get(food_bank, params={"year": 2025}, headers=staff)).status_code == 200
    assert (await appreciation.http.get(food_bank, headers=club_headers)).status_code == 404
    asked_by_club = await appreciation.http.post(f"{food_bank}/check", json=about_to_pay, headers=club_headers)
    assert asked_by_club.status_code == 404


async def test_hourly_yearly_and_unconfigured_years_are_checked(appreciation: Appreciation) -> None:
    centrale_id, _ = await appreciation.new_centrale()
    young = await appreciation.volunteer(centrale_id, age_band="18-20")
    adult = await appreciation.volunteer(centrale_id, age_band="50-66")
    path, headers = await _organisation(appreciation, centrale_id, young, "Scouting")
    organisation_id = UUID(path.split("/")[5])
    task_id = await appreciation.task(centrale_id, organisation_id, "jeugd", [])
    await appreciation.match(centrale_id, adult, organisation_id, task_id)

    def check(volunteer: UUID, **body: str) -> dict[str, str]:
        return {"volunteer_id": str(volunteer), "paid_on": "2025-06-10", "amount": "20.00", **body}

    young_rate = await appreciation.http.post(f"{path}/check", json=check(young, hours="5"), headers=headers)
    adult_rate = await appreciation.http.post(f"{path}/check", json=check(adult, hours="5"), headers=headers)
    for month in range(1, 11):  # 10 times €205: within every month, €2,050 in the year
        entry = check(adult, paid_on=f"2025-{month:02d}-01", amount="205.00", reference=f"M{month}")
        assert (await appreciation.http.post(path, json=entry, headers=headers)).status_code == 201
    yearly = await appreciation.http.post(
        f"{path}/check", json=check(adult, paid_on="2025-11-02", amount="60"), headers=headers
    )
    later_year = await appreciation.http.post(f"{path}/check", json=check(adult, paid_on="2026-01-05"), headers=headers)

    assert [w["limit"] for w in young_rate.json()["warnings"]] == ["hourly"]  # €4.00/h above €3.30 under 21
    assert young_rate.json()["warnings"][0]["limit_amount"] == "3.30"
    assert adult_rate.json()["warnings"] == []  # €4.00/h within €5.60 from 21
    assert [w["limit"] for w in yearly.json()["warnings"]] == ["yearly"]
    assert yearly.json()["warnings"][0]["excess"] == "10.00"
    assert yearly.json()["year_room_before"] == "50.00"
    # 2025's figures come with their official source; 2026 has none configured, and the answer says so.
    assert adult_rate.json()["limits"]["source"].startswith("https://www.belastingdienst.nl/")
    assert later_year.json()["within_limits"] is None
    assert later_year.json()["limits_configured"] is False
    assert later_year.json()["limits"] is None
    assert [w["limit"] for w in later_year.json()["warnings"]] == ["no_limits"]
    assert "no official limits are configured for 2026" in later_year.json()["warnings"][0]["message"]
    assert later_year.json()["limits_year"] == 2026


async def test_allowances_are_only_for_the_organisations_own_volunteers_and_inputs_are_checked(
    appreciation: Appreciation,
) -> None:
    centrale_id, _ = await appreciation.new_centrale()
    _, other_staff = await appreciation.new_centrale()
    volunteer_id = await appreciation.volunteer(centrale_id)
    stranger = await appreciation.volunteer(centrale_id)
    path, headers = await _organisation(appreciation, centrale_id, volunteer_id, "Buurthuis")
    tomorrow = (dutch_today() + timedelta(days=1)).isoformat()
    checked = {"volunteer_id": str(volunteer_id), "paid_on": "2025-05-01", "amount": "10"}
    body = checked | {"reference": "X"}

    not_served = await appreciation.http.post(
        f"{path}/check", json=checked | {"volunteer_id": str(stranger)}, headers=headers
    )
    other_tenant = await appreciation.http.post(f"{path}/check", json=checked, headers=other_staff)
    volunteer = await appreciation.credential("volunteer", centrale_id, volunteer_id)
    as_volunteer = await appreciation.http.post(f"{path}/check", json=checked, headers=volunteer)
    negative = await appreciation.http.post(path, json=body | {"amount": "-5"}, headers=headers)
    future = await appreciation.http.post(path, json=body | {"paid_on": tomorrow}, headers=headers)
    planned = await appreciation.http.post(f"{path}/check", json=body | {"paid_on": tomorrow}, headers=headers)

    assert not_served.status_code == 404
    assert other_tenant.status_code == 404
    assert as_volunteer.status_code == 403
    assert negative.status_code == 422
    assert negative.json()["detail"][0]["loc"] == ["body", "amount"]
    assert future.status_code == 422
    assert future.json()["detail"][0]["loc"] == ["body", "paid_on"]
    assert planned.status_code == 422  # /check takes no reference: unknown fields are refused
    assert planned.json()["detail"][0]["loc"] == ["body", "reference"]
