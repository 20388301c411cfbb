"""Gates and scores of a single pair, and the numpy index agreeing with them over many volunteers."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.events import WeeklySlot
from matching.domain import schedule
from matching.domain.index import CandidateIndex
from matching.domain.model import TaskProfile, VolunteerProfile
from matching.domain.scoring import HARD_GATES, SOFT_GATES, Gate, assess

TODAY = date(2026, 11, 22)
UTRECHT = (52.09, 5.12)
ZEIST = (52.09, 5.23)  # about 7.5 km east
AMERSFOORT = (52.16, 5.39)  # about 20 km


def _tuesday_morning() -> int:
    return schedule.slots_mask([WeeklySlot(weekday=2, start=time(9), end=time(12))])


def volunteer(**overrides: object) -> VolunteerProfile:
    base: dict[str, object] = {
        "volunteer_id": uuid4(), "centrale_id": "vc-utrecht", "skills": frozenset({"koken"}),
        "interests": frozenset({"zorg"}), "languages": ("nl",), "availability_mask": _tuesday_morning(),
        "max_distance_km": 10, "matching_consent": True, "coordinates": UTRECHT,
    }  # fmt: skip
    return VolunteerProfile(**{**base, **overrides})  # type: ignore[arg-type]


def task(**overrides: object) -> TaskProfile:
    base: dict[str, object] = {
        "task_id": uuid4(), "organisation_id": uuid4(), "centrale_id": "vc-utrecht", "theme": "zorg",
        "skills": frozenset({"koken"}), "shift_mask": _tuesday_morning(), "coordinates": UTRECHT,
    }  # fmt: skip
    return TaskProfile(**{**base, **overrides})  # type: ignore[arg-type]


def test_a_good_fit_scores_high_with_reasons() -> None:
    result = assess(volunteer(), task(), today=TODAY, max_open_commitments=3)
    assert result.eligible
    assert result.score == pytest.approx(1.0)
    assert result.reasons == [
        "vaardigheden 1/1: koken", "interesse in thema zorg", "beschikbaar dinsdag 09:00–12:00",
        "afstand 0.0 km, wil maximaal 10 km", "voorkeur past bij structureel werk", "spreekt nl",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("volunteer_overrides", "task_overrides", "gate", "overridable", "says"),
    [
        ({"matching_consent": False}, {}, Gate.CONSENT, False, "nog geen toestemming gegeven"),
        ({}, {"vog_required": True}, Gate.VOG, False, "is een VOG (Verklaring Omtrent het Gedrag) nodig"),
        ({"vog_valid_until": TODAY - timedelta(days=1)}, {"vog_required": True}, Gate.VOG, False, "geen geldige VOG"),
        ({"availability_mask": schedule.slots_mask([WeeklySlot(weekday=3, start=time(9), end=time(12))])}, {},
         Gate.AVAILABILITY, True, "niet beschikbaar op de dagen en tijden"),
        ({"max_distance_km": 5}, {"coordinates": ZEIST}, Gate.DISTANCE, True,
         "ongeveer 8 km bij je vandaan; je wilt maximaal 5 km reizen"),
        ({"centrale_id": "vc-zeist"}, {}, Gate.REGIONAL_CONSENT, False, "toestemming voor regionale bemiddeling"),
        ({"needs_support": True}, {}, Gate.SUPPORT, True, "niet ingericht op vrijwilligers die begeleiding krijgen"),
        ({"open_commitments": 3}, {}, Gate.COMMITMENTS, True, "al 3 voorstellen of taken lopen"),
    ],
)  # fmt: skip
def test_a_gate_excludes_with_a_reason_the_volunteer_can_read(
    volunteer_overrides: dict[str, object], task_overrides: dict[str, object], gate: Gate, overridable: bool, says: str
) -> None:
    result = assess(volunteer(**volunteer_overrides), task(**task_overrides), today=TODAY, max_open_commitments=3)

    [failed] = result.failed
    assert (failed.gate, failed.overridable) == (gate, overridable)
    assert says in failed.message
    assert result.excluded_because == [failed.message]
    # Plain Dutch for the volunteer: whole sentences addressed to them, no codes or jargon left bare.
    assert failed.message[0].isupper()
    assert failed.message.endswith(".")
    assert " je " in f" {failed.message.lower()} " or " jouw " in failed.message.lower()
    assert result.eligible_with({gate}) is overridable


def test_consent_and_the_vog_are_the_gates_nobody_overrides() -> None:
    assert {Gate.CONSENT, Gate.REGIONAL_CONSENT, Gate.VOG} == HARD_GATES
    assert frozenset(Gate) - HARD_GATES == SOFT_GATES
    both = assess(
        volunteer(max_distance_km=5, matching_consent=False), task(coordinates=ZEIST), today=TODAY,
        max_open_commitments=3,
    )  # fmt: skip
    assert not both.eligible_with({Gate.DISTANCE})  # the consent gate still fails
    assert assess(
        volunteer(max_distance_km=5), task(coordinates=ZEIST), today=TODAY, max_open_commitments=3
    ).eligible_with({Gate.DISTANCE})


def test_valid_vog_and_regional_consent_open_the_gates() -> None:
    vog = volunteer(vog_valid_until=TODAY + timedelta(days=30), centrale_id="vc-zeist", regional_consent=True)
    assert assess(
        vog, task(vog_required=True), today=TODAY, max_open_commitments=3, other_centrale_allowed=True
    ).eligible
    assert not assess(vog, task(vog_required=True), today=TODAY, max_open_commitments=3).eligible


def test_a_one_off_date_counts_as_availability() -> None:
    saturday = datetime(2026, 12, 5, 10, 0)
    one_off = task(shift_mask=0, one_off_start=saturday, one_off_end=saturday + timedelta(hours=3))
    assert not assess(volunteer(), one_off, today=TODAY, max_open_commitments=3).eligible
    extra_day = volunteer(one_off_dates=frozenset({saturday.date()}), commitment="one_off")
    result = assess(extra_day, one_off, today=TODAY, max_open_commitments=3)
    assert result.eligible
    assert "beschikbaar op 2026-12-05" in result.reasons


def _random_volunteers(count: int, seed: int) -> list[VolunteerProfile]:
    rng = random.Random(seed)
    skills = [f"skill{i}" for i in range(80)]  # more than 64: some share bits in the index
    places = [UTRECHT, ZEIST, AMERSFOORT, None]
    people = []
    for _ in range(count):
        slots = [WeeklySlot(weekday=rng.randint(1, 7), start=time(rng.randint(7, 14)), end=time(rng.randint(15, 22)))]
        people.append(
            volunteer(
                volunteer_id=UUID(int=rng.getrandbits(128)),
                centrale_id=rng.choice(["vc-utrecht", "vc-zeist", "vc-amersfoort"]),
                skills=frozenset(rng.sample(skills, rng.randint(0, 4))),
                interests=frozenset(rng.sample(["zorg", "sport", "natuur", "taal"], rng.randint(0, 2))),
                availability_mask=schedule.slots_mask(slots),
                max_distance_km=rng.choice([None, 3, 10, 30]),
                commitment=rng.choice(["either", "one_off", "structural"]),
                matching_consent=rng.random() < 0.9,
                regional_consent=rng.random() < 0.5,
                needs_support=rng.random() < 0.1,
                vog_valid_until=rng.choice([None, TODAY + timedelta(days=100), TODAY - timedelta(days=1)]),
                open_commitments=rng.randint(0, 3),
                coordinates=rng.choice(places),
            )
        )
    return people


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_index_picks_the_same_best_candidates_as_exact_scoring(seed: int) -> None:
    people = _random_volunteers(3000, seed)
    index = CandidateIndex(capacity=16)  # forces the arrays to grow
    index.bulk_load(people[:2000])
    for person in people[2000:]:
        index.upsert(person)
    index.bulk_load(people[:10])  # known volunteers in a bulk load are updated in place
    rng = random.Random(seed)
    wanted = task(
        skills=frozenset(rng.sample([f"skill{i}" for i in range(80)], 3)),
        vog_required=bool(seed % 2),
        shift_mask=schedule.slots_mask([WeeklySlot(weekday=seed, start=time(10), end=time(12))]),
        coordinates=ZEIST,
    )
    for others in ((), ("vc-zeist",), ("vc-zeist", "vc-amersfoort")):
        expected = sorted(
            (
                (p.volunteer_id, result.score)
                for p in people
                if (result := assess(p, wanted, today=TODAY, max_open_commitments=3,
                                     other_centrale_allowed=p.centrale_id in others)).eligible
            ),
            key=lambda c: (-c[1], str(c[0])),
        )[:20]  # fmt: skip
        found = index.top(wanted, 20, today=TODAY, max_open_commitments=3, other_centrales=others)
        assert [(c[0], c[1]) for c in found] == expected
        assert len(expected) >= 10  # enough eligible people for the comparison to mean something


def test_removed_and_updated_volunteers_are_reflected() -> None:
    index = CandidateIndex()
    best, other = volunteer(), volunteer(skills=frozenset())
    index.upsert(best)
    index.upsert(other)
    assert [c[0] for c in index.top(task(), 5, today=TODAY, max_open_commitments=3)] == [
        best.volunteer_id, other.volunteer_id,
    ]  # fmt: skip
    index.remove(best.volunteer_id)
    index.upsert(volunteer(volunteer_id=other.volunteer_id, matching_consent=False))
    assert index.top(task(), 5, today=TODAY, max_open_commitments=3) == []
    assert len(index) == 1
