"""Registry and matching as real processes: a posted task gets a proposal, both sides' yes fills the task."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Platform
from tests.e2e.test_walking_skeleton import _new_centrale

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

TUESDAY = [{"weekday": 2, "start": "09:00", "end": "12:00"}]


async def _until(probe: Any, what: str, timeout: float = 45.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := await probe()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)
    return result


async def test_task_to_proposal_to_match_across_processes(platform: Platform) -> None:
    registry, matching = platform.url("registry"), platform.url("matching")
    async with httpx.AsyncClient(timeout=10) as client:
        centrale_id, staff = await _new_centrale(client, platform)
        volunteer = await client.post(
            f"{registry}/v1/centrales/{centrale_id}/volunteers",
            headers=staff,
            json={
                "name": "Noor",
                "skills": ["koken"],
                "interests": ["zorg"],
                "availability": TUESDAY,
                "consents": [{"kind": "matching", "text_version": "2026-01"}],
            },
        )
        volunteer_id = volunteer.json()["id"]
        organisation = await client.post(
            f"{registry}/v1/centrales/{centrale_id}/organisations",
            headers=staff,
            json={
                "name": "Buurthuis",
                "formal": False,
                "liability_insured": True,
                "contact_person": {"name": "Anna", "email": "anna@buurthuis.example"},
            },
        )
        organisation_id = organisation.json()["id"]
        base = f"{registry}/v1/centrales/{centrale_id}/organisations/{organisation_id}"
        assert (await client.post(f"{base}/admit", headers=staff)).status_code == 204
        org_token = await client.post(f"{base}/credentials", json={"label": "coördinator"}, headers=staff)
        org = {"Authorization": f"Bearer {org_token.json()['token']}"}
        task = await client.post(
            f"{base}/tasks",
            headers=org,
            json={
                "title": "Samen koken",
                "theme": "zorg",
                "skills": ["koken"],
                "capacity": 1,
                "hours_per_week": "3",
                "vog_required": False,
                "shifts": TUESDAY,
                "description": "Kook op dinsdagochtend mee in het buurthuis voor ouderen uit de wijk.",
            },
        )
        task_id = task.json()["id"]
        assert (await client.post(f"{base}/tasks/{task_id}/publish", headers=org)).status_code == 204

        async def proposals() -> list[dict[str, Any]]:
            response = await client.get(f"{matching}/v1/centrales/{centrale_id}/tasks/{task_id}/proposals", headers=org)
            return response.json() if response.status_code == 200 else []

        [proposal] = await _until(proposals, "a proposal from the matching process")
        assert proposal["volunteer_id"] == volunteer_id
        assert "vaardigheden 1/1: koken" in proposal["reasons"]
        accept = f"{matching}/v1/centrales/{centrale_id}/proposals/{proposal['match_id']}/accept"
        assert (await client.post(accept, headers=org)).json()["status"] == "accepted"
        token = await client.post(
            f"{registry}/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials",
            json={"label": "telefoon"},
            headers=staff,
        )
        volunteer = {"Authorization": f"Bearer {token.json()['token']}"}

        async def agreed() -> bool:
            agree = f"{matching}/v1/me/proposals/{proposal['match_id']}/agree"
            response = await client.post(agree, headers=volunteer)  # 401 until matching learned the credential
            return response.status_code == 200 and response.json()["status"] == "made"

        await _until(agreed, "the volunteer's yes")

        async def filled() -> bool:
            return (await client.get(f"{base}/tasks/{task_id}", headers=org)).json()["status"] == "filled"

        await _until(filled, "the registry to close the task as filled")
