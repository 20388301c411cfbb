"""The synthetic region: municipalities, centrales, districts, organisations, volunteers, tasks, partners."""

from __future__ import annotations

import bisect
import itertools
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Generic, TypeVar


@dataclass(frozen=True)
class Town:
    """A town: its centre, its share of the municipality's people and its PC4 postcode range."""

    name: str
    lat: float
    lon: float
    share: float
    pc4_first: int
    pc4_last: int


@dataclass(frozen=True)
class MunicipalitySpec:
    """A municipality (CBS code), its population, the centrale serving it and its towns."""

    code: str
    name: str
    population: int
    centrale_id: str
    towns: tuple[Town, ...]


# Utrecht and surroundings: real CBS codes, approximate populations, town centres and PC4 ranges.
# Nieuwegein and IJsselstein share one centrale, as some municipalities do.
UTRECHT_WEST: tuple[MunicipalitySpec, ...] = (
    MunicipalitySpec(
        "GM0344",
        "Utrecht",
        374_000,
        "vc-utrecht",
        (
            Town("Utrecht", 52.0907, 5.1214, 0.93, 3511, 3585),
            Town("Vleuten-De Meern", 52.1020, 5.0200, 0.07, 3451, 3455),
        ),
    ),
    MunicipalitySpec(
        "GM0355",
        "Zeist",
        66_000,
        "vc-zeist",
        (
            Town("Zeist", 52.0894, 5.2378, 0.85, 3701, 3709),
            Town("Den Dolder", 52.1394, 5.2411, 0.08, 3734, 3734),
            Town("Austerlitz", 52.0800, 5.3100, 0.07, 3711, 3711),
        ),
    ),
    MunicipalitySpec(
        "GM0356", "Nieuwegein", 65_000, "vc-lekstroom", (Town("Nieuwegein", 52.0292, 5.0806, 1.0, 3430, 3439),)
    ),
    MunicipalitySpec(
        "GM0353", "IJsselstein", 34_000, "vc-lekstroom", (Town("IJsselstein", 52.0203, 5.0433, 1.0, 3400, 3404),)
    ),
    MunicipalitySpec(
        "GM0321",
        "Houten",
        51_000,
        "vc-houten",
        (Town("Houten", 52.0283, 5.1681, 0.9, 3991, 3995), Town("Schalkwijk", 51.9995, 5.1847, 0.1, 3998, 3998)),
    ),
    MunicipalitySpec(
        "GM0310",
        "De Bilt",
        43_000,
        "vc-de-bilt",
        (
            Town("Bilthoven", 52.1306, 5.2033, 0.5, 3721, 3723),
            Town("De Bilt", 52.1100, 5.1810, 0.35, 3731, 3732),
            Town("Maartensdijk", 52.1550, 5.1710, 0.15, 3738, 3739),
        ),
    ),
    MunicipalitySpec(
        "GM1904",
        "Stichtse Vecht",
        65_000,
        "vc-stichtse-vecht",
        (
            Town("Maarssen", 52.1353, 5.0394, 0.6, 3601, 3607),
            Town("Breukelen", 52.1711, 5.0011, 0.25, 3621, 3621),
            Town("Loenen aan de Vecht", 52.2089, 5.0211, 0.15, 3632, 3632),
        ),
    ),
    MunicipalitySpec(
        "GM0632",
        "Woerden",
        53_000,
        "vc-woerden",
        (Town("Woerden", 52.0853, 4.8833, 0.85, 3441, 3447), Town("Harmelen", 52.0903, 4.9631, 0.15, 3481, 3481)),
    ),
)

