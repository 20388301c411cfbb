"""Awards' announcements rendered straight as outbox rows: the very rows ``emit_all`` writes for the model."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from asyncpg.pgproto.pgproto import UUID as PgUUID

from appreciation.announcements import announcement, outbox_rows
from appreciation.domain import Award, RuleKind
from common.outbox import headers_json
from common.uow import Origin
from contracts import EventEnvelope
from tests.appreciation.builders import award_of

_CAUSED = Origin(
    source="/regions/utrecht-west/appreciation",
    region="utrecht-west",
    correlation_id=uuid4(),
    causation_id=uuid4(),
    tenant="vc-utrecht",
    actor="event:nl.vrijwilligerscentrale.hours.logged.v1",
)
_JOB = Origin(source="/regions/test/appreciation", region="test", correlation_id=uuid4(), actor="job:anniversaries")


def _expected_row(award: Award, origin: Origin) -> tuple[str, str, str, bytes]:
    """The row ``emit_all`` writes for the award's model (``make_envelope``, then ``add_all_to_outbox``)."""
    event = announcement(award)
    envelope = EventEnvelope(
        id=award.award_id,
        source=origin.source,
        type=event.event_type,
        time=award.awarded_at,
        subject=event.subject(),
        tenant=award.centrale_id,
        region=origin.region,
        correlationid=origin.correlation_id,
        causationid=origin.causation_id,
    )
    return event.topic, envelope.subject, headers_json(envelope), event.model_dump_json().encode()


@pytest.mark.parametrize(
    "award",
    [
        award_of(uuid4()),
        award_of(uuid4(), "nldoet", occurrence="2026", title="Meegedaan aan NLdoet 2026"),
        award_of(uuid4(), title='Dank je "wel" \\ één keer\n\t\x01\u2028 🎉 voor élke / inzet'),
        award_of(uuid4(), at=datetime(2026, 3, 14, 18, 0, 0, 123456, tzinfo=UTC)),
        award_of(uuid4(), at=datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=2)))),
        replace(award_of(uuid4()), historic=True, rule_kind=RuleKind.ANNIVERSARY),
        replace(award_of(uuid4(), "partner-team-day"), recipient_kind="business_partner"),
    ],
)
@pytest.mark.parametrize("origin", [_CAUSED, _JOB])
def test_an_awards_outbox_row_is_the_one_its_model_and_envelope_give(award: Award, origin: Origin) -> None:
    assert outbox_rows([(award, origin)]) == [_expected_row(award, origin)]


def test_ids_read_back_from_the_database_are_written_as_any_uuid() -> None:
    """asyncpg gives its own UUID type (a uuid.UUID subclass) for ids it reads, e.g. a volunteer's or a trigger's."""
    award = replace(
        award_of(PgUUID(str(uuid4()))),
        award_id=PgUUID(str(uuid4())),
        trigger_event_id=PgUUID(str(uuid4())),
    )
    origin = replace(_CAUSED, correlation_id=PgUUID(str(uuid4())), causation_id=PgUUID(str(uuid4())))

    assert outbox_rows([(award, origin)]) == [_expected_row(award, origin)]


def test_rows_keep_the_awards_order_and_each_its_own_origin() -> None:
    awards = [(award_of(uuid4()), _CAUSED), (award_of(uuid4(), "hours-25"), _JOB), (award_of(uuid4()), _CAUSED)]

    assert outbox_rows(awards) == [_expected_row(award, origin) for award, origin in awards]
    assert outbox_rows([]) == []
