"""Thank-you messages: the registry, which holds contact data, e-mails volunteers their awards if they consent.

Two steps, so a mail server outage never loses or blocks anything:

1. ``on_appreciation_awarded`` (in the inbox transaction) records one row per award id: ``pending`` when
   the volunteer currently consents to appreciation messages and has an e-mail address, else
   ``not_sent`` with the reason. A redelivered award, or the same award published again, finds its row.
2. A sender loop (started with the registry's API, see ``router``'s lifespan) claims due rows, checks the
   consent again (a withdrawal in between stops the message), renders the centrale's template from the
   volunteer's current record and sends it over SMTP; a failure is retried with backoff, a permanent
   refusal marks the row ``failed``. The Message-ID derives from the award id, so in the one window
   where a message can go out twice (the process dies after the server accepted it, before the row was
   marked) mail clients see one message.

No name, address or text is stored with a message, so erasing a volunteer leaves nothing personal here.
"""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from string import Template
from typing import Annotated, Any, Literal, cast
from uuid import UUID

import asyncpg
from fastapi import APIRouter, FastAPI, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from common.auth import CallerDep, Role, require_centrale_access
from common.consumer import EventConsumer
from common.db import Connection
from common.logging import get_logger
from common.service import PoolDep
from common.uow import PostgresUnitOfWork
from contracts.events import AppreciationAwarded
from registry.config import Settings
from registry.domain import ConsentKind

__all__ = ["DEFAULT_TEMPLATES", "MessageSender", "register_notifications", "render", "router"]

log = get_logger(__name__)

TemplateKind = Literal["default", "first_match", "hours_milestone", "anniversary", "nldoet", "mdt"]
PLACEHOLDERS = frozenset({"naam", "titel", "centrale"})

_FOOTER = (
    "\n\n--\nJe krijgt dit bericht omdat je toestemming gaf voor waarderingsberichten van $centrale. Wil je ze"
    " niet meer ontvangen? Trek je toestemming in bij je gegevens, of laat het de vrijwilligerscentrale weten."
)

# Dutch defaults; staff replace them per centrale and kind through the API.
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "default": (
        "Dank je wel, $naam!",
        "Beste $naam,\n\nNamens $centrale willen we je graag bedanken: $titel.\n\n"
        "Jouw inzet maakt het verschil voor de mensen en organisaties bij jou in de buurt.\n\n"
        "Hartelijke groet,\n$centrale",
    ),
    "first_match": (
        "Welkom als vrijwilliger, $naam!",
        "Beste $naam,\n\nJe bent aan de slag gegaan als vrijwilliger: $titel. Wat fijn dat je meedoet!\n\n"
        "Heb je vragen, dan staan we voor je klaar.\n\nHartelijke groet,\n$centrale",
    ),
    "hours_milestone": (
        "Gefeliciteerd: $titel!",
        "Beste $naam,\n\nJe hebt een mooie mijlpaal bereikt: $titel. Dank je wel voor al die uren die je"
        " aan anderen geeft.\n\nHartelijke groet,\n$centrale",
    ),
    "anniversary": (
        "Gefeliciteerd met je jubileum, $naam!",
        "Beste $naam,\n\nVandaag vieren we iets bijzonders: $titel. Dank je wel voor je trouwe inzet.\n\n"
        "Hartelijke groet,\n$centrale",
    ),
    "nldoet": (
        "Bedankt voor je inzet tijdens NLdoet!",
        "Beste $naam,\n\n$titel: dank je wel dat je de handen uit de mouwen stak.\n\nHartelijke groet,\n$centrale",
    ),
    "mdt": (
        "Gefeliciteerd met je maatschappelijke diensttijd!",
        "Beste $naam,\n\nJe hebt een MDT-mijlpaal bereikt: $titel. Dit kun je mooi op je cv zetten; vraag"
        " gerust je bewijs van inzet aan.\n\nHartelijke groet,\n$centrale",
    ),
}

# Retry delays of a message whose sending failed for a passing reason: doubling from a minute, at most a day.
_FIRST_RETRY = timedelta(minutes=1)
_MAX_RETRY = timedelta(days=1)
_BATCH = 20


