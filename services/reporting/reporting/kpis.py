"""The KPI catalogue: what each figure counts, whether it counts people, and how it adds up."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "END_REASONS",
    "KPIS",
    "MDT_AGE_BANDS",
    "MIN_PEOPLE",
    "WAITING_DAYS",
    "Category",
    "Kind",
    "Kpi",
    "Location",
    "kpi",
]

# A cell counting fewer people than this (but at least one) is shown as "<5" (DESIGN.md, DOMAIN.md).
MIN_PEOPLE = 5
# A task open this long without a match, or a volunteer registered this long without one, is a gap.
WAITING_DAYS = 30
# MDT is for ages 12-30; the registry publishes age bands, and these three lie inside that range
# (30-year-olds fall in the 30-49 band and cannot be told apart, so they are left out).
MDT_AGE_BANDS = frozenset({"12-17", "18-20", "21-29"})


class Kind(StrEnum):
    """How a cell's value is computed from the facts that fall in it."""

    COUNT = "count"  # distinct facts (volunteers, tasks, matches)
    SUM = "sum"  # a total of amounts (hours, employees)
    ACTIVE = "active"  # distinct people with at least one hour in the cell
    DISTINCT = "distinct"  # distinct people with any fact in the cell
    MEDIAN = "median"  # median of durations in days
    P90 = "p90"  # 90th percentile of durations in days


class Location(StrEnum):
    """Which postcode area puts a fact in a district."""

    HOME = "home"  # the volunteer's PC4 area
    TASK = "task"  # where the task is
    ORGANISATION = "organisation"
    DAY = "day"  # a team day: its task's area, else the area the partner asked for


class Category(StrEnum):
    """The breakdown a KPI has besides month and district."""

    THEME = "theme"
    INTEREST = "interest"  # a volunteer's themes of interest: one volunteer, several themes
    LABEL = "label"  # self-declared target-group labels (consented only)
    PARTNER = "partner"
    END_REASON = "end_reason"  # why a match ended, as whoever ended it said (MatchEnded.reason)


# Why matches end (MatchEnded.reason), in Dutch for reports; a reason not listed shows as its code.
END_REASONS = {
    "moved": "Verhuisd",
    "no_time": "Geen tijd meer",
    "not_a_fit": "Past niet",
    "task_ended": "Taak afgelopen",
    "other": "Anders",
    "volunteer_erased": "Gegevens gewist",
    "ended": "Niet opgegeven",
}


@dataclass(frozen=True)
class Kpi:
    """One figure: its key, Dutch label and explanation, and how its cells relate."""

    key: str
    label: str
    explanation: str
    unit: str
    kind: Kind
    people: bool  # counts people (or hours given by people): small cells are suppressed
    flow: bool  # happens in a month (adds up over months); otherwise a state at the end of each month
    location: Location | None = Location.HOME
    category: Category | None = None
    # Whether the category cells add up to the total (a task has one theme; a volunteer many interests).
    category_additive: bool = True
    # Targets in an agreement are met at or above the value, or at or below it (waiting times).
    lower_is_better: bool = False

    @property
    def months_additive(self) -> bool:
        """Whether the months' cells add up to the period's cell."""
        return self.flow and self.kind in (Kind.COUNT, Kind.SUM)

    @property
    def additive(self) -> bool:
        """Whether cells add up over districts and over centrales/municipalities."""
        return self.kind in (Kind.COUNT, Kind.SUM, Kind.ACTIVE, Kind.DISTINCT)


_H, _T, _O, _D = Location.HOME, Location.TASK, Location.ORGANISATION, Location.DAY