# Dutch volunteers by age: over half are 50+, teenagers come through school and MDT (CBS shape, rounded).
AGE_BANDS: dict[str, float] = {
    "12-17": 0.07,
    "18-20": 0.05,
    "21-29": 0.11,
    "30-49": 0.27,
    "50-66": 0.28,
    "67+": 0.22,
}
# A few skills are common and many are rare: Zipf-like weights by position.
SKILLS: tuple[str, ...] = (
    "koken", "rijbewijs", "administratie", "begeleiding", "klussen", "taalles", "tuinieren", "ict",
    "huiswerkbegeleiding", "evenementen", "sport-training", "communicatie", "vervoer", "winkel", "horeca",
    "muziek", "bestuur", "financien", "ehbo", "fotografie", "vertalen", "fondsenwerving", "schoonmaak",
    "zorg-ondersteuning",
)  # fmt: skip
THEMES: dict[str, float] = {
    "zorg": 0.18,
    "welzijn": 0.16,
    "sport": 0.14,
    "buurt": 0.12,
    "onderwijs": 0.09,
    "cultuur": 0.09,
    "natuur": 0.08,
    "taal": 0.06,
    "voedselhulp": 0.05,
    "dieren": 0.03,
}
# Themes whose tasks involve minors, elderly or disabled people: these ask for a VOG.
_VOG_THEMES = frozenset({"zorg", "welzijn", "onderwijs", "sport"})
_LANGUAGES: dict[str, float] = {
    "en": 0.45, "de": 0.12, "fr": 0.06, "ar": 0.05, "tr": 0.05, "pl": 0.03, "ti": 0.02, "uk": 0.02, "es": 0.03,
}  # fmt: skip
_ORGANISATION_KINDS: dict[str, tuple[str, ...]] = {
    "zorg": ("Zorgcentrum", "Hospice", "Thuiszorg Vrijwilligers"),
    "welzijn": ("Buurtteam", "Stichting Welzijn", "Humanitas"),
    "sport": ("Voetbalvereniging", "Hockeyclub", "Zwemvereniging", "Tennisclub"),
    "buurt": ("Bewonersinitiatief", "Buurthuis", "Repair Café"),
    "onderwijs": ("Huiswerkklas", "Bibliotheek", "Schooltuin"),
    "cultuur": ("Muziekvereniging", "Toneelvereniging", "Museum"),
    "natuur": ("Natuurvereniging", "IVN", "Stadsboerderij"),
    "taal": ("Taalhuis", "Taalcafé", "VluchtelingenWerk"),
    "voedselhulp": ("Voedselbank", "Kledingbank", "Buurtmaaltijd"),
    "dieren": ("Dierenasiel", "Kinderboerderij", "Dierenambulance"),
}
_PARTNER_NAMES: tuple[str, ...] = (
    "Rabobank", "ASR", "Achmea", "NS", "Jaarbeurs", "UMC", "Gemeentelijk Vervoerbedrijf", "Bouwbedrijf",
    "Accountantskantoor", "ICT Bedrijf", "Energiebedrijf", "Verzekeraar", "Ingenieursbureau", "Supermarkt",
)  # fmt: skip
_COMPASS: tuple[str, ...] = (
    "Centrum",
    "Noord",
    "Oost",
    "Zuid",
    "West",
    "Noordoost",
    "Zuidwest",
    "Noordwest",
    "Zuidoost",
)
# Relative activity by hour of the (local) day: office hours and early evening.
_HOUR_WEIGHTS: tuple[float, ...] = (
    0.1, 0.05, 0.02, 0.02, 0.02, 0.05, 0.2, 0.6, 1.2, 1.6, 1.7, 1.6, 1.3, 1.5, 1.6, 1.5, 1.4, 1.2, 1.0, 1.3,
    1.4, 1.1, 0.6, 0.3,
)  # fmt: skip
# Monday .. Sunday: organisations and staff mostly work on weekdays.
_WEEKDAY_WEIGHTS: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 0.9, 0.55, 0.3)
_KM_PER_DEGREE_LAT = 111.2

T = TypeVar("T")


