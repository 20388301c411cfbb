"""CSR figures name the company (from BusinessPartnerRegistered), also for a period without any team day."""

from __future__ import annotations

import pytest

from tests.reporting.integration.conftest import Scenario

pytestmark = pytest.mark.integration


async def test_a_partners_figures_name_the_company_in_a_period_without_team_days(scenario: Scenario) -> None:
    region = scenario.region
    hr = await scenario.reporting.credential("business_partner", subject_id=region.partner_bank)

    quiet = await scenario.reporting.json(f"/v1/partners/{region.partner_bank}/figures", hr, period="2025")

    assert quiet["scope"] == {"kind": "partner", "id": str(region.partner_bank), "name": "Rabobank Utrecht"}
    assert {item["kpi"]: item["value"] for item in quiet["headline"]} == {
        "team_days": 0,
        "team_employees": 0,
        "team_hours": 0,
    }