KPIS: tuple[Kpi, ...] = (
    Kpi("volunteers_registered", "Ingeschreven vrijwilligers", "ingeschreven aan het eind van de periode",
        "personen", Kind.COUNT, people=True, flow=False, location=_H),
    Kpi("volunteers_new", "Nieuwe vrijwilligers", "ingeschreven in de periode",
        "personen", Kind.COUNT, people=True, flow=True, location=_H),
    Kpi("volunteers_active", "Actieve vrijwilligers", "minstens één uur ingezet in de periode",
        "personen", Kind.ACTIVE, people=True, flow=False, location=_H),
    Kpi("organisations_admitted", "Organisaties", "toegelaten aan het eind van de periode",
        "organisaties", Kind.COUNT, people=False, flow=False, location=_O),
    Kpi("organisations_new", "Nieuwe organisaties", "aangemeld in de periode",
        "organisaties", Kind.COUNT, people=False, flow=True, location=_O),
    Kpi("tasks_posted", "Taken geplaatst", "gepubliceerd in de periode",
        "taken", Kind.COUNT, people=False, flow=True, location=_T),
    Kpi("tasks_open", "Taken open", "open aan het eind van de periode",
        "taken", Kind.COUNT, people=False, flow=False, location=_T),
    Kpi("tasks_filled", "Taken vervuld", "vervuld in de periode",
        "taken", Kind.COUNT, people=False, flow=True, location=_T),
    Kpi("tasks_expired", "Taken verlopen", "verlopen zonder vervulling in de periode",
        "taken", Kind.COUNT, people=False, flow=True, location=_T),
    Kpi("tasks_first_matched", "Taken met eerste match", "eerste match in de periode",
        "taken", Kind.COUNT, people=False, flow=True, location=_T),
    Kpi("days_to_first_match_median", "Dagen tot eerste match (mediaan)",
        "van plaatsing tot eerste match, taken met een eerste match in de periode",
        "dagen", Kind.MEDIAN, people=False, flow=True, location=_T, lower_is_better=True),
    Kpi("days_to_first_match_p90", "Dagen tot eerste match (90%)",
        "90% van de taken had binnen zoveel dagen een eerste match",
        "dagen", Kind.P90, people=False, flow=True, location=_T, lower_is_better=True),
    Kpi("matches_made", "Matches", "gemaakt in de periode (bij regionale inzet telt de match voor beide centrales)",
        "matches", Kind.COUNT, people=True, flow=True, location=_T),
    Kpi("matches_due_3m", "Matches 3 maanden oud", "matches die in de periode 3 maanden bestonden",
        "matches", Kind.COUNT, people=True, flow=True, location=_T),
    Kpi("matches_active_3m", "Na 3 maanden nog actief", "waarvan nog actief na 3 maanden",
        "matches", Kind.COUNT, people=True, flow=True, location=_T),
    Kpi("matches_due_6m", "Matches 6 maanden oud", "matches die in de periode 6 maanden bestonden",
        "matches", Kind.COUNT, people=True, flow=True, location=_T),
    Kpi("matches_active_6m", "Na 6 maanden nog actief", "waarvan nog actief na 6 maanden",
        "matches", Kind.COUNT, people=True, flow=True, location=_T),
    Kpi("matches_due_12m", "Matches 12 maanden oud", "matches die in de periode 12 maanden bestonden",
        "matches", Kind.COUNT, people=True, flow=True, location=_T),
    Kpi("matches_active_12m", "Na 12 maanden nog actief", "waarvan nog actief na 12 maanden",
        "matches", Kind.COUNT, people=True, flow=True, location=_T),
    Kpi("matches_ended", "Matches gestopt", "beëindigd in de periode, naar de reden die werd opgegeven",
        "matches", Kind.COUNT, people=True, flow=True, location=_T, category=Category.END_REASON),
    Kpi("hours", "Uren", "vrijwillige inzet in de periode, naar thema en wijk van de taak",
        "uren", Kind.SUM, people=True, flow=True, location=_T, category=Category.THEME),
    Kpi("target_group_new", "Nieuw per doelgroep", "nieuwe vrijwilligers met dit zelfgekozen label (met toestemming)",
        "personen", Kind.COUNT, people=True, flow=True, location=None, category=Category.LABEL,
        category_additive=False),
    Kpi("target_group_active", "Actief per doelgroep", "actieve vrijwilligers met dit zelfgekozen label",
        "personen", Kind.ACTIVE, people=True, flow=False, location=None, category=Category.LABEL,
        category_additive=False),
    Kpi("team_days", "Teamdagen bedrijven", "teamdagen van bedrijven waarvoor uren zijn geregistreerd",
        "teams", Kind.COUNT, people=False, flow=True, location=_D, category=Category.PARTNER),
    Kpi("team_employees", "Medewerkers bedrijven", "deelnemende medewerkers op teamdagen",
        "personen", Kind.SUM, people=True, flow=True, location=_D, category=Category.PARTNER),
    Kpi("team_hours", "Uren bedrijven", "uren van teams van bedrijven",
        "uren", Kind.SUM, people=True, flow=True, location=_D, category=Category.PARTNER),
    Kpi("nldoet_volunteers", "NLdoet-deelnemers", "vrijwilligers met uren op een NLdoet-dag",
        "personen", Kind.DISTINCT, people=True, flow=False, location=_H),
    Kpi("nldoet_hours", "NLdoet-uren", "uren op NLdoet-dagen",
        "uren", Kind.SUM, people=True, flow=True, location=_T),
    Kpi("nldoet_team_employees", "NLdoet-medewerkers bedrijven", "medewerkers van bedrijven op NLdoet-dagen",
        "personen", Kind.SUM, people=True, flow=True, location=_D),
    Kpi("nldoet_team_hours", "NLdoet-uren bedrijven", "uren van teams van bedrijven op NLdoet-dagen",
        "uren", Kind.SUM, people=True, flow=True, location=_D),
    Kpi("mdt_active", "MDT-leeftijd actief", "actieve vrijwilligers van 12 tot en met 29 jaar",
        "personen", Kind.ACTIVE, people=True, flow=False, location=_H),
    Kpi("mdt_basis_completed", "MDT basis behaald", "80 uur binnen 6 maanden bereikt in de periode",
        "personen", Kind.COUNT, people=True, flow=True, location=_H),
    Kpi("mdt_plus_completed", "MDT plus behaald", "200 uur bereikt in de periode",
        "personen", Kind.COUNT, people=True, flow=True, location=_H),
    Kpi("tasks_waiting", "Taken zonder match", f"open sinds minstens {WAITING_DAYS} dagen zonder match, eind periode",
        "taken", Kind.COUNT, people=False, flow=False, location=_T, category=Category.THEME),
    Kpi("volunteers_waiting", "Wachtende vrijwilligers",
        f"ingeschreven sinds minstens {WAITING_DAYS} dagen en nog nooit gematcht, eind periode",
        "personen", Kind.COUNT, people=True, flow=False, location=_H, category=Category.INTEREST,
        category_additive=False),
)  # fmt: skip

_BY_KEY = {k.key: k for k in KPIS}


def kpi(key: str) -> Kpi:
    """The KPI named ``key``; KeyError when there is none."""
    return _BY_KEY[key]
