"""Retention jobs of the registry on real PostgreSQL, Kafka and SMTP with a clock the test moves: volunteers
inactive for two years are asked by e-mail to re-confirm; one who answers stays, one who does not is erased after
the window; a dormant organisation loses its contact person. Each run's counts are exact."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from common.clock import ManualClock
from common.jobs import Scheduler
from tests.support.mailbox import Mailbox, link_token, running_mailbox
from tests.support.registry_client import Registry, running_registry

pytestmark = pytest.mark.integration

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server the registry sends the re-confirmation mails to."""
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="module")
async def registry(
    kafka_bootstrap: str, postgres_server_dsn: str, mailbox: Mailbox, clock: ManualClock
) -> AsyncIterator[Registry]:
    """The registry with SMTP, its default retention settings, and jobs only when the test runs them."""
    async with running_registry(
        kafka_bootstrap,
        postgres_server_dsn,
        secrets.token_urlsafe(24),
        clock=clock,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_sender="bewaren@vc-test.example",
        reconfirm_link_url="https://portal.vc-test.example/blijven?token={token}",
        scheduler_enabled=False,
    ) as running:
        yield running


def _scheduler(registry: Registry) -> Scheduler:
    assert registry.app is not None
    scheduler: Scheduler = registry.app.state.runtime.scheduler
    return scheduler


async def _run(registry: Registry, job: str) -> dict[str, int]:
    run = await _scheduler(registry).run_now(job)
    assert run.status == "done", run
    return dict(run.counts)


async def test_inactive_volunteers_re_confirm_or_are_erased_and_dormant_contacts_go(
    registry: Registry, mailbox: Mailbox, clock: ManualClock
) -> None:
    centrale_id, staff = await registry.new_centrale()
    stays = await registry.register_volunteer(centrale_id, staff, email="blijft@example.nl")
    silent = await registry.register_volunteer(centrale_id, staff, email="zwijgt@example.nl")
    await registry.new_organisation(centrale_id, staff)
    clock.advance(700 * DAY)
    staff = await registry.credential(f"/v1/centrales/{centrale_id}/credentials", registry.ops)  # the first expired
    later = await registry.register_volunteer(centrale_id, staff, email="later@example.nl")

    clock.advance(31 * DAY)  # 731 days after the first two registered: inactive for two years
    counts = await _run(registry, "reconfirm-inactive-volunteers")
    assert counts == {"erased": 0, "asked": 2, "mailed": 2, "asked_without_email": 0}
    [to_stay] = await mailbox.wait_for("blijft@example.nl", 1)
    [to_silent] = await mailbox.wait_for("zwijgt@example.nl", 1)
    assert "ingeschreven blijven" in to_silent["Subject"]
    assert "https://portal.vc-test.example/blijven?token=" in to_silent.get_content()
    assert mailbox.to("later@example.nl") == []
    # Asked once: the next day nobody new is asked, and nobody is erased before the window ends.
    clock.advance(DAY)
    assert await _run(registry, "reconfirm-inactive-volunteers") == {
        "erased": 0,
        "asked": 0,
        "mailed": 0,
        "asked_without_email": 0,
    }

    answered = await registry.http.post("/v1/reconfirmations", json={"token": link_token(to_stay)})
    assert answered.status_code == 204, answered.text
    clock.advance(30 * DAY)  # past the 30-day window

    assert await _run(registry, "reconfirm-inactive-volunteers") == {
        "erased": 1,
        "asked": 0,
        "mailed": 0,
        "asked_without_email": 0,
    }
    async with registry.pool.acquire() as conn:
        rows = {
            row["id"]: row
            for row in await conn.fetch(
                "SELECT id, name, email, erased_at FROM volunteers WHERE id = ANY($1::uuid[])", [stays, silent, later]
            )
        }
        erased_events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE key = $1 AND headers::text LIKE '%volunteer.erased%'", str(silent)
        )
    assert rows[silent]["erased_at"] is not None
    assert (rows[silent]["name"], rows[silent]["email"]) == (None, None)
    assert rows[stays]["erased_at"] is None
    assert rows[later]["erased_at"] is None
    assert erased_events == 1
    late = await registry.http.post("/v1/reconfirmations", json={"token": link_token(to_silent)})
    assert late.status_code == 404

    # The organisation registered 762 days ago without a task: past the 730-day window.
    assert await _run(registry, "purge-organisation-contacts") == {"organisations": 1}
    clock.advance(timedelta(minutes=1))  # a run on demand is one per moment
    assert await _run(registry, "purge-organisation-contacts") == {"organisations": 0}
    assert await _run(registry, "purge-closed-task-texts") == {"tasks": 0}