@dataclass(frozen=True)
class Centrale:
    """A volunteer centre (tenant) serving one or more municipalities."""

    id: str
    name: str
    municipality_codes: tuple[str, ...]


@dataclass(frozen=True)
class District:
    """A CBS district (wijk) of a municipality, covering some PC4 areas of one town."""

    code: str
    name: str
    municipality_code: str
    town: str
    postcode_areas: tuple[str, ...]


@dataclass(frozen=True)
class Volunteer:
    """What the registry knows about a volunteer that matching may use; coordinates stay coarse."""

    id: uuid.UUID
    centrale_id: str
    municipality_code: str
    district_code: str
    postcode_area: str
    lat: float
    lon: float
    age_band: str
    skills: tuple[str, ...]
    interests: tuple[str, ...]
    languages: tuple[str, ...]
    availability: tuple[tuple[int, int, int], ...]  # (ISO weekday, start hour, end hour)
    max_distance_km: int | None
    commitment: str
    needs_support: bool
    regional_matching_consent: bool


@dataclass(frozen=True)
class Organisation:
    """A volunteer-involving organisation registered with a centrale."""

    id: uuid.UUID
    centrale_id: str
    municipality_code: str
    name: str
    theme: str
    formal: bool
    postcode_area: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Task:
    """A task an organisation posted: one-off or structural, with shifts."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    centrale_id: str
    theme: str
    skills: tuple[str, ...]
    postcode_area: str
    lat: float
    lon: float
    capacity: int
    hours_per_week: float
    vog_required: bool
    one_off: bool
    shifts: tuple[tuple[int, int, int], ...]
    team_suitable: bool
    support_accessible: bool


@dataclass(frozen=True)
class Match:
    """A volunteer working on a task (structural matches log hours every week or so)."""

    id: uuid.UUID
    volunteer_id: uuid.UUID
    volunteer_centrale_id: str
    task_id: uuid.UUID
    organisation_id: uuid.UUID
    centrale_id: str
    theme: str
    shift_hours: float


@dataclass(frozen=True)
class BusinessPartner:
    """A company whose employees volunteer (MVO), regional rather than per centrale."""

    id: uuid.UUID
    name: str
    employees: int
    postcode_area: str


@dataclass(frozen=True)
class Region:
    """One deployment's population of entities, reproducible from ``seed``."""

    name: str
    seed: int
    municipalities: tuple[MunicipalitySpec, ...]
    centrales: tuple[Centrale, ...]
    districts: tuple[District, ...]
    organisations: tuple[Organisation, ...]
    volunteers: tuple[Volunteer, ...]
    tasks: tuple[Task, ...]
    matches: tuple[Match, ...]
    partners: tuple[BusinessPartner, ...]

    def town_of(self, volunteer: Volunteer) -> Town:
        """The town whose PC4 range holds the volunteer's postcode area."""
        area = int(volunteer.postcode_area)
        for spec in self.municipalities:
            for town in spec.towns:
                if town.pc4_first <= area <= town.pc4_last:
                    return town
        raise LookupError(volunteer.postcode_area)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a spherical Earth (haversine), in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _rng(key: int | str) -> random.Random:
    """A seeded generator: reproducible synthetic data, never secrets."""
    return random.Random(key)


def _uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID from the seeded generator (``uuid4`` would break reproducibility)."""
    return _uuid_from_bits(rng.getrandbits(128))


def _uuid_from_bits(bits: int) -> uuid.UUID:
    """A version-4, RFC 4122 variant UUID made of 128 random bits."""
    return uuid.UUID(int=(bits & _UUID_CLEAR) | _UUID_SET)


# Clear the version and variant bits, then set version 4 and the RFC 4122 variant (what uuid4 does).
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


class _Weighted(Generic[T]):
    """Draws from a fixed weighted population in O(log n) (``random.choices`` rebuilds sums per call)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> T:
        """One item, with probability proportional to its weight."""
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def _sample_distinct(rng: random.Random, table: _Weighted[str], count: int) -> tuple[str, ...]:
    """``count`` distinct items from a weighted table, in draw order."""
    chosen: list[str] = []
    while len(chosen) < min(count, len(table.items)):
        item = table.draw(rng)
        if item not in chosen:
            chosen.append(item)
    return tuple(chosen)