# --- recording: in the inbox transaction -------------------------------------------------------------


async def _consents(conn: Connection, volunteer_id: UUID) -> bool:
    """Whether the volunteer's latest appreciation-messages consent is a grant."""
    granted = await conn.fetchval(
        "SELECT granted FROM volunteer_consents WHERE volunteer_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
        volunteer_id,
        ConsentKind.APPRECIATION_MESSAGES.value,
    )
    return bool(granted)


async def _why_not(conn: Connection, recipient_kind: str, recipient_id: UUID) -> str | None:
    """Why no message may go to the recipient now, or None when one may."""
    if recipient_kind != "volunteer":
        return "no_contact_data"  # the registry keeps no contact person for business partners
    volunteer = await conn.fetchrow("SELECT email, erased_at FROM volunteers WHERE id = $1", recipient_id)
    if volunteer is None:
        return "unknown_volunteer"
    if volunteer["erased_at"] is not None:
        return "erased"
    if not await _consents(conn, recipient_id):
        return "no_consent"
    if not volunteer["email"]:
        return "no_email"
    return None


async def on_appreciation_awarded(event: AppreciationAwarded, uow: PostgresUnitOfWork) -> None:
    """Queue a thank-you for the award when the volunteer consents, else record why not; once per award."""
    reason = await _why_not(uow.conn, event.recipient_kind, event.recipient_id)
    inserted = await uow.conn.fetchval(
        "INSERT INTO appreciation_messages (award_id, recipient_id, recipient_kind, centrale_id, rule_kind, title,"
        " status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (award_id) DO NOTHING RETURNING true",
        event.award_id, event.recipient_id, event.recipient_kind, event.centrale_id, event.rule_kind, event.title,
        "pending" if reason is None else "not_sent", reason,
    )  # fmt: skip
    log.info(
        "thank_you_queued" if inserted and reason is None else "thank_you_not_queued",
        award_id=str(event.award_id),
        reason=reason if inserted else "seen_before",
    )


def register_notifications(consumer: EventConsumer) -> None:
    """Attach the thank-you subscriber to the registry's consumer."""
    consumer.on(AppreciationAwarded)(on_appreciation_awarded)


# --- sending: a loop beside the API --------------------------------------------------------------------


def render(subject: str, body: str, *, naam: str, titel: str, centrale: str) -> tuple[str, str]:
    """A template filled in; ``$`` placeholders only, so a template cannot reach anything else."""
    values = {"naam": naam, "titel": titel, "centrale": centrale}
    # Header injection: a subject is one line, whatever a name or title contains.
    rendered_subject = " ".join(Template(subject).safe_substitute(values).split())
    return rendered_subject, Template(body + _FOOTER).safe_substitute(values)


class _PermanentFailure(Exception):
    """The server refused the message for good (e.g. an unknown mailbox): retrying will not help."""


