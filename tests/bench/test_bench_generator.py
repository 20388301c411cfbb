"""The synthetic region and its event streams: reproducible from a seed, valid, and shaped like the domain."""

from __future__ import annotations

import collections
import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from aiokafka.structs import ConsumerRecord

from bench.generator import (
    AGE_BANDS,
    SKILLS,
    UTRECHT_WEST,
    GeneratedEvent,
    Region,
    distance_km,
    generate_region,
    iter_hours_logged,
    nldoet_weekend,
    normal_month,
)
from common.consumer import decode
from contracts.events import HoursLogged, MatchMade, TaskPosted, VolunteerRegistered

FRIDAY = date(2026, 3, 13)


@pytest.fixture(scope="module")
def region() -> Region:
    """A mid-sized region: large enough for distributions, small enough to build in a second."""
    return generate_region(seed=7, volunteers=6_000)


@pytest.fixture(scope="module")
def month(region: Region) -> list[GeneratedEvent]:
    """May 2026 in that region."""
    return normal_month(region, year=2026, month=5)


@pytest.fixture(scope="module")
def spike(region: Region) -> list[GeneratedEvent]:
    """The NLdoet weekend of 13-14 March 2026 with 4,000 hours entries."""
    return nldoet_weekend(region, friday=FRIDAY, hours_events=4_000)


def _consumer_record(generated: GeneratedEvent) -> ConsumerRecord[bytes, bytes]:
    """What a consumer would receive for this event."""
    record = generated.record()
    return ConsumerRecord(
        topic=record.topic, partition=0, offset=0, timestamp=0, timestamp_type=0, key=record.key,
        value=record.value, checksum=None, serialized_key_size=len(record.key),
        serialized_value_size=len(record.value), headers=record.headers,
    )  # fmt: skip


def test_the_same_seed_gives_the_same_region_and_the_same_bytes_on_the_wire() -> None:
    first, second = generate_region(seed=3, volunteers=500), generate_region(seed=3, volunteers=500)
    assert first == second
    assert [e.record() for e in normal_month(first)] == [e.record() for e in normal_month(second)]
    assert [e.record() for e in nldoet_weekend(first, hours_events=300)] == [
        e.record() for e in nldoet_weekend(second, hours_events=300)
    ]


def test_another_seed_gives_another_region() -> None:
    first, second = generate_region(seed=3, volunteers=500), generate_region(seed=4, volunteers=500)
    assert {v.id for v in first.volunteers}.isdisjoint({v.id for v in second.volunteers})
    assert [v.postcode_area for v in first.volunteers] != [v.postcode_area for v in second.volunteers]


def test_a_stream_does_not_depend_on_which_event_types_are_built(region: Region, spike: list[GeneratedEvent]) -> None:
    hours_only = nldoet_weekend(region, friday=FRIDAY, hours_events=4_000, only=frozenset({HoursLogged}))
    everything = [e.record() for e in spike if isinstance(e.event, HoursLogged)]
    assert [e.record() for e in hours_only] == everything


def test_every_generated_event_passes_the_consumers_decoder(
    month: list[GeneratedEvent], spike: list[GeneratedEvent]
) -> None:
    for generated in [*month, *spike[:2_000]]:
        envelope, payload = decode(_consumer_record(generated))
        assert envelope == generated.envelope
        assert payload == generated.event


def test_centrales_serve_the_municipalities_of_the_region(region: Region) -> None:
    served = {code for centrale in region.centrales for code in centrale.municipality_codes}
    assert served == {spec.code for spec in UTRECHT_WEST}
    assert len(region.centrales) < len(UTRECHT_WEST)  # one centrale serves two municipalities
    assert all(code.startswith("GM") and len(code) == 6 for code in served)


def test_volunteers_are_spread_over_municipalities_by_population(region: Region) -> None:
    counts = collections.Counter(v.municipality_code for v in region.volunteers)
    population = {spec.code: spec.population for spec in UTRECHT_WEST}
    total = sum(population.values())
    for code, people in population.items():
        expected = len(region.volunteers) * people / total
        assert abs(counts[code] - expected) < 0.2 * expected + 30, code


def test_age_bands_follow_the_dutch_volunteer_distribution(region: Region) -> None:
    counts = collections.Counter(v.age_band for v in region.volunteers)
    for band, share in AGE_BANDS.items():
        assert abs(counts[band] / len(region.volunteers) - share) < 0.03, band
    # Over half of Dutch volunteers are 50 or older.
    assert (counts["50-66"] + counts["67+"]) / len(region.volunteers) > 0.45


def test_volunteers_live_clustered_around_their_town_centre(region: Region) -> None:
    distances = [distance_km(v.lat, v.lon, region.town_of(v).lat, region.town_of(v).lon) for v in region.volunteers]
    assert statistics.median(distances) < 4.0
    assert sum(d < 12 for d in distances) / len(distances) > 0.99
    assert statistics.median(distances) > 0.5  # clustered, not all on one spot