_SKILL_TABLE = _Weighted(SKILLS, [1 / (rank + 1) ** 0.9 for rank in range(len(SKILLS))])
_THEME_TABLE = _Weighted(list(THEMES), list(THEMES.values()))
_AGE_TABLE = _Weighted(list(AGE_BANDS), list(AGE_BANDS.values()))
_HOUR_TABLE = _Weighted(list(range(24)), _HOUR_WEIGHTS)


def _amsterdam_offset(moment: date) -> timedelta:
    """UTC offset of Dutch local time on ``moment``'s day: +2 h between the last Sundays of March and October."""

    def last_sunday(year: int, month: int) -> date:
        """The last Sunday of a month."""
        last = date(year, month + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() + 1) % 7)

    summer = last_sunday(moment.year, 3) <= moment < last_sunday(moment.year, 10)
    return timedelta(hours=2 if summer else 1)


def _local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Dutch wall-clock time as an aware UTC datetime (no tz database needed)."""
    return datetime.combine(day, time(hour, minute, second), timezone(_amsterdam_offset(day))).astimezone(UTC)


def _jitter(rng: random.Random, lat: float, lon: float, sigma_km: float) -> tuple[float, float]:
    """A point scattered normally around (lat, lon) with ``sigma_km`` in each direction."""
    dlat = rng.gauss(0.0, sigma_km) / _KM_PER_DEGREE_LAT
    dlon = rng.gauss(0.0, sigma_km) / (_KM_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


class _Places:
    """Where people live: towns weighted by population, with their districts per PC4 area."""

    def __init__(self, municipalities: Sequence[MunicipalitySpec]) -> None:
        self.municipalities = tuple(municipalities)
        entries: list[tuple[MunicipalitySpec, Town]] = []
        weights: list[float] = []
        self.district_of: dict[str, District] = {}
        self.districts: list[District] = []
        for spec in municipalities:
            number = 0
            for town in spec.towns:
                entries.append((spec, town))
                weights.append(spec.population * town.share)
                areas = [str(code) for code in range(town.pc4_first, town.pc4_last + 1)]
                # Roughly one district per 20,000 residents, each a contiguous run of PC4 areas.
                count = max(1, min(len(areas), round(spec.population * town.share / 20_000)))
                for index in range(count):
                    number += 1
                    chunk = tuple(areas[index * len(areas) // count : (index + 1) * len(areas) // count])
                    name = town.name if count == 1 else f"{town.name} {_COMPASS[index % len(_COMPASS)]}"
                    district = District(f"WK{spec.code[2:]}{number:02d}", name, spec.code, town.name, chunk)
                    self.districts.append(district)
                    self.district_of.update(dict.fromkeys(chunk, district))
        self.table = _Weighted(entries, weights)

    def draw(self, rng: random.Random) -> tuple[MunicipalitySpec, Town, str, float, float]:
        """A municipality, town, PC4 area and coordinates clustered around the town centre."""
        spec, town = self.table.draw(rng)
        area = str(rng.randint(town.pc4_first, town.pc4_last))
        # Bigger towns spread wider: about 1 km for a village, 3 km for the city.
        sigma = 0.8 + 2.2 * math.sqrt(spec.population * town.share / 350_000)
        lat, lon = _jitter(rng, town.lat, town.lon, sigma)
        return spec, town, area, lat, lon


def _availability(rng: random.Random, age_band: str) -> tuple[tuple[int, int, int], ...]:
    """Weekly slots: retirees in the daytime, working ages in the evening and on Saturday."""
    blocks = ((9, 12), (13, 17), (19, 22))
    count = rng.choices((0, 1, 2, 3, 4), (0.1, 0.3, 0.3, 0.2, 0.1))[0]
    slots: set[tuple[int, int, int]] = set()
    while len(slots) < count:
        if age_band in ("67+", "50-66") and rng.random() < 0.7:
            weekday, block = rng.randint(1, 5), blocks[rng.randint(0, 1)]
        elif age_band in ("12-17", "18-20") and rng.random() < 0.6:
            weekday, block = rng.choice((3, 5, 6, 6, 7)), blocks[1]
        else:
            weekday = rng.choice((1, 2, 3, 4, 5, 6, 6, 7))
            block = blocks[2] if weekday <= 5 else blocks[rng.randint(0, 1)]
        slots.add((weekday, *block))
    return tuple(sorted(slots))


def _new_volunteer(rng: random.Random, places: _Places) -> Volunteer:
    """One volunteer drawn from the region's population; the id is the first draw (see ``nldoet_weekend``)."""
    volunteer_id = _uuid(rng)
    spec, _town, area, lat, lon = places.draw(rng)
    age_band = _AGE_TABLE.draw(rng)
    skills = _sample_distinct(rng, _SKILL_TABLE, rng.choices((1, 2, 3, 4, 5), (0.25, 0.35, 0.25, 0.1, 0.05))[0])
    interests = _sample_distinct(rng, _THEME_TABLE, rng.choices((1, 2, 3), (0.45, 0.4, 0.15))[0])
    languages = ["nl"] if rng.random() < 0.97 else []
    languages += [code for code, share in _LANGUAGES.items() if rng.random() < share]
    return Volunteer(
        id=volunteer_id,
        centrale_id=spec.centrale_id,
        municipality_code=spec.code,
        district_code=places.district_of[area].code,
        postcode_area=area,
        lat=lat,
        lon=lon,
        age_band=age_band,
        skills=skills,
        interests=interests,
        languages=tuple(languages or ["en"]),
        availability=_availability(rng, age_band),
        max_distance_km=rng.choice((None, 2, 5, 5, 10, 10, 15, 25)),
        commitment=rng.choices(("either", "structural", "one_off"), (0.5, 0.3, 0.2))[0],
        needs_support=rng.random() < 0.08,
        regional_matching_consent=rng.random() < 0.3,
    )


