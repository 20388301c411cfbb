"""Matching use cases: react to registry events, propose, accept, decline, end, overflow, team days.

Each runs inside the caller's transaction (the inbox transaction for events, a request transaction for
the API) and writes its events to the outbox there, so state and events commit together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from common.consumer import ContractViolation
from common.db import Connection
from common.errors import Conflict, NotFound, Rejected
from common.outbox import add_to_outbox, make_envelope
from contracts import Event
from contracts.events import (
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchMade,
    MatchProposed,
    TaskPosted,
    TaskUpdated,
    VolunteerDayMatched,
    VolunteerDayPosted,
)
from matching.config import Settings
from matching.domain.geo import distance_km
from matching.domain.model import TaskProfile
from matching.domain.scoring import assess
from matching.read_model import IndexedVolunteers, task_profile, volunteer_profile

__all__ = ["Matching", "Origin"]

LIVE = ("proposed", "approved", "made")
PENDING = ("proposed", "approved")

_TASK_SELECT = "SELECT t.*, a.lat, a.lon FROM tasks t LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area"
_VOLUNTEER_SELECT = "SELECT v.*, a.lat, a.lon FROM volunteers v LEFT JOIN postcode_areas a ON a.pc4 = v.postcode_area"


@dataclass(frozen=True)
class Origin:
    """Where a command came from, for the envelopes of the events it causes."""

    region: str
    correlation_id: UUID | None = None
    causation_id: UUID | None = None


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class Matching:
    """Matching's use cases, sharing one instance's candidate index and settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.volunteers = IndexedVolunteers()

    # -- events out ---------------------------------------------------------------------------------

    async def _emit(self, conn: Connection, event: Event, tenant: str, origin: Origin) -> None:
        envelope = make_envelope(
            event,
            source=f"/regions/{origin.region}/matching",
            tenant=tenant,
            region=origin.region,
            correlation_id=origin.correlation_id,
            causation_id=origin.causation_id,
        )
        await add_to_outbox(conn, event, envelope)

    @staticmethod
    def _facts(row: Any) -> dict[str, Any]:
        return {key: row[key] for key in ("match_id", "task_id", "volunteer_id", "organisation_id", "centrale_id",
                                          "volunteer_centrale_id")}  # fmt: skip

    async def _adjust_commitments(self, conn: Connection, volunteer_id: UUID, delta: int) -> bool:
        """Change the volunteer's open-commitment count; False when matching no longer has the volunteer."""
        # Touching changed_at makes every instance's index see the new count (spreading).
        status = await conn.execute(
            "UPDATE volunteers SET open_commitments = greatest(open_commitments + $2, 0),"
            " changed_at = clock_timestamp() WHERE volunteer_id = $1",
            volunteer_id,
            delta,
        )
        return bool(status != "UPDATE 0")

    # -- volunteers ---------------------------------------------------------------------------------

    async def volunteer_changed(self, conn: Connection, volunteer_id: UUID, origin: Origin) -> None:
        """After a registration or profile update: withdraw what no longer fits, propose for open tasks."""
        row = await conn.fetchrow(f"{_VOLUNTEER_SELECT} WHERE v.volunteer_id = $1", volunteer_id)
        assert row is not None
        profile = volunteer_profile(row)
        today = utc_now().date()
        pending = await conn.fetch(
            f"SELECT p.*, t.* FROM proposals p JOIN ({_TASK_SELECT}) t ON t.task_id = p.task_id"  # noqa: S608
            " WHERE p.volunteer_id = $1 AND p.status = ANY($2)",
            volunteer_id,
            list(PENDING),
        )
        expired = 0
        for proposal in pending:
            # Their own open commitments must not count against a proposal they already have.
            check = assess(
                profile, task_profile(proposal), today=today, max_open_commitments=profile.open_commitments + 1,
                other_centrale_allowed=proposal["via"] == "overflow",
            )  # fmt: skip
            if not check.eligible:
                await self._expire(conn, proposal, origin)
                expired += 1
        if not profile.matching_consent:
            return
        open_tasks = await conn.fetch(
            f"{_TASK_SELECT} WHERE t.status = 'open' AND t.centrale_id = $1"  # noqa: S608
            " AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.task_id = t.task_id AND p.volunteer_id = $2)"
            " AND (SELECT count(*) FROM proposals p WHERE p.task_id = t.task_id AND p.status = ANY($3)) < $4",
            profile.centrale_id,
            volunteer_id,
            list(LIVE),
            self.settings.proposals_per_task,
        )
        # Only the open-commitment count changes while proposing (expiries lowered it, proposals raise it):
        # track it here instead of re-reading the volunteer for every task.
        current = replace(profile, open_commitments=max(profile.open_commitments - expired, 0))
        for task_row in open_tasks:
            result = assess(
                current, task_profile(task_row), today=today, max_open_commitments=self.settings.max_open_commitments
            )
            if result.eligible:
                await self._propose(conn, task_row, volunteer_id, profile.centrale_id, result.score, result.reasons,
                                    "matching", profile.needs_support, origin)  # fmt: skip
                current = replace(current, open_commitments=current.open_commitments + 1)

    async def volunteer_erased(self, conn: Connection, volunteer_id: UUID, origin: Origin) -> None:
        """Forget the volunteer: pending proposals expire, matches end, the profile row goes."""
        # The row goes first: a proposal being made meanwhile holds it (see _propose), so this waits for it,
        # and the proposals read below (a later statement) include it.
        await conn.execute("DELETE FROM volunteers WHERE volunteer_id = $1", volunteer_id)
        rows = await conn.fetch(
            "SELECT * FROM proposals WHERE volunteer_id = $1 AND status = ANY($2)", volunteer_id, list(LIVE)
        )
        for row in rows:
            if row["status"] == "made":
                await self._end(conn, row, "volunteer_erased", origin)
            else:
                await self._expire(conn, row, origin)
        await conn.execute(
            "INSERT INTO erased_volunteers (volunteer_id) VALUES ($1) ON CONFLICT (volunteer_id) DO NOTHING",
            volunteer_id,
        )
        # Reasons mention nothing personal, but they describe the person: drop them with the profile.
        await conn.execute("UPDATE proposals SET reasons = '[]' WHERE volunteer_id = $1", volunteer_id)
        self.volunteers.forget(volunteer_id)

    # -- tasks --------------------------------------------------------------------------------------

    async def task_posted(self, conn: Connection, event: TaskPosted, origin: Origin) -> list[UUID]:
        """Store the task and propose its best candidates from its own centrale."""
        await self._upsert_task(conn, event, posted_at=event.posted_at)
        task_row = await conn.fetchrow(f"{_TASK_SELECT} WHERE t.task_id = $1", event.task_id)
        return await self._propose_best(conn, task_row, self.settings.proposals_per_task, (), "matching", origin)

    async def task_updated(self, conn: Connection, event: TaskUpdated) -> None:
        """Keep the task's facts current (its proposals stand)."""
        await self._upsert_task(conn, event, posted_at=None)

    async def task_closed(self, conn: Connection, task_id: UUID, reason: str, origin: Origin) -> None:
        """The registry closed the task: pending proposals expire."""
        status = "filled" if reason == "filled" else "closed"
        updated = await conn.execute("UPDATE tasks SET status = $2 WHERE task_id = $1", task_id, status)
        if updated == "UPDATE 0":
            raise ContractViolation(f"task {task_id} was closed but matching never saw it posted")
        for row in await conn.fetch(
            "SELECT * FROM proposals WHERE task_id = $1 AND status = ANY($2)", task_id, list(PENDING)
        ):
            await self._expire(conn, row, origin)

    async def _upsert_task(self, conn: Connection, event: TaskPosted | TaskUpdated, posted_at: datetime | None) -> None:
        shifts = json.dumps([slot.model_dump(mode="json") for slot in event.shifts])
        await conn.execute(
            """
            INSERT INTO tasks (task_id, organisation_id, centrale_id, theme, skills, postcode_area, shifts,
                one_off_start, one_off_end, capacity, vog_required, team_suitable, support_accessible,
                closing_date, posted_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, coalesce($15, now()))
            ON CONFLICT (task_id) DO UPDATE SET
                theme = excluded.theme, skills = excluded.skills, postcode_area = excluded.postcode_area,
                shifts = excluded.shifts, one_off_start = excluded.one_off_start, one_off_end = excluded.one_off_end,
                capacity = excluded.capacity, vog_required = excluded.vog_required,
                team_suitable = excluded.team_suitable, support_accessible = excluded.support_accessible,
                closing_date = excluded.closing_date
            """,
            event.task_id, event.organisation_id, event.centrale_id, event.theme, event.skills, event.postcode_area,
            shifts, event.one_off_start, event.one_off_end, event.capacity, event.vog_required, event.team_suitable,
            event.support_accessible, event.closing_date, posted_at,
        )  # fmt: skip

    # -- proposing ----------------------------------------------------------------------------------

    async def _propose_best(
        self, conn: Connection, task_row: Any, count: int, other_centrales: tuple[str, ...], via: str, origin: Origin
    ) -> list[UUID]:
        task = task_profile(task_row)
        already = {r["volunteer_id"] for r in await conn.fetch(
            "SELECT volunteer_id FROM proposals WHERE task_id = $1", task.task_id)}  # fmt: skip
        index = await self.volunteers.refresh(conn)
        candidates = index.top(
            task, count, today=utc_now().date(), max_open_commitments=self.settings.max_open_commitments,
            other_centrales=other_centrales, exclude=already,
        )  # fmt: skip
        proposed = []
        for volunteer_id, score, reasons in candidates:
            profile = index.profiles[volunteer_id]
            match_id = await self._propose(
                conn, task_row, volunteer_id, profile.centrale_id, score, reasons, via, profile.needs_support, origin
            )
            if match_id is not None:
                proposed.append(match_id)
        return proposed

    async def _propose(
        self, conn: Connection, task_row: Any, volunteer_id: UUID, volunteer_centrale_id: str, score: float,
        reasons: list[str], via: str, needs_consulent: bool, origin: Origin,
    ) -> UUID | None:  # fmt: skip
        """Propose the volunteer for the task; None when the volunteer was erased meanwhile (nothing proposed)."""
        # The volunteer's row first: an erasure in progress holds it, so this waits, then finds no row.
        if not await self._adjust_commitments(conn, volunteer_id, +1):
            return None
        match_id = uuid4()
        now = utc_now()
        await conn.execute(
            "INSERT INTO proposals (match_id, task_id, volunteer_id, organisation_id, centrale_id,"
            " volunteer_centrale_id, score, reasons, via, needs_consulent, status, proposed_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, 'proposed', $11)",
            match_id, task_row["task_id"], volunteer_id, task_row["organisation_id"], task_row["centrale_id"],
            volunteer_centrale_id, score, json.dumps(reasons), via, needs_consulent, now,
        )  # fmt: skip
        event = MatchProposed(
            match_id=match_id, task_id=task_row["task_id"], volunteer_id=volunteer_id,
            organisation_id=task_row["organisation_id"], centrale_id=task_row["centrale_id"],
            volunteer_centrale_id=volunteer_centrale_id, score=min(max(score, 0.0), 1.0), reasons=reasons, via=via,
            needs_consulent=needs_consulent, proposed_at=now,
        )  # fmt: skip
        await self._emit(conn, event, task_row["centrale_id"], origin)
        return match_id

    async def express_interest(
        self, conn: Connection, volunteer_id: UUID, centrale_id: str, task_id: UUID, origin: Origin
    ) -> UUID:
        """The volunteer asks for a task: a proposal when the hard gates allow it, else every reason why not."""
        volunteer = await conn.fetchrow(f"{_VOLUNTEER_SELECT} WHERE v.volunteer_id = $1", volunteer_id)
        task_row = await conn.fetchrow(f"{_TASK_SELECT} WHERE t.task_id = $1 FOR UPDATE OF t", task_id)
        if volunteer is None:
            raise Conflict("your profile has not reached matching yet; try again in a moment")
        if task_row is None or (task_row["centrale_id"] != centrale_id and not volunteer["regional_consent"]):
            raise NotFound(f"task {task_id} not found")
        if task_row["status"] != "open":
            raise Conflict(f"task is {task_row['status']}")
        if await conn.fetchval(
            "SELECT 1 FROM proposals WHERE task_id = $1 AND volunteer_id = $2 AND status = ANY($3)",
            task_id, volunteer_id, list(LIVE),
        ):  # fmt: skip
            raise Conflict("you already have a proposal or match for this task")
        result = assess(
            volunteer_profile(volunteer), task_profile(task_row), today=utc_now().date(),
            max_open_commitments=self.settings.max_open_commitments,
            other_centrale_allowed=task_row["centrale_id"] != centrale_id,
        )  # fmt: skip
        if not result.eligible:
            raise Rejected(result.excluded_because, field="task_id")
        match_id = await self._propose(conn, task_row, volunteer_id, centrale_id, result.score, result.reasons,
                                       "interest", volunteer["needs_support"], origin)  # fmt: skip
        if match_id is None:
            raise Conflict("your profile is being removed from matching")
        return match_id

    # -- decisions ----------------------------------------------------------------------------------

    async def _lock_proposal(self, conn: Connection, match_id: UUID) -> Any:
        row = await conn.fetchrow("SELECT * FROM proposals WHERE match_id = $1 FOR UPDATE", match_id)
        if row is None:
            raise NotFound(f"proposal {match_id} not found")
        return row

    async def approve(self, conn: Connection, match_id: UUID, consulent_centrale: str) -> None:
        """The volunteer's consulent approves a proposal for someone who needs support."""
        row = await self._lock_proposal(conn, match_id)
        if row["volunteer_centrale_id"] != consulent_centrale:
            raise NotFound(f"proposal {match_id} not found")
        if not row["needs_consulent"]:
            raise Conflict("this proposal does not wait for a consulent")
        if row["status"] != "proposed":
            raise Conflict(f"proposal is {row['status']}")
        await conn.execute(
            "UPDATE proposals SET status = 'approved', approved_at = now() WHERE match_id = $1", match_id
        )

    async def accept(self, conn: Connection, match_id: UUID, task_centrale: str, organisation_id: UUID | None,
                     origin: Origin) -> None:  # fmt: skip
        """The organisation accepts: the match is made (after the consulent, where one is needed)."""
        row = await self._lock_proposal(conn, match_id)
        if row["centrale_id"] != task_centrale or (organisation_id and row["organisation_id"] != organisation_id):
            raise NotFound(f"proposal {match_id} not found")
        if row["status"] not in PENDING:
            raise Conflict(f"proposal is {row['status']}")
        if row["needs_consulent"] and row["status"] != "approved":
            raise Conflict("this volunteer needs support: their consulent approves first")
        task = await conn.fetchrow("SELECT * FROM tasks WHERE task_id = $1 FOR UPDATE", row["task_id"])
        assert task is not None, "proposals reference tasks"
        made = await conn.fetchval(
            "SELECT count(*) FROM proposals WHERE task_id = $1 AND status = 'made'", row["task_id"]
        )
        if task["status"] != "open" or made + task["team_reserved"] >= task["capacity"]:
            raise Conflict("the task has no room left")
        now = utc_now()
        await conn.execute("UPDATE proposals SET status = 'made', decided_at = $2 WHERE match_id = $1", match_id, now)
        await self._emit(conn, MatchMade(**self._facts(row), made_at=now), row["centrale_id"], origin)
        if made + 1 + task["team_reserved"] >= task["capacity"]:
            # Full: the registry closes it as filled (it counts MatchMade too); pending proposals end now.
            await conn.execute("UPDATE tasks SET status = 'filled' WHERE task_id = $1", row["task_id"])
            for pending in await conn.fetch(
                "SELECT * FROM proposals WHERE task_id = $1 AND status = ANY($2)", row["task_id"], list(PENDING)
            ):
                await self._expire(conn, pending, origin)

    async def decline(self, conn: Connection, match_id: UUID, by: str, allowed: Any, origin: Origin) -> None:
        """Decline a pending proposal (organisation, consulent or volunteer); ``allowed(row)`` checks the caller."""
        row = await self._lock_proposal(conn, match_id)
        if not allowed(row):
            raise NotFound(f"proposal {match_id} not found")
        if row["status"] not in PENDING:
            raise Conflict(f"proposal is {row['status']}")
        now = utc_now()
        await conn.execute(
            "UPDATE proposals SET status = 'declined', decided_at = $2 WHERE match_id = $1", match_id, now
        )
        await self._adjust_commitments(conn, row["volunteer_id"], -1)
        await self._emit(conn, MatchDeclined(**self._facts(row), declined_by=by, declined_at=now),
                         row["centrale_id"], origin)  # fmt: skip

    async def end(self, conn: Connection, match_id: UUID, allowed: Any, origin: Origin) -> None:
        """End a match that was made."""
        row = await self._lock_proposal(conn, match_id)
        if not allowed(row):
            raise NotFound(f"match {match_id} not found")
        if row["status"] != "made":
            raise Conflict(f"proposal is {row['status']}, not a match")
        await self._end(conn, row, "ended", origin)

    async def _end(self, conn: Connection, row: Any, reason: str, origin: Origin) -> None:
        now = utc_now()
        await conn.execute("UPDATE proposals SET status = 'ended', ended_at = $2 WHERE match_id = $1",
                           row["match_id"], now)  # fmt: skip
        await self._adjust_commitments(conn, row["volunteer_id"], -1)
        await self._emit(conn, MatchEnded(**self._facts(row), ended_at=now, reason=reason), row["centrale_id"], origin)

    async def _expire(self, conn: Connection, row: Any, origin: Origin) -> None:
        now = utc_now()
        await conn.execute("UPDATE proposals SET status = 'expired', decided_at = $2 WHERE match_id = $1",
                           row["match_id"], now)  # fmt: skip
        await self._adjust_commitments(conn, row["volunteer_id"], -1)
        await self._emit(conn, MatchExpired(**self._facts(row), expired_at=now), row["centrale_id"], origin)

    # -- time-driven --------------------------------------------------------------------------------

    async def expire_stale(self, conn: Connection, now: datetime, origin: Origin) -> int:
        """Expire proposals unanswered for longer than the configured number of days."""
        rows = await conn.fetch(
            "SELECT * FROM proposals WHERE status = ANY($1) AND proposed_at < $2 FOR UPDATE",
            list(PENDING),
            now - timedelta(days=self.settings.proposal_ttl_days),
        )
        for row in rows:
            await self._expire(conn, row, origin)
        return len(rows)

    async def overflow(self, conn: Connection, now: datetime, origin: Origin) -> dict[UUID, list[UUID]]:
        """Offer tasks without an accepted match after N days to consenting volunteers of other centrales."""
        tasks = await conn.fetch(
            f"{_TASK_SELECT} WHERE t.status = 'open' AND t.overflow_offered_at IS NULL AND t.posted_at < $1"  # noqa: S608
            " AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.task_id = t.task_id AND p.status = 'made')"
            " FOR UPDATE OF t",
            now - timedelta(days=self.settings.overflow_after_days),
        )
        centrales = [r["centrale_id"] for r in await conn.fetch("SELECT DISTINCT centrale_id FROM volunteers")]
        offered: dict[UUID, list[UUID]] = {}
        for task_row in tasks:
            others = tuple(c for c in centrales if c != task_row["centrale_id"])
            candidates = await self._propose_best_from_others(conn, task_row, others, origin)
            await conn.execute("UPDATE tasks SET overflow_offered_at = $2 WHERE task_id = $1", task_row["task_id"], now)
            offered[task_row["task_id"]] = candidates
        return offered

    async def _propose_best_from_others(
        self, conn: Connection, task_row: Any, others: tuple[str, ...], origin: Origin
    ) -> list[UUID]:
        task = task_profile(task_row)
        already = {r["volunteer_id"] for r in await conn.fetch(
            "SELECT volunteer_id FROM proposals WHERE task_id = $1", task.task_id)}  # fmt: skip
        index = await self.volunteers.refresh(conn)
        candidates = index.top(
            task, self.settings.proposals_per_task, today=utc_now().date(),
            max_open_commitments=self.settings.max_open_commitments, other_centrales=others, exclude=already,
        )  # fmt: skip
        proposed = []
        for volunteer_id, score, reasons in candidates:
            profile = index.profiles[volunteer_id]
            if profile.centrale_id == task.centrale_id:
                continue  # overflow is for the neighbours; the own centrale had its turn
            match_id = await self._propose(conn, task_row, volunteer_id, profile.centrale_id, score, reasons,
                                           "overflow", profile.needs_support, origin)  # fmt: skip
            if match_id is not None:
                proposed.append(match_id)
        return proposed

    # -- business partners' team days ---------------------------------------------------------------

    async def volunteer_day_posted(self, conn: Connection, event: VolunteerDayPosted, origin: Origin) -> UUID | None:
        """Match a team day to an open team task with room for the whole team on that date, in theme and area."""
        await conn.execute(
            "INSERT INTO volunteer_days (day_id, partner_id, team_size, on_date, skills, themes, postcode_area,"
            " centrale_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (day_id) DO NOTHING",
            event.day_id, event.partner_id, event.team_size, event.on_date, event.skills, event.themes,
            event.postcode_area, event.centrale_id,
        )  # fmt: skip
        area = await conn.fetchrow("SELECT lat, lon FROM postcode_areas WHERE pc4 = $1", event.postcode_area)
        rows = await conn.fetch(
            f"{_TASK_SELECT} WHERE t.status = 'open' AND t.team_suitable"  # noqa: S608
            " AND t.capacity - t.team_reserved"
            "     - (SELECT count(*) FROM proposals p WHERE p.task_id = t.task_id AND p.status = 'made') >= $1"
            " AND ($2::text[] = '{}' OR t.theme = ANY($2)) AND ($3::text IS NULL OR t.centrale_id = $3)"
            " ORDER BY t.posted_at, t.task_id FOR UPDATE OF t",
            event.team_size, event.themes, event.centrale_id,
        )  # fmt: skip
        best: tuple[float, Any] | None = None
        for row in rows:
            task = task_profile(row)
            if not _happens_on(task, event.on_date):
                continue
            distance = None
            if area is not None and task.coordinates is not None:
                distance = distance_km(area["lat"], area["lon"], *task.coordinates)
                if distance > self.settings.team_day_radius_km:
                    continue
            skills = len(set(event.skills) & task.skills) / len(task.skills) if task.skills else 1.0
            closeness = 1.0 - (distance or 0.0) / self.settings.team_day_radius_km
            fit = skills + closeness
            if best is None or fit > best[0]:
                best = (fit, row)
        if best is None:
            return None
        task_row = best[1]
        await conn.execute("UPDATE tasks SET team_reserved = team_reserved + $2 WHERE task_id = $1",
                           task_row["task_id"], event.team_size)  # fmt: skip
        now = utc_now()
        await conn.execute("UPDATE volunteer_days SET status = 'matched', task_id = $2, matched_at = $3"
                           " WHERE day_id = $1", event.day_id, task_row["task_id"], now)  # fmt: skip
        matched = VolunteerDayMatched(
            day_id=event.day_id, partner_id=event.partner_id, task_id=task_row["task_id"],
            organisation_id=task_row["organisation_id"], centrale_id=task_row["centrale_id"], matched_at=now,
        )  # fmt: skip
        await self._emit(conn, matched, task_row["centrale_id"], origin)
        result: UUID = task_row["task_id"]
        return result

    # -- reading ------------------------------------------------------------------------------------

    @staticmethod
    async def proposals(conn: Connection, *, task_id: UUID | None = None, volunteer_id: UUID | None = None,
                        only_open: bool = False) -> list[dict[str, Any]]:  # fmt: skip
        """Proposals of a task or a volunteer, best first, with their reasons."""
        rows = await conn.fetch(
            "SELECT match_id, task_id, volunteer_id, organisation_id, centrale_id, volunteer_centrale_id, score,"
            " reasons, via, needs_consulent, status, proposed_at, approved_at, decided_at FROM proposals"
            " WHERE ($1::uuid IS NULL OR task_id = $1) AND ($2::uuid IS NULL OR volunteer_id = $2)"
            " AND (NOT $3 OR status = ANY($4)) ORDER BY score DESC, proposed_at",
            task_id, volunteer_id, only_open, list(PENDING),
        )  # fmt: skip
        return [{**dict(row), "reasons": json.loads(row["reasons"])} for row in rows]

    @staticmethod
    async def load_postcode_areas(conn: Connection, areas: list[tuple[str, float, float]]) -> int:
        """Load PC4 centroids; volunteers in those areas are re-indexed with their coordinates."""
        await conn.executemany(
            "INSERT INTO postcode_areas (pc4, lat, lon) VALUES ($1, $2, $3)"
            " ON CONFLICT (pc4) DO UPDATE SET lat = excluded.lat, lon = excluded.lon",
            areas,
        )
        await conn.execute(
            "UPDATE volunteers SET changed_at = clock_timestamp() WHERE postcode_area = ANY($1)",
            [pc4 for pc4, _, _ in areas],
        )
        return len(areas)


def _happens_on(task: TaskProfile, day: date) -> bool:
    """Whether the task needs people on ``day``: its one-off date, or a weekly shift on that weekday."""
    if task.one_off_start is not None:
        return task.one_off_start.date() == day
    return bool(task.shift_mask >> ((day.isoweekday() - 1) * 24) & (2**24 - 1))
