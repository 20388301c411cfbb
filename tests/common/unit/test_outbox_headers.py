"""What an outbox row stores as headers: the envelope's Kafka headers, however the row was queued."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

from common.outbox import HeaderTemplate, headers_json, make_envelope, record_headers
from contracts.events import HoursLogged


def _event() -> HoursLogged:
    return HoursLogged.model_validate(
        {
            "hours_id": str(uuid4()),
            "match_id": str(uuid4()),
            "volunteer_id": str(uuid4()),
            "task_id": str(uuid4()),
            "organisation_id": str(uuid4()),
            "centrale_id": "vc-test",
            "theme": "zorg",
            "worked_on": "2026-03-14",
            "hours": "2.5",
            "logged_at": datetime.now(UTC).isoformat(),
        }
    )


def test_a_rows_headers_read_back_as_the_envelopes_kafka_headers() -> None:
    envelope = make_envelope(
        _event(), source="/regions/test/registry", tenant="vc-test", region="test", causation_id=uuid4()
    )

    stored = headers_json(envelope)

    assert record_headers(stored, None) == envelope.to_headers()
    assert record_headers(stored, "00-ab-cd-01")[-1] == ("ce_traceparent", b"00-ab-cd-01")


def test_the_bulk_template_renders_what_an_envelope_of_the_same_event_gives() -> None:
    event, at, correlation = _event(), datetime(2026, 3, 14, 9, 30, tzinfo=UTC), uuid4()
    origin = {"source": "/regions/test/registry", "tenant": "vc-test", "region": "test", "correlation_id": correlation}
    envelope = make_envelope(event, **origin).model_copy(update={"time": at})
    template = HeaderTemplate(event.event_type, **origin, time=at)

    rendered = template.render(str(envelope.id), event.subject())

    assert json.loads(rendered) == json.loads(headers_json(envelope))
    assert record_headers(rendered, None) == envelope.to_headers()


def test_a_subject_with_quotes_is_escaped_in_the_template() -> None:
    template = HeaderTemplate("t", source="/s", tenant="vc-test", region="test")

    rendered = template.render(str(uuid4()), 'a "quoted" \\ subject')

    assert dict(json.loads(rendered))["ce_subject"] == 'a "quoted" \\ subject'