def _new_task(rng: random.Random, organisation: Organisation, *, one_off: bool | None = None) -> Task:
    """A task of ``organisation``: within the NOV limit of 20 hours a week."""
    one_off = rng.random() < 0.25 if one_off is None else one_off
    theme = organisation.theme if rng.random() < 0.85 else _THEME_TABLE.draw(rng)
    lat, lon = _jitter(rng, organisation.lat, organisation.lon, 0.3)
    shifts: tuple[tuple[int, int, int], ...] = ()
    if not one_off:
        start = rng.choice((9, 10, 13, 14, 19))
        length = rng.choice((2, 3, 3, 4))
        days = sorted(rng.sample(range(1, 8), rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]))
        shifts = tuple((day, start, min(start + length, 23)) for day in days)
    return Task(
        id=_uuid(rng),
        organisation_id=organisation.id,
        centrale_id=organisation.centrale_id,
        theme=theme,
        skills=_sample_distinct(rng, _SKILL_TABLE, rng.choices((0, 1, 2, 3), (0.2, 0.45, 0.25, 0.1))[0]),
        postcode_area=organisation.postcode_area,
        lat=lat,
        lon=lon,
        capacity=rng.choices((1, 2, 3, 5, 8, 12), (0.35, 0.25, 0.15, 0.12, 0.08, 0.05))[0],
        hours_per_week=0.0 if one_off else float(sum(end - start for _, start, end in shifts)),
        vog_required=theme in _VOG_THEMES and rng.random() < 0.7,
        one_off=one_off,
        shifts=shifts,
        team_suitable=rng.random() < (0.4 if one_off else 0.1),
        support_accessible=rng.random() < 0.3,
    )