class MessageSender:
    """Sends due thank-you messages; several registry instances may run one each (rows are claimed)."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings) -> None:
        self._pool = pool
        self._settings = settings
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Send what is due, then wait for the poll interval; until ``stop``."""
        while not self._stopping.is_set():
            try:
                sent = await self.send_due()
            except Exception:
                log.warning("thank_you_round_failed", exc_info=True)
                sent = 0
            if sent:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._settings.messages_poll_interval_s)

    def stop(self) -> None:
        """Finish the message in hand, then return from ``run``."""
        self._stopping.set()

    async def send_due(self) -> int:
        """Handle one batch of due messages; returns how many were handled."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT * FROM appreciation_messages WHERE status = 'pending' AND next_attempt_at <= now()"
                " ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED",
                _BATCH,
            )
            for row in rows:
                if self._stopping.is_set():
                    break
                await self._deliver(conn, row)
        return len(rows)

    async def _deliver(self, conn: Connection, row: asyncpg.Record) -> None:
        award_id = row["award_id"]
        if self._settings.smtp_host is None:
            await self._finish(conn, award_id, "not_sent", "sending_disabled")
            return
        reason = await _why_not(conn, row["recipient_kind"], row["recipient_id"])
        if reason is not None:
            await self._finish(conn, award_id, "not_sent", reason)  # e.g. consent withdrawn since the award
            return
        message = await self._message(conn, row)
        try:
            await asyncio.to_thread(self._send, message)
        except _PermanentFailure as error:
            await self._finish(conn, award_id, "failed", "refused", str(error))
            return
        except (OSError, smtplib.SMTPException) as error:
            delay = min(_FIRST_RETRY * 2 ** row["attempts"], _MAX_RETRY)
            await conn.execute(
                "UPDATE appreciation_messages SET attempts = attempts + 1, last_error = $2,"
                " next_attempt_at = now() + $3 WHERE award_id = $1",
                award_id,
                repr(error)[:500],
                delay,
            )
            log.warning("thank_you_send_failed", award_id=str(award_id), retry_in_s=delay.total_seconds())
            return
        await conn.execute(
            "UPDATE appreciation_messages SET status = 'sent', attempts = attempts + 1, sent_at = now(),"
            " last_error = NULL WHERE award_id = $1",
            award_id,
        )
        log.info("thank_you_sent", award_id=str(award_id))

    async def _finish(
        self, conn: Connection, award_id: UUID, status: str, reason: str, error: str | None = None
    ) -> None:
        await conn.execute(
            "UPDATE appreciation_messages SET status = $2, reason = $3, last_error = $4, attempts = attempts + 1"
            " WHERE award_id = $1",
            award_id,
            status,
            reason,
            error,
        )
        log.info("thank_you_not_sent", award_id=str(award_id), status=status, reason=reason)

    async def _message(self, conn: Connection, row: asyncpg.Record) -> EmailMessage:
        """The e-mail for a message row, from the volunteer's current record and the centrale's template."""
        volunteer = await conn.fetchrow(
            "SELECT v.name, v.email, c.name AS centrale_name, v.centrale_id FROM volunteers v"
            " JOIN centrales c ON c.id = v.centrale_id WHERE v.id = $1",
            row["recipient_id"],
        )
        assert volunteer is not None, "checked by _why_not"
        subject, body = await _template(conn, volunteer["centrale_id"], row["rule_kind"])
        subject, text = render(
            subject, body, naam=volunteer["name"] or "", titel=row["title"], centrale=volunteer["centrale_name"]
        )
        message = EmailMessage()
        message["From"] = self._settings.smtp_sender
        message["To"] = volunteer["email"]
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(UTC))
        domain = self._settings.smtp_sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<{row['award_id']}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message["Content-Language"] = "nl"
        message.set_content(text)
        return message

    def _send(self, message: EmailMessage) -> None:
        """One SMTP conversation (blocking: runs in a worker thread)."""
        settings = self._settings
        assert settings.smtp_host is not None
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_username, password)
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                raise _PermanentFailure("recipient refused") from error
            except smtplib.SMTPResponseException as error:
                if error.smtp_code >= 500:
                    raise _PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
                raise


async def _template(conn: Connection, centrale_id: str, kind: str) -> tuple[str, str]:
    """The template for ``kind``: the centrale's own for it or its own default, else the Dutch one."""
    rows = await conn.fetch(
        "SELECT kind, subject, body FROM appreciation_templates WHERE centrale_id = $1 AND kind = ANY($2::text[])",
        centrale_id,
        [kind, "default"],
    )
    own = {row["kind"]: (row["subject"], row["body"]) for row in rows}
    # The centrale's own words first (its default covers kinds it did not write one for), then ours.
    return own.get(kind) or own.get("default") or DEFAULT_TEMPLATES.get(kind) or DEFAULT_TEMPLATES["default"]


@asynccontextmanager
async def _sending(app: FastAPI) -> AsyncIterator[None]:
    """Run the sender while the registry runs (FastAPI starts a router's lifespan after the service's own)."""
    runtime = app.state.runtime
    settings = cast(Settings, runtime.settings)
    sender = MessageSender(runtime.pool, settings)
    task = asyncio.create_task(sender.run(), name="thank-you-sender")
    try:
        yield
    finally:
        sender.stop()
        # A conversation in hand finishes within the SMTP timeout; after that it is abandoned (and retried later).
        try:
            await asyncio.wait_for(task, timeout=settings.smtp_timeout_s + 1)
        except TimeoutError:
            log.warning("thank_you_sender_stop_timed_out")


