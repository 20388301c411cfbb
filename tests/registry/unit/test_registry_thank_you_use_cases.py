"""Thank-you messages, on the fakes: one per award, only with consent, in the centrale's words."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import NotFound
from registry.notifications.templates import DEFAULT_TEMPLATES, choose, placeholder_problem, render
from registry.notifications.use_cases import (
    ClaimDueThankYous,
    ListMessages,
    ListTemplates,
    NotSent,
    PrepareThankYou,
    RecordDelivery,
    RecordThankYou,
    ResetTemplate,
    SetTemplate,
    ThankYouMail,
    claim_due_thank_yous,
    list_messages,
    list_templates,
    prepare_thank_you,
    record_delivery,
    record_thank_you,
    reset_template,
    set_template,
)
from registry.repositories import Consent, Volunteer
from tests.registry.builders import NOW, a_centrale, a_volunteer
from tests.registry.fakes import FakeRegistryUnitOfWork


async def _volunteer(uow: FakeRegistryUnitOfWork, *, consents: bool = True, **overrides: object) -> Volunteer:
    centrale = a_centrale(name="Vrijwilligerscentrale Utrecht")
    await uow.centrales.add(centrale)
    volunteer = a_volunteer(centrale.id, **({"name": "Sanne Bakker", "email": "sanne@example.nl"} | overrides))
    await uow.volunteers.add(volunteer)
    if consents:
        await uow.volunteers.add_consent(Consent(volunteer.id, "appreciation_messages", True, "2026-01", "self", NOW))
    return volunteer


def _award(recipient: UUID, centrale_id: str, **overrides: object) -> RecordThankYou:
    values: dict[str, object] = {
        "award_id": uuid4(),
        "recipient_id": recipient,
        "recipient_kind": "volunteer",
        "centrale_id": centrale_id,
        "rule_kind": "hours_milestone",
        "title": "10 uur vrijwillige inzet",
    }
    return RecordThankYou(**(values | overrides))  # type: ignore[arg-type]


async def test_an_award_is_recorded_once_pending_when_the_volunteer_consents(uow: FakeRegistryUnitOfWork) -> None:
    volunteer = await _volunteer(uow)
    award = _award(volunteer.id, volunteer.centrale_id)

    first = await record_thank_you(award, uow)
    again = await record_thank_you(award, uow)

    assert (first.new, first.reason, again.new) == (True, None, False)
    stored = uow.tables.appreciation_messages[award.award_id]
    assert (stored.status, stored.next_attempt_at, stored.recorded_at) == ("pending", NOW, NOW)


async def test_an_award_for_imported_history_gets_no_thank_you_whatever_the_consent(
    uow: FakeRegistryUnitOfWork,
) -> None:
    volunteer = await _volunteer(uow)
    award = _award(volunteer.id, volunteer.centrale_id, historic=True)

    recorded = await record_thank_you(award, uow)

    assert (recorded.new, recorded.reason) == (True, "historic")
    stored = uow.tables.appreciation_messages[award.award_id]
    assert (stored.status, stored.reason) == ("not_sent", "historic")
    assert await claim_due_thank_yous(ClaimDueThankYous(limit=10), uow) == []
    assert "Sanne" not in repr(stored)  # no name, address or text is kept


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("no_consent", "no_consent"),
        ("no_email", "no_email"),
        ("erased", "erased"),
        ("unknown", "unknown_volunteer"),
        ("partner", "no_contact_data"),
    ],
)
async def test_why_no_thank_you_is_due_is_recorded(uow: FakeRegistryUnitOfWork, setup: str, reason: str) -> None:
    volunteer = await _volunteer(
        uow,
        consents=setup != "no_consent",
        email=None if setup == "no_email" else "sanne@example.nl",
        erased_at=NOW if setup == "erased" else None,
    )
    recipient = uuid4() if setup in ("unknown", "partner") else volunteer.id
    kind = "business_partner" if setup == "partner" else "volunteer"
    award = _award(recipient, volunteer.centrale_id, recipient_kind=kind)

    assert (await record_thank_you(award, uow)).reason == reason
    stored = uow.tables.appreciation_messages[award.award_id]
    assert (stored.status, stored.reason) == ("not_sent", reason)


async def test_a_due_message_becomes_a_mail_in_the_centrales_words(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    volunteer = await _volunteer(uow)
    await set_template(SetTemplate(volunteer.centrale_id, "default", "Dank, $naam!", "$titel, $centrale"), uow)
    award = _award(volunteer.id, volunteer.centrale_id, rule_kind="nldoet")
    await record_thank_you(award, uow)
    clock.advance(timedelta(seconds=1))
    uow.renew()

    [due] = await claim_due_thank_yous(ClaimDueThankYous(limit=20), uow)
    mail = await prepare_thank_you(PrepareThankYou(due, sending_enabled=True), uow)

    assert isinstance(mail, ThankYouMail)
    assert (mail.award_id, mail.to, mail.subject) == (award.award_id, "sanne@example.nl", "Dank, Sanne Bakker!")
    assert mail.text.startswith("10 uur vrijwillige inzet, Vrijwilligerscentrale Utrecht")
    assert "toestemming" in mail.text  # how to stop these messages is always said


async def test_consent_withdrawn_after_the_award_stops_the_message(uow: FakeRegistryUnitOfWork) -> None:
    volunteer = await _volunteer(uow)
    award = _award(volunteer.id, volunteer.centrale_id)
    await record_thank_you(award, uow)
    await uow.volunteers.add_consent(Consent(volunteer.id, "appreciation_messages", False, "2026-01", "self", NOW))

    [due] = await claim_due_thank_yous(ClaimDueThankYous(limit=20), uow)
    assert await prepare_thank_you(PrepareThankYou(due, sending_enabled=True), uow) == NotSent("no_consent")
    stored = uow.tables.appreciation_messages[award.award_id]
    assert (stored.status, stored.reason, stored.attempts) == ("not_sent", "no_consent", 1)
    assert await claim_due_thank_yous(ClaimDueThankYous(limit=20), uow) == []


async def test_without_an_smtp_server_messages_are_recorded_as_not_sent(uow: FakeRegistryUnitOfWork) -> None:
    volunteer = await _volunteer(uow)
    await record_thank_you(_award(volunteer.id, volunteer.centrale_id), uow)
    [due] = await claim_due_thank_yous(ClaimDueThankYous(limit=20), uow)
    assert await prepare_thank_you(PrepareThankYou(due, sending_enabled=False), uow) == NotSent("sending_disabled")


async def test_delivery_outcomes_sent_refused_and_retried_with_doubling_delays(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    volunteer = await _volunteer(uow)
    sent, refused, failing = (_award(volunteer.id, volunteer.centrale_id) for _ in range(3))
    for award in (sent, refused, failing):
        await record_thank_you(award, uow)
    messages = uow.tables.appreciation_messages

    assert await record_delivery(RecordDelivery(messages[sent.award_id], "sent"), uow) is None
    assert await record_delivery(RecordDelivery(messages[refused.award_id], "refused", "550 no mailbox"), uow) is None
    delays = []
    for _ in range(3):
        delays.append(await record_delivery(RecordDelivery(messages[failing.award_id], "failed", "timeout"), uow))

    assert (messages[sent.award_id].status, messages[sent.award_id].sent_at) == ("sent", NOW)
    assert (messages[refused.award_id].status, messages[refused.award_id].reason) == ("failed", "refused")
    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    retried = messages[failing.award_id]
    assert (retried.status, retried.attempts, retried.next_attempt_at) == ("pending", 3, NOW + timedelta(minutes=4))
    long_failing = replace(retried, attempts=20)
    assert await record_delivery(RecordDelivery(long_failing, "failed", "timeout"), uow) == timedelta(days=1)


async def test_staff_see_their_templates_and_messages(uow: FakeRegistryUnitOfWork) -> None:
    volunteer = await _volunteer(uow)
    centrale_id = volunteer.centrale_id
    set_view = await set_template(SetTemplate(centrale_id, "anniversary", "Jubileum!", "$titel"), uow)
    assert set_view.custom is True

    views = {view.kind: view for view in await list_templates(ListTemplates(centrale_id), uow)}
    assert set(views) == set(DEFAULT_TEMPLATES)
    assert (views["anniversary"].subject, views["anniversary"].custom) == ("Jubileum!", True)
    assert views["default"].custom is False
    await reset_template(ResetTemplate(centrale_id, "anniversary"), uow)
    assert not any(view.custom for view in await list_templates(ListTemplates(centrale_id), uow))
    with pytest.raises(NotFound):
        await set_template(SetTemplate("vc-nowhere", "default", "x", "y"), uow)

    award = _award(volunteer.id, centrale_id)
    await record_thank_you(award, uow)
    [listed] = await list_messages(ListMessages(centrale_id), uow)
    assert (listed["award_id"], listed["status"], listed["title"]) == (award.award_id, "pending", award.title)
    assert await list_messages(ListMessages(centrale_id, status="sent"), uow) == []


def test_a_template_is_the_centrales_own_for_the_kind_else_its_default_else_ours() -> None:
    own = {"default": ("Eigen", "tekst"), "mdt": ("MDT", "tekst")}
    assert choose(own, "mdt") == ("MDT", "tekst")
    assert choose(own, "nldoet") == ("Eigen", "tekst")
    assert choose({}, "nldoet") == DEFAULT_TEMPLATES["nldoet"]
    assert choose({}, "partner_team_day") == DEFAULT_TEMPLATES["default"]


def test_rendering_fills_placeholders_only_and_keeps_the_subject_on_one_line() -> None:
    subject, body = render(
        "Hoi $naam\r\nBcc: x@y", "$titel door $naam; $other en $$", naam="Jan", titel="T", centrale="C"
    )
    assert subject == "Hoi Jan Bcc: x@y"
    assert body.startswith("T door Jan; $other en $")
    assert "C." in body  # the footer names the centrale


@pytest.mark.parametrize(
    ("text", "problem"),
    [("Dag $naam", None), ("Kost $ 5", "a $ must start"), ("Hoi $voornaam", "unknown placeholder"), ("$$5", None)],
)
def test_a_template_may_use_the_three_placeholders_only(text: str, problem: str | None) -> None:
    found = placeholder_problem(text)
    assert (found is None) if problem is None else (found is not None and found.startswith(problem))