def test_postcode_areas_and_districts_belong_to_the_volunteers_municipality(region: Region) -> None:
    districts = {district.code: district for district in region.districts}
    for volunteer in region.volunteers:
        district = districts[volunteer.district_code]
        assert volunteer.postcode_area in district.postcode_areas
        assert district.municipality_code == volunteer.municipality_code
        assert district.code.startswith("WK" + volunteer.municipality_code[2:])


def test_a_few_skills_are_common_and_many_are_rare(region: Region) -> None:
    counts = collections.Counter(skill for v in region.volunteers for skill in v.skills)
    ranked = [count for _, count in counts.most_common()]
    assert set(counts) == set(SKILLS)
    assert ranked[0] > 5 * ranked[-1]
    assert all(1 <= len(v.skills) <= 5 and len(set(v.skills)) == len(v.skills) for v in region.volunteers)


def test_working_ages_are_available_in_the_evening_and_retirees_in_the_daytime(region: Region) -> None:
    def evening_share(bands: set[str]) -> float:
        slots = [slot for v in region.volunteers if v.age_band in bands for slot in v.availability]
        return sum(start >= 19 for _, start, _ in slots) / len(slots)

    assert evening_share({"30-49"}) > 2 * evening_share({"67+"})


def test_tasks_respect_the_nov_limit_and_ask_a_vog_only_for_vulnerable_groups(region: Region) -> None:
    assert all(task.hours_per_week <= 20 for task in region.tasks)
    assert {task.theme for task in region.tasks if task.vog_required} <= {"zorg", "welzijn", "onderwijs", "sport"}
    assert all(task.shifts for task in region.tasks if not task.one_off)
    organisations = {organisation.id: organisation for organisation in region.organisations}
    assert all(organisations[task.organisation_id].centrale_id == task.centrale_id for task in region.tasks)


def test_structural_matches_stay_within_the_volunteers_centrale(region: Region) -> None:
    assert 0.2 < len(region.matches) / len(region.volunteers) < 0.4
    assert all(match.centrale_id == match.volunteer_centrale_id for match in region.matches)
    assert region.partners


def test_a_normal_month_stays_in_its_month_and_is_busier_on_weekdays(month: list[GeneratedEvent]) -> None:
    kinds = collections.Counter(type(e.event) for e in month)
    assert kinds[HoursLogged] > kinds[VolunteerRegistered] > 0
    assert kinds[TaskPosted] > 0
    assert kinds[MatchMade] > 0
    assert all(datetime(2026, 4, 30, 21, tzinfo=UTC) <= e.time < datetime(2026, 6, 4, tzinfo=UTC) for e in month)
    registrations = [e.time for e in month if isinstance(e.event, VolunteerRegistered)]
    weekend = sum(t.weekday() >= 5 for t in registrations) / len(registrations)
    assert weekend < 2 / 7  # fewer than an even spread would put on Saturdays and Sundays
    assert [e.time for e in month] == sorted(e.time for e in month)


def test_nldoet_has_exactly_the_hours_asked_for_worked_on_friday_and_saturday(spike: list[GeneratedEvent]) -> None:
    hours = [e.event for e in spike if isinstance(e.event, HoursLogged)]
    assert len(hours) == 4_000
    assert {h.worked_on for h in hours} == {FRIDAY, FRIDAY + timedelta(days=1)}
    matched = {e.event.match_id for e in spike if isinstance(e.event, MatchMade)}
    assert {h.match_id for h in hours} == matched
    newcomers = sum(isinstance(e.event, VolunteerRegistered) for e in spike)
    assert 0.25 < newcomers / len(hours) < 0.45


def test_nldoet_hours_arrive_as_a_burst_over_the_weekend(spike: list[GeneratedEvent]) -> None:
    logged = [e.time for e in spike if isinstance(e.event, HoursLogged)]
    friday_morning = datetime(2026, 3, 13, 8, tzinfo=UTC)
    sunday_night = datetime(2026, 3, 15, 23, tzinfo=UTC)
    assert sum(friday_morning <= t <= sunday_night for t in logged) / len(logged) > 0.97
    posted = [e.time for e in spike if isinstance(e.event, TaskPosted)]
    assert max(posted) < friday_morning  # activities are posted before the weekend


def test_hours_are_quarter_hours_between_zero_and_a_day(month: list[GeneratedEvent]) -> None:
    hours = [e.event.hours for e in month if isinstance(e.event, HoursLogged)]
    assert all(Decimal(0) < h <= 24 and (h * 4) % 1 == 0 for h in hours)
    assert 2 <= statistics.median(hours) <= 5


def test_paced_hours_streams_with_different_seeds_share_no_event_ids(region: Region) -> None:
    def ids(seed: int) -> set[str]:
        stream = iter_hours_logged(region, seed=seed)
        return {next(stream).record().event_id for _ in range(500)}

    assert len(ids(1)) == 500
    assert ids(1).isdisjoint(ids(2))
    assert ids(1) == ids(1)