# --- API: templates and message status for centrale staff ---------------------------------------------

router = APIRouter(prefix="/v1/centrales/{centrale_id}", tags=["centrale staff"], lifespan=_sending)


class TemplateIn(BaseModel):
    """A thank-you template; placeholders ``$naam``, ``$titel`` and ``$centrale``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=200, examples=["Gefeliciteerd, $naam!"])
    body: str = Field(min_length=1, max_length=5000, examples=["Beste $naam,\n\n$titel: dank je wel!\n\n$centrale"])

    @field_validator("subject", "body")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        template = Template(value)
        if not template.is_valid():
            raise ValueError("a $ must start a placeholder ($naam, $titel, $centrale) or be written $$")
        unknown = set(template.get_identifiers()) - PLACEHOLDERS
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; use $naam, $titel or $centrale")
        return value


class TemplateOut(BaseModel):
    """The template a centrale uses for one kind of award."""

    kind: str
    subject: str
    body: str
    custom: bool = Field(description="False while the Dutch default is used.")


KindPath = Annotated[TemplateKind, Path(description="An award kind, or 'default' for kinds without their own.")]


def _staff(caller: Any, centrale_id: str) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


@router.get("/appreciation-templates", summary="The thank-you templates the centrale uses, per award kind.")
async def list_templates(centrale_id: str, caller: CallerDep, pool: PoolDep) -> list[TemplateOut]:
    _staff(caller, centrale_id)
    rows = await pool.fetch(
        "SELECT kind, subject, body FROM appreciation_templates WHERE centrale_id = $1", centrale_id
    )
    own = {row["kind"]: row for row in rows}
    return [
        TemplateOut(kind=kind, subject=own[kind]["subject"], body=own[kind]["body"], custom=True)
        if kind in own
        else TemplateOut(kind=kind, subject=subject, body=body, custom=False)
        for kind, (subject, body) in DEFAULT_TEMPLATES.items()
    ]


@router.put("/appreciation-templates/{kind}", summary="Set the centrale's own thank-you template for a kind.")
async def put_template(
    centrale_id: str, kind: KindPath, body: TemplateIn, caller: CallerDep, pool: PoolDep
) -> TemplateOut:
    _staff(caller, centrale_id)
    async with pool.acquire() as conn:
        if await conn.fetchval("SELECT 1 FROM centrales WHERE id = $1", centrale_id) is None:
            raise HTTPException(404, f"centrale {centrale_id} not found")
        await conn.execute(
            "INSERT INTO appreciation_templates (centrale_id, kind, subject, body) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (centrale_id, kind) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,"
            " updated_at = now()",
            centrale_id,
            kind,
            body.subject,
            body.body,
        )
    return TemplateOut(kind=kind, subject=body.subject, body=body.body, custom=True)


@router.delete("/appreciation-templates/{kind}", status_code=204, summary="Go back to the default template.")
async def delete_template(centrale_id: str, kind: KindPath, caller: CallerDep, pool: PoolDep) -> None:
    _staff(caller, centrale_id)
    await pool.execute("DELETE FROM appreciation_templates WHERE centrale_id = $1 AND kind = $2", centrale_id, kind)


@router.get("/appreciation-messages", summary="Thank-you messages for the centrale's awards: sent, due, or why not.")
async def list_messages(
    centrale_id: str,
    caller: CallerDep,
    pool: PoolDep,
    status: Annotated[Literal["pending", "sent", "not_sent", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    _staff(caller, centrale_id)
    rows = await pool.fetch(
        "SELECT award_id, recipient_id, recipient_kind, rule_kind, title, status, reason, attempts, recorded_at,"
        " sent_at FROM appreciation_messages WHERE centrale_id = $1 AND ($2::text IS NULL OR status = $2)"
        " ORDER BY recorded_at DESC LIMIT $3",
        centrale_id,
        status,
        limit,
    )
    return [dict(row) for row in rows]
