"""A centrale brings its history in from another system, end to end on real Kafka, PostgreSQL and SMTP (issue 18).

Staff check a volunteers file and an hours file with deliberate errors: the dry run names exactly those rows and
fields and stores nothing; the import takes the rest. Years of hours worked before the platform earn the
milestones and anniversaries they earn, marked historic, and no thank-you mail goes out for them (a match made
now is thanked, so the mail works); reporting counts the hours in the months they were worked. Running every
import again changes nothing: rows, events, awards and figures stay as they were.

Registry (with SMTP), appreciation and reporting run in this process, each on its own database, talking only
through the broker.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import pytest

from common.localinfra.postgres import create_database
from tests.appreciation.integration.conftest import Appreciation, running_appreciation
from tests.reporting.integration.conftest import Reporting, running_reporting
from tests.support.mailbox import Mailbox, running_mailbox
from tests.support.registry_client import Headers, Registry, running_registry

pytestmark = pytest.mark.integration

T = TypeVar("T")
SOURCE = "vrijwilligersbank"
# The people of the other system (two rows with an error); Fatima gave 120 hours in June 2015.
VOLUNTEERS = [
    ["Relatienummer", "Voornaam", "Achternaam", "E-mail", "Geboortedatum", "Ingeschreven op",
     "Toestemming bemiddeling", "Toestemming waardering", "Toestemming versie"],
    ["R-1", "Fatima", "el Amrani", "fatima.{m}@example.nl", "17-05-1980", "01-02-2014", "01-02-2014", "ja", "vb-2014"],
    ["R-2", "Jan", "de Vries", "jan.{m}@example.nl", "01-01-1960", "01-02-2014", "ja", "ja", "vb-2014"],
    ["R-3", "Sanne", "Bakker", "sanne@", "01-01-1985", "01-02-2014", "ja", "ja", "vb-2014"],
    ["R-4", "Kees", "Jansen", "kees.{m}@example.nl", "01-01-1970", "01-02-2014", "ja", "ja", "vb-2014"],
    ["R-5", "Anna", "Smit", "anna.{m}@example.nl", "01-01-1975", "01-02-2014", "ja", "ja", "vb-2014"],
    ["R-6", "Piet", "Mulder", "piet.{m}@example.nl", "01-01-2099", "01-02-2014", "ja", "ja", "vb-2014"],
    ["R-7", "Ria", "Visser", "ria.{m}@example.nl", "01-01-1990", "01-02-2014", "ja", "ja", "vb-2014"],
    ["R-8", "Mo", "Haddou", "mo.{m}@example.nl", "01-01-1995", "01-02-2014", "ja", "ja", "vb-2014"],
]  # fmt: skip
ORGANISATIONS = [
    ["id", "naam", "kvk", "postcode", "contactpersoon", "e-mail", "verzekerd"],
    ["O-1", "Voedselbank Oudstad", "12345678", "2346 AB", "Els de Boer", "els@voedselbank.example", "ja"],
]
TASKS = [
    ["id", "organisatie", "titel", "omschrijving", "thema", "uren per week", "diensten", "status"],
    ["T-1", "O-1", "Pakketten inpakken", "Pak op dinsdagochtend de voedselpakketten in voor de uitgifte.",
     "voedselhulp", "3", "di 09:00-12:00", "gesloten"],
]  # fmt: skip


OTHERS = ("R-2", "R-4", "R-5", "R-7", "R-8")
HOURS = [
    ["Registratie", "Vrijwilliger", "Organisatie", "Taak", "Datum", "Uren", "Thema"],
    # Fatima: 8 hours on 15 days of June 2015, 120 in all (the theme comes from the task): lines 2-16.
    *([f"U-F{day}", "R-1", "O-1", "T-1", f"2015-06-{day:02d}", "8", ""] for day in range(1, 16)),
    # Five others: 2 hours in June 2015 (lines 17-21) and 4 in March 2016 (lines 22-26).
    *([f"U-J{n}", volunteer, "O-1", "T-1", "2015-06-20", "2", ""] for n, volunteer in enumerate(OTHERS)),
    *([f"U-M{n}", volunteer, "O-1", "", "2016-03-10", "4", "zorg"] for n, volunteer in enumerate(OTHERS)),
    ["U-X1", "R-99", "O-1", "", "2016-03-11", "4", ""],  # line 27: a volunteer the other system did not export
    ["U-X2", "R-2", "O-1", "", "2016-03-12", "30", ""],  # line 28: more hours than a day has
    ["U-F3", "R-4", "O-1", "", "2016-03-13", "2", ""],  # line 29: the id of another row of the file
    ["U-X3", "R-3", "O-1", "", "2016-03-14", "2", ""],  # line 30: Sanne's row was refused, so she is unknown
]
THANK_YOU_FOR_THE_PAST = ("Gefeliciteerd",)  # the subjects of the milestone and anniversary thank-yous


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 90.0) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


def csv_of(rows: list[list[str]], marker: str) -> bytes:
    return "\n".join(";".join(cell.replace("{m}", marker) for cell in row) for row in rows).encode()


@dataclass
class Region:
    """The three services and the mailbox."""

    registry: Registry
    appreciation: Appreciation
    reporting: Reporting
    mailbox: Mailbox

    async def upload(self, centrale_id: str, staff: Headers, kind: str, content: bytes, *, apply: bool) -> Any:
        """Staff send a file; the report."""
        answer = await self.registry.http.post(
            f"/v1/centrales/{centrale_id}/imports/{kind}",
            files={"file": (f"{kind}.csv", content, "text/csv")},
            data={"source": SOURCE, "dry_run": "false" if apply else "true"},
            headers=staff,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
async def region(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Region]:
    appreciation_dsn = await create_database(postgres_server_dsn, f"appreciation_{secrets.token_hex(5)}")
    with running_mailbox() as mailbox:
        async with (
            running_reporting(kafka_bootstrap, postgres_server_dsn) as reporting,
            running_appreciation(kafka_bootstrap, appreciation_dsn, f"appreciation-{secrets.token_hex(5)}") as apprec,
            running_registry(
                kafka_bootstrap, postgres_server_dsn, secrets.token_urlsafe(24), scheduler_enabled=False,
                smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_sender="waardering@vc-test.example",
                messages_poll_interval_s=0.1, notice_gather_s=3600,
            ) as registry,
        ):  # fmt: skip
            yield Region(registry, apprec, reporting, mailbox)


async def test_a_centrales_history_comes_in_once_as_history_and_a_re_run_changes_nothing(region: Region) -> None:
    registry, reporting = region.registry, region.reporting
    centrale_id, staff = await registry.new_centrale()
    await reporting.configure({centrale_id: ("GM0998", "Oudstad")}, [("2346", "WK099801", "Centrum")])
    marker = secrets.token_hex(3)
    volunteers = csv_of(VOLUNTEERS, marker)

    # The dry run names exactly the rows and fields with errors, and stores nothing.
    checked = await region.upload(centrale_id, staff, "volunteers", volunteers, apply=False)
    assert [(p["line"], p["field"]) for p in checked["problems"]] == [(4, "email"), (7, "birth_date")]
    assert (checked["rows"], checked["added"], checked["skipped"]) == (8, 6, 2)
    assert await registry.pool.fetchval("SELECT count(*) FROM volunteers WHERE centrale_id = $1", centrale_id) == 0

    imported = await region.upload(centrale_id, staff, "volunteers", volunteers, apply=True)
    assert (imported["added"], imported["skipped"], imported["events"]) == (6, 2, 6)
    for kind, rows in (("organisations", ORGANISATIONS), ("tasks", TASKS)):
        report = await region.upload(centrale_id, staff, kind, csv_of(rows, marker), apply=True)
        assert (report["added"], report["problems"]) == (1, [])

    hours = csv_of(HOURS, marker)
    checked = await region.upload(centrale_id, staff, "hours", hours, apply=False)
    assert [(p["line"], p["field"]) for p in checked["problems"]] == [
        (27, "volunteer"), (28, "hours"), (29, "external_id"), (30, "volunteer"),
    ]  # fmt: skip
    assert (checked["rows"], checked["added"], checked["skipped"]) == (29, 25, 4)
    assert await registry.pool.fetchval("SELECT count(*) FROM historic_hours WHERE centrale_id = $1", centrale_id) == 0
    imported = await region.upload(centrale_id, staff, "hours", hours, apply=True)
    assert (imported["added"], imported["events"]) == (25, 6)  # one event per volunteer

    fatima: UUID = await registry.pool.fetchval(
        "SELECT record_id FROM import_links WHERE centrale_id = $1 AND kind = 'volunteers' AND external_id = 'R-1'",
        centrale_id,
    )
    expected = {"hours-10", "hours-25", "hours-50", "hours-100", "anniversary-1", "anniversary-5", "anniversary-10"}

    async def fatimas_awards() -> list[Any] | None:
        rows = await region.appreciation.awards(fatima)
        return rows if {row["rule_id"] for row in rows} == expected else None

    awards = await eventually(fatimas_awards, "Fatima's historic awards")
    assert all(row["historic"] for row in awards)

    async def thank_yous_recorded() -> list[Any] | None:
        rows = await registry.pool.fetch(
            "SELECT status, reason FROM appreciation_messages WHERE recipient_id = $1", fatima
        )
        return rows if len(rows) == len(expected) else None

    messages = await eventually(thank_yous_recorded, "the registry to record the awards")
    assert {(row["status"], row["reason"]) for row in messages} == {("not_sent", "historic")}

    async def march_figures() -> dict[str, Any] | None:
        figures = await reporting.json("/v1/municipalities/GM0998/figures", period="2016-03")
        headline = {item["kpi"]: item["value"] for item in figures["headline"]}
        return headline if headline["hours"] == 20 else None

    march = await eventually(march_figures, "reporting to count March 2016")
    assert march["volunteers_active"] == 5
    june_2015 = await reporting.json("/v1/municipalities/GM0998/figures", period="2015-06")
    june = {item["kpi"]: item["value"] for item in june_2015["headline"]}
    assert (june["hours"], june["volunteers_active"]) == (130, 6)

    # A match made now is celebrated: the mail works, it just is not sent for the past.
    organisation_id = await registry.pool.fetchval("SELECT id FROM organisations WHERE centrale_id = $1", centrale_id)
    task_id = await registry.pool.fetchval("SELECT id FROM tasks WHERE centrale_id = $1", centrale_id)
    await registry.match(task_id, organisation_id, centrale_id, fatima)
    [mail] = await region.mailbox.wait_for(f"fatima.{marker}@example.nl", 1, timeout=90)
    assert mail["Subject"] == "Welkom als vrijwilliger, Fatima el Amrani!"
    assert "Je eerste klus als vrijwilliger" in mail.get_content()

    # Everything again: nothing changes anywhere.
    async def counts() -> tuple[int, ...]:
        registry_counts = await registry.pool.fetchrow(
            "SELECT (SELECT count(*) FROM volunteers WHERE centrale_id = $1),"
            " (SELECT count(*) FROM historic_hours WHERE centrale_id = $1),"
            " (SELECT count(*) FROM outbox), (SELECT count(*) FROM appreciation_messages WHERE centrale_id = $1)",
            centrale_id,
        )
        awards_count = await region.appreciation.pool.fetchval(
            "SELECT count(*) FROM awards WHERE centrale_id = $1", centrale_id
        )
        return (*registry_counts, awards_count)

    await region.appreciation.outbox_drained()
    before = await counts()
    for kind, rows in (("volunteers", VOLUNTEERS), ("organisations", ORGANISATIONS), ("tasks", TASKS)):
        again = await region.upload(centrale_id, staff, kind, csv_of(rows, marker), apply=True)
        assert (again["added"], again["changed"], again["events"]) == (0, 0, 0), kind
    again = await region.upload(centrale_id, staff, "hours", hours, apply=True)
    assert (again["added"], again["changed"], again["unchanged"], again["events"]) == (0, 0, 25, 0)
    await asyncio.sleep(2)  # anything a re-run set off would be on its way by now
    assert await counts() == before
    assert [m["Subject"] for m in region.mailbox.messages if m["Subject"].startswith(THANK_YOU_FOR_THE_PAST)] == []
    assert len(region.mailbox.to(f"fatima.{marker}@example.nl")) == 1
    figures = await reporting.json("/v1/municipalities/GM0998/figures", period="2016-03")
    assert {item["kpi"]: item["value"] for item in figures["headline"]}["hours"] == 20