def generate_region(
    *,
    seed: int = 20260313,
    volunteers: int = 20_000,
    name: str = "utrecht-west",
    municipalities: Sequence[MunicipalitySpec] = UTRECHT_WEST,
) -> Region:
    """A region with ``volunteers`` volunteers and organisations, tasks, matches and partners to match."""
    rng = _rng(seed)
    places = _Places(municipalities)
    centrale_names: dict[str, list[MunicipalitySpec]] = {}
    for spec in municipalities:
        centrale_names.setdefault(spec.centrale_id, []).append(spec)
    centrales = tuple(
        Centrale(
            id=centrale_id,
            name="Vrijwilligerscentrale " + " en ".join(spec.name for spec in specs),
            municipality_codes=tuple(spec.code for spec in specs),
        )
        for centrale_id, specs in centrale_names.items()
    )
    people = tuple(_new_volunteer(rng, places) for _ in range(volunteers))

    organisations: list[Organisation] = []
    for _ in range(max(len(centrales), volunteers // 25)):
        spec, town, area, lat, lon = places.draw(rng)
        theme = _THEME_TABLE.draw(rng)
        kind = rng.choice(_ORGANISATION_KINDS[theme])
        formal = kind != "Bewonersinitiatief" and rng.random() < 0.9
        organisations.append(
            Organisation(_uuid(rng), spec.centrale_id, spec.code, f"{kind} {town.name}", theme, formal, area, lat, lon)
        )
    tasks = tuple(
        _new_task(rng, organisation)
        for organisation in organisations
        for _ in range(rng.choices((1, 2, 3, 4, 6), (0.3, 0.3, 0.2, 0.12, 0.08))[0])
    )
    matches = _structural_matches(rng, people, tasks)
    partners = tuple(
        BusinessPartner(
            id=_uuid(rng),
            name=f"{rng.choice(_PARTNER_NAMES)} {places.draw(rng)[1].name}",
            employees=int(rng.lognormvariate(5.0, 1.2)) + 10,
            postcode_area=places.draw(rng)[2],
        )
        for _ in range(max(3, volunteers // 1000))
    )
    return Region(
        name=name,
        seed=seed,
        municipalities=tuple(municipalities),
        centrales=centrales,
        districts=tuple(places.districts),
        organisations=tuple(organisations),
        volunteers=people,
        tasks=tasks,
        matches=matches,
        partners=partners,
    )


def _structural_matches(rng: random.Random, people: Sequence[Volunteer], tasks: Sequence[Task]) -> tuple[Match, ...]:
    """About 30% of volunteers work on a structural task of their centrale, preferably one they are interested in."""
    structural = [task for task in tasks if not task.one_off]
    by_centrale_theme: dict[tuple[str, str], list[Task]] = {}
    by_centrale: dict[str, list[Task]] = {}
    for task in structural:
        by_centrale_theme.setdefault((task.centrale_id, task.theme), []).append(task)
        by_centrale.setdefault(task.centrale_id, []).append(task)
    matches: list[Match] = []
    for person in people:
        if person.commitment == "one_off" or rng.random() >= 0.36:
            continue
        options = by_centrale_theme.get((person.centrale_id, person.interests[0])) or by_centrale.get(
            person.centrale_id, []
        )
        if not options:
            continue
        task = rng.choice(options)
        shift = task.shifts[0]
        matches.append(
            Match(
                id=_uuid(rng),
                volunteer_id=person.id,
                volunteer_centrale_id=person.centrale_id,
                task_id=task.id,
                organisation_id=task.organisation_id,
                centrale_id=task.centrale_id,
                theme=task.theme,
                shift_hours=float(shift[2] - shift[1]),
            )
        )
    return tuple(matches)
