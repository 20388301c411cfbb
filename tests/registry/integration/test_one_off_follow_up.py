"""The follow-up after a one-off day (issue 18, point 7): the reminders job mails the volunteer, over real SMTP,
three structural tasks that fit them, once; no personal data goes on a topic for it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from common.clock import ManualClock
from tests.support.mailbox import Mailbox, running_mailbox
from tests.support.registry_client import Registry, running_registry

pytestmark = pytest.mark.integration

PORTAL = "https://portaal.vc-test.example"


@pytest.fixture(scope="module")
def mailbox() -> Any:
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
async def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture(scope="module")
async def registry(
    kafka_bootstrap: str, postgres_server_dsn: str, mailbox: Mailbox, clock: ManualClock
) -> AsyncIterator[Registry]:
    async with running_registry(
        kafka_bootstrap, postgres_server_dsn, secrets.token_urlsafe(24), clock=clock, scheduler_enabled=False,
        smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_sender="vacatures@vc-test.example",
        messages_poll_interval_s=0.1, notice_gather_s=0, portal_url=PORTAL,
    ) as service:  # fmt: skip
        yield service


async def _run_job(registry: Registry, name: str) -> dict[str, Any]:
    started = await registry.http.post(f"/v1/ops/jobs/{name}/runs", headers=registry.ops)
    assert started.status_code == 202, started.text
    for _ in range(600):
        run: dict[str, Any] = (await registry.http.get(started.headers["Location"], headers=registry.ops)).json()
        if run["status"] != "running":
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {name} still running")


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


async def test_after_a_one_off_day_the_volunteer_is_mailed_three_structural_tasks_that_fit_once(
    registry: Registry, mailbox: Mailbox, clock: ManualClock
) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    email = f"sanne{secrets.token_hex(3)}@example.nl"
    volunteer = await registry.register_volunteer(centrale_id, staff, email=email, interests=["natuur", "zorg"])
    # At 09:00 UTC (10:00 or 11:00 in the Netherlands): a day starting at the hour the test runs would end after
    # Dutch midnight when run in the evening, and "ended before today" is decided on the Dutch date.
    day = (clock.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    one_off = await registry.published_task(
        centrale_id, organisation_id, organisation, title="Bomen planten op NLdoet", theme="natuur", shifts=[],
        vog_required=False, one_off_start=day.isoformat(), one_off_end=(day + timedelta(hours=4)).isoformat(),
    )  # fmt: skip
    # Four structural tasks: three fit her interests (natuur, zorg), one does not; one more one-off task.
    fitting = {}
    for title, theme in (
        ("Natuurwerkgroep", "natuur"),
        ("Koffie schenken in het verpleeghuis", "zorg"),
        ("Tuinploeg van de kinderboerderij", "natuur"),
        ("Penningmeester van de schaakclub", "sport"),
    ):
        fitting[title] = await registry.published_task(
            centrale_id, organisation_id, organisation, title=title, theme=theme, vog_required=False
        )  # fmt: skip
    await registry.published_task(
        centrale_id, organisation_id, organisation, title="Nog een eenmalige klus", theme="natuur", shifts=[],
        vog_required=False, one_off_start=(day + timedelta(days=20)).isoformat(),
        one_off_end=(day + timedelta(days=20, hours=3)).isoformat(),
    )  # fmt: skip
    await registry.match(one_off, organisation_id, centrale_id, volunteer, days_ago=0)
    [matched] = await mailbox.wait_for(email, 1)  # "het is een match", before the day
    assert matched["Subject"].startswith("Het is een match")

    # The day before the one-off day ends nothing is due; the day after, the follow-up goes out.
    before = await _run_job(registry, "reminders")
    assert before["status"] == "done", before
    assert before["counts"]["one_off_follow_ups"] == 0
    clock.advance(timedelta(days=3))
    after = await _run_job(registry, "reminders")
    assert after["counts"]["one_off_follow_ups"] == 1
    _, mail = await mailbox.wait_for(email, 2)

    text = _text(mail)
    assert mail["Subject"] == "Bedankt voor Bomen planten op NLdoet! Zin in meer?"
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(listed) == 3
    for title in ("Natuurwerkgroep", "Koffie schenken in het verpleeghuis", "Tuinploeg van de kinderboerderij"):
        assert f"{PORTAL}/vacatures/{fitting[title]}" in text
    assert "Penningmeester" not in text  # does not fit her interests while three others do
    assert "eenmalige klus" not in text  # one-off, not structural
    assert "Bomen planten" not in "\n".join(listed)  # the task she did is not offered again

    # Once: the next day's run queues nothing new.
    clock.advance(timedelta(days=1))
    again = await _run_job(registry, "reminders")
    assert again["counts"]["one_off_follow_ups"] == 0
    await asyncio.sleep(0.5)
    assert len(mailbox.to(email)) == 2
