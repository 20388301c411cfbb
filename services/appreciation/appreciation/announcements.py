"""``AppreciationAwarded``, each new award's announcement: as the contract's model, or straight as its outbox row.

A burst of hours gives tens of thousands of awards; building the model, an envelope and its headers per award
cost more than deciding the award. ``outbox_rows`` renders the row the unit of work's ``emit_all`` would write
for the model (``tests/appreciation/unit/test_announcements.py`` holds them equal), the envelope's ``time``
being the award's moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import orjson
from pydantic import TypeAdapter

from appreciation.domain import Award
from common.uow import Origin
from contracts.events import AppreciationAwarded

__all__ = ["OutboxRow", "announcement", "outbox_rows"]

OutboxRow = tuple[str, str, str, bytes]
"""(topic, key, headers JSON, payload), as ``common.outbox.copy_to_outbox`` takes it."""

_TIME = TypeAdapter(datetime)


def announcement(award: Award) -> AppreciationAwarded:
    """The award as the contract's event."""
    assert award.recipient_id is not None, "a new award has its recipient"
    return AppreciationAwarded(
        award_id=award.award_id,
        recipient_id=award.recipient_id,
        recipient_kind=award.recipient_kind,
        centrale_id=award.centrale_id,
        rule_id=award.rule_id,
        rule_kind=award.rule_kind.value,
        title=award.title,
        trigger_event_id=award.trigger_event_id,
        trigger_event_type=award.trigger_event_type,
        awarded_at=award.awarded_at,
        historic=award.historic,
    )


def outbox_rows(awards: Sequence[tuple[Award, Origin]]) -> list[OutboxRow]:
    """Each award's announcement as an outbox row, under the award's id and with its origin and centrale."""
    # The awards of one unit of work share their moment: its text (pydantic's, as the model writes it) once.
    times: dict[datetime, str] = {}
    rows = []
    for award, origin in awards:
        assert award.recipient_id is not None, "a new award has its recipient"
        time = times.get(award.awarded_at)
        if time is None:
            time = times[award.awarded_at] = _TIME.dump_python(award.awarded_at, mode="json")
        # orjson writes a uuid.UUID as str() does, without the Python call; asyncpg's UUIDs (ids read back from
        # the database) it does not know, and ``default=str`` writes those.
        subject = str(award.recipient_id)
        headers = [
            ("content-type", "application/json"),
            ("ce_specversion", "1.0"),
            ("ce_id", award.award_id),
            ("ce_source", origin.source),
            ("ce_type", AppreciationAwarded.event_type),
            ("ce_time", time),
            ("ce_subject", subject),
            ("ce_tenant", award.centrale_id),
            ("ce_region", origin.region),
            ("ce_correlationid", origin.correlation_id),
        ]
        if origin.causation_id is not None:
            headers.append(("ce_causationid", origin.causation_id))
        payload = {
            "award_id": award.award_id,
            "recipient_id": subject,
            "recipient_kind": award.recipient_kind,
            "centrale_id": award.centrale_id,
            "rule_id": award.rule_id,
            "rule_kind": award.rule_kind.value,
            "title": award.title,
            "trigger_event_id": award.trigger_event_id,
            "trigger_event_type": award.trigger_event_type,
            "awarded_at": time,
            "historic": award.historic,
        }
        rows.append(
            (
                AppreciationAwarded.topic,
                subject,
                orjson.dumps(headers, default=str).decode(),
                orjson.dumps(payload, default=str),
            )
        )
    return rows
