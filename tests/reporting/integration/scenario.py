"""The known region every KPI test checks, with the figures it must give for the first quarter of 2026.

Utrecht (GM0344) has two centrales, a1 and a2; Zeist (GM0355) one, b1. PC4 areas map to wijken:
3511/3512 Binnenstad, 3521 Oost, 3531 West (Utrecht), 3701 Zeist-Centrum, 3705 Zeist-Noord.

Volunteers: V1-V14 (a1, Binnenstad, January, interest zorg), W1-W3 (a1, Oost, February, 21-29,
statushouder, sport), X1 (a1, lives in Zeist, 10 March), Y1-Y7 (a2, West, December 2025, 18-20,
natuur; Y1 and Y2 statushouder; Y6 erased on 10 February), Z1-Z7 (b1, Zeist-Centrum, January, ouderen).

Tasks: T1 zorg Binnenstad (posted 1 Dec), T2 sport Oost (10 Jan), T3 natuur West (a2, 15 Nov), T4 zorg
Binnenstad (20 Jan, filled 1 Mar), T5 taal Binnenstad (5 Jan, expired 20 Mar), T6 taal Oost (1 Feb, never
matched), T7 ouderen Zeist-Centrum (b1, 3 Jan), T8 ouderen Zeist-Noord (b1, 25 Mar), T9 natuur West
(a2, 15 Feb, never matched).

Matches: V1-V8 → T1 (5 Jan), V9, V10 → T4 (1 and 3 Feb), W1, W2 → T2 (9 and 10 Feb), Z5 → T2 (5 Mar,
regional overflow: credits a1 and b1, her hours too), Y1-Y6 → T3 (10-15 Dec 2025; Y4's ended 20 Feb),
Z1-Z6 → T7 (13-18 Jan).

Hours: V1-V8 2 h (20 Jan) + 3 h (15 Feb); V9 0.5 h (10 Feb) + 0.25 h (2 Mar): never a full hour;
V10 1 h on NLdoet (14 Mar); W1 5x10 h in February and 4x10 h in March (80 h within 6 months on 4 Mar);
W2 3 h and Z5 2 h on NLdoet (13 Mar); Y1-Y5 4 h (10 Jan), Y6 6 h (12 Jan); Z1-Z6 3 h (20 Jan).
Team days: Bouwbedrijf De Vries, 7 of 8 employees, 42 h on T1 on NLdoet (13 Mar); Rabobank, 6 employees,
12 h on T7 (20 Feb).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from tests.reporting.events import World, at

__all__ = ["Region", "build_region", "erase_later"]

UTRECHT, ZEIST = "GM0344", "GM0355"
DISTRICTS = [
    ("3511", "WK034401", "Binnenstad"),
    ("3512", "WK034401", "Binnenstad"),
    ("3521", "WK034402", "Oost"),
    ("3531", "WK034403", "West"),
    ("3701", "WK035501", "Zeist-Centrum"),
    ("3705", "WK035502", "Zeist-Noord"),
]


@dataclass
class Region:
    """Ids of the scenario's centrales, partners and the volunteer who is erased."""

    a1: str
    a2: str
    b1: str
    partner_builder: UUID
    partner_bank: UUID
    erased: UUID
    centrales: dict[str, tuple[str, str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    districts: list[tuple[str, str, str]] = field(default_factory=lambda: list(DISTRICTS))


def build_region(world: World) -> Region:
    """Add the scenario's events to ``world`` (the erasure separately: ``erase_later``)."""
    a1, a2, b1 = world.centrale("a1"), world.centrale("a2"), world.centrale("b1")
    o1 = world.organisation(a1, "3511", "2025-11-01", admitted="2025-11-02")
    o2 = world.organisation(a2, "3531", "2025-11-01", admitted="2025-11-03")
    o3 = world.organisation(b1, "3701", "2026-01-02", admitted="2026-01-03")
    world.organisation(a1, "3521", "2026-02-01", refused="2026-02-05")

    t1 = world.task(a1, o1, "zorg", "3511", "2025-12-01")
    t2 = world.task(a1, o1, "sport", "3521", "2026-01-10")
    t3 = world.task(a2, o2, "natuur", "3531", "2025-11-15")
    t4 = world.task(a1, o1, "zorg", "3511", "2026-01-20", capacity=2)
    t5 = world.task(a1, o1, "taal", "3512", "2026-01-05")
    world.task(a1, o1, "taal", "3521", "2026-02-01")
    t7 = world.task(b1, o3, "ouderen", "3701", "2026-01-03")
    world.task(b1, o3, "ouderen", "3705", "2026-03-25")
    world.task(a2, o2, "natuur", "3531", "2026-02-15")

    v = [world.volunteer(a1, "3511", f"2026-01-{2 + i:02d}", interests=("zorg",)) for i in range(14)]
    w = [
        world.volunteer(a1, "3521", f"2026-02-0{3 + i}", age_band="21-29", interests=("sport",),
                        target_groups=("statushouder",))
        for i in range(3)
    ]  # fmt: skip
    world.volunteer(a1, "3701", "2026-03-10")
    y = [
        world.volunteer(a2, "3531", f"2025-12-0{1 + i}", age_band="18-20", interests=("natuur",),
                        target_groups=("statushouder",) if i < 2 else ())
        for i in range(7)
    ]  # fmt: skip
    z = [
        world.volunteer(b1, "3701", f"2026-01-{5 + i:02d}", age_band="50-66", interests=("ouderen",)) for i in range(7)
    ]

    v_matches = [world.match(t1, v[i], at("2026-01-05") + timedelta(minutes=i)) for i in range(8)]
    v9 = world.match(t4, v[8], at("2026-02-01"))
    v10 = world.match(t4, v[9], at("2026-02-03"))
    w1 = world.match(t2, w[0], at("2026-02-09"))
    w2 = world.match(t2, w[1], at("2026-02-10"))
    overflow = world.match(t2, z[4], at("2026-03-05"))
    y_matches = [world.match(t3, y[i], at(f"2025-12-{10 + i}")) for i in range(6)]
    world.end(y_matches[3], "2026-02-20", reason="moved", by="volunteer")
    z_matches = [world.match(t7, z[i], at(f"2026-01-{13 + i}")) for i in range(6)]
    world.close(t4, "filled", "2026-03-01")
    world.close(t5, "expired", "2026-03-20")

    for match in v_matches:
        world.hours(match, "2026-01-20", "2")
        world.hours(match, "2026-02-15", "3")
    world.hours(v9, "2026-02-10", "0.5")
    world.hours(v9, "2026-03-02", "0.25")
    world.hours(v10, "2026-03-14", "1")
    for day in range(10, 15):
        world.hours(w1, f"2026-02-{day}", "10")
    for day in range(2, 6):
        world.hours(w1, f"2026-03-0{day}", "10")
    world.hours(w2, "2026-03-13", "3")
    world.hours(overflow, "2026-03-13", "2")
    for match in y_matches[:5]:
        world.hours(match, "2026-01-10", "4")
    world.hours(y_matches[5], "2026-01-12", "6")
    for match in z_matches:
        world.hours(match, "2026-01-20", "3")

    builder = world.partner("Bouwbedrijf De Vries")
    bank = world.partner("Rabobank Utrecht")
    world.team_day(builder, t1, "2026-03-13", team_size=8, participants=7, hours="42")
    world.team_day(bank, t7, "2026-02-20", team_size=6, participants=6, hours="12")
    return Region(
        a1=a1, a2=a2, b1=b1, partner_builder=builder, partner_bank=bank, erased=y[5],
        centrales={a1: (UTRECHT, "Utrecht"), a2: (UTRECHT, "Utrecht"), b1: (ZEIST, "Zeist")},
        names={a1: "Vrijwilligerscentrale Utrecht", a2: "Steunpunt Utrecht-West", b1: "Vrijwilligerscentrale Zeist"},
    )  # fmt: skip


def erase_later(world: World, region: Region) -> None:
    """Y6 is erased on 10 February, long after the hours of 12 January were applied."""
    world.erase(region.erased, "2026-02-10")
