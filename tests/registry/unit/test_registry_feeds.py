"""The public formats: Atom 1.0 read back with an XML parser, JSON Feed 1.1, schema.org JSON-LD, iCalendar."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import icalendar
import pytest

from registry.feeds.atom import ATOM, FeedInfo, atom_feed
from registry.feeds.ical import CalendarEntry, WeeklyShift, render_calendar
from registry.feeds.json_feed import JSON_FEED_VERSION, json_feed
from registry.feeds.json_ld import REQUIRED, job_posting
from registry.feeds.text import hours_text, schedule_lines, what_is_asked
from registry.repositories import Vacature

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NS = {"atom": ATOM}


def a_vacature(**overrides: object) -> Vacature:
    """A published task as the public sees it."""
    values: dict[str, object] = {
        "id": uuid4(),
        "centrale_id": "vc-utrecht",
        "centrale_name": "Vrijwilligerscentrale Utrecht",
        "organisation_name": "Voedselbank Utrecht",
        "title": "Chauffeur voor de boodschappenbus",
        "description": "Je rijdt ouderen naar de markt.\nOp dinsdagochtend, met een vaste collega.",
        "theme": "ouderen",
        "capacity": 2,
        "hours_per_week": Decimal("3.50"),
        "vog_required": True,
        "status": "published",
        "published_at": NOW - timedelta(days=2),
        "offer": "Onkostenvergoeding",
        "skills": ["rijbewijs-b"],
        "postcode_area": "3511",
        "place": "Utrecht",
        "district": "Binnenstad",
        "shifts": [{"weekday": 2, "start": "09:00:00", "end": "12:00:00"}],
        "closing_date": date(2026, 12, 31),
    }
    return Vacature(**(values | overrides))  # type: ignore[arg-type]


INFO = FeedInfo(
    title="Vacatures van Vrijwilligerscentrale Utrecht",
    id="https://api.example/v1/centrales/vc-utrecht/vacatures/feed",
    self_url="https://api.example/v1/centrales/vc-utrecht/vacatures/feed.atom",
    home_url="https://vacatures.example/",
    author="Vrijwilligerscentrale Utrecht",
    updated=NOW,
)


def test_the_atom_feed_parses_and_has_every_element_atom_requires() -> None:
    tricky = a_vacature(title="Koffie & <thee> schenken", updated_at=NOW - timedelta(hours=1))
    plain = a_vacature()
    body = atom_feed(INFO, [(tricky, "https://vacatures.example/v/1"), (plain, "https://vacatures.example/v/2")])

    feed = ET.fromstring(body)  # noqa: S314 (our own output)
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert feed.tag == f"{{{ATOM}}}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    for required in ("atom:id", "atom:title", "atom:updated", "atom:author/atom:name"):
        assert (feed.findtext(required, namespaces=NS) or "").strip(), required
    assert datetime.fromisoformat(feed.findtext("atom:updated", namespaces=NS) or "") == NOW
    self_link = feed.find("atom:link[@rel='self']", NS)
    assert self_link is not None
    assert self_link.get("href") == INFO.self_url
    entries = feed.findall("atom:entry", NS)
    assert len(entries) == 2
    first = entries[0]
    for required in ("atom:id", "atom:title", "atom:updated", "atom:published", "atom:summary", "atom:content"):
        assert (first.findtext(required, namespaces=NS) or "").strip(), required
    assert first.findtext("atom:id", namespaces=NS) == f"urn:uuid:{tricky.id}"
    assert first.findtext("atom:title", namespaces=NS) == "Koffie & <thee> schenken"
    assert datetime.fromisoformat(first.findtext("atom:updated", namespaces=NS) or "") == NOW - timedelta(hours=1)
    alternate = first.find("atom:link[@rel='alternate']", NS)
    assert alternate is not None
    assert alternate.get("href") == "https://vacatures.example/v/1"
    content = first.find("atom:content", NS)
    assert content is not None
    assert content.get("type") == "html"
    assert "<p>Je rijdt ouderen naar de markt.</p>" in (content.text or "")
    category = first.find("atom:category", NS)
    assert category is not None
    assert category.get("term") == "ouderen"
    assert "3511 Utrecht Binnenstad" in (first.findtext("atom:summary", namespaces=NS) or "")


def test_an_empty_atom_feed_is_still_valid() -> None:
    feed = ET.fromstring(atom_feed(INFO, []))  # noqa: S314 (our own output)
    assert feed.findall("atom:entry", NS) == []
    assert feed.find("atom:author/atom:name", NS) is not None  # required when no entry names an author


def test_the_json_feed_carries_jsonfeed_fields_and_the_task_facts() -> None:
    vacature = a_vacature()
    feed = json_feed(INFO, [(vacature, "https://vacatures.example/v/1")])
    assert feed["version"] == JSON_FEED_VERSION
    assert (feed["title"], feed["feed_url"], feed["home_page_url"]) == (INFO.title, INFO.self_url, INFO.home_url)
    [item] = feed["items"]
    assert (item["id"], item["url"], item["title"]) == (
        str(vacature.id),
        "https://vacatures.example/v/1",
        vacature.title,
    )
    assert item["content_html"].startswith("<p>")
    assert datetime.fromisoformat(item["date_published"]) == vacature.published_at
    facts = item["_vacature"]
    assert facts["area"] == {"pc4": "3511", "place": "Utrecht", "district": "Binnenstad"}
    assert facts["kind"] == "structural"
    assert facts["schedule"] == ["Elke dinsdag, 09:00–12:00"]
    assert facts["organisation"] == "Voedselbank Utrecht"


def test_the_json_ld_record_has_what_schema_org_job_postings_require() -> None:
    vacature = a_vacature(description="Help <script>alert(1)</script> mee.")
    record = job_posting(
        vacature,
        url="https://vacatures.example/v/1",
        centrale_name="Vrijwilligerscentrale Utrecht",
        email="info@vc.example",
        phone="030 123 45 67",
    )
    for name in REQUIRED:
        assert record.get(name), name
    assert record["@context"] == "https://schema.org"
    assert record["@type"] == "JobPosting"
    assert record["employmentType"] == "VOLUNTEER"
    assert datetime.fromisoformat(record["datePosted"]) == vacature.published_at
    assert record["hiringOrganization"] == {"@type": "Organization", "name": "Voedselbank Utrecht"}
    address = record["jobLocation"]["address"]
    assert record["jobLocation"]["@type"] == "Place"
    assert (address["@type"], address["postalCode"], address["addressLocality"], address["addressCountry"]) == (
        "PostalAddress",
        "3511",
        "Utrecht",
        "NL",
    )
    valid_through = datetime.fromisoformat(record["validThrough"])
    assert valid_through.date() == date(2026, 12, 31)
    assert valid_through.utcoffset() == timedelta(hours=1)
    assert "&lt;script&gt;" in record["description"]
    assert "<script>" not in record["description"]
    assert record["applicationContact"]["telephone"] == "030 123 45 67"
    assert record["jobBenefits"] == "Onkostenvergoeding"
    assert record["workHours"] == "3,5 uur per week"


def test_a_task_without_an_area_is_posted_as_anywhere_in_the_netherlands() -> None:
    record = job_posting(replace(a_vacature(), postcode_area=None, place=None), url="u", centrale_name="VC")
    assert "jobLocation" not in record
    assert record["jobLocationType"] == "TELECOMMUTE"
    assert record["applicantLocationRequirements"] == {"@type": "Country", "name": "NL"}


def test_schedules_and_what_is_asked_read_as_dutch_lines() -> None:
    start = datetime(2027, 3, 13, 9, 0, tzinfo=UTC)
    one_off = a_vacature(shifts=[], one_off_start=start, one_off_end=start + timedelta(hours=5))
    assert schedule_lines(one_off) == ["Eenmalig: zaterdag 13 maart 2027, 10:00–15:00"]
    assert what_is_asked(a_vacature(capacity=1, team_suitable=True))[:2] == [
        "3,5 uur per week",
        "1 vrijwilliger gezocht",
    ]
    assert hours_text(Decimal("4.00")) == "4 uur per week"


def test_the_calendars_time_zone_is_amsterdams_in_every_season_for_years() -> None:
    entry = CalendarEntry(
        uid="m", summary="s", description="d", location=None, first_day=date(2026, 1, 1),
        shifts=(WeeklyShift(1, datetime(2026, 1, 1, 9).time(), datetime(2026, 1, 1, 12).time()),),
    )  # fmt: skip
    calendar = icalendar.Calendar.from_ical(render_calendar("Agenda", [entry], NOW))
    [zone] = calendar.timezones
    parsed = zone.to_tz()
    amsterdam = ZoneInfo("Europe/Amsterdam")
    for year in range(2026, 2041):
        for month, day, hour in ((1, 15, 12), (3, 28, 12), (3, 31, 12), (7, 1, 12), (10, 24, 12), (10, 31, 12)):
            moment = datetime(year, month, day, hour)
            assert parsed.utcoffset(moment) == moment.replace(tzinfo=amsterdam).utcoffset(), moment


@pytest.mark.parametrize("weekday", range(1, 8))
def test_a_weekly_shift_starts_on_its_first_day_on_or_after_the_match(weekday: int) -> None:
    first_day = date(2026, 11, 19)  # a Thursday
    shift = WeeklyShift(weekday, datetime(2026, 1, 1, 19).time(), datetime(2026, 1, 1, 21).time())
    entry = CalendarEntry(uid="m", summary="s", description="d", location=None, first_day=first_day, shifts=(shift,))
    [event] = icalendar.Calendar.from_ical(render_calendar("Agenda", [entry], NOW)).events
    start = event.DTSTART
    assert isinstance(start, datetime)
    assert start.isoweekday() == weekday
    assert first_day <= start.date() < first_day + timedelta(days=7)
    assert (start.hour, str(start.tzinfo)) == (19, "Europe/Amsterdam")
    assert event.rrules[0]["BYDAY"] == [("MO", "TU", "WE", "TH", "FR", "SA", "SU")[weekday - 1]]
